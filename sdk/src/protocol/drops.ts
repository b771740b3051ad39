/** Wire shapes of drops and claims, shared by member and brand routes. */
import { Type, type Static } from "typebox";
import { AddressSchema, HexSchema, Nullable, pageOf, StringEnum, TimestampSchema, UintStringSchema } from "./common.ts";
import { LimitsSchema, MemberOfferFields, RuleSchema } from "./offers.ts";

/** How a drop gives: the server mints (gasless for the member), or signs a voucher anyone may submit. */
export const DROP_MODES = ["mint", "voucher"] as const;
export type DropMode = (typeof DROP_MODES)[number];

export const CLAIM_STATUSES = ["pending", "minted", "issued", "failed", "expired"] as const;

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

export const ClaimPageSchema = pageOf(ClaimSchema);

/** A drop as its brand sees it. */
export type Drop = Static<typeof DropSchema>;
/** A drop as a member sees it: what it gives, what it requires, and whether the member may claim it. */
export type MemberDrop = Static<typeof MemberDropSchema>;
export type MemberDropDetail = Static<typeof MemberDropDetailSchema>;
/** A signed claim voucher as the API sends it (integers as decimal strings), ready for `claim(voucher, r, vs)`. */
export type Voucher = Static<typeof VoucherSchema>;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];
/** A claim of a drop (mode "mint": the server mints; mode "voucher": the server signs a voucher). */
export type Claim = Static<typeof ClaimSchema>;
export type ClaimPage = Static<typeof ClaimPageSchema>;
