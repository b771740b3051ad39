/**
 * Offers and takes: the one concept behind perks and drops. An offer is something holders-only a
 * brand puts up, within a window and limits; a take is one member taking it, exactly once per
 * idempotency key. Kinds differ only in what a take yields (its reward): a perk yields a one-time
 * code a till verifies, a drop yields tokens the brand's minter mints or signs a voucher for.
 */
import type { Announce } from "../webhooks/types.ts";
import type { Address, Hex } from "viem";
import type { Timestamp } from "../storage/time.ts";

/** A kind's name, e.g. "perk"; kinds are declared in their own folders (see kind.ts) and registered in server/offer-kinds.ts. */
export type OfferKind = string;

/** Caps on takes; `null` means no cap. Only takes in one of the kind's counted statuses count (see TakePolicy). */
export type OfferLimits = { perMember: number | null; total: number | null };

/** How a drop's tokens reach the member: the brand's minter mints them, or signs a voucher anyone may submit. */
export { DROP_MODES, type DropMode } from "../../sdk/src/protocol/drops.ts";
import type { DropMode } from "../../sdk/src/protocol/drops.ts";

/** A perk's reward: a one-time code the member shows at the till. */
export type CodeReward = { type: "code" };
/** A drop's reward: `amount` units of token type `tokenId` of `collection` (lowercase), delivered by `mode`. */
export type TokenReward = { type: "token"; collection: Address; tokenId: string; amount: string; mode: DropMode };
export type Reward = CodeReward | TokenReward;

export interface Offer {
  id: string;
  brandId: string;
  kind: OfferKind;
  title: string;
  description: string;
  /** Eligibility rule as JSON (see server/rules/grammar.ts); `null`: any signed-in member. */
  rule: unknown;
  /** The token types the rule reads, as holding keys (`0x…collection:tokenId`, lowercase), once each. */
  tokens: string[];
  limits: OfferLimits;
  /** Open from `startsAt` (inclusive) to `endsAt` (exclusive); `null` = unbounded. */
  startsAt: Timestamp | null;
  endsAt: Timestamp | null;
  /** What a take yields; fixed once the offer exists (takes keep their own copy). */
  reward: Reward;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

/** A new offer; `updatedAt` starts equal to `createdAt`. */
export type NewOffer = Omit<Offer, "updatedAt">;

/** Fields to change; absent fields keep their value, `limits` merges field by field. Kind and reward never change. */
export interface OfferPatch {
  title?: string;
  description?: string;
  rule?: unknown;
  tokens?: string[];
  limits?: Partial<OfferLimits>;
  startsAt?: Timestamp | null;
  endsAt?: Timestamp | null;
  updatedAt: Timestamp;
}

/** A brand's bounds, checked in the same transaction as the write they bound. */
export interface OfferQuota {
  /** Live offers of the kind being written, per brand. */
  offers: number;
  /** Distinct token types all the brand's live offers' rules read together. */
  tokens: number;
}

export type CreateOfferResult =
  | { status: "created"; offer: Offer }
  | { status: "quota_exceeded"; quota: "offers" | "tokens"; limit: number };

export type UpdateOfferResult =
  | { status: "updated"; offer: Offer }
  | { status: "not_found" }
  | { status: "quota_exceeded"; quota: "tokens"; limit: number };

/** Where a take stands; each kind declares its own statuses (server/perks/kind.ts, server/drops/kind.ts). */
export type TakeStatus = string;

/** What the store needs to know about a kind's takes, handed to it with each take: it knows no kinds. */
export type TakePolicy = {
  /** The status a new take starts in. */
  initial: TakeStatus;
  /** The statuses that count against an offer's limits. */
  counted: readonly TakeStatus[];
};

export interface TakeError {
  /** A stable problem code, e.g. `mint_failed` or `chain_unavailable`. */
  code: string;
  message: string;
}

export interface Take {
  id: string;
  offerId: string;
  brandId: string;
  kind: OfferKind;
  member: Address;
  /** The vault whose holdings unlocked it for the member (a delegation); null: their own. Limits count it for both. */
  vault: Address | null;
  idempotencyKey: string;
  status: TakeStatus;
  /** What the take yields, copied from the offer when it was taken. */
  reward: Reward;
  /** Code rewards: the one-time code (unique across brands) and when a till consumed it. */
  code: string | null;
  consumedAt: Timestamp | null;
  /** Token rewards in mode `mint`: the transaction, recorded (hash and signed bytes) before it is broadcast. */
  txHash: Hex | null;
  rawTx: Hex | null;
  /** Token rewards in mode `voucher`: the signed voucher, any JSON value. */
  voucher: unknown;
  error: TakeError | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface TakeInput {
  offerId: string;
  kind: OfferKind;
  member: Address;
  /** The vault whose holdings unlocked it (a delegation), if any: the per-member limit counts for it too. */
  vault?: Address | null;
  /** Client-chosen; unique per member and kind. A retry with the same key gets the same take. */
  idempotencyKey: string;
  /** Id (and, for code rewards, the code) of the take if one is created; ignored on a replay. */
  id: string;
  code: string | null;
  /** The kind's initial and counted statuses. */
  policy: TakePolicy;
  now: Timestamp;
  /** Webhook messages reporting the take, written with it (only when it is created). */
  announce?: Announce<Take>;
  /**
   * The offer's brand and reward as the caller read them: with them, the take it would create is
   * known before the write, and on PostgreSQL the take and its messages go in one statement (checked
   * against the offer's row).
   */
  offer?: { brandId: string; reward: Reward };
}

/**
 * Outcome of a take. Checks run in this order, in one write transaction: idempotency (replayed /
 * idempotency_conflict), the offer exists, is live and of this kind, its window, the per-member
 * limit, the total limit. A new take starts in the policy's initial status.
 */
export type TakeResult =
  | { status: "created"; take: Take }
  | { status: "replayed"; take: Take }
  | { status: "idempotency_conflict" }
  | { status: "offer_not_found" }
  | { status: "not_started" }
  | { status: "ended" }
  | { status: "member_limit_reached"; limit: number }
  /** The vault whose holdings unlocked it has been counted as often as the per-member limit allows (by another of its wallets). */
  | { status: "vault_limit_reached"; limit: number; vault: Address }
  | { status: "total_limit_reached"; limit: number };

/** Filters combine with AND. */
export interface TakeQuery {
  kind: OfferKind;
  member?: Address;
  brandId?: string;
  offerId?: string;
  status?: TakeStatus;
  /** Code rewards: true only consumed, false only unconsumed. */
  consumed?: boolean;
  /** Page size, clamped to 1..MAX_PAGE_SIZE. */
  limit: number;
  /** `nextCursor` of the previous page. */
  cursor?: string | null;
}

export type ConsumeCodeResult =
  | { status: "consumed"; take: Take }
  | { status: "already_consumed"; take: Take }
  | { status: "not_found" };

/**
 * A token take's outcome. Allowed transitions: `pending` to `minted`, `issued` or `failed`; `issued`
 * to `minted` (its voucher was used) or `expired`. Absent fields keep their value.
 */
export interface CompleteTakeInput {
  status: "minted" | "issued" | "failed" | "expired";
  txHash?: Hex;
  voucher?: unknown;
  error?: TakeError;
  now: Timestamp;
  /** Webhook messages reporting the change, written with it (only when the take changes). */
  announce?: Announce<Take>;
}
