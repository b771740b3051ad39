/** Wire shapes of `GET /v1/me`: what the member holds in every collection served, and their standing with each brand. */
import { Type, type Static } from "typebox";
import { AddressSchema, Nullable, StringEnum } from "./common.ts";

export const HoldingSchema = Type.Object({
  name: Type.String({ description: "What the brand calls this token type" }),
  description: Type.String(),
  image: Nullable(Type.String({ description: "Picture URL" })),
  tokenId: Type.String(),
  kind: StringEnum(["membership", "collectible"] as const),
  balance: Type.String(),
  soulbound: Type.Boolean(),
  points: Type.String(),
  uri: Type.String(),
  /** Memberships only. */
  active: Type.Optional(Type.Boolean()),
  expiresAt: Type.Optional(Nullable(Type.String({ format: "date-time", description: "null: never expires" }))),
});

export const CollectionHoldingsSchema = Type.Object({
  address: AddressSchema,
  brandId: Nullable(Type.String({ description: "The brand that registered the collection; null: served by the operator" })),
  available: Type.Boolean({ description: "False when this collection could not be read just now (its holdings are then empty)" }),
  holdings: Type.Array(HoldingSchema),
});

export const LevelRefSchema = Type.Object({ key: Type.String(), name: Type.String(), minPoints: Type.Integer() });

export const LoyaltySchema = Type.Object({
  brandId: Type.String(),
  brandName: Type.String(),
  points: Type.String({ description: "Sum over the brand's token types held of balance x the type's points (expired memberships count nothing)" }),
  level: Nullable(LevelRefSchema),
  next: Nullable(Type.Object({ ...LevelRefSchema.properties, pointsToGo: Type.String() })),
});

export const FreshnessSchema = Type.Object(
  {
    source: StringEnum(["index", "chain"] as const, { description: "index: the deployment's chain index answered; chain: the chain itself (the index lags, is off, or a collection is still catching up)" }),
    indexedBlock: Nullable(Type.String({ description: "The block the index answered at" })),
    lagBlocks: Nullable(Type.Integer({ description: "How many blocks the index was under the chain's head" })),
  },
  { description: "How current the holdings are" },
);

export const MeResponse = Type.Object({
  address: AddressSchema,
  chainId: Type.Integer(),
  collections: Type.Array(CollectionHoldingsSchema, { description: "The served collections the member holds something in, and any that could not be read just now (available: false)" }),
  loyalty: Type.Array(LoyaltySchema, { description: "One entry per brand whose collections could all be read" }),
  freshness: FreshnessSchema,
});

export type Holding = Static<typeof HoldingSchema>;
export type Freshness = Static<typeof FreshnessSchema>;
export type CollectionHoldings = Static<typeof CollectionHoldingsSchema>;
/** A member's standing with one brand: points from the stamps held, the level they set, what the next level needs. */
export type LoyaltyStanding = Static<typeof LoyaltySchema>;
/** `GET /v1/me`. */
export type Me = Static<typeof MeResponse>;
