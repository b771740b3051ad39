/** Wire shapes of perks and redemptions, shared by member and brand routes. */
import { Type, type Static } from "typebox";
import { getAddress } from "viem";
import type { Perk, Redemption } from "../storage/index.ts";
import { AddressSchema, Nullable, StringEnum, TimestampSchema } from "../schemas.ts";
import type { MemberPerk } from "./service.ts";

/** Why a member is not eligible for a perk or a drop. */
export const ReasonSchema = Type.Object({
  code: Type.String(),
  message: Type.String(),
  collection: Type.Optional(AddressSchema),
  tokenId: Type.Optional(Type.String()),
  have: Type.Optional(Type.String()),
  need: Type.Optional(Type.String()),
  expiredAt: Type.Optional(TimestampSchema),
});

export const RuleSchema = Type.Unknown({
  description:
    'A rule: {"type":"holds","collection","tokenId","min"} | {"type":"member","collection","tokenId"} | {"type":"all"|"any","rules":[…]} | {"type":"not","rule":{…}}',
});

export const LimitsSchema = Type.Object(
  {
    perMember: Nullable(Type.Integer({ minimum: 0 })),
    total: Nullable(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);

export const PerkSchema = Type.Object({
  id: Type.String(),
  brandId: Type.String(),
  title: Type.String(),
  description: Type.String(),
  collections: Type.Array(AddressSchema),
  rule: RuleSchema,
  limits: LimitsSchema,
  startsAt: Nullable(TimestampSchema),
  endsAt: Nullable(TimestampSchema),
  yields: Type.Literal("code", { description: "Redeeming yields a one-time code a till verifies" }),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});

const MemberPerkFields = {
  id: PerkSchema.properties.id,
  brandId: PerkSchema.properties.brandId,
  title: PerkSchema.properties.title,
  description: PerkSchema.properties.description,
  requires: Type.String({ description: 'The rule in words, e.g. "an active membership of token 1"' }),
  limits: LimitsSchema,
  startsAt: PerkSchema.properties.startsAt,
  endsAt: PerkSchema.properties.endsAt,
  status: StringEnum(["upcoming", "open", "ended"] as const),
  eligible: Type.Boolean(),
  reasons: Type.Array(ReasonSchema),
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

export function perkView(perk: Perk): Static<typeof PerkSchema> {
  return { ...perk, collections: perk.collections.map((c) => getAddress(c)), yields: "code" };
}

export function memberPerkView({ perk, requires, status, eligible, reasons }: MemberPerk): Static<typeof MemberPerkSchema> {
  const { id, brandId, title, description, limits, startsAt, endsAt } = perk;
  return { id, brandId, title, description, requires, limits, startsAt, endsAt, status, eligible, reasons };
}

export function memberPerkDetailView(p: MemberPerk): Static<typeof MemberPerkDetailSchema> {
  return { ...memberPerkView(p), rule: p.perk.rule };
}

export function redemptionView(r: Redemption): Static<typeof RedemptionSchema> {
  const { idempotencyKey: _key, ...view } = r;
  return { ...view, member: getAddress(view.member) };
}
