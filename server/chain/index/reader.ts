/**
 * Ownership read from the chain index, when the index is close enough to the chain's head, and from
 * the chain (the reader it wraps) when it is not: a gate never answers from an index that fell behind.
 *
 * - `readFresh` (anything that grants: redemptions, claims) reads the chain at its head, always.
 *   `readHeld` with `fresh` (what is signed for others to trust) answers from the index only when it
 *   is provably at the head: its cursor is the very block (number and hash) the node reports now.
 * - `readCached` (display) answers from the index within `maxLagBlocks` of a head read at most
 *   `headCacheMs` ago. With `headCacheMs` 0 (OWNERSHIP_CACHE_MS=0: display must be exact) only an index
 *   at the head answers.
 * - Either way the index's last block must still be on the chain (a reorg the follower has not rolled
 *   back yet makes it read the chain), and the node's head must not be under it.
 * - A collection the index is still catching up on is read from the chain.
 * - After `forget(member)` (this server changed their holdings), that member is read from the chain
 *   until the index has passed the head seen after the change.
 *
 * Holdings from the index carry their lots (since when they are held); points are added up from the
 * types' points as the index has them, the way the collection's `standingOf` does.
 */
import { numberToHex, type Address, type Hex, type PublicClient } from "viem";
import type { ChainIndexStore, IndexCursor, IndexedHolding, IndexedTokenType } from "./types.ts";
import { holdingKey, readKey, type HeldLot, type Holding, type TokenRef } from "../holdings.ts";
import { chainUnavailable } from "../errors.ts";
import type { OwnershipReader, OwnershipSnapshot } from "../ownership.ts";
import { typeKey } from "../../storage/sql/chain-index-fold.ts";

export type IndexedOwnershipOptions = {
  store: Pick<ChainIndexStore, "indexCursor" | "indexedCollections" | "holdingsOf" | "indexedTokenTypes">;
  client: Pick<PublicClient, "request">;
  /** The chain reader: what answers when the index cannot. */
  chain: OwnershipReader;
  maxLagBlocks: number;
  /** How long a head block number (and the index's cursor) may be reused for display reads. */
  headCacheMs: number;
};

/** Every position a member holds in some collections, from the index. */
export type HeldSnapshot = {
  positions: IndexedHolding[];
  /** Points per collection (lowercase) the positions carry now; a collection with none held is absent. */
  pointsByCollection: ReadonlyMap<string, bigint>;
  now: bigint;
  source: { from: "index"; block: bigint; lagBlocks: number };
};

export type IndexedOwnershipReader = OwnershipReader & {
  /**
   * What the member holds in `collections`, from the index, or null when it may not answer for all
   * of them now (`fresh`: only at the head; else within INDEX_MAX_LAG_BLOCKS of a recent head).
   */
  readHeld(member: Address, collections: readonly Address[], options: { fresh: boolean }): Promise<HeldSnapshot | null>;
  /** How far the index is behind the head right now (a fresh head), or null when it cannot serve at all. */
  lag(): Promise<{ indexed: bigint; head: bigint; lagBlocks: number } | null>;
};

type IndexState = { cursor: IndexCursor; live: ReadonlySet<string> };

const MAX_ANSWERS = 10_000;

/**
 * The index's lots made to agree with a balance read from the chain a moment later: units gone since
 * come off the top, units come since are held from the chain's block (they count for no period yet).
 */
function lotsFor(balance: bigint, lots: readonly HeldLot[], read: OwnershipSnapshot): HeldLot[] {
  const out: HeldLot[] = [];
  let left = balance;
  for (const lot of lots) {
    if (left === 0n) break;
    const units = lot.units < left ? lot.units : left;
    out.push({ ...lot, units });
    left -= units;
  }
  // The chain's read says its time, not its block: the block is left unknown (0).
  if (left > 0n) out.push({ units: left, sinceBlock: 0n, sinceTime: read.now });
  return out;
}

export function createIndexedOwnershipReader(options: IndexedOwnershipOptions): IndexedOwnershipReader {
  const { store, chain } = options;
  let head: { at: number; number: bigint; hash: string } | null = null;
  /** The last cursor block found on the chain (a reorg since it was checked makes it stale): its hash, and when. */
  let canonical: { at: number; hash: string } | null = null;
  let state: { at: number; value: IndexState | null } | null = null;
  let types: { generation: number; loaded: Set<string>; byKey: Map<string, IndexedTokenType> } | null = null;
  /** Members whose holdings this server changed: read from the chain until the index passes `head`. */
  const changed = new Map<string, { head: bigint | null }>();
  // Answers already worked out from the index, valid while its generation stands (it moves with every
  // block the follower applies): a listing's repeat reads cost a lookup, as the chain reader's cache does.
  const answers = new Map<string, { generation: number; snapshot: OwnershipSnapshot }>();

  /** The chain's latest block (number and hash), read again when older than `maxAgeMs`. */
  async function headBlock(maxAgeMs: number): Promise<{ number: bigint; hash: string }> {
    if (head !== null && Date.now() - head.at <= maxAgeMs && maxAgeMs > 0) return head;
    try {
      const block = (await options.client.request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as { number: Hex; hash: string } | null;
      if (block === null) throw new Error("the node has no latest block");
      head = { at: Date.now(), number: BigInt(block.number), hash: block.hash };
      return head;
    } catch (error) {
      throw chainUnavailable("Ownership could not be checked; nothing was unlocked.", error);
    }
  }

  async function headNumber(maxAgeMs: number): Promise<bigint> {
    return (await headBlock(maxAgeMs)).number;
  }

  async function indexState(maxAgeMs: number): Promise<IndexState | null> {
    if (state !== null && Date.now() - state.at <= maxAgeMs && maxAgeMs > 0) return state.value;
    const cursor = await store.indexCursor();
    // Which collections are caught up changes only with a write, and every write moves the generation:
    // one query (the cursor) while it stands. A collection followed since is missing, so read from the chain.
    const previous = state?.value;
    const live =
      cursor === null
        ? null
        : previous && previous.cursor.generation === cursor.generation
          ? previous.live
          : new Set((await store.indexedCollections()).filter((c) => c.indexedThrough === cursor.block.number).map((c) => c.collection.toLowerCase()));
    const value = cursor === null ? null : { cursor, live: live! };
    state = { at: Date.now(), value };
    return value;
  }

  async function typesAt(cursor: IndexCursor, collections: readonly Address[]): Promise<Map<string, IndexedTokenType>> {
    // Points change only with the index (a terms event): kept until its next write.
    if (types === null || types.generation !== cursor.generation) types = { generation: cursor.generation, loaded: new Set(), byKey: new Map() };
    const cache = types;
    const missing = collections.filter((c) => !cache.loaded.has(c));
    if (missing.length > 0) {
      for (const t of await store.indexedTokenTypes(missing)) cache.byKey.set(typeKey(t.collection, t.tokenId), t);
      for (const c of missing) cache.loaded.add(c);
    }
    return cache.byKey;
  }

  /**
   * Whether the block the index stands at is still on the chain: an index whose last block the chain
   * abandoned may hold a transfer that never happened. Checked at most once per `maxAgeMs`.
   */
  async function onChain(cursor: IndexCursor, maxAgeMs: number): Promise<boolean> {
    // At the head: the head's own hash says it (read with the head, no second call).
    if (head !== null && head.number === cursor.block.number) return head.hash === cursor.block.hash;
    if (canonical !== null && canonical.hash === cursor.block.hash && Date.now() - canonical.at <= maxAgeMs && maxAgeMs > 0) return true;
    let block: { hash: string } | null;
    try {
      block = (await options.client.request({ method: "eth_getBlockByNumber", params: [numberToHex(cursor.block.number), false] })) as { hash: string } | null;
    } catch (error) {
      throw chainUnavailable("Ownership could not be checked; nothing was unlocked.", error);
    }
    if (block === null || block.hash !== cursor.block.hash) return false;
    canonical = { at: Date.now(), hash: block.hash };
    return true;
  }

  /** The index's state when it may answer for `member` now (`fresh`: only at the head), else null. */
  async function servable(member: Address, fresh: boolean): Promise<(IndexState & { lag: number }) | null> {
    const maxAge = fresh ? 0 : options.headCacheMs;
    let value: IndexState | null;
    let number: bigint;
    try {
      [value, number] = await Promise.all([indexState(maxAge), headNumber(maxAge)]);
    } catch (error) {
      if ((error as { code?: string }).code === "chain_unavailable") throw error;
      return null;
    }
    if (value === null) return null;
    // A node whose head is under the index is behind, or on a shorter branch: not the index's chain.
    if (number < value.cursor.block.number) return null;
    const lag = Number(number - value.cursor.block.number);
    const allowed = fresh || options.headCacheMs === 0 ? 0 : options.maxLagBlocks;
    if (lag > allowed) return null;
    // Within the lag, and on the chain: what the index says the chain said, at most `lag` blocks ago.
    if (!(await onChain(value.cursor, maxAge))) return null;
    const key = member.toLowerCase();
    const change = changed.get(key);
    if (change !== undefined) {
      change.head ??= await headNumber(0);
      if (value.cursor.block.number < change.head) return null;
      changed.delete(key);
    }
    return { ...value, lag };
  }

  /** Points a position carries now: balance x the type's points, nothing for an expired membership. */
  function carried(h: IndexedHolding, known: ReadonlyMap<string, IndexedTokenType>, now: bigint): bigint {
    const type = known.get(typeKey(h.collection, h.tokenId));
    if (type === undefined || (type.membership && h.expiresAt <= now)) return 0n;
    return h.balance * type.points;
  }

  /**
   * What `servable` would say for a display read from what is cached alone (the index's state, the
   * head, the last block's check, all younger than `headCacheMs`); undefined when something must be read.
   */
  function servableNow(member: Address): (IndexState & { lag: number }) | null | undefined {
    const maxAge = options.headCacheMs;
    const now = Date.now();
    if (maxAge === 0 || state === null || head === null || now - state.at > maxAge || now - head.at > maxAge || changed.has(member.toLowerCase())) return undefined;
    const value = state.value;
    if (value === null || head.number < value.cursor.block.number) return null;
    const lag = Number(head.number - value.cursor.block.number);
    if (lag > options.maxLagBlocks) return null;
    const checked = head.number === value.cursor.block.number ? head.hash === value.cursor.block.hash : canonical !== null && canonical.hash === value.cursor.block.hash && now - canonical.at <= maxAge;
    return checked ? { ...value, lag } : undefined;
  }

  const withLag = (snapshot: OwnershipSnapshot, lag: number): OwnershipSnapshot =>
    snapshot.source?.from === "index" && snapshot.source.lagBlocks !== lag ? { ...snapshot, source: { ...snapshot.source, lagBlocks: lag } } : snapshot;

  /** The index's answer, or null when it may not give one (lagging, catching up, or the member just changed). */
  async function fromIndex(member: Address, requirements: readonly TokenRef[], fresh: boolean): Promise<OwnershipSnapshot | null> {
    const state = await servable(member, fresh);
    if (state === null) return null;
    const { cursor, live, lag } = state;
    const key = readKey(member, requirements);
    const known = answers.get(key);
    if (known !== undefined && known.generation === cursor.generation) return withLag(known.snapshot, lag);
    const collections = [...new Set(requirements.map((r) => r.collection.toLowerCase() as Address))];
    if (collections.some((c) => !live.has(c))) return null;
    const [held, types] = await Promise.all([store.holdingsOf(member, collections), typesAt(cursor, collections)]);
    const byKey = new Map(held.map((h) => [holdingKey(h.collection, h.tokenId), h]));
    const now = cursor.block.time;
    const holdings = new Map<string, Holding>();
    const pointsByCollection = new Map<string, bigint>(collections.map((c) => [c, 0n]));
    let points = 0n;
    for (const r of requirements) {
      const k = holdingKey(r.collection, r.tokenId);
      if (holdings.has(k)) continue;
      const h = byKey.get(k);
      holdings.set(k, h === undefined ? { balance: 0n, expiresAt: 0n, lots: [] } : { balance: h.balance, expiresAt: h.expiresAt, lots: h.lots });
      if (h === undefined) continue;
      const worth = carried(h, types, now);
      const collection = h.collection.toLowerCase();
      pointsByCollection.set(collection, pointsByCollection.get(collection)! + worth);
      points += worth;
    }
    const snapshot: OwnershipSnapshot = { holdings, points, pointsByCollection, now, source: { from: "index", block: cursor.block.number, lagBlocks: lag } };
    if (answers.size >= MAX_ANSWERS) answers.delete(answers.keys().next().value!);
    answers.set(key, { generation: cursor.generation, snapshot });
    return snapshot;
  }

  return {
    // What grants something reads the chain at its head: one batched call, and no answer that depends
    // on the index's writer keeping up. Holding periods add the index's lots, when it is at the head.
    async readFresh(member, requirements, readOptions) {
      if (readOptions?.lots !== true) return chain.readFresh(member, requirements);
      const [read, indexed] = await Promise.all([chain.readFresh(member, requirements), fromIndex(member, requirements, true).catch(() => null)]);
      if (indexed === null) return read;
      const holdings = new Map<string, Holding>();
      for (const [key, holding] of read.holdings) holdings.set(key, { ...holding, lots: lotsFor(holding.balance, indexed.holdings.get(key)?.lots ?? [], read) });
      return { ...read, holdings };
    },
    async readCached(member, requirements) {
      return (await fromIndex(member, requirements, false)) ?? chain.readCached(member, requirements);
    },
    cached(member, requirements) {
      const now = servableNow(member);
      if (now === null) return chain.cached(member, requirements);
      if (now === undefined) return undefined;
      const known = answers.get(readKey(member, requirements));
      return known !== undefined && known.generation === now.cursor.generation ? withLag(known.snapshot, now.lag) : undefined;
    },
    forget(member) {
      const key = member.toLowerCase();
      // Bounded: a member never read again would otherwise stay here.
      if (changed.size >= MAX_ANSWERS) changed.clear();
      changed.set(key, { head: null });
      for (const answer of answers.keys()) if (answer.startsWith(`${key}|`)) answers.delete(answer);
      chain.forget(member);
    },
    async readHeld(member, collections, readOptions) {
      const state = await servable(member, readOptions.fresh);
      if (state === null) return null;
      const { cursor, live, lag } = state;
      const wanted = new Set<string>();
      for (const c of collections) {
        const key = c.toLowerCase();
        if (!live.has(key)) return null;
        wanted.add(key);
      }
      // One query, however many collections are served: a member holds in few of them.
      const positions = (await store.holdingsOf(member)).filter((h) => wanted.has(h.collection));
      const known = await typesAt(cursor, [...new Set(positions.map((h) => h.collection))]);
      const now = cursor.block.time;
      const pointsByCollection = new Map<string, bigint>();
      for (const h of positions) pointsByCollection.set(h.collection, (pointsByCollection.get(h.collection) ?? 0n) + carried(h, known, now));
      return { positions, pointsByCollection, now, source: { from: "index", block: cursor.block.number, lagBlocks: lag } };
    },
    async lag() {
      const [value, number] = await Promise.all([indexState(0), headNumber(0)]);
      if (value === null) return null;
      return { indexed: value.cursor.block.number, head: number, lagBlocks: number > value.cursor.block.number ? Number(number - value.cursor.block.number) : 0 };
    },
  };
}
