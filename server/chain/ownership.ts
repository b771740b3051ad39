/**
 * Reads what a member holds from the brand's collections. One `standingOf` call per collection returns
 * balances and membership expiries for every token type a set of rules needs, and the loyalty points
 * those holdings carry, alongside the latest block's time (memberships expire by chain time, not the
 * server's clock).
 *
 * Listing may use a short cache; redemption always reads fresh. Any failure to read the chain is a
 * 503 `chain_unavailable`: nothing unlocks on a guess.
 */
import type { Address, PublicClient } from "viem";
import { stampbookCollectionAbi } from "../../contracts/bindings/index.ts";
import { holdingKey, readKey, type Holding, type TokenRef } from "./holdings.ts";
import { chainUnavailable } from "./errors.ts";

export type OwnershipSnapshot = {
  holdings: Map<string, Holding>;
  /**
   * Points the read token types carry for this member (balance x each type's points; expired
   * memberships count nothing), added up by the chain. A member's points with a brand when the read
   * covered all of the brand's token types.
   */
  points: bigint;
  /** `points` per collection (lowercase address): a member's points with each brand from one read. */
  pointsByCollection?: ReadonlyMap<string, bigint>;
  /** The chain's latest block time, unix seconds. */
  now: bigint;
  /** Where the answer came from: the chain itself, or the chain index at a block `lagBlocks` under the head. */
  source?: { from: "chain" } | { from: "index"; block: bigint; lagBlocks: number };
};

export type OwnershipReader = {
  /**
   * Reads from the chain now. Use for anything that grants something. With `lots`, the holdings also
   * say since when they are held where the chain index can tell at the head (holding periods).
   */
  readFresh(member: Address, requirements: readonly TokenRef[], options?: { lots?: boolean }): Promise<OwnershipSnapshot>;
  /** May answer from a cache at most `cacheMs` old. Use for display only. */
  readCached(member: Address, requirements: readonly TokenRef[]): Promise<OwnershipSnapshot>;
  /** What `readCached` would answer from its cache right now, without reading; undefined when it would read. */
  cached(member: Address, requirements: readonly TokenRef[]): OwnershipSnapshot | undefined;
  /** Drops what is cached for `member`, after this server changed their holdings (a mint). */
  forget(member: Address): void;
};

const MAX_CACHE_ENTRIES = 10_000;
/** Token types per `holdingsOf` call: keeps every call's calldata and gas small, whatever the rules ask. */
export const MAX_IDS_PER_CALL = 100;

export function createOwnershipReader(client: PublicClient, options: { cacheMs: number }): OwnershipReader {
  const cache = new Map<string, { at: number; snapshot: OwnershipSnapshot }>();

  async function readFresh(member: Address, requirements: readonly TokenRef[]): Promise<OwnershipSnapshot> {
    // One call per collection and chunk of ids.
    const calls: { collection: Address; ids: bigint[] }[] = [];
    const open = new Map<string, { collection: Address; ids: bigint[] }>();
    // Each type once: the chain adds up points per id it is given.
    const seen = new Set<string>();
    for (const r of requirements) {
      const holding = holdingKey(r.collection, r.tokenId);
      if (seen.has(holding)) continue;
      seen.add(holding);
      const key = r.collection.toLowerCase();
      let call = open.get(key);
      if (call === undefined || call.ids.length >= MAX_IDS_PER_CALL) {
        call = { collection: r.collection, ids: [] };
        calls.push(call);
        open.set(key, call);
      }
      call.ids.push(r.tokenId);
    }
    try {
      const [block, ...results] = await Promise.all([
        client.getBlock({ blockTag: "latest" }),
        ...calls.map(({ collection, ids }) => client.readContract({ address: collection, abi: stampbookCollectionAbi, functionName: "standingOf", args: [member, ids] })),
      ]);
      const holdings = new Map<string, Holding>();
      const pointsByCollection = new Map<string, bigint>();
      let points = 0n;
      calls.forEach(({ collection, ids }, i) => {
        const [balances, expiries, carried] = results[i]!;
        ids.forEach((id, j) => holdings.set(holdingKey(collection, id), { balance: balances[j]!, expiresAt: expiries[j]! }));
        const key = collection.toLowerCase();
        pointsByCollection.set(key, (pointsByCollection.get(key) ?? 0n) + carried);
        points += carried;
      });
      return { holdings, points, pointsByCollection, now: block.timestamp, source: { from: "chain" } };
    } catch (error) {
      throw chainUnavailable("Ownership could not be checked; nothing was unlocked.", error);
    }
  }

  function cached(member: Address, requirements: readonly TokenRef[]): OwnershipSnapshot | undefined {
    const hit = cache.get(readKey(member, requirements));
    return hit && Date.now() - hit.at < options.cacheMs ? hit.snapshot : undefined;
  }

  async function readCached(member: Address, requirements: readonly TokenRef[]): Promise<OwnershipSnapshot> {
    const hit = cached(member, requirements);
    if (hit !== undefined) return hit;
    const key = readKey(member, requirements);
    const snapshot = await readFresh(member, requirements);
    if (options.cacheMs > 0) {
      if (cache.size >= MAX_CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
      cache.delete(key);
      cache.set(key, { at: Date.now(), snapshot });
    }
    return snapshot;
  }

  function forget(member: Address): void {
    const prefix = `${member.toLowerCase()}|`;
    for (const key of cache.keys()) if (key.startsWith(prefix)) cache.delete(key);
  }

  return { readFresh, readCached, cached, forget };
}
