/** Wire shapes of the Stampbook API, as the SDK returns them (timestamps are RFC 3339 strings). */
import type { Address, Hex } from "viem";

/** A member's session: what `signIn()` returns and what the client keeps in storage. */
export type Session = {
  /** Bearer token (`sbs_…`). Keep it like a password. */
  token: string;
  address: Address;
  chainId: number;
  /** When the server forgets the session. */
  expiresAt: string;
};

/** What `GET /v1/auth/nonce` grants: a single-use nonce and the fields of the EIP-4361 message. */
export type NonceGrant = {
  nonce: string;
  expiresAt: string;
  domain: string;
  uri: string;
  chainId: number;
  statement: string;
  version: "1";
  issuedAt: string;
};

export type Holding = {
  tokenId: string;
  kind: "membership" | "collectible";
  balance: string;
  soulbound: boolean;
  points: string;
  uri: string;
  /** Memberships only. */
  active?: boolean;
  /** Memberships only; null: never expires. */
  expiresAt?: string | null;
};

/** `GET /v1/me`. */
export type Me = {
  address: Address;
  chainId: number;
  /** Every collection the deployment serves; `available` false when it could not be read just now (its holdings are then empty). */
  collections: { address: Address; brandId: string | null; available: boolean; holdings: Holding[] }[];
};

/** Why a member is not eligible for a perk. */
export type PerkReason = {
  code: string;
  message: string;
  collection?: Address;
  tokenId?: string;
  have?: string;
  need?: string;
  expiredAt?: string;
};

/** A perk as a member sees it. */
export type MemberPerk = {
  id: string;
  brandId: string;
  title: string;
  description: string;
  /** The rule in words, e.g. "an active membership of token 1". */
  requires: string;
  limits: { perMember: number | null; total: number | null };
  startsAt: string | null;
  endsAt: string | null;
  status: "upcoming" | "open" | "ended";
  /** Whether the member holds what it requires (false while that cannot be checked). */
  eligible: boolean;
  reasons: PerkReason[];
  /** False when the member's holdings for this brand could not be read just now: nothing unlocks until they can be. */
  checked: boolean;
  /** The member's redemptions of this perk. */
  redeemed: number;
  /** The member has redeemed it as often as the per-member limit allows. */
  usedUp: boolean;
};

/** A redemption with its one-time code (show it as text or QR at the till). */
export type Redemption = {
  id: string;
  perkId: string;
  brandId: string;
  member: Address;
  code: string;
  createdAt: string;
  consumedAt: string | null;
};

export type RedemptionPage = { items: Redemption[]; nextCursor: string | null };

/** A signed claim voucher as the API sends it (integers as decimal strings), ready for `claim(voucher, r, vs)`. */
export type ClaimVoucherJson = {
  chainId: number;
  collection: Address;
  to: Address;
  id: string;
  amount: string;
  validAfter: string;
  validUntil: string;
  uid: Hex;
  price: string;
  /** The 65-byte EIP-712 signature by the brand's minter key. */
  signature?: Hex;
  /** ERC-2098 compact signature, as the contract's `claim` takes it. */
  r: Hex;
  vs: Hex;
};

/** Where a claim is: "pending" (mint sent, no receipt yet), "minted" (on chain, by the server's mint or the voucher), "issued" (voucher signed, not used yet), "failed", "expired" (voucher unused in time). */
export type ClaimStatus = "pending" | "minted" | "issued" | "failed" | "expired";

/**
 * A claim of a drop. Mode "mint": the server mints (gasless for the member) and the claim moves from
 * "pending" to "minted" or "failed". Mode "voucher": the server signs a voucher that anyone may submit
 * to the collection's `claim(voucher, r, vs)` ("issued").
 */
export type Claim = {
  id: string;
  dropId: string;
  brandId: string;
  member: Address;
  collection: Address;
  tokenId: string;
  amount: string;
  mode: "mint" | "voucher";
  status: ClaimStatus;
  /** The mint transaction (mode mint). */
  txHash: Hex | null;
  voucher: ClaimVoucherJson | null;
  error: { code: string; message: string } | null;
  createdAt: string;
  updatedAt: string;
};

/** A drop as a member sees it: what it gives, what it requires, and whether the member may claim it. */
export type MemberDrop = {
  id: string;
  brandId: string;
  title: string;
  description: string;
  collection: Address;
  tokenId: string;
  /** Units minted per claim. */
  amount: string;
  mode: "mint" | "voucher";
  /** The rule in words, or "any signed-in member". */
  requires: string;
  limits: { perMember: number | null; total: number | null };
  startsAt: string | null;
  endsAt: string | null;
  status: "upcoming" | "open" | "ended";
  /** Whether the member holds what it requires (false while that cannot be checked). */
  eligible: boolean;
  reasons: PerkReason[];
  /** False when the member's holdings for this brand could not be read just now. */
  checked: boolean;
  /** The member's claims of this drop that count against its limits. */
  claimed: number;
  /** The member has claimed it as often as the per-member limit allows. */
  usedUp: boolean;
};
