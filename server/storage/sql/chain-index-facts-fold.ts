/**
 * Facts from the index's events (server/chain/index/facts.ts has the types): fact positions, and what
 * one event says as facts. Pure: no I/O.
 */
import type { Address } from "viem";
import type { ChainFact, FactPosition, FactSource, ParsedPosition } from "../../chain/index/facts.ts";
import type { IndexEvent } from "../../chain/index/types.ts";

export const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000" as Address;

/** How far ahead `membershipsExpiring` looks unless told: three days. */
export const DEFAULT_EXPIRING_WITHIN = 72n * 3600n;

/** Most items one query returns. */
export const MAX_FACTS = 10_000;

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
