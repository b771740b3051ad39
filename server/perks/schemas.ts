/** Wire shapes of perks and redemptions, shared by member and brand routes. */
import { Type, type Static } from "typebox";
import { getAddress } from "viem";
import type { MemberOffer } from "../offers/listing.ts";
import { LimitsSchema, MemberOfferFields, RuleSchema } from "../offers/schemas.ts";
import type { Offer, Take } from "../offers/types.ts";
import { AddressSchema, Nullable, TimestampSchema } from "../schemas.ts";
import type { Verified } from "./till.ts";

export const PerkSchema = Type.Object({
  id: Type.String(),
  brandId: Type.String(),
  title: Type.String(),
  description: Type.String(),
  collections: Type.Array(AddressSchema, { description: "The collections the rule reads" }),
  rule: RuleSchema,
  limits: LimitsSchema,
  startsAt: Nullable(TimestampSchema),
  endsAt: Nullable(TimestampSchema),
  yields: Type.Literal("code", { description: "Redeeming yields a one-time code a till verifies" }),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});

const MemberPerkFields = {
  ...MemberOfferFields,
  redeemed: Type.Integer({ minimum: 0, description: "The member's redemptions of this perk" }),
};

/** A perk in a member's listing: what it requires in words, and whether the member has it. */
export const MemberPerkSchema = Type.Object(MemberPerkFields);

/** One perk for a member, with its rule as JSON as well. */
export const MemberPerkDetailSchema = Type.Object({ ...MemberPerkFields, rule: RuleSchema });

export const RedemptionSchema = Type.Object({
  id: Type.String(),
  perkId: Type.String(),
  brandId: Type.String(),
  member: AddressSchema,
  code: Type.String({ description: "One-time code; show it as text or QR" }),
  createdAt: TimestampSchema,
  consumedAt: Nullable(TimestampSchema),
});

export const RedemptionPageSchema = Type.Object({ items: Type.Array(RedemptionSchema), nextCursor: Nullable(Type.String()) });

/**
 * What the till sees once a code is used up: the redemption (its `member` the address, as everywhere),
 * what it is for, and the member's standing with the brand.
 */
export const VerifiedRedemptionSchema = Type.Object({
  ...RedemptionSchema.properties,
  perk: Type.Object({ id: Type.String(), title: Type.String() }),
  standing: Type.Object({
    level: Nullable(Type.Object({ key: Type.String(), name: Type.String() }, { description: "The member's level with the brand; null below the first level, or when it could not be read" })),
    points: Nullable(Type.String({ description: "The member's points with the brand, a decimal string; null when they could not be read just now" })),
  }),
});

export function perkView(perk: Offer): Static<typeof PerkSchema> {
  const { kind: _kind, tokens, reward: _reward, ...fields } = perk;
  const collections = [...new Set(tokens.map((token) => token.split(":")[0]!))].map((c) => getAddress(c));
  return { ...fields, collections, yields: "code" };
}

export function memberPerkView({ offer, requires, status, eligible, reasons, checked, taken, usedUp }: MemberOffer): Static<typeof MemberPerkSchema> {
  const { id, brandId, title, description, limits, startsAt, endsAt } = offer;
  return { id, brandId, title, description, requires, limits, startsAt, endsAt, status, eligible, reasons, checked, usedUp, redeemed: taken };
}

export function memberPerkDetailView(p: MemberOffer): Static<typeof MemberPerkDetailSchema> {
  return { ...memberPerkView(p), rule: p.offer.rule };
}

export function verifiedRedemptionView(v: Verified): Static<typeof VerifiedRedemptionSchema> {
  return { ...redemptionView(v.take), perk: v.perk, standing: { level: v.member.level, points: v.member.points } };
}

export function redemptionView(r: Take): Static<typeof RedemptionSchema> {
  return { id: r.id, perkId: r.offerId, brandId: r.brandId, member: getAddress(r.member), code: r.code!, createdAt: r.createdAt, consumedAt: r.consumedAt };
}
