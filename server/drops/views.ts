/** Drops and claims as the wire shows them (the shapes are the protocol's). */
import type { Static } from "typebox";
import { getAddress } from "viem";
import type { CLAIM_STATUSES, ClaimSchema, DropSchema, MemberDropDetailSchema, MemberDropSchema, VoucherSchema } from "../../sdk/src/protocol/drops.ts";
import type { MemberOffer } from "../offers/listing.ts";
import type { Offer, Take, TokenReward } from "../offers/types.ts";

export function dropView(drop: Offer): Static<typeof DropSchema> {
  const { kind: _kind, tokens: _tokens, reward, ...fields } = drop;
  const { collection, tokenId, amount, mode } = reward as TokenReward;
  return { ...fields, collection: getAddress(collection), tokenId, amount, mode };
}

export function memberDropView({ offer, requires, status, eligible, reasons, vault, checked, taken, usedUp, item }: MemberOffer): Static<typeof MemberDropSchema> {
  const { id, brandId, title, description, limits, startsAt, endsAt } = offer;
  const { collection, tokenId, amount, mode } = offer.reward as TokenReward;
  return { id, brandId, title, description, item: item ?? { name: "Collectible", image: null }, collection: getAddress(collection), tokenId, amount, mode, requires, limits, startsAt, endsAt, status, eligible, reasons, vault, checked, usedUp, claimed: taken };
}

export function memberDropDetailView(d: MemberOffer): Static<typeof MemberDropDetailSchema> {
  return { ...memberDropView(d), rule: d.offer.rule };
}

export function claimView(claim: Take): Static<typeof ClaimSchema> {
  const { collection, tokenId, amount, mode } = claim.reward as TokenReward;
  return {
    id: claim.id,
    dropId: claim.offerId,
    brandId: claim.brandId,
    member: getAddress(claim.member),
    collection: getAddress(collection),
    tokenId,
    amount,
    mode,
    status: claim.status as (typeof CLAIM_STATUSES)[number],
    txHash: claim.txHash,
    voucher: claim.voucher as Static<typeof VoucherSchema> | null,
    error: claim.error,
    createdAt: claim.createdAt,
    updatedAt: claim.updatedAt,
  };
}
