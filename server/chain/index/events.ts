/**
 * Raw logs of followed collections into {@link IndexEvent}s: the events the index keeps, decoded with
 * the collection's ABI, addresses lowercase, numbers as decimal strings. Logs of other events
 * (approvals, roles, royalties) are not kept.
 *
 * The Delegate Registry's events are kept from the registry's own address only, and collections'
 * events never from it: a brand's contract that emitted a DelegateAll could otherwise hand any
 * vault's holdings to any wallet.
 */
import { decodeAbiParameters, toEventSelector, type AbiEvent, type AbiParameter, type Address, type Hex } from "viem";
import { DELEGATE_REGISTRY_ADDRESS, delegateRegistryAbi, stampbookCollectionAbi } from "../../../contracts/bindings/index.ts";
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

const KEPT: readonly IndexEventName[] = ["TransferSingle", "TransferBatch", "MembershipExtended", "TokenTypeCreated", "TokenTypeTermsUpdated", "Redeemed", "Paused", "Unpaused"];
const KEPT_FROM_REGISTRY: readonly IndexEventName[] = ["DelegateAll", "DelegateContract", "DelegateERC1155"];

/** `registry`: the event counts only from the registry's address; otherwise only from anywhere else. */
type Decoder = { name: IndexEventName; registry: boolean; indexed: readonly AbiParameter[]; data: readonly AbiParameter[] };

function decoders(abi: readonly { type: string }[], kept: readonly IndexEventName[], registry: boolean): [Hex, Decoder][] {
  return (abi as readonly AbiEvent[])
    .filter((item) => item.type === "event" && (kept as readonly string[]).includes(item.name))
    .map((event) => [
      toEventSelector(event),
      { name: event.name as IndexEventName, registry, indexed: event.inputs.filter((i) => "indexed" in i && i.indexed), data: event.inputs.filter((i) => !("indexed" in i && i.indexed)) },
    ]);
}

/**
 * The kept events by their first topic, worked out once: decoding a log is then a lookup and the
 * data's ABI decoding (viem's generic decodeEventLog hashes every event's signature per log).
 */
const DECODERS = new Map<Hex, Decoder>([...decoders(stampbookCollectionAbi, KEPT, false), ...decoders(delegateRegistryAbi, KEPT_FROM_REGISTRY, true)]);
const REGISTRY = DELEGATE_REGISTRY_ADDRESS.toLowerCase();

/** The event's arguments as the index stores them: addresses lowercase, numbers decimal. */
function plain(value: unknown): string | string[] {
  if (Array.isArray(value)) return value.map((v) => String(v));
  if (typeof value === "string") return value.startsWith("0x") && value.length === 42 ? value.toLowerCase() : value;
  return String(value);
}

/** An indexed argument from its topic (every kept event's indexed arguments are static types). */
function fromTopic(parameter: AbiParameter, topic: Hex): string {
  if (parameter.type === "address") return `0x${topic.slice(26).toLowerCase()}`;
  if (parameter.type.startsWith("uint") || parameter.type.startsWith("int")) return BigInt(topic).toString();
  if (parameter.type === "bool") return String(BigInt(topic) !== 0n);
  return topic;
}

/**
 * The log as an index event, or null when the index does not keep its kind (or the log is pending or
 * removed). `blockTime` is the log's own when the node gave one, else `timeOf` its block's.
 */
export function decodeIndexLog(log: RawLog, timeOf: (blockNumber: bigint) => bigint | undefined): IndexEvent | null {
  if (log.removed === true || log.blockNumber === null || log.blockHash === null || log.logIndex === null || log.transactionHash === null) return null;
  const decoder = log.topics[0] === undefined ? undefined : DECODERS.get(log.topics[0]);
  if (decoder === undefined || log.topics.length !== decoder.indexed.length + 1) return null;
  if (decoder.registry !== (log.address.toLowerCase() === REGISTRY)) return null;
  const args: Record<string, string | string[]> = {};
  try {
    decoder.indexed.forEach((parameter, i) => (args[parameter.name!] = fromTopic(parameter, log.topics[i + 1]!)));
    if (decoder.data.length > 0) {
      const values = decodeAbiParameters(decoder.data, log.data);
      decoder.data.forEach((parameter, i) => (args[parameter.name!] = plain(values[i])));
    }
  } catch {
    return null; // not what the collection's ABI says this event carries: not ours to keep
  }
  const blockNumber = BigInt(log.blockNumber);
  const blockTime = log.blockTimestamp ? BigInt(log.blockTimestamp) : timeOf(blockNumber);
  if (blockTime === undefined) throw new Error(`no time for block ${blockNumber}`);
  return {
    collection: log.address.toLowerCase() as Address,
    blockNumber,
    blockHash: log.blockHash,
    blockTime,
    logIndex: Number(BigInt(log.logIndex)),
    txHash: log.transactionHash,
    name: decoder.name,
    args,
  };
}

/** Chain order: by block, then position in the block. */
export function compareEvents(a: Pick<IndexEvent, "blockNumber" | "logIndex">, b: Pick<IndexEvent, "blockNumber" | "logIndex">): number {
  return a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1;
}
