/**
 * The follower against a real chain (in-process Hardhat): catch-up, following heads, and reorgs made
 * the way a node sees them: a snapshot, a history, a revert to the snapshot and a different history
 * of the same or greater length (one transaction a block, or several a block with automine off). After
 * every reorg the index must equal the chain (`balanceOfBatch`, `holdingsOf`) for every holder and
 * type, with zero divergence. On SQLite, and on PostgreSQL (the run's throwaway database,
 * test/support/services.ts; skipped only where it is not reachable and CI is not set).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address } from "viem";
import { seededRandom } from "../../../scripts/seeded-random.ts";
import { startChain, DEMO_TYPES, type DemoChain } from "../../../test/support/chain.ts";
import { freshSchema, POSTGRES_SKIPS, postgresForTests } from "../../../test/support/services.ts";
import { PostgresDatabase } from "../../storage/postgres/database.ts";
import { createSqlStore } from "../../storage/sql/store.ts";
import { openStore, type Store } from "../../storage/index.ts";
import { createChainIndexFollower, type ChainIndexFollower } from "./follower.ts";

const IDS = Object.values(DEMO_TYPES);
/** Reorgs checked on SQLite (half as many again on PostgreSQL); each up to MAX_DEPTH blocks deep. CHAIN_INDEX_REORGS runs more (or fewer). */
const SQLITE_REORGS = Number(process.env.CHAIN_INDEX_REORGS ?? 200);
const MAX_DEPTH = 12;
const SEED = Number(process.env.CHAIN_INDEX_SEED ?? 20261207);

/** Seeded: a failing run is repeated with its seed (CHAIN_INDEX_SEED). */
const random = seededRandom;

const postgresUrl = postgresForTests("the chain index on PostgreSQL");
const engines: [string, (() => Promise<Store>) | null, number][] = [
  ["SQLite", () => openStore("sqlite::memory:"), SQLITE_REORGS],
  [`PostgreSQL (${POSTGRES_SKIPS})`, postgresUrl === null ? null : async () => createSqlStore(await PostgresDatabase.connect(postgresUrl, { schema: freshSchema(), poolSize: 4 })), Math.ceil(SQLITE_REORGS / 2)],
];

for (const [engine, open, reorgs] of engines) describe.skipIf(open === null)(engine, () => followerSuite(engine, open!, reorgs));

function followerSuite(engine: string, open: () => Promise<Store>, REORGS: number): void {
  let chain: DemoChain;
  let store: Store;
  let follower: ChainIndexFollower;
  let holders: Address[];
  const rpc = (method: string, params: unknown[] = []) => chain.publicClient.request({ method, params } as never) as Promise<unknown>;

  beforeAll(async () => {
    chain = await startChain();
    store = await open();
    holders = [chain.brand.account.address, ...chain.members.map((m) => m.account.address)];
    follower = newFollower();
  });

  function newFollower(): ChainIndexFollower {
    return createChainIndexFollower({
      client: chain.publicClient as never,
      store,
      chainId: 31337,
      confirmations: 0,
      maxPageBlocks: 50,
      collections: async () => [chain.collection.address],
      startBlockFloor: 0n,
      log: () => undefined,
      now: () => new Date(),
    });
  }

  afterAll(async () => {
    await store?.close();
    await chain?.connection.close();
  });

  /** The index against the chain, for every holder and type: balances and membership expiries. */
  async function expectIndexEqualsChain(): Promise<void> {
    const accounts = holders.flatMap((h) => IDS.map(() => h));
    const ids = holders.flatMap(() => IDS);
    const balances = await chain.collection.read.balanceOfBatch([accounts, ids]);
    const expiries = await Promise.all(holders.map((h) => chain.collection.read.holdingsOf([h, IDS])));
    const indexed = new Map((await store.collectionHoldings(chain.collection.address)).map((h) => [`${h.holder}|${h.tokenId}`, h]));
    const divergent: string[] = [];
    accounts.forEach((holder, i) => {
      const got = indexed.get(`${holder.toLowerCase()}|${ids[i]}`);
      const expiry = expiries[Math.floor(i / IDS.length)]![1][i % IDS.length]!;
      const sum = got?.lots.reduce((s, l) => s + l.units, 0n) ?? 0n;
      if ((got?.balance ?? 0n) !== balances[i] || (got?.expiresAt ?? 0n) !== (balances[i] === 0n ? 0n : expiry) || sum !== (got?.balance ?? 0n)) {
        divergent.push(`${holder} id ${ids[i]}: chain ${balances[i]} (expires ${expiry}), index ${got?.balance ?? 0n} (expires ${got?.expiresAt ?? 0n}, lots ${sum})`);
      }
    });
    expect(divergent).toEqual([]);
    expect(indexed.size).toBe(balances.filter((b) => b > 0n).length);
  }

  /** One random action a brand or a member takes; false when the chain refused it (nothing changed). */
  async function act(r: ReturnType<typeof random>): Promise<boolean> {
    const member = r.pick(chain.members);
    const other = r.pick(chain.members.filter((m) => m !== member));
    const c = chain.collection;
    const writes = [
      () => c.write.mint([member.account.address, r.pick([DEMO_TYPES.stamp, DEMO_TYPES.coffee]), BigInt(1 + r.int(5))]),
      () => c.write.mint([member.account.address, r.pick([DEMO_TYPES.gold, DEMO_TYPES.lifetime, DEMO_TYPES.founder]), 1n]),
      () => c.write.airdrop([DEMO_TYPES.stamp, chain.members.filter(() => r.next() < 0.5).map((m) => m.account.address), 2n]),
      () => c.write.safeTransferFrom([member.account.address, other.account.address, r.pick([DEMO_TYPES.stamp, DEMO_TYPES.coffee, DEMO_TYPES.gold]), BigInt(1 + r.int(2)), "0x"], { account: member.account }),
      () => c.write.safeBatchTransferFrom([member.account.address, other.account.address, [DEMO_TYPES.stamp, DEMO_TYPES.coffee], [1n, 1n], "0x"], { account: member.account }),
      () => c.write.redeem([DEMO_TYPES.coffee, 1n, `0x${"ab".repeat(32)}`], { account: member.account }),
      () => c.write.renewFor([member.account.address, DEMO_TYPES.gold, 1]),
      () => c.write.burn([member.account.address, DEMO_TYPES.gold, 1n], { account: member.account }),
    ];
    try {
      await r.pick(writes)();
      return true;
    } catch {
      return false; // the chain said no (nothing held, already a member...): nothing was sent
    }
  }

  /** `blocks` new blocks of random actions: one a block, or with automine off several in one block. */
  async function history(r: ReturnType<typeof random>, blocks: number): Promise<void> {
    for (let b = 0; b < blocks; b++) {
      if (r.next() < 0.3) {
        await rpc("evm_setAutomine", [false]);
        const count = 1 + r.int(4);
        for (let i = 0; i < count; i++) await act(r);
        await rpc("evm_mine");
        await rpc("evm_setAutomine", [true]);
      } else if (!(await act(r))) await rpc("evm_mine");
    }
  }

  describe(`the chain index follower on ${engine}`, () => {
    it("catches up from the collection's deployment block in pages, then follows new heads", async () => {
      const r = random(SEED);
      await history(r, 120);
      await follower.syncToHead();
      const start = (await store.indexedCollections())[0]!;
      // The deployment block: the collection has code there and not one block before.
      expect(await chain.publicClient.getCode({ address: chain.collection.address, blockNumber: start.startBlock })).not.toBe("0x");
      expect(await chain.publicClient.getCode({ address: chain.collection.address, blockNumber: start.startBlock - 1n })).toBeUndefined();
      expect((await store.indexCursor())!.block.number).toBe(await chain.publicClient.getBlockNumber());
      await expectIndexEqualsChain();
      // Every kept event came from the collection, in chain order, and the types are known.
      const events = await store.indexEvents(chain.collection.address, 0n, 10_000);
      expect(events.filter((e) => e.name === "TokenTypeCreated")).toHaveLength(IDS.length);
      expect((await store.indexedTokenTypes([chain.collection.address])).find((t) => t.tokenId === DEMO_TYPES.gold)).toMatchObject({ membership: true, points: 100n });

      await history(r, 10);
      await follower.syncToHead();
      await expectIndexEqualsChain();
    }, 120_000);

    it(`equals the chain after each of ${REORGS} random reorgs up to ${MAX_DEPTH} blocks deep`, async () => {
      const r = random(SEED + 1);
      let deepest = 0;
      for (let i = 0; i < REORGS; i++) {
        const snapshot = await rpc("evm_snapshot");
        const depth = 1 + r.int(MAX_DEPTH);
        await history(r, depth);
        // Sometimes the index sees the abandoned branch (the case that needs a rollback), sometimes not.
        if (r.next() < 0.8) await follower.syncToHead();
        await rpc("evm_revert", [snapshot]);
        await history(r, depth + r.int(3));
        await follower.syncToHead();
        deepest = Math.max(deepest, depth);
        await expectIndexEqualsChain();
      }
      expect(follower.status().reorgs).toBeGreaterThan(REORGS / 2);
      expect(deepest).toBe(MAX_DEPTH);
    }, 600_000);

    it("two writers stepping at once never apply a block twice nor skip one", async () => {
      // Each write is conditional on the generation its writer read: the loser of a race changes nothing.
      const r = random(SEED + 2);
      const rival = newFollower();
      for (let round = 0; round < 20; round++) {
        await history(r, 1 + r.int(6));
        if (r.next() < 0.3) {
          const snapshot = await rpc("evm_snapshot");
          await history(r, 3);
          await Promise.all([follower.step(), rival.step()]);
          await rpc("evm_revert", [snapshot]);
          await history(r, 4);
        }
        for (let i = 0; i < 50 && !(await Promise.all([follower.step(), rival.step()])).every((s) => s.idle); i++);
        await expectIndexEqualsChain();
        const events = await store.indexEvents(chain.collection.address, 0n, 10_000);
        const keys = events.map((e) => `${e.blockNumber}:${e.logIndex}`);
        expect(new Set(keys).size).toBe(keys.length);
      }
    }, 120_000);
  });
}
