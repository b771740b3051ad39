/**
 * Awards: tokens owed to members (a completed journey's stamp), sent by the brand's minter in batched
 * `airdrop(id, recipients, amount)` transactions, exactly once.
 *
 * An award is `pending` until a worker claims it into a batch (`sending`). A batch is `open` while
 * nothing is signed; its signed transaction is recorded (`sent`) before it is broadcast, and from then
 * on its awards stay `sending` until the chain settles the batch: `mined` (awards `awarded`),
 * `reverted` or `dropped` (its nonce went to another transaction, so it never can mine; awards back
 * to `pending`). That is the whole exactly-once argument: no award is in two batches that may mine.
 */
import type { Announce } from "../webhooks/types.ts";
import type { Address, Hex } from "viem";
import type { Page } from "../storage/store.ts";
import type { Timestamp } from "../storage/time.ts";

export { AWARD_STATUSES, type AwardStatus } from "../../sdk/src/protocol/awards.ts";
import type { AwardStatus } from "../../sdk/src/protocol/awards.ts";

import { AWARD_BATCH_STATUSES } from "../storage/award-batches.ts";

export { AWARD_BATCH_STATUSES };
export type AwardBatchStatus = (typeof AWARD_BATCH_STATUSES)[number];

export interface Award {
  id: string;
  brandId: string;
  /** What earned it: the journey (or another producer's key); once per member for each. */
  journeyId: string;
  /** Lowercase. */
  member: Address;
  /** Lowercase. */
  collection: Address;
  /** Decimal strings. */
  tokenId: string;
  amount: string;
  status: AwardStatus;
  /** The batch a `sending` award is in, or that awarded it; null otherwise. */
  batchId: string | null;
  /** The transaction that may award it (`sending`), did (`awarded`), or last reverted (`failed`). */
  txHash: Hex | null;
  /** Sends that failed for a reason of its own (reverted, or refused in simulation). */
  attempts: number;
  /** Why the last send failed or could not go out, in words; null once awarded. */
  error: string | null;
  /** Not claimed before this (a backoff). */
  notBefore: Timestamp | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

/** A new award, `pending`. */
export type NewAward = Pick<Award, "id" | "brandId" | "journeyId" | "member" | "collection" | "tokenId" | "amount" | "createdAt">;

export type QueueAwardResult =
  /** Queued now. */
  | { status: "queued"; award: Award }
  /** The member already had an award for this journey: that one, unchanged. */
  | { status: "exists"; award: Award };

export interface AwardQuery {
  brandId: string;
  status?: AwardStatus;
  member?: Address;
  journeyId?: string;
  /** 1..MAX_PAGE_SIZE (default the maximum). */
  limit?: number;
  cursor?: string | null;
}

export interface AwardBatch {
  id: string;
  brandId: string;
  collection: Address;
  tokenId: string;
  amount: string;
  /** Awards in it. */
  size: number;
  status: AwardBatchStatus;
  /** Set once signed (`sent` and after). */
  minter: Address | null;
  nonce: number | null;
  txHash: Hex | null;
  rawTx: Hex | null;
  /** The last thing that went wrong with it (a refused broadcast, a revert), in words. */
  error: string | null;
  gasUsed: string | null;
  blockNumber: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface AwardClaim {
  /** The new batch's id. */
  batchId: string;
  /** Most awards to take. */
  max: number;
  now: Timestamp;
  /** Only this brand's awards. */
  brandId?: string;
}

/** A claimed batch (`open`) and its awards (`sending`), oldest first. */
export type ClaimedAwardBatch = { batch: AwardBatch; awards: Award[] };

/** The signed transaction of a batch, recorded before it is broadcast. */
export type AwardBatchTx = { hash: Hex; raw: Hex; nonce: number; minter: Address };

/** Where awards go when their batch did not award them. */
export type AwardRetry =
  /**
   * Not their fault (nothing could be sent: no minter, the collection refuses every recipient,
   * the chain is unreachable; or the transaction can never mine): `pending` again, attempts unchanged.
   */
  | { kind: "later"; error: string | null; notBefore: Timestamp | null; now: Timestamp }
  /**
   * Their own failure (the batch reverted, or each was refused in simulation): attempts + 1, in
   * batches of at most `maxBatch` from now on. An award that failed `alone` (a batch of one, or
   * singled out by simulation) with `maxAttempts` attempts is `failed` for good.
   */
  | { kind: "failed"; error: string; notBefore: Timestamp | null; maxBatch: number; alone: boolean; maxAttempts: number; now: Timestamp };

/** An award its batch's transaction delivered, as the store tells a webhook composer. */
export type SentAward = { id: string; journeyId: string; member: Address; txHash: Hex; sentAt: Timestamp };

export type AwardBatchOutcome =
  | { status: "mined"; blockNumber: bigint; gasUsed: bigint; now: Timestamp; announce?: Announce<SentAward[]> }
  | { status: "reverted" | "dropped"; retry: AwardRetry };

export interface AwardStore {
  /**
   * Queues an award (`pending`), once per (journeyId, member): a second one for the same pair
   * changes nothing and answers `exists`. The journey store inserts its awards itself, in the
   * transaction that completes the journey; other producers use this.
   */
  queueAward(award: NewAward): Promise<QueueAwardResult>;
  getAward(id: string): Promise<Award | null>;
  /** A brand's awards, newest first, keyset-paged on (createdAt, id). */
  listAwards(query: AwardQuery): Promise<Page<Award>>;
  /** A member's awards (optionally one brand's), newest first. */
  memberAwards(member: Address, query?: { brandId?: string }): Promise<Award[]>;

  /**
   * In one transaction: the oldest due `pending` award and up to `max` - 1 more of the same brand,
   * collection, token and amount (oldest first, each willing to join a batch that big) become
   * `sending` in a new `open` batch. Null when nothing is due. Concurrent claims never share an award.
   */
  claimAwardBatch(claim: AwardClaim): Promise<ClaimedAwardBatch | null>;
  /**
   * Takes awards (all, or the given ones) out of a batch that is still `open` (never signed) and
   * sends them where `retry` says; a batch left empty is `released`. Resolves to how many moved:
   * none once the batch is signed.
   */
  returnAwards(batchId: string, awardIds: readonly string[] | "all", retry: AwardRetry): Promise<number>;
  /**
   * Records the signed transaction of a batch before its broadcast: `open` → `sent`, or, when
   * `replaces` is the hash recorded before (a broadcast the node refused for its nonce), that one
   * replaced. False, changing nothing, otherwise: then the caller must not broadcast.
   */
  recordAwardBatchTx(batchId: string, tx: AwardBatchTx, replaces: Hex | null, now: Timestamp): Promise<boolean>;
  /** Notes what went wrong with a `sent` batch (a refused rebroadcast) on it and its awards, for people. */
  noteAwardBatchError(batchId: string, error: string, now: Timestamp): Promise<void>;
  /** Settles a `sent` batch and its awards; false (nothing changes) unless it is `sent`. */
  settleAwardBatch(batchId: string, outcome: AwardBatchOutcome): Promise<boolean>;
  /**
   * Releases batches still `open` since before `openBefore` (their worker died between claim and
   * signature: nothing was sent); their awards are `pending` again. Resolves to how many batches.
   */
  releaseStaleAwardBatches(openBefore: Timestamp, now: Timestamp): Promise<number>;
  getAwardBatch(id: string): Promise<AwardBatch | null>;
  /** Batches in `status`, oldest first. */
  listAwardBatches(query: { status: AwardBatchStatus; limit?: number }): Promise<AwardBatch[]>;
}
