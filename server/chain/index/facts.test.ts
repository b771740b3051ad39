/**
 * Facts from the chain index against a real chain (in-process Hardhat), on SQLite and on PostgreSQL
 * (the run's throwaway database, test/support/services.ts; skipped only where it is not reachable and
 * CI is not set). Every fact is checked against what the chain itself says: its logs for transfers,
 * its state at each block (`expiresAt`, `balanceOf`, `balanceOfBatch` with `blockNumber`) for grants,
 * renewals and past balances; expiries against chain time moved with evm_increaseTime; and a reorged
 * block's facts are gone once the index has rolled it back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address, Hash, Hex } from "viem";
import { NEVER_EXPIRES, stampbookCollectionAbi } from "../../../contracts/bindings/index.ts";
import { DAY, DEMO_TYPES, startChain, type DemoChain } from "../../../test/support/chain.ts";
import { freshSchema, POSTGRES_SKIPS, postgresForTests } from "../../../test/support/services.ts";
import { PostgresDatabase } from "../../storage/postgres/database.ts";
import { createSqlStore } from "../../storage/sql/store.ts";
import { openStore, type Store } from "../../storage/index.ts";
import type { ChainFact, FactPosition, FactsPage, FactsQuery } from "./facts.ts";
import { DEFAULT_EXPIRING_WITHIN } from "../../storage/sql/chain-index-facts-fold.ts";
import { createChainIndexFollower, type ChainIndexFollower } from "./follower.ts";

const IDS = Object.values(DEMO_TYPES);
const MEMBERSHIPS = new Set<bigint>([DEMO_TYPES.gold, DEMO_TYPES.lifetime]);
const ZERO = "0x0000000000000000000000000000000000000000";

const postgresUrl = postgresForTests("chain facts on PostgreSQL");
const engines: [string, (() => Promise<Store>) | null][] = [
  ["SQLite", () => openStore("sqlite::memory:")],
  [`PostgreSQL (${POSTGRES_SKIPS})`, postgresUrl === null ? null : async () => createSqlStore(await PostgresDatabase.connect(postgresUrl, { schema: freshSchema(), poolSize: 4 }))],
];

for (const [engine, open] of engines) describe.skipIf(open === null)(`chain facts on ${engine}`, () => factsSuite(open!));

/** A fact as the chain says it, to compare with the index's. */
type Said = { id: string; kind: ChainFact["kind"]; blockHash: Hex; txHash: Hex; detail: Record<string, string> };

function factsSuite(open: () => Promise<Store>): void {
  let chain: DemoChain;
  let store: Store;
  let follower: ChainIndexFollower;
  let collection: Address;
  let holders: Address[];
  const rpc = (method: string, params: unknown[] = []) => chain.publicClient.request({ method, params } as never) as Promise<unknown>;
  const sent = async (hash: Promise<Hash>) => void (await chain.publicClient.waitForTransactionReceipt({ hash: await hash }));
  const who = (i: number) => chain.members[i]!;
  const at = (i: number) => chain.members[i]!.account.address;

  beforeAll(async () => {
    chain = await startChain();
    store = await open();
    collection = chain.collection.address;
    holders = [chain.brand.account.address, ...chain.members.map((m) => m.account.address)];
    follower = createChainIndexFollower({
      client: chain.publicClient as never,
      store,
      chainId: 31337,
      confirmations: 0,
      maxPageBlocks: 16,
      collections: async () => [collection],
      startBlockFloor: 0n,
      log: () => undefined,
      now: () => new Date(),
    });
  });

  afterAll(async () => {
    await store?.close();
    await chain?.connection.close();
  });

  /** Every fact of the collection, paged `limit` at a time from the start. */
  async function allFacts(limit: number, options: Partial<FactsQuery> = {}): Promise<ChainFact[]> {
    const facts: ChainFact[] = [];
    let after: FactPosition | null = null;
    for (let i = 0; i < 10_000; i++) {
      const page: FactsPage = (await store.factsAfter({ collection, after, limit, confirmations: 0, ...options }))!;
      expect(page.facts.length).toBeLessThanOrEqual(limit);
      facts.push(...page.facts);
      if (page.facts.length === 0 && page.next === after) return facts;
      after = page.next;
    }
    throw new Error("paging did not end");
  }

  /** What the chain says happened: its transfer logs, and its state before and after each renewal and grant. */
  async function saidByChain(): Promise<Said[]> {
    const logs = await chain.publicClient.getContractEvents({ address: collection, abi: stampbookCollectionAbi, fromBlock: 0n });
    const said: Said[] = [];
    for (const log of logs) {
      const base = { blockHash: log.blockHash, txHash: log.transactionHash };
      const place = (n: number) => `${log.blockNumber}:${log.logIndex}:${n}`;
      if (log.eventName === "TransferSingle" || log.eventName === "TransferBatch") {
        const args = log.args as { operator: Address; from: Address; to: Address; id?: bigint; value?: bigint; ids?: readonly bigint[]; values?: readonly bigint[] };
        const ids = args.ids ?? [args.id!];
        const values = args.values ?? [args.value!];
        for (const [i, id] of ids.entries()) {
          const [from, to] = [args.from.toLowerCase(), args.to.toLowerCase()];
          said.push({ id: place(2 * i), kind: "transfer", ...base, detail: { operator: args.operator.toLowerCase(), from, to, tokenId: `${id}`, amount: `${values[i]}` } });
          if (MEMBERSHIPS.has(id) && to !== ZERO && values[i]! > 0n && from !== to) {
            const expiresAt = await chain.collection.read.expiresAt([args.to, id], { blockNumber: log.blockNumber });
            said.push({ id: place(2 * i + 1), kind: "membership.granted", ...base, detail: { holder: to, from, tokenId: `${id}`, expiresAt: `${expiresAt}` } });
          }
        }
      } else if (log.eventName === "MembershipExtended") {
        const args = log.args as { holder: Address; id: bigint; expiresAt: bigint };
        // One transaction a block: the block before holds the state before it.
        const before = log.blockNumber - 1n;
        if ((await chain.collection.read.balanceOf([args.holder, args.id], { blockNumber: before })) === 0n) continue;
        const previous = await chain.collection.read.expiresAt([args.holder, args.id], { blockNumber: before });
        said.push({ id: place(0), kind: "membership.renewed", ...base, detail: { holder: args.holder.toLowerCase(), tokenId: `${args.id}`, previousExpiresAt: `${previous}`, expiresAt: `${args.expiresAt}` } });
      }
    }
    return said;
  }

  function asSaid(fact: ChainFact): Said {
    const { id, kind, source, confirmed: _confirmed, ...rest } = fact;
    const detail = Object.fromEntries(Object.entries(rest).filter(([k]) => k !== "mint" && k !== "burn").map(([k, v]) => [k, String(v)]));
    return { id, kind, blockHash: source.blockHash, txHash: source.txHash, detail };
  }

  /** The index's facts (paged 3 at a time, and all at once) equal the chain's, with their blocks' times. */
  async function expectFactsEqualChain(): Promise<ChainFact[]> {
    const [paged, whole, said] = await Promise.all([allFacts(3), allFacts(10_000), saidByChain()]);
    expect(paged).toEqual(whole);
    expect(paged.map(asSaid)).toEqual(said);
    const times = new Map<bigint, bigint>();
    for (const fact of paged) {
      if (!times.has(fact.source.blockNumber)) times.set(fact.source.blockNumber, (await chain.publicClient.getBlock({ blockNumber: fact.source.blockNumber })).timestamp);
      expect(fact.source).toMatchObject({ collection: collection.toLowerCase(), blockTime: times.get(fact.source.blockNumber) });
    }
    return paged;
  }

  /** Past balances from the index equal `balanceOfBatch` at that block, for every holder and type, from `from` to the head. */
  async function expectBalancesEqualChain(from: bigint): Promise<void> {
    const head = (await store.indexCursor())!.block.number;
    const accounts = holders.flatMap((h) => IDS.map(() => h));
    const ids = holders.flatMap(() => IDS);
    for (let block = from; block <= head; block++) {
      const onChain = await chain.collection.read.balanceOfBatch([accounts, ids], { blockNumber: block });
      const indexed = (await store.balancesAt({ collection, block, tokenIds: IDS, confirmations: 0 }))!;
      const byKey = new Map(indexed.balances.map((b) => [`${b.holder}|${b.tokenId}`, b.balance]));
      expect(accounts.map((h, i) => byKey.get(`${h.toLowerCase()}|${ids[i]}`) ?? 0n), `block ${block}`).toEqual(onChain);
      expect(indexed.balances.every((b) => b.balance > 0n)).toBe(true);
      // One holder's balances at that block: the same numbers.
      const member = at(block % 5n === 0n ? 0 : 1);
      const own = (await store.balancesAt({ collection, block, holder: member, confirmations: 0 }))!;
      expect(own.balances).toEqual(indexed.balances.filter((b) => b.holder === member.toLowerCase()));
    }
  }

  /** Memberships expiring within 72 hours and expired, from the index, equal the chain's at its latest block's time. */
  async function expectStatesEqualChain(): Promise<void> {
    const now = (await chain.publicClient.getBlock()).timestamp;
    const ids = [...MEMBERSHIPS];
    const held = (
      await Promise.all(
        holders.map(async (h) => {
          const [balances, expiries] = await chain.collection.read.holdingsOf([h, ids]);
          return ids.map((tokenId, i) => ({ holder: h.toLowerCase(), tokenId, balance: balances[i]!, expiresAt: expiries[i]! }));
        }),
      )
    ).flat().filter((h) => h.balance > 0n);
    const key = (m: { holder: string; tokenId: bigint }) => `${m.holder}|${m.tokenId}`;
    const plain = (items: { holder: string; tokenId: bigint; balance: bigint; expiresAt: bigint }[]) => items.map(({ holder, tokenId, balance, expiresAt }) => ({ holder, tokenId, balance, expiresAt })).sort((a, b) => key(a).localeCompare(key(b)));
    const expiring = (await store.membershipsExpiring({ collection, confirmations: 0 }))!;
    const expired = (await store.membershipsExpired({ collection, confirmations: 0 }))!;
    expect([expiring.now, expired.now]).toEqual([now, now]);
    expect(plain(expiring.items)).toEqual(plain(held.filter((h) => h.expiresAt > now && h.expiresAt <= now + DEFAULT_EXPIRING_WITHIN)));
    expect(plain(expired.items)).toEqual(plain(held.filter((h) => h.expiresAt <= now)));
  }

  it("transfers: mints, transfers, batches, burns and redemptions, in chain order, paged, with where they came from", async () => {
    const c = chain.collection;
    await sent(c.write.mint([at(0), DEMO_TYPES.stamp, 3n]));
    await sent(c.write.mint([at(0), DEMO_TYPES.coffee, 2n]));
    await sent(c.write.airdrop([DEMO_TYPES.stamp, [at(1), at(2)], 2n]));
    await sent(c.write.safeTransferFrom([at(0), at(1), DEMO_TYPES.stamp, 1n, "0x"], { account: who(0).account }));
    await sent(c.write.safeBatchTransferFrom([at(0), at(2), [DEMO_TYPES.stamp, DEMO_TYPES.coffee], [1n, 1n], "0x"], { account: who(0).account }));
    await sent(c.write.burn([at(1), DEMO_TYPES.stamp, 1n], { account: who(1).account }));
    await sent(c.write.redeem([DEMO_TYPES.coffee, 1n, `0x${"ab".repeat(32)}`], { account: who(2).account }));
    await follower.syncToHead();

    const facts = await expectFactsEqualChain();
    const transfers = facts.filter((f) => f.kind === "transfer");
    expect(transfers.map((f) => [f.from === ZERO ? "mint" : f.to === ZERO ? "burn" : "move", f.tokenId, f.amount])).toEqual([
      ["mint", DEMO_TYPES.stamp, 3n],
      ["mint", DEMO_TYPES.coffee, 2n],
      ["mint", DEMO_TYPES.stamp, 2n],
      ["mint", DEMO_TYPES.stamp, 2n],
      ["move", DEMO_TYPES.stamp, 1n],
      ["move", DEMO_TYPES.stamp, 1n],
      ["move", DEMO_TYPES.coffee, 1n],
      ["burn", DEMO_TYPES.stamp, 1n],
      ["burn", DEMO_TYPES.coffee, 1n],
    ]);
    expect(transfers.every((f) => f.mint === (f.from === ZERO) && f.burn === (f.to === ZERO) && f.confirmed)).toBe(true);
    // A batch's ids are facts of one log, at positions 0 and 2.
    const batch = transfers.filter((f) => f.source.txHash === transfers[5]!.source.txHash);
    expect(batch.map((f) => f.id.split(":")[2])).toEqual(["0", "2"]);
    // Nothing after the last fact; a position that is not one is refused.
    const end = (await store.factsAfter({ collection, after: facts.at(-1)!.id, limit: 10, confirmations: 0 }))!;
    expect(end.facts).toEqual([]);
    await expect(store.factsAfter({ collection, after: "12:x" as FactPosition, limit: 10, confirmations: 0 })).rejects.toThrow(/fact position/);
  });

  it("memberships granted (minted, transferred in) and renewed (renewal, extension), with their expiries", async () => {
    const c = chain.collection;
    await sent(c.write.mint([at(3), DEMO_TYPES.gold, 1n]));
    const minted = await c.read.expiresAt([at(3), DEMO_TYPES.gold]);
    await sent(c.write.renewFor([at(3), DEMO_TYPES.gold, 1]));
    await sent(c.write.extendMembership([at(3), DEMO_TYPES.gold, minted + BigInt(30 * DAY) + 100n]));
    await sent(c.write.safeTransferFrom([at(3), at(4), DEMO_TYPES.gold, 1n, "0x"], { account: who(3).account }));
    await sent(c.write.mint([at(0), DEMO_TYPES.lifetime, 1n]));
    await follower.syncToHead();

    const facts = await expectFactsEqualChain();
    const memberships = facts.filter((f) => f.kind !== "transfer");
    expect(memberships.map((f) => (f.kind === "membership.granted" ? [f.kind, f.holder, f.from, f.expiresAt] : f.kind === "membership.renewed" ? [f.kind, f.holder, f.previousExpiresAt, f.expiresAt] : []))).toEqual([
      ["membership.granted", at(3).toLowerCase(), ZERO, minted],
      ["membership.renewed", at(3).toLowerCase(), minted, minted + BigInt(30 * DAY)],
      ["membership.renewed", at(3).toLowerCase(), minted + BigInt(30 * DAY), minted + BigInt(30 * DAY) + 100n],
      // Transferred: the membership arrives with the expiry it had.
      ["membership.granted", at(4).toLowerCase(), at(3).toLowerCase(), minted + BigInt(30 * DAY) + 100n],
      ["membership.granted", at(0).toLowerCase(), ZERO, NEVER_EXPIRES],
    ]);
    // A grant follows its transfer in the same log.
    const transfer = facts.find((f) => f.kind === "transfer" && f.tokenId === DEMO_TYPES.lifetime)!;
    expect(facts[facts.indexOf(transfer) + 1]).toMatchObject({ kind: "membership.granted", id: transfer.id.replace(/:0$/, ":1"), source: transfer.source });
  });

  it("memberships expiring within 72 hours and expired, by chain time; renewing one takes it off", async () => {
    const c = chain.collection;
    await sent(c.write.mint([at(1), DEMO_TYPES.gold, 1n]));
    const expiry = await c.read.expiresAt([at(1), DEMO_TYPES.gold]);
    await follower.syncToHead();
    expect((await store.membershipsExpiring({ collection, confirmations: 0 }))!.items).toEqual([]);

    // 28 days on: member 1's Gold ends within three days; member 4's (renewed) does not; lifetime never.
    await rpc("evm_increaseTime", [28 * DAY]);
    await rpc("evm_mine");
    await follower.syncToHead();
    const chainNow = (await chain.publicClient.getBlock()).timestamp;
    const expiring = (await store.membershipsExpiring({ collection, confirmations: 0 }))!;
    expect(expiring.now).toBe(chainNow);
    expect(expiring.items.map((m) => [m.holder, m.tokenId, m.expiresAt, m.balance])).toEqual([[at(1).toLowerCase(), DEMO_TYPES.gold, expiry, 1n]]);
    const mint = (await allFacts(100)).find((f) => f.kind === "membership.granted" && f.holder === at(1).toLowerCase())!;
    // Its source: the log that set the expiry (the mint's, just before the mint's transfer).
    expect(expiring.items[0]).toMatchObject({ id: `${collection.toLowerCase()}:${DEMO_TYPES.gold}:${at(1).toLowerCase()}:${expiry}`, confirmed: true, source: { blockNumber: mint.source.blockNumber, txHash: mint.source.txHash, logIndex: mint.source.logIndex - 1 } });
    expect((await store.membershipsExpired({ collection, confirmations: 0 }))!.items).toEqual([]);
    // A narrower window, or another time to judge by.
    expect((await store.membershipsExpiring({ collection, confirmations: 0, within: expiry - chainNow - 1n }))!.items).toEqual([]);
    expect((await store.membershipsExpiring({ collection, confirmations: 0, now: expiry - DEFAULT_EXPIRING_WITHIN - 1n }))!.items).toEqual([]);
    expect((await store.membershipsExpired({ collection, confirmations: 0, now: expiry }))!.items.map((m) => m.holder)).toEqual([at(1).toLowerCase()]);

    // Three more days: it has expired, still held; `since` keeps only those that expired after it.
    await rpc("evm_increaseTime", [3 * DAY]);
    await rpc("evm_mine");
    await follower.syncToHead();
    expect(await c.read.isMembershipActive([at(1), DEMO_TYPES.gold])).toBe(false);
    expect((await store.membershipsExpiring({ collection, confirmations: 0 }))!.items).toEqual([]);
    const expired = (await store.membershipsExpired({ collection, confirmations: 0 }))!;
    expect(expired.items.map((m) => [m.holder, m.expiresAt])).toEqual([[at(1).toLowerCase(), expiry]]);
    expect((await store.membershipsExpired({ collection, confirmations: 0, since: chainNow }))!.items).toHaveLength(1);
    expect((await store.membershipsExpired({ collection, confirmations: 0, since: expiry }))!.items).toEqual([]);

    // Renewed after it lapsed: a renewal fact, and neither expired nor expiring any more.
    await expectStatesEqualChain();
    await sent(c.write.renewFor([at(1), DEMO_TYPES.gold, 1]));
    await follower.syncToHead();
    expect((await allFacts(100)).at(-1)).toMatchObject({ kind: "membership.renewed", holder: at(1).toLowerCase(), previousExpiresAt: expiry });
    expect((await store.membershipsExpired({ collection, confirmations: 0 }))!.items).toEqual([]);
    expect((await store.membershipsExpiring({ collection, confirmations: 0 }))!.items).toEqual([]);
    await expectStatesEqualChain();
    await expectFactsEqualChain();
  });

  it("pages through expiring memberships in order, and they are the chain's", async () => {
    // Members 0, 2 and 3 take Gold in one block; 29 days on, they expire within 72 hours (and whoever else does by then).
    const c = chain.collection;
    await rpc("evm_setAutomine", [false]);
    for (const i of [0, 2, 3]) await c.write.mint([at(i), DEMO_TYPES.gold, 1n]);
    await rpc("evm_mine");
    await rpc("evm_setAutomine", [true]);
    await rpc("evm_increaseTime", [29 * DAY]);
    await rpc("evm_mine");
    await follower.syncToHead();
    const all = (await store.membershipsExpiring({ collection, confirmations: 0 }))!.items;
    expect(all.map((m) => m.holder)).toEqual(expect.arrayContaining([at(0), at(2), at(3)].map((a) => a.toLowerCase())));
    expect(all.every((m, i) => i === 0 || all[i - 1]!.expiresAt <= m.expiresAt)).toBe(true);
    const paged = [];
    let after = null;
    for (;;) {
      const page: Awaited<ReturnType<Store["membershipsExpiring"]>> = await store.membershipsExpiring({ collection, confirmations: 0, limit: 2, after });
      paged.push(...page!.items);
      if (page!.next === null) break;
      after = page!.next;
    }
    expect(paged).toEqual(all);
    await expectStatesEqualChain();
    await rpc("evm_increaseTime", [2 * DAY]);
    await rpc("evm_mine");
    await follower.syncToHead();
    await expectStatesEqualChain();
  });

  it("balances at every past block equal balanceOfBatch at that block, for every holder and type", async () => {
    const deployed = (await store.indexedCollections())[0]!.startBlock;
    await expectBalancesEqualChain(deployed);
    expect((await store.balancesAt({ collection, block: deployed - 1n, confirmations: 0 }))!.balances).toEqual([]);
    // A block the index has not applied yet answers nothing.
    const head = (await store.indexCursor())!.block.number;
    expect(await store.balancesAt({ collection, block: head + 1n, confirmations: 0 })).toBeNull();
    expect(await store.balancesAt({ collection: "0x000000000000000000000000000000000000dEaD", block: head, confirmations: 0 })).toBeNull();
  });

  it("facts of blocks under CONFIRMATIONS are unconfirmed, and left out when only confirmed ones are asked for", async () => {
    await sent(chain.collection.write.mint([at(4), DEMO_TYPES.stamp, 1n]));
    await sent(chain.collection.write.mint([at(4), DEMO_TYPES.stamp, 2n]));
    await follower.syncToHead();
    const head = (await store.indexCursor())!.headNumber;
    const facts = await allFacts(5, { confirmations: 1 });
    expect(facts.filter((f) => !f.confirmed).map((f) => f.source.blockNumber)).toEqual([head]);
    expect(facts.every((f) => f.confirmed === f.source.blockNumber <= head - 1n)).toBe(true);
    const confirmed = await allFacts(5, { confirmations: 1, onlyConfirmed: true });
    expect(confirmed).toEqual(facts.filter((f) => f.confirmed));
    const page = (await store.factsAfter({ collection, limit: 1, confirmations: 1 }))!;
    expect({ indexed: page.indexedBlock, confirmed: page.confirmedBlock }).toEqual({ indexed: head, confirmed: head - 1n });
    expect((await store.balancesAt({ collection, block: head, confirmations: 1 }))!.confirmed).toBe(false);
    expect((await store.balancesAt({ collection, block: head - 1n, confirmations: 1 }))!.confirmed).toBe(true);
  });

  it("a reorged block's facts are gone once the index rolls it back", async () => {
    const c = chain.collection;
    const before = await allFacts(10_000);
    const from = (await store.indexCursor())!.block.number;
    const snapshot = await rpc("evm_snapshot");
    await sent(c.write.renewFor([at(4), DEMO_TYPES.gold, 1]));
    await sent(c.write.safeTransferFrom([at(0), at(3), DEMO_TYPES.stamp, 1n, "0x"], { account: who(0).account }));
    await sent(c.write.mint([at(2), DEMO_TYPES.lifetime, 1n]));
    await follower.syncToHead();
    const abandoned = (await allFacts(10_000)).slice(before.length);
    expect(abandoned.map((f) => f.kind)).toEqual(["membership.renewed", "transfer", "transfer", "membership.granted"]);
    const abandonedHashes = new Set(abandoned.map((f) => f.source.blockHash));

    // The chain drops those blocks for a longer branch where other things happened.
    await rpc("evm_revert", [snapshot]);
    await sent(c.write.mint([at(3), DEMO_TYPES.coffee, 4n]));
    await sent(c.write.burn([at(3), DEMO_TYPES.coffee, 1n], { account: who(3).account }));
    await rpc("evm_mine");
    await rpc("evm_mine");
    await follower.syncToHead();
    expect(follower.status().reorgs).toBeGreaterThan(0);
    const after = await expectFactsEqualChain();
    expect(after.filter((f) => abandonedHashes.has(f.source.blockHash))).toEqual([]);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.slice(before.length).map((f) => f.kind)).toEqual(["transfer", "transfer"]);
    // The renewal is undone: member 4's expiry is the chain's again, and so are past balances.
    const held = (await store.holdingsOf(at(4))).find((h) => h.tokenId === DEMO_TYPES.gold)!;
    expect(held.expiresAt).toBe(await c.read.expiresAt([at(4), DEMO_TYPES.gold]));
    await expectBalancesEqualChain(from - 2n);
  });
}
