/**
 * Wire shapes of entitlements: a short-lived token the API signs (ES256) stating what a member holds
 * with one brand, for the brand's own server to verify offline against the API's JWKS. The claims
 * schema is here so the API that signs and the SDK that verifies agree on one shape.
 */
import { Type, type Static } from "typebox";
import { ENTITLEMENT_VERSION } from "./entitlement-format.ts";

export { ENTITLEMENT_ALGORITHM, ENTITLEMENT_VERSION, JWKS_PATH, SESSION_HEADER } from "./entitlement-format.ts";

const Uint = Type.String({ pattern: "^(0|[1-9][0-9]{0,77})$" });
const Address = Type.String({ pattern: "^0x[0-9a-fA-F]{40}$" });
const TokenType = { collection: Address, tokenId: Uint, name: Type.String() };

export const EntitlementLevelSchema = Type.Object({ key: Type.String(), name: Type.String(), minPoints: Type.Integer({ minimum: 0 }) });

/** What an entitlement states: the member (by address only: nothing personal), and their standing with one brand. */
export const EntitlementClaimsSchema = Type.Object({
  /** The API's public URL. */
  iss: Type.String(),
  /** The member's checksummed address. */
  sub: Address,
  /** The brand's origin the token is for: its server accepts no other. */
  aud: Type.String(),
  iat: Type.Integer(),
  exp: Type.Integer(),
  jti: Type.String(),
  v: Type.Literal(ENTITLEMENT_VERSION),
  brand: Type.Object({ id: Type.String(), name: Type.String() }),
  /** Loyalty points with the brand, a decimal string. */
  points: Uint,
  /** The highest level the points reach, or null. */
  level: Type.Union([Type.Object({ key: Type.String(), name: Type.String() }), Type.Null()]),
  /** The brand's levels, lowest first: "at least Silver" is decided from these. */
  levels: Type.Array(EntitlementLevelSchema),
  /** Active memberships (unexpired) in the collections read; `expiresAt` null: never expires. */
  memberships: Type.Array(Type.Object({ ...TokenType, expiresAt: Type.Union([Type.String(), Type.Null()]) })),
  /** Every token type held (balance above 0) in the collections read. */
  holdings: Type.Array(Type.Object({ ...TokenType, balance: Uint })),
  /** The collections read (the brand's and the deployment's shared ones): rules over others cannot be decided from these claims. */
  collections: Type.Array(Address),
  /** The brand's perks the member may redeem right now. */
  perks: Type.Array(Type.Object({ id: Type.String(), title: Type.String() })),
});
export type EntitlementClaims = Static<typeof EntitlementClaimsSchema>;

export const EntitlementQuery = Type.Object(
  {
    brand: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9_-]+$", description: "The brand whose view of the member the token states (default: the brand that registered the request's Origin)" }),
    ),
    audience: Type.Optional(
      Type.String({ maxLength: 2048, description: "Without an Origin header (a server calling with a member's bearer session): the brand's registered origin the token is for" }),
    ),
  },
  { additionalProperties: false },
);

export const EntitlementResponse = Type.Object({
  /** A JWT (ES256) whose claims are {@link EntitlementClaimsSchema}. */
  token: Type.String(),
  expiresAt: Type.String({ format: "date-time" }),
});
export type Entitlement = Static<typeof EntitlementResponse>;

const PublicJwk = Type.Object({ kty: Type.String(), crv: Type.String(), x: Type.String(), y: Type.String(), kid: Type.String(), alg: Type.String(), use: Type.String() });
export const JwksSchema = Type.Object({ keys: Type.Array(PublicJwk) });

export const RotatedKeySchema = Type.Object({ kid: Type.String(), createdAt: Type.String({ format: "date-time" }) });
