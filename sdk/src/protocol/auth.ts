/** Wire shapes of members' sign-in with Ethereum (EIP-4361): the nonce grant, the signed message, the session. */
import { Type, type Static } from "typebox";
import { AddressSchema, Nullable, StringEnum, TimestampSchema } from "./common.ts";

export const NonceResponse = Type.Object({
  nonce: Type.String(),
  expiresAt: TimestampSchema,
  domain: Type.String(),
  uri: Type.String(),
  chainId: Type.Integer(),
  statement: Type.String(),
  version: Type.Literal("1"),
  issuedAt: TimestampSchema,
});

export const VerifyBody = Type.Object(
  {
    message: Type.String({ minLength: 1, maxLength: 8192, description: "The EIP-4361 message exactly as signed" }),
    signature: Type.String({ pattern: "^0x[0-9a-fA-F]*$", maxLength: 65_536, description: "Hex signature (65 bytes for plain wallets; longer for contract wallets)" }),
    invitation: Type.Optional(Type.String({ maxLength: 128, description: "A referral invitation code: a first sign-in with it completes the inviter's referral step" })),
  },
  { additionalProperties: false },
);

export const SessionResponse = Type.Object({
  token: Type.String({ description: "Bearer token for non-browser clients; browsers also get an httpOnly cookie" }),
  address: AddressSchema,
  chainId: Type.Integer(),
  expiresAt: TimestampSchema,
  method: StringEnum(["eoa", "erc1271", "erc6492"] as const),
  brandId: Nullable(Type.String({ description: "The brand whose registered storefront the member signed in on; null: one of the deployment's own pages" })),
});

/** What `GET /v1/auth/nonce` grants: a single-use nonce and the fields of the EIP-4361 message. */
export type NonceGrant = Static<typeof NonceResponse>;
/** `POST /v1/auth/verify`'s body. */
export type VerifyRequest = Static<typeof VerifyBody>;
/** `POST /v1/auth/verify`'s answer: the session, and how the signature was checked. */
export type SessionAnswer = Static<typeof SessionResponse>;

/** A member's session as a client keeps it: what `signIn()` returns and what the SDK stores. */
export type Session = Pick<SessionAnswer, "token" | "address" | "chainId" | "expiresAt">;
