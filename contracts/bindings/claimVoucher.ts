/**
 * EIP-712 definition of a collection's claim voucher: what a brand's minter key signs so that anyone
 * (a relayer, or the member) can submit `claim(voucher, r, vs)` on the collection.
 */
import type { Address, Hex, TypedDataDomain } from "viem";

/** A voucher as signed and as passed to `claim`. */
export type ClaimVoucher = {
  to: Address;
  id: bigint;
  amount: bigint;
  validAfter: bigint;
  validUntil: bigint;
  uid: Hex;
  price: bigint;
};

/** `ClaimVoucher` fields in the order of the contract's struct and CLAIM_VOUCHER_TYPEHASH. */
export const claimVoucherTypes = {
  ClaimVoucher: [
    { name: "to", type: "address" },
    { name: "id", type: "uint256" },
    { name: "amount", type: "uint256" },
    { name: "validAfter", type: "uint64" },
    { name: "validUntil", type: "uint64" },
    { name: "uid", type: "bytes32" },
    { name: "price", type: "uint256" },
  ],
} as const;

/** The EIP-712 domain the collection at `verifyingContract` on `chainId` checks vouchers against. */
export function claimVoucherDomain(verifyingContract: Address, chainId: number): TypedDataDomain {
  return { name: "Stampbook", version: "1", chainId, verifyingContract };
}
