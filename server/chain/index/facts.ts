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
 * This file holds the types and the pure part: fact positions, and what one event of the index says
 * as facts. The queries are in server/storage/sql/chain-index-facts.ts.
 */
import type { Address, Hex } from "viem";
import type { IndexEvent } from "./types.ts";

export const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000" as Address;

/** How far ahead `membershipsExpiring` looks unless told: three days. */
export const DEFAULT_EXPIRING_WITHIN = 72n * 3600n;

/** Most items one query returns. */
export const MAX_FACTS = 10_000;

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
  /** At most this many facts (1..MAX_FACTS). */
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
  /** At most this many (default 1000, at most MAX_FACTS), by expiry, then token id, then holder. */
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

export function formatPosition(blockNumber: bigint, logIndex: number, position: number): FactPosition {
  return `${blockNumber}:${logIndex}:${position}`;
}

const POSITION = /^(0|[1-9]\d*):(0|[1-9]\d*):(0|[1-9]\d*)$/;

/** The place a position names, or null when it is not one. */
export function parsePosition(text: string): ParsedPosition | null {
  const match = POSITION.exec(text);
  if (match === null) return null;
  const [logIndex, position] = [Number(match[2]), Number(match[3])];
  if (!Number.isSafeInteger(logIndex) || !Number.isSafeInteger(position)) return null;
  return { blockNumber: BigInt(match[1]!), logIndex, position };
}

export function comparePositions(a: ParsedPosition, b: ParsedPosition): number {
  if (a.blockNumber !== b.blockNumber) return a.blockNumber < b.blockNumber ? -1 : 1;
  return a.logIndex !== b.logIndex ? a.logIndex - b.logIndex : a.position - b.position;
}

/**
 * What one event's changes mean for memberships, as the store reads them: for a change of a
 * membership type, the expiry after it; for a renewal's change, the balance and expiry before it.
 */
export type MembershipChange = {
  tokenId: bigint;
  holder: Address;
  delta: bigint;
  /** Expiry after the change, when the type is a membership and units arrived. */
  expiresAfter: bigint | null;
  /** For an expiry set without units moving: units held just before, and the expiry then. */
  heldBefore: bigint;
  expiresBefore: bigint;
};

/** The highest position a log's facts can take: a position past it is past the whole log. */
export function lastPosition(event: Pick<IndexEvent, "name" | "args">): number {
  return event.name === "TransferBatch" ? Math.max(0, 2 * (event.args.ids as string[]).length - 1) : event.name === "TransferSingle" ? 1 : 0;
}

/**
 * The facts one event says, in position order. `changes` are the membership changes the index
 * recorded for it (empty for collectibles); `confirmed` whether its block is final.
 */
export function factsOfEvent(event: IndexEvent, changes: readonly MembershipChange[], confirmed: boolean): ChainFact[] {
  const source: FactSource = { collection: event.collection, blockNumber: event.blockNumber, blockHash: event.blockHash, logIndex: event.logIndex, txHash: event.txHash, blockTime: event.blockTime };
  const at = (position: number) => ({ id: formatPosition(event.blockNumber, event.logIndex, position), source, confirmed });
  const a = event.args;
  if (event.name === "MembershipExtended") {
    // A mint sets the expiry just before its units arrive: that is the grant's, not a renewal.
    const change = changes.find((c) => c.delta === 0n && c.holder === a.holder && c.tokenId === BigInt(a.id as string));
    if (change === undefined || change.heldBefore <= 0n) return [];
    return [{ ...at(0), kind: "membership.renewed", holder: change.holder, tokenId: change.tokenId, previousExpiresAt: change.expiresBefore, expiresAt: BigInt(a.expiresAt as string) }];
  }
  if (event.name !== "TransferSingle" && event.name !== "TransferBatch") return [];
  const ids = event.name === "TransferSingle" ? [a.id as string] : (a.ids as string[]);
  const values = event.name === "TransferSingle" ? [a.value as string] : (a.values as string[]);
  const from = a.from as Address;
  const to = a.to as Address;
  // The recipient's membership changes, in the order of the ids they belong to (an id listed twice moves twice).
  const arrivals = changes.filter((c) => c.delta > 0n && c.holder === to && c.expiresAfter !== null);
  const facts: ChainFact[] = [];
  ids.forEach((id, i) => {
    const tokenId = BigInt(id);
    const amount = BigInt(values[i]!);
    facts.push({ ...at(2 * i), kind: "transfer", operator: a.operator as Address, from, to, tokenId, amount, mint: from === ZERO_ADDRESS, burn: to === ZERO_ADDRESS });
    const arrival = arrivals.findIndex((c) => c.tokenId === tokenId && c.delta === amount);
    if (arrival === -1) return;
    const [change] = arrivals.splice(arrival, 1);
    facts.push({ ...at(2 * i + 1), kind: "membership.granted", holder: to, from, tokenId, expiresAt: change!.expiresAfter! });
  });
  return facts;
}
