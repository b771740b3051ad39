/**
 * Raw logs of followed collections into {@link IndexEvent}s: the events the index keeps, decoded with
 * the collection's ABI, addresses lowercase, numbers as decimal strings. Logs of other events
 * (approvals, roles, royalties) are not kept.
 */
import { decodeEventLog, type Address, type Hex } from "viem";
import { stampbookCollectionAbi } from "../../../contracts/bindings/index.ts";
import type { IndexEvent, IndexEventName } from "./types.ts";

/** A log as eth_getLogs returns it (hex quantities), with the block time when the node includes it. */
export type RawLog = {
  address: Hex;
  topics: Hex[];
  data: Hex;
  blockNumber: Hex | null;
  blockHash: Hex | null;
  blockTimestamp?: Hex | null;
  logIndex: Hex | null;
  transactionHash: Hex | null;
  removed?: boolean;
};

const KEPT = new Set<string>(["TransferSingle", "TransferBatch", "MembershipExtended", "TokenTypeCreated", "TokenTypeTermsUpdated", "Redeemed", "Paused", "Unpaused"] satisfies IndexEventName[]);

/** The event's arguments as the index stores them. */
function plain(value: unknown): string | string[] {
  if (Array.isArray(value)) return value.map((v) => String(v));
  if (typeof value === "string") return value.startsWith("0x") && value.length === 42 ? value.toLowerCase() : value;
  return String(value);
}

/**
 * The log as an index event, or null when the index does not keep its kind (or the log is pending or
 * removed). `blockTime` is the log's own when the node gave one, else `timeOf` its block's.
 */
export function decodeIndexLog(log: RawLog, timeOf: (blockNumber: bigint) => bigint | undefined): IndexEvent | null {
  if (log.removed === true || log.blockNumber === null || log.blockHash === null || log.logIndex === null || log.transactionHash === null) return null;
  let decoded: { eventName: string; args: unknown };
  try {
    decoded = decodeEventLog({ abi: stampbookCollectionAbi, topics: log.topics as [Hex, ...Hex[]], data: log.data, strict: true });
  } catch {
    return null;
  }
  if (!KEPT.has(decoded.eventName)) return null;
  const blockNumber = BigInt(log.blockNumber);
  const blockTime = log.blockTimestamp ? BigInt(log.blockTimestamp) : timeOf(blockNumber);
  if (blockTime === undefined) throw new Error(`no time for block ${blockNumber}`);
  const args: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(decoded.args as Record<string, unknown>)) args[key] = plain(value);
  return {
    collection: log.address.toLowerCase() as Address,
    blockNumber,
    blockHash: log.blockHash,
    blockTime,
    logIndex: Number(BigInt(log.logIndex)),
    txHash: log.transactionHash,
    name: decoded.eventName as IndexEventName,
    args,
  };
}

/** Chain order: by block, then position in the block. */
export function compareEvents(a: Pick<IndexEvent, "blockNumber" | "logIndex">, b: Pick<IndexEvent, "blockNumber" | "logIndex">): number {
  return a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1;
}
