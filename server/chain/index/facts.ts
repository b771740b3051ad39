/**
 * Facts from the chain index, for what reacts to the chain (webhooks, snapshot polls, renewal
 * reminders): transfers, memberships granted and renewed, balances at a past block, memberships
 * expiring or expired by chain time. All are derived from what the index holds (its events, changes
 * and holdings), so they come only from blocks it has applied and a rolled-back block's facts go with
 * the rollback.
 *
 * Every fact says where it came from (the log, its block and the block's chain time) and whether that
 * block is CONFIRMATIONS deep under the head the index's writer last saw. A consumer that moves its
 * position past unconfirmed facts may miss those of a branch that replaces them (the new branch's logs
 * can sit before that position): keep the position at the last confirmed fact, or ask `onlyConfirmed`.
 *
 * This file holds the types. What one event of the index says as facts, and fact positions, are in
 * server/storage/sql/chain-index-facts-fold.ts; the queries in server/storage/sql/chain-index-facts.ts.
 */
import type { Address, Hex } from "viem";


/**
 * A place in chain order, `${blockNumber}:${logIndex}:${position}`; a fact's id is its place. Within
 * a transfer log, id i of the log's ids has the transfer at position 2i and the membership it grants
 * at 2i+1; a renewal's log has it at 0.
 */
export type FactPosition = `${bigint}:${number}:${number}`;

export type ParsedPosition = { blockNumber: bigint; logIndex: number; position: number };

/** The log a fact came from, and its block's chain time (unix seconds). */
export type FactSource = { collection: Address; blockNumber: bigint; blockHash: Hex; logIndex: number; txHash: Hex; blockTime: bigint };

type FactBase = {
  id: FactPosition;
  source: FactSource;
  /** The block is CONFIRMATIONS deep under the head the index's writer last saw: final. */
  confirmed: boolean;
};

/** Units moved: a mint (from the zero address), a burn (to it) or a transfer between holders. */
export type TransferFact = FactBase & { kind: "transfer"; operator: Address; from: Address; to: Address; tokenId: bigint; amount: bigint; mint: boolean; burn: boolean };

/** A membership arrived at a holder (minted, or transferred in), with its expiry (2^64-1: never). */
export type MembershipGrantedFact = FactBase & { kind: "membership.granted"; holder: Address; from: Address; tokenId: bigint; expiresAt: bigint };

/** A held membership's expiry moved forward (a renewal, or the brand extending it). */
export type MembershipRenewedFact = FactBase & { kind: "membership.renewed"; holder: Address; tokenId: bigint; previousExpiresAt: bigint; expiresAt: bigint };

export type ChainFact = TransferFact | MembershipGrantedFact | MembershipRenewedFact;

export type FactsQuery = {
  collection: Address;
  /** Facts after this place (none: from the collection's first). */
  after?: FactPosition | null;
  /** At most this many facts (1..10,000). */
  limit: number;
  /** Blocks under the head before a block is final (the deployment's CONFIRMATIONS). */
  confirmations: number;
  /** Only facts of confirmed blocks. */
  onlyConfirmed?: boolean;
};

export type FactsPage = {
  facts: ChainFact[];
  /** Where to ask from next (`after`): past every fact returned and every log looked at; `after` when nothing new. */
  next: FactPosition | null;
  /** The last block the index has applied, and the last confirmed one, when the page was read. */
  indexedBlock: bigint;
  confirmedBlock: bigint;
};

export type BalancesQuery = {
  collection: Address;
  block: bigint;
  /** Only these token types (none: every type of the collection). */
  tokenIds?: readonly bigint[];
  /** Only this holder. */
  holder?: Address;
  confirmations: number;
};

/** Balances as they stood after `block`: every (holder, type) with units then. */
export type BalancesAt = {
  collection: Address;
  block: bigint;
  confirmed: boolean;
  /** Ordered by token id, then holder; no zero balances. */
  balances: { holder: Address; tokenId: bigint; balance: bigint }[];
};

/** Where paging through membership states stands: the last item's expiry, type and holder. */
export type MembershipStateKey = { expiresAt: bigint; tokenId: bigint; holder: Address };

/** A membership held now, and the change that set its expiry (the mint's, a renewal's, a transfer's). */
export type MembershipState = {
  /** Stable for one expiry of one holding: `${collection}:${tokenId}:${holder}:${expiresAt}` (a renewal or a transfer makes a new one). */
  id: string;
  collection: Address;
  tokenId: bigint;
  holder: Address;
  balance: bigint;
  expiresAt: bigint;
  source: FactSource & { position: number };
  confirmed: boolean;
};

type StatesQuery = {
  collection: Address;
  /** Chain time to judge by (unix seconds); default the time of the last block the index applied. */
  now?: bigint;
  confirmations: number;
  /** At most this many (default 1000, at most 10,000), by expiry, then token id, then holder. */
  limit?: number;
  after?: MembershipStateKey | null;
};

export type ExpiringQuery = StatesQuery & { /** Seconds ahead of `now`; default 72 hours. */ within?: bigint };
export type ExpiredQuery = StatesQuery & { /** Only those that expired after this time (unix seconds); default 0: all. */ since?: bigint };

export type MembershipStates = {
  /** The chain time they were judged against. */
  now: bigint;
  items: MembershipState[];
  /** Pass as `after` for more; null when there are no more. */
  next: MembershipStateKey | null;
};

/** Facts the index can answer. Null answers: the index has not started, or (balances) has not applied that block for that collection. */
export interface ChainFacts {
  /** A collection's transfers, grants and renewals after a place, in chain order. */
  factsAfter(query: FactsQuery): Promise<FactsPage | null>;
  /** Balances after `block` (snapshots: voting power at a block), summed from the index's changes. */
  balancesAt(query: BalancesQuery): Promise<BalancesAt | null>;
  /** Memberships held now whose expiry is after `now` and within `within` of it. */
  membershipsExpiring(query: ExpiringQuery): Promise<MembershipStates | null>;
  /** Memberships still held whose expiry has passed by `now` (after `since`). */
  membershipsExpired(query: ExpiredQuery): Promise<MembershipStates | null>;
}
