/**
 * Follows the chain into the index: catches each collection up from its deployment block in pages,
 * then follows new heads, one step at a time. Only the holder of the index's lease runs it; every
 * write is conditional on the cursor's generation it read, so a writer that lost the lease mid-step
 * changes nothing.
 *
 * Reorgs: the index keeps the hash and parent hash of every block in its window (the last
 * `window` blocks). Each step compares the cursor's block with the chain's block at that height; when
 * they differ, it walks back to the newest block both agree on and rolls the index back to it in one
 * transaction, then applies the new branch. A node that is behind (its head below the cursor, or no
 * block at the cursor's height) is waited for, never taken for a reorg: only a block the node has at a
 * height the index has, with another hash, is.
 *
 * Providers: a log range the provider refuses, or that fails or times out, is halved and tried again
 * (down to one block); pages grow back after successes. Any other failure is reported to the caller
 * (the run loop backs off); nothing half-read is ever applied.
 */
import { getAddress, numberToHex, type Address, type Hex, type PublicClient } from "viem";
import type { Timestamp } from "../../storage/time.ts";
import { compareEvents, decodeIndexLog, type RawLog } from "./events.ts";
import type { ChainIndexStore, IndexCursor, IndexedBlock, IndexedCollection, IndexEvent } from "./types.ts";

export type FollowerOptions = {
  client: PublicClient;
  store: ChainIndexStore;
  chainId: number;
  /** Blocks a block must be under the head to be final; shallower is reported unconfirmed. */
  confirmations: number;
  /** Largest log range asked for at once. */
  maxPageBlocks: number;
  /** The collections to follow (the deployment's served ones). */
  collections: () => Promise<readonly Address[]>;
  /** No collection is searched for below this block (a node without history answers nothing older). */
  startBlockFloor: bigint;
  log: (level: "info" | "warn" | "error", message: string, facts?: Record<string, unknown>) => void;
  now: () => Date;
};

/** What a step did: `idle` when the index is at the head and nothing is left to do right now. */
export type StepResult = { idle: boolean; did: "started" | "caught-up" | "advanced" | "reorg" | "reset" | "waiting" | "nothing" | "shrunk" };

export type FollowerStatus = {
  chainId: number;
  /** The chain's id as the node reports it, once read; a mismatch stops the follower. */
  nodeChainId: number | null;
  head: bigint | null;
  indexed: bigint | null;
  confirmations: number;
  pageBlocks: number;
  /** Collections still catching up to the cursor. */
  catchingUp: number;
  /** The node's head is below the index (behind, or syncing). */
  nodeBehind: boolean;
  reorgs: number;
  lastError: string | null;
};

export class ChainMismatchError extends Error {
  override name = "ChainMismatchError";
}

/** How many blocks of hashes the index keeps to find a common ancestor. */
export function reorgWindow(confirmations: number): number {
  return Math.max(64, 2 * confirmations);
}

type RpcBlock = { number: Hex; hash: Hex; parentHash: Hex; timestamp: Hex } | null;

export function createChainIndexFollower(options: FollowerOptions) {
  const { client, store } = options;
  const window = BigInt(reorgWindow(options.confirmations));
  let pageBlocks = options.maxPageBlocks;
  let successes = 0;
  // The smallest page the node refused lately: pages grow back only below it (else every few pages
  // would fail again), until enough pages went through to try again.
  let refused = Infinity;
  const status: FollowerStatus = {
    chainId: options.chainId,
    nodeChainId: null,
    head: null,
    indexed: null,
    confirmations: options.confirmations,
    pageBlocks,
    catchingUp: 0,
    nodeBehind: false,
    reorgs: 0,
    lastError: null,
  };
  const timestamp = () => options.now().toISOString() as Timestamp;

  async function blockAt(tag: bigint | "latest"): Promise<IndexedBlock | null> {
    const raw = (await client.request({ method: "eth_getBlockByNumber", params: [tag === "latest" ? "latest" : numberToHex(tag), false] })) as RpcBlock;
    if (raw === null) return null;
    return { number: BigInt(raw.number), hash: raw.hash, parentHash: raw.parentHash, time: BigInt(raw.timestamp) };
  }

  /** Headers of `numbers`, concurrently (one JSON-RPC batch); null where the node has no such block. */
  function blocksAt(numbers: readonly bigint[]): Promise<(IndexedBlock | null)[]> {
    return Promise.all(numbers.map((n) => blockAt(n)));
  }

  async function logsOf(collections: readonly Address[], from: bigint, to: bigint): Promise<IndexEvent[]> {
    let raw: RawLog[];
    try {
      raw = (await client.request({ method: "eth_getLogs", params: [{ address: collections.map((c) => getAddress(c)), fromBlock: numberToHex(from), toBlock: numberToHex(to) }] })) as RawLog[];
    } catch (error) {
      throw new LogRangeError(from, to, error);
    }
    // Times from the logs when the node includes them; else from the blocks' headers.
    const missing = [...new Set(raw.filter((l) => !l.blockTimestamp && l.blockNumber !== null).map((l) => BigInt(l.blockNumber!)))];
    const times = new Map<bigint, bigint>();
    if (missing.length > 0) {
      for (const block of await blocksAt(missing)) if (block !== null) times.set(block.number, block.time);
    }
    const events: IndexEvent[] = [];
    for (const log of raw) {
      const event = decodeIndexLog(log, (n) => times.get(n));
      if (event !== null) events.push(event);
    }
    return events.sort(compareEvents);
  }

  /** The first block at which `collection` has code, by bisection over the node's history. */
  async function deploymentBlock(collection: Address, head: bigint): Promise<bigint | null> {
    const hasCode = async (block: bigint) => ((await client.getCode({ address: collection, blockNumber: block })) ?? "0x") !== "0x";
    if (!(await hasCode(head))) return null;
    let low = options.startBlockFloor;
    let high = head;
    try {
      if (await hasCode(low)) return low;
      while (high - low > 1n) {
        const middle = (low + high) / 2n;
        if (await hasCode(middle)) high = middle;
        else low = middle;
      }
      return high;
    } catch (error) {
      options.log("warn", "the node cannot answer for old blocks; following the collection from INDEX_START_BLOCK", { collection, err: error });
      return options.startBlockFloor;
    }
  }

  // Served addresses without code, and when they were last looked at: looked at again a minute later.
  const withoutCode = new Map<string, number>();

  async function followNew(indexed: readonly IndexedCollection[], head: IndexedBlock): Promise<IndexedCollection[]> {
    const known = new Set(indexed.map((c) => c.collection.toLowerCase()));
    const added: IndexedCollection[] = [];
    for (const collection of await options.collections()) {
      const key = collection.toLowerCase();
      if (known.has(key) || options.now().getTime() - (withoutCode.get(key) ?? -Infinity) < 60_000) continue;
      const start = await deploymentBlock(collection, head.number);
      if (start === null) {
        withoutCode.set(key, options.now().getTime());
        options.log("warn", "a served collection has no code on this chain; not indexed", { collection });
        continue;
      }
      withoutCode.delete(key);
      await store.followCollection(collection, start);
      options.log("info", "following a collection", { collection, fromBlock: start.toString() });
      added.push({ collection: collection.toLowerCase() as Address, startBlock: start, indexedThrough: start - 1n });
    }
    return added;
  }

  /** The newest block the index holds that the chain still has, or null when none in the window does. */
  async function commonAncestor(cursor: IndexCursor): Promise<IndexedBlock | null> {
    const held = (await store.indexedBlocks(cursor.block.number - window)).reverse();
    for (let i = 0; i < held.length; i += 16) {
      const batch = held.slice(i, i + 16);
      const canonical = await blocksAt(batch.map((b) => b.number));
      const found = batch.find((b, j) => canonical[j]?.hash === b.hash);
      if (found !== undefined) return found;
    }
    return null;
  }

  /** Halves the page after a provider refused or failed a log range. */
  function shrink(error: LogRangeError): StepResult {
    if (pageBlocks === 1) throw error;
    refused = Math.min(refused, pageBlocks);
    pageBlocks = Math.max(1, Math.floor(pageBlocks / 2));
    status.pageBlocks = pageBlocks;
    successes = 0;
    options.log("warn", "the node refused a log range; asking for smaller ones", { fromBlock: error.from.toString(), toBlock: error.to.toString(), pageBlocks, err: error.cause });
    return { idle: false, did: "shrunk" };
  }

  function succeeded(): void {
    successes++;
    if (successes >= 100) refused = Infinity;
    if (pageBlocks * 2 < refused && pageBlocks < options.maxPageBlocks && successes % 4 === 0) {
      pageBlocks = Math.min(options.maxPageBlocks, pageBlocks * 2);
      status.pageBlocks = pageBlocks;
    }
  }

  /** Stops on a node that serves another chain; its chain is asked while it does, and again when `again`. */
  async function checkChain(again: boolean): Promise<void> {
    if (again || status.nodeChainId !== options.chainId) status.nodeChainId = await client.getChainId();
    if (status.nodeChainId !== options.chainId) throw new ChainMismatchError(`the node serves chain ${status.nodeChainId}, not CHAIN_ID ${options.chainId}`);
  }

  async function step(): Promise<StepResult> {
    // Asked until it matches; a node on another chain stops every step, not only the first.
    await checkChain(false);
    const head = await blockAt("latest");
    if (head === null) throw new Error("the node has no latest block");
    status.head = head.number;
    let cursor = await store.indexCursor();
    if (cursor === null) {
      await store.startIndex(options.chainId, head, timestamp());
      options.log("info", "the chain index starts at the head", { block: head.number.toString() });
      return { idle: false, did: "started" };
    }
    if (cursor.chainId !== options.chainId) throw new ChainMismatchError(`the index holds chain ${cursor.chainId}, not CHAIN_ID ${options.chainId}: start a new database`);
    status.indexed = cursor.block.number;

    let collections = await store.indexedCollections();
    const added = await followNew(collections, head);
    if (added.length > 0) collections = [...collections, ...added];

    const where = await compare(cursor, head);
    if (where === "behind") {
      if (!status.nodeBehind) options.log("warn", "the node is behind the index; waiting for it", { head: head.number.toString(), indexed: cursor.block.number.toString() });
      status.nodeBehind = true;
      return { idle: true, did: "waiting" };
    }
    status.nodeBehind = false;
    if (where === "moved") {
      // A node swapped for another chain's looks like a reorg: asked again before anything is undone.
      await checkChain(true);
      const ancestor = await commonAncestor(cursor);
      if (ancestor === null) {
        options.log("error", "a reorg deeper than the index's window: indexing again from the start", { indexed: cursor.block.number.toString(), window: window.toString() });
        await store.resetIndex(options.chainId, head, timestamp());
        status.reorgs++;
        return { idle: false, did: "reset" };
      }
      if (await store.rollbackIndex(ancestor, cursor.generation)) {
        status.reorgs++;
        options.log("warn", "reorg: the index rolled back", { from: cursor.block.number.toString(), to: ancestor.number.toString(), depth: (cursor.block.number - ancestor.number).toString() });
      }
      return { idle: false, did: "reorg" };
    }

    const at = cursor;
    // Collections behind the cursor catch up in pages, the furthest behind first (those at one block together).
    const behind = collections.filter((c) => c.indexedThrough < at.block.number);
    status.catchingUp = behind.length;
    if (behind.length > 0) {
      const through = behind.reduce((low, c) => (c.indexedThrough < low ? c.indexedThrough : low), behind[0]!.indexedThrough);
      const group = behind.filter((c) => c.indexedThrough === through).map((c) => c.collection);
      const from = through + 1n;
      const to = bigMin(cursor.block.number, from + BigInt(pageBlocks) - 1n);
      let events: IndexEvent[];
      try {
        events = await logsOf(group, from, to);
      } catch (error) {
        if (error instanceof LogRangeError) return shrink(error);
        throw error;
      }
      // Blocks the window holds must be the ones the logs came from; otherwise the chain moved under us.
      if (!(await matchesHeld(events))) return { idle: false, did: "nothing" };
      await store.applyIndexPage({ collections: group, fromBlock: from, toBlock: to, events, blocks: [] }, cursor.generation, null, 0n);
      succeeded();
      return { idle: false, did: "caught-up" };
    }

    if (cursor.block.number >= head.number) {
      // Only when the head moved or half a minute passed: a quiet chain costs the store no writes.
      if (cursor.headNumber !== head.number || options.now().getTime() - Date.parse(cursor.headSeenAt) > 30_000) await store.recordHead(head.number, timestamp(), cursor.generation);
      return { idle: true, did: "nothing" };
    }
    const from = cursor.block.number + 1n;
    const to = bigMin(head.number, from + BigInt(pageBlocks) - 1n);
    const windowStart = bigMax(from, head.number - window + 1n);
    const numbers: bigint[] = [];
    for (let n = windowStart; n <= to; n++) numbers.push(n);
    if (numbers.length === 0 || numbers.at(-1) !== to) numbers.push(to);
    let blocks: (IndexedBlock | null)[];
    let events: IndexEvent[];
    try {
      [blocks, events] = await Promise.all([blocksAt(numbers), logsOf(collections.map((c) => c.collection), from, to)]);
    } catch (error) {
      if (error instanceof LogRangeError) return shrink(error);
      throw error;
    }
    if (blocks.some((b) => b === null)) return { idle: true, did: "waiting" };
    const headers = blocks as IndexedBlock[];
    // The new blocks must link up: to the cursor, and to each other.
    for (let i = 0; i < headers.length; i++) {
      const previous = i === 0 ? (headers[0]!.number === from ? cursor.block : null) : headers[i - 1]!;
      if (previous !== null && previous.number === headers[i]!.number - 1n && headers[i]!.parentHash !== previous.hash) return { idle: false, did: "nothing" };
    }
    const byNumber = new Map(headers.map((b) => [b.number, b]));
    if (events.some((e) => byNumber.has(e.blockNumber) && byNumber.get(e.blockNumber)!.hash !== e.blockHash)) return { idle: false, did: "nothing" };
    const last = byNumber.get(to)!;
    const kept = headers.filter((b) => b.number >= windowStart);
    const applied = await store.applyIndexPage({ collections: collections.map((c) => c.collection), fromBlock: from, toBlock: to, events, blocks: kept }, cursor.generation, last, head.number - window + 1n);
    if (!applied) return { idle: false, did: "nothing" };
    succeeded();
    cursor = await store.indexCursor();
    if (cursor !== null) await store.recordHead(head.number, timestamp(), cursor.generation);
    status.indexed = to;
    return { idle: to >= head.number, did: "advanced" };
  }

  /**
   * Where the chain stands against the cursor: `same` (the cursor's block is still on it), `moved` (the
   * node has another block at a height the index holds: a reorg), or `behind` (the node lacks the
   * cursor's block: syncing, or a lagging replica). Never a reorg on missing blocks alone.
   */
  async function compare(cursor: IndexCursor, head: IndexedBlock): Promise<"same" | "moved" | "behind"> {
    if (head.number >= cursor.block.number) {
      const block = head.number === cursor.block.number ? head : await blockAt(cursor.block.number);
      if (block === null) return "behind";
      return block.hash === cursor.block.hash ? "same" : "moved";
    }
    const [held] = await store.indexedBlocks(head.number);
    return held !== undefined && held.number === head.number && held.hash !== head.hash ? "moved" : "behind";
  }

  /** Whether every event from a block the window holds came from that very block. */
  async function matchesHeld(events: readonly IndexEvent[]): Promise<boolean> {
    if (events.length === 0) return true;
    const held = new Map((await store.indexedBlocks(events[0]!.blockNumber)).map((b) => [b.number, b.hash]));
    return events.every((e) => !held.has(e.blockNumber) || held.get(e.blockNumber) === e.blockHash);
  }

  return {
    step,
    status: (): FollowerStatus => ({ ...status }),
    /** Steps until the index is at the head (tests, benchmarks); throws what a step throws. */
    async syncToHead(maxSteps = 100_000): Promise<void> {
      for (let i = 0; i < maxSteps; i++) if ((await step()).idle) return;
      throw new Error(`the index did not reach the head in ${maxSteps} steps`);
    },
  };
}

export type ChainIndexFollower = ReturnType<typeof createChainIndexFollower>;

/** A log range the node refused, failed or did not answer in time. */
export class LogRangeError extends Error {
  override name = "LogRangeError";
  readonly from: bigint;
  readonly to: bigint;
  constructor(from: bigint, to: bigint, cause: unknown) {
    super(`logs of blocks ${from}-${to} could not be read`, { cause });
    this.from = from;
    this.to = to;
  }
}

const bigMin = (a: bigint, b: bigint) => (a < b ? a : b);
const bigMax = (a: bigint, b: bigint) => (a > b ? a : b);
