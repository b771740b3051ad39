/** Wire shapes of perks and redemptions, shared by member and brand routes. */
import { Type, type Static } from "typebox";
import { AddressSchema, Nullable, pageOf, TimestampSchema } from "./common.ts";
import { LimitsSchema, MemberOfferFields, RuleSchema } from "./offers.ts";

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
  redeemable: Type.Boolean({
    description: "Whether redeeming now should succeed: open, eligible (checked just now) and not used up by this member. A perk's total limit is counted at redemption (total_limit_reached).",
  }),
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

export const RedemptionPageSchema = pageOf(RedemptionSchema);

/** `POST /v1/admin/redemptions/verify`'s body: the code the member shows. */
export const VerifyCodeBody = Type.Object({ code: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });

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

/** A perk as its brand sees it. */
export type Perk = Static<typeof PerkSchema>;
/** A perk as a member sees it. */
export type MemberPerk = Static<typeof MemberPerkSchema>;
export type MemberPerkDetail = Static<typeof MemberPerkDetailSchema>;
/** A redemption with its one-time code (show it as text or QR at the till). */
export type Redemption = Static<typeof RedemptionSchema>;
export type RedemptionPage = Static<typeof RedemptionPageSchema>;
export type VerifyCodeRequest = Static<typeof VerifyCodeBody>;
/** What the till sees once a code is used up. */
export type VerifiedRedemption = Static<typeof VerifiedRedemptionSchema>;
