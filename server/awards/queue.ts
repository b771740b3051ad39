/**
 * The award queue's worker: sends pending awards in batched `airdrop(id, recipients, amount)`
 * transactions from each brand's minter, exactly once.
 *
 * Each round first settles the batches already sent, from the chain (server/chain/sender/settlement.ts):
 * mined CONFIRMATIONS deep (awarded), reverted as deep (back to the queue, in halves next time, so one
 * bad recipient ends up failing alone), dropped (another transaction took its nonce, so it never can
 * mine: back to the queue), confirming (mined, not that deep yet: a reorg may still take it out, so it
 * stays sent and is asked again) or still pending (the same signed transaction went out again, also
 * after a reorg took its block out, so the batch's awards go out once). Then it claims and sends new
 * batches: simulate first (a collection that refuses everyone — paused, sold out, no role — sends
 * nothing and waits; recipients that refuse are singled out by halving and fail alone), then sign,
 * record, broadcast.
 *
 * The safety rule: a batch's signed transaction is recorded before it is broadcast, and its awards
 * leave it only when it was never signed or once the chain says it did not and cannot award them.
 * Nothing here signs a second transaction for awards whose batch may still mine. Sends with one key
 * take turns across instances under the key's own lease (server/chain/sender/brand-senders.ts).
 *
 * Rounds run under one lease shared by every instance (one instance works the queue at a time, see
 * server/background/schedule.ts), every `intervalMs`, and `delayMs` after a nudge, so awards
 * completed together share a batch. The lease
 * saves work only: two workers at once would still never send an award twice (the store's claims and
 * transitions are conditional).
 */
import type { Address, Hex, PublicClient } from "viem";
import { DEFAULT_LEASE_TTL_MS } from "../background/leases.ts";
import { createRounds } from "../background/schedule.ts";
import { createTurns } from "../background/turns.ts";
import type { BrandSenders } from "../chain/sender/brand-senders.ts";
import type { SendFailure } from "../chain/sender/failures.ts";
import type { Sender } from "../chain/sender/sender.ts";
import { settleTransaction } from "../chain/sender/settlement.ts";
import { newId, toTimestamp } from "../storage/index.ts";
import type { LeaseStore } from "../storage/store.ts";
import type { Announce } from "../webhooks/types.ts";
import type { Award, AwardBatch, AwardRetry, AwardStore, ClaimedAwardBatch, SentAward } from "./types.ts";

export type AwardQueueOptions = {
  store: AwardStore & LeaseStore;
  /** Each brand's sender, whose key pays for its awards (it needs MINTER_ROLE on the collection). */
  senders: Pick<BrandSenders, "forBrand">;
  /** The chain client settlements read receipts and nonces with, and rebroadcast through. */
  client: PublicClient;
  /** Blocks a batch's transaction must be under the head before it settles (CONFIRMATIONS). Default 0. */
  confirmations?: number;
  /** This instance, as the holder of the queue's lease. */
  holder: string;
  /** Most members per airdrop (AWARD_BATCH_MAX). */
  batchMax: number;
  /** How long after a nudge a round starts (AWARD_DELAY_MS). */
  delayMs: number;
  /** How often a round runs anyway (AWARD_INTERVAL_MS). */
  intervalMs: number;
  /** The award.sent messages a mined batch sends, composed for it (names read before the settlement's transaction). */
  announceSent?: (batch: AwardBatch) => Promise<Announce<SentAward[]>>;
  /** Failures alone after which an award is failed for good. Default 3. */
  maxAttempts?: number;
  /** How long an award that failed waits before it is tried again. Default 30 s. */
  retryBackoffMs?: number;
  /** How long a batch nothing could be sent for (no minter, paused, sold out, chain down) waits. Default 60 s. */
  blockedBackoffMs?: number;
  /**
   * How long the queue's lease holds without renewal (LEASE_TTL_MS); renewed while a round runs, so
   * another instance takes the queue over this soon after its worker dies. Default 5 s.
   */
  leaseTtlMs?: number;
  /**
   * A batch `open` (claimed, unsigned) this long lost its worker; its awards go back. Default: the
   * lease time (a live worker keeps the lease, so an open batch older than that at the start of
   * another round is an abandoned one).
   */
  openBatchTimeoutMs?: number;
  /** Most batches one round sends; a full round is followed by another at once. Default 50. */
  batchesPerRound?: number;
  now?: () => Date;
  /** Where a failed round is reported. */
  onError?: (error: unknown) => void;
};

export type AwardRound = {
  /** Batches settled this round, by outcome. */
  mined: number;
  reverted: number;
  dropped: number;
  /** Batches broadcast this round. */
  sent: number;
  /** Awards that could not go out this round (back to the queue, with a backoff or failed). */
  returned: number;
  /** Batches sent and not yet settled, after the round. */
  waiting: number;
};

export type AwardQueue = {
  /** One round now, in this process's turn, without the lease (tests, benchmarks, scripts). */
  runOnce(): Promise<AwardRound>;
  /** Asks for a round `delayMs` from now (a completed journey): nudges meanwhile share it. */
  nudge(): void;
  /** Runs rounds every `intervalMs` and on nudges, under the lease. */
  start(): void;
  /** Stops scheduling and waits for a round in progress. */
  stop(): Promise<void>;
};

/** The queue's lease, shared by every instance. */
export const AWARD_QUEUE_LEASE = "award-queue";

/** Reverts that name one recipient (or come from a recipient contract itself): the others may go. */
const RECIPIENT_ERRORS = new Set(["ERC1155InvalidReceiver", "MembershipAlreadyHeld"]);

/** Whether a simulated revert is about some recipients rather than the whole airdrop. */
function singlesOut(failure: SendFailure): boolean {
  return failure.revert !== undefined && (failure.revert.name === null || RECIPIENT_ERRORS.has(failure.revert.name));
}

export function createAwardQueue(options: AwardQueueOptions): AwardQueue {
  const { store, client } = options;
  const now = options.now ?? (() => new Date());
  const ts = (offsetMs = 0) => toTimestamp(now().getTime() + offsetMs);
  const maxAttempts = options.maxAttempts ?? 3;
  const retryBackoffMs = options.retryBackoffMs ?? 30_000;
  const blockedBackoffMs = options.blockedBackoffMs ?? 60_000;
  // Short, so that a successor takes over soon after an instance dies mid-round (its batches settle
  // from the chain); renewed while the round runs, and checked at every step: a worker that lost it
  // stops, and one that lost it unnoticed costs work, never safety (every transition is conditional).
  const leaseTtlMs = options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
  const openBatchTimeoutMs = options.openBatchTimeoutMs ?? leaseTtlMs;
  const batchesPerRound = options.batchesPerRound ?? 50;

  const later = (error: string | null, backoffMs: number): AwardRetry => ({ kind: "later", error, notBefore: backoffMs > 0 ? ts(backoffMs) : null, now: ts() });
  const failedAlone = (error: string): AwardRetry => ({ kind: "failed", error, notBefore: retryBackoffMs > 0 ? ts(retryBackoffMs) : null, maxBatch: 1, alone: true, maxAttempts, now: ts() });

  async function settle(batch: AwardBatch, round: AwardRound): Promise<void> {
    const { txHash, rawTx, minter, nonce } = batch;
    if (txHash === null || rawTx === null || minter === null || nonce === null) return;
    const settled = await settleTransaction(client, { hash: txHash, raw: rawTx, from: minter, nonce }, { confirmations: options.confirmations ?? 0 });
    switch (settled.status) {
      case "mined":
        const announce = await options.announceSent?.(batch);
        if (await store.settleAwardBatch(batch.id, { status: "mined", blockNumber: settled.blockNumber, gasUsed: settled.gasUsed, now: ts(), ...(announce === undefined ? {} : { announce }) })) round.mined++;
        return;
      case "reverted": {
        // A revert on chain after a simulation that passed: state changed in between (a pause, a
        // recipient that changed its mind). Halve the batch, so a bad recipient ends up alone.
        const error = `the airdrop reverted on chain (transaction ${txHash})`;
        const retry: AwardRetry =
          batch.size === 1
            ? failedAlone(error)
            : { kind: "failed", error, notBefore: null, maxBatch: Math.ceil(batch.size / 2), alone: false, maxAttempts, now: ts() };
        if (await store.settleAwardBatch(batch.id, { status: "reverted", retry })) round.reverted++;
        return;
      }
      case "dropped": {
        const retry = later(`its transaction ${txHash} can no longer be mined: nonce ${nonce} went to another transaction`, 0);
        if (await store.settleAwardBatch(batch.id, { status: "dropped", retry })) round.dropped++;
        return;
      }
      case "confirming":
        // Mined but not final: it stays sent, and the next round asks again.
        return;
      case "pending":
        if (settled.trouble !== null) await store.noteAwardBatchError(batch.id, settled.trouble, ts());
        return;
      case "unreadable":
        // The chain could not be read: this batch's turn ends here, and the next round asks again.
        throw settled.error;
    }
  }

  /** Singles out the recipients a simulation refuses, by halves; `wide` when the refusal turns out to be everyone's. */
  async function refusals(minter: Sender, batch: AwardBatch, list: Award[], failure: SendFailure): Promise<{ refused: Array<{ award: Award; failure: SendFailure }>; wide: SendFailure | null }> {
    if (list.length === 1) return { refused: [{ award: list[0]!, failure }], wide: null };
    const half = Math.ceil(list.length / 2);
    const refused: Array<{ award: Award; failure: SendFailure }> = [];
    for (const part of [list.slice(0, half), list.slice(half)]) {
      const estimate = await minter.estimateAirdrop(airdropOf(batch, part));
      if (estimate.status === "ok") continue;
      if (!singlesOut(estimate)) return { refused: [], wide: estimate };
      const found = await refusals(minter, batch, part, estimate);
      if (found.wide !== null) return found;
      refused.push(...found.refused);
    }
    // Each half passes, the whole does not: nobody in particular is at fault.
    return refused.length === 0 ? { refused: [], wide: failure } : { refused, wide: null };
  }

  async function send({ batch, awards }: ClaimedAwardBatch, round: AwardRound): Promise<void> {
    const giveBack = async (error: string, backoffMs: number) => {
      round.returned += await store.returnAwards(batch.id, "all", later(error, backoffMs));
    };
    let minter: Sender | null;
    try {
      minter = await options.senders.forBrand(batch.brandId);
    } catch {
      minter = null;
    }
    if (minter === null) return giveBack("the brand has no minter this server can use", blockedBackoffMs);

    let members = awards;
    let estimate = await minter.estimateAirdrop(airdropOf(batch, members));
    if (estimate.status === "failed") {
      if (!singlesOut(estimate)) return giveBack(estimate.message, blockedBackoffMs);
      const { refused, wide } = await refusals(minter, batch, members, estimate);
      // Everyone refused alone reads as the collection refusing (a node that sends no revert data), not them.
      if (wide !== null || (refused.length === members.length && members.length > 1)) return giveBack((wide ?? estimate).message, blockedBackoffMs);
      for (const { award, failure } of refused) round.returned += await store.returnAwards(batch.id, [award.id], failedAlone(failure.message));
      const out = new Set(refused.map((r) => r.award.id));
      members = members.filter((a) => !out.has(a.id));
      if (members.length === 0) return;
      estimate = await minter.estimateAirdrop(airdropOf(batch, members));
      if (estimate.status === "failed") return giveBack(estimate.message, blockedBackoffMs);
    }

    let recorded: Hex | null = null;
    const outcome = await minter.sendAirdrop({
      ...airdropOf(batch, members),
      gas: estimate.gas,
      // Recorded before broadcast; a replacement (after a nonce clash the node refused) only in place of the one recorded.
      beforeBroadcast: async (tx) => {
        const ok = await store.recordAwardBatchTx(batch.id, { ...tx, minter: minter.address }, recorded, ts());
        if (ok) recorded = tx.hash;
        return ok;
      },
    });
    switch (outcome.status) {
      case "sent":
      case "pending":
        round.sent++;
        return;
      case "aborted":
        // Released meanwhile (it looked abandoned): its awards are back in the queue, nothing went out.
        return;
      case "failed":
        // Unsigned (or unrecorded): nothing can mine, the awards go back. Recorded and refused at
        // broadcast: it stays `sent`, and settling rebroadcasts it or finds its nonce taken.
        if (recorded === null) return giveBack(outcome.message, outcome.code === "chain_unavailable" ? blockedBackoffMs : retryBackoffMs);
        await store.noteAwardBatchError(batch.id, outcome.message, ts());
        round.sent++;
    }
  }

  async function round(keepLease: () => Promise<boolean>): Promise<AwardRound> {
    const report: AwardRound = { mined: 0, reverted: 0, dropped: 0, sent: 0, returned: 0, waiting: 0 };
    for (const batch of await store.listAwardBatches({ status: "sent" })) {
      if (!(await keepLease())) return report;
      try {
        await settle(batch, report);
      } catch (error) {
        // The chain could not be read for this one: the next round asks again.
        options.onError?.(error);
      }
    }
    await store.releaseStaleAwardBatches(ts(-openBatchTimeoutMs), ts());
    for (let i = 0; i < batchesPerRound; i++) {
      if (!(await keepLease())) break;
      const claimed = await store.claimAwardBatch({ batchId: newId(), max: options.batchMax, now: ts() });
      if (claimed === null) break;
      await send(claimed, report);
    }
    report.waiting = (await store.listAwardBatches({ status: "sent" })).length;
    return report;
  }

  // Rounds in this process take turns (a scheduled one, and runOnce).
  const inTurn = createTurns();
  const rounds = createRounds(store, {
    name: AWARD_QUEUE_LEASE,
    holder: options.holder,
    intervalMs: options.intervalMs,
    nudgeDelayMs: options.delayMs,
    leaseTtlMs,
    async run(lease) {
      const report = await inTurn(() => round(async () => lease.held));
      // A round that stopped at its bound has more to send.
      return report.sent + report.returned >= batchesPerRound;
    },
    onError: (error) => options.onError?.(error),
  });

  return {
    runOnce: () => inTurn(() => round(async () => true)),
    nudge: () => rounds.nudge(),
    start: () => rounds.start(),
    stop: () => rounds.stop(),
  };
}

function airdropOf(batch: AwardBatch, awards: readonly Award[]) {
  return { collection: batch.collection, tokenId: BigInt(batch.tokenId), recipients: awards.map((a) => a.member as Address), amount: BigInt(batch.amount) };
}
