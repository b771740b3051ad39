/** Wire shapes of drops and claims, shared by member and brand routes. */
import { Type, type Static } from "typebox";
import { getAddress } from "viem";
import type { MemberOffer } from "../offers/listing.ts";
import { LimitsSchema, MemberOfferFields, RuleSchema } from "../offers/schemas.ts";
import { DROP_MODES, type Offer, type Take, type TokenReward } from "../offers/types.ts";
import { AddressSchema, Nullable, StringEnum, TimestampSchema, UintStringSchema } from "../schemas.ts";

export const CLAIM_STATUSES = ["pending", "minted", "issued", "failed", "expired"] as const;

const HexSchema = (bytes: number, description: string) => Type.String({ pattern: `^0x[0-9a-fA-F]{${bytes * 2}}$`, description });

export const DropSchema = Type.Object({
  id: Type.String(),
  brandId: Type.String(),
  title: Type.String(),
  description: Type.String(),
  collection: AddressSchema,
  tokenId: UintStringSchema,
  amount: Type.String({ description: "units minted per claim, a decimal string" }),
  rule: Type.Unknown({ description: "The eligibility rule (as for perks), or null: any signed-in member" }),
  limits: LimitsSchema,
  mode: StringEnum(DROP_MODES),
  startsAt: Nullable(TimestampSchema),
  endsAt: Nullable(TimestampSchema),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});

const MemberDropFields = {
  ...MemberOfferFields,
  item: Type.Object({ name: Type.String(), image: Nullable(Type.String()) }, { description: "What a claim gives, by the brand's name and picture" }),
  collection: DropSchema.properties.collection,
  tokenId: DropSchema.properties.tokenId,
  amount: DropSchema.properties.amount,
  mode: DropSchema.properties.mode,
  claimed: Type.Integer({ minimum: 0, description: "The member's claims of this drop that count against its limits (pending, minted, issued)" }),
};

/** A drop in a member's listing: what it gives, what it requires, and whether the member may claim it. */
export const MemberDropSchema = Type.Object(MemberDropFields);

/** One drop for a member, with its rule as JSON as well. */
export const MemberDropDetailSchema = Type.Object({ ...MemberDropFields, rule: RuleSchema });

export const VoucherSchema = Type.Object(
  {
    chainId: Type.Integer(),
    collection: AddressSchema,
    to: AddressSchema,
    id: UintStringSchema,
    amount: UintStringSchema,
    validAfter: UintStringSchema,
    validUntil: UintStringSchema,
    uid: HexSchema(32, "keccak256 of the claim id"),
    price: UintStringSchema,
    signature: HexSchema(65, "EIP-712 signature by the brand's minter key"),
    r: HexSchema(32, "ERC-2098 compact signature: r"),
    vs: HexSchema(32, "ERC-2098 compact signature: s with the recovery bit on top"),
  },
  { description: "A signed EIP-712 ClaimVoucher: anyone may submit claim(voucher, r, vs) on the collection, paying the gas" },
);

export const ClaimSchema = Type.Object({
  id: Type.String(),
  dropId: Type.String(),
  brandId: Type.String(),
  member: AddressSchema,
  collection: AddressSchema,
  tokenId: UintStringSchema,
  amount: UintStringSchema,
  mode: StringEnum(DROP_MODES),
  status: StringEnum(CLAIM_STATUSES),
  txHash: Nullable(HexSchema(32, "the mint transaction (mode mint)")),
  voucher: Nullable(VoucherSchema),
  error: Nullable(Type.Object({ code: Type.String(), message: Type.String() })),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});

export const ClaimPageSchema = Type.Object({ items: Type.Array(ClaimSchema), nextCursor: Nullable(Type.String()) });

export function dropView(drop: Offer): Static<typeof DropSchema> {
  const { kind: _kind, tokens: _tokens, reward, ...fields } = drop;
  const { collection, tokenId, amount, mode } = reward as TokenReward;
  return { ...fields, collection: getAddress(collection), tokenId, amount, mode };
}

export function memberDropView({ offer, requires, status, eligible, reasons, checked, taken, usedUp, item }: MemberOffer): Static<typeof MemberDropSchema> {
  const { id, brandId, title, description, limits, startsAt, endsAt } = offer;
  const { collection, tokenId, amount, mode } = offer.reward as TokenReward;
  return { id, brandId, title, description, item: item ?? { name: "Collectible", image: null }, collection: getAddress(collection), tokenId, amount, mode, requires, limits, startsAt, endsAt, status, eligible, reasons, checked, usedUp, claimed: taken };
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
