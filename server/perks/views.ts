/** Perks and redemptions as the wire shows them (the shapes are the protocol's). */
import type { Static } from "typebox";
import { getAddress } from "viem";
import type { MemberPerkDetailSchema, MemberPerkSchema, PerkSchema, RedemptionSchema, VerifiedRedemptionSchema } from "../../sdk/src/protocol/perks.ts";
import type { MemberOffer } from "../offers/listing.ts";
import type { Offer, Take } from "../offers/types.ts";
import type { Verified } from "./till.ts";

export function perkView(perk: Offer): Static<typeof PerkSchema> {
  const { kind: _kind, tokens, reward: _reward, ...fields } = perk;
  const collections = [...new Set(tokens.map((token) => token.split(":")[0]!))].map((c) => getAddress(c));
  return { ...fields, collections, yields: "code" };
}

export function memberPerkView({ offer, requires, status, eligible, reasons, vault, checked, taken, usedUp }: MemberOffer): Static<typeof MemberPerkSchema> {
  const { id, brandId, title, description, limits, startsAt, endsAt } = offer;
  const redeemable = status === "open" && eligible && checked && !usedUp;
  return { id, brandId, title, description, requires, limits, startsAt, endsAt, status, eligible, reasons, vault, checked, usedUp, redeemed: taken, redeemable };
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
