/** Wire shapes of drops and claims, shared by member and brand routes. */
import { Type, type Static } from "typebox";
import { getAddress } from "viem";
import type { Claim, Drop } from "../storage/index.ts";
import { LimitsSchema, ReasonSchema, RuleSchema } from "../perks/schemas.ts";
import { AddressSchema, Nullable, StringEnum, TimestampSchema, UintStringSchema } from "../schemas.ts";
import type { MemberDrop } from "./service.ts";

export const DROP_MODES = ["mint", "voucher"] as const;
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
  id: DropSchema.properties.id,
  brandId: DropSchema.properties.brandId,
  title: DropSchema.properties.title,
  description: DropSchema.properties.description,
  collection: DropSchema.properties.collection,
  tokenId: DropSchema.properties.tokenId,
  amount: DropSchema.properties.amount,
  mode: DropSchema.properties.mode,
  requires: Type.String({ description: 'The rule in words, e.g. "an active membership of token 1", or "any signed-in member"' }),
  limits: LimitsSchema,
  startsAt: DropSchema.properties.startsAt,
  endsAt: DropSchema.properties.endsAt,
  status: StringEnum(["upcoming", "open", "ended"] as const),
  eligible: Type.Boolean(),
  reasons: Type.Array(ReasonSchema),
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

export function dropView(drop: Drop): Static<typeof DropSchema> {
  return { ...drop, collection: getAddress(drop.collection) };
}

export function memberDropView({ drop, requires, status, eligible, reasons, claimed }: MemberDrop): Static<typeof MemberDropSchema> {
  const { id, brandId, title, description, tokenId, amount, mode, limits, startsAt, endsAt } = drop;
  return { id, brandId, title, description, collection: getAddress(drop.collection), tokenId, amount, mode, requires, limits, startsAt, endsAt, status, eligible, reasons, claimed };
}

export function memberDropDetailView(d: MemberDrop): Static<typeof MemberDropDetailSchema> {
  return { ...memberDropView(d), rule: d.drop.rule };
}

export function claimView(claim: Claim): Static<typeof ClaimSchema> {
  const { idempotencyKey: _key, rawTx: _raw, ...view } = claim;
  return { ...view, member: getAddress(view.member), collection: getAddress(view.collection), voucher: view.voucher as Static<typeof VoucherSchema> | null };
}
