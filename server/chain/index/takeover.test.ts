/**
 * One writer, any number of readers, across processes: two API processes (`node server/main.ts`) on
 * one PostgreSQL database and one chain served over HTTP. The collection has a history of a few
 * hundred blocks and the index catches it up one block a page (INDEX_PAGE_BLOCKS=1), so catch-up
 * takes a while. The instance that holds the index's lease is killed with SIGKILL mid catch-up; the
 * other takes the lease over within seconds, finishes the catch-up and follows new blocks. Afterwards
 * the index equals the chain for every holder (`balanceOfBatch`), holds every log once and skips none.
 * Skipped with a loud line where PostgreSQL cannot be reached, never under CI=true.
 */
import { numberToHex, type Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stampbookCollectionAbi } from "../../../contracts/bindings/index.ts";
import { createThrowawayDatabase, type ThrowawayDatabase } from "../../../scripts/throwaway-database.ts";
import { startApiProcess, type ApiProcess } from "../../../test/support/api-process.ts";
import { startChainServer, type ChainServer } from "../../../test/support/chain-server.ts";
import { POSTGRES_SKIPS, postgresForTests } from "../../../test/support/services.ts";
import { PostgresDatabase } from "../../storage/postgres/database.ts";
import { createSqlStore } from "../../storage/sql/store.ts";
import type { Store } from "../../storage/index.ts";

const postgresUrl = postgresForTests("the chain index's writer takeover");
const BLOCKS = 300;
const STAMP = 3n;
const holders: Address[] = Array.from({ length: 40 }, (_, i) => privateKeyToAccount(numberToHex(BigInt(i + 7_700_001), { size: 32 })).address);

let chain: ChainServer;
let database: ThrowawayDatabase;
let store: Store;
const apis: ApiProcess[] = [];

async function mintBlocks(count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const to = holders.filter((_, j) => (i + j) % 7 === 0);
    const hash = await chain.admin.writeContract({ address: chain.collection, abi: stampbookCollectionAbi, functionName: "airdrop", args: [STAMP, to, 1n] });
    await chain.publicClient.waitForTransactionReceipt({ hash });
  }
}

const readyz = async (api: ApiProcess) => (await api.call("GET", "/readyz")).json().index as { writer: boolean; lagBlocks?: number; catchingUp?: number; ok: boolean };

describe.skipIf(postgresUrl === null)(`the chain index's writer (${POSTGRES_SKIPS})`, () => {
  beforeAll(async () => {
    chain = await startChainServer();
    await mintBlocks(BLOCKS);
    database = await createThrowawayDatabase(postgresUrl!, { variable: "TEST_POSTGRES_URL", prefix: "stampbook_index_takeover" });
    const env = {
      DATABASE_URL: database.url,
      RPC_URL: chain.rpcUrl,
      CHAIN_ID: "31337",
      COLLECTIONS: chain.collection,
      INDEX_PAGE_BLOCKS: "1",
      INDEX_POLL_MS: "100",
      LEASE_TTL_MS: "1500",
      CLAIM_SWEEP_MS: "86400000",
      LOG_LEVEL: "warn",
    };
    apis.push(await startApiProcess("a", env), await startApiProcess("b", env));
    store = createSqlStore(await PostgresDatabase.connect(database.url, { poolSize: 2 }));
  }, 180_000);

  afterAll(async () => {
    await Promise.all(apis.map((api) => api.stop()));
    await store?.close();
    await database?.drop();
    await chain?.server.close();
  });

  it("another instance takes over from a writer killed mid catch-up; nothing is indexed twice or skipped", async () => {
    // Wait for one of them to be writing, with the catch-up under way.
    let writer: ApiProcess | undefined;
    await expect
      .poll(
        async () => {
          for (const api of apis) {
            const index = await readyz(api);
            if (index.writer && (index.catchingUp ?? 0) > 0) writer = api;
          }
          return writer !== undefined;
        },
        { timeout: 30_000, interval: 50 },
      )
      .toBe(true);
    const before = (await store.indexedCollections())[0]!;
    const killed = new Promise((resolve) => writer!.child.once("exit", resolve));
    writer!.child.kill("SIGKILL");
    await killed;
    const survivor = apis.find((api) => api !== writer)!;

    // The survivor takes the lease within a few lease times, and carries on from where the store is.
    const takenAt = Date.now();
    await expect.poll(async () => (await readyz(survivor)).writer, { timeout: 15_000, interval: 100 }).toBe(true);
    const tookMs = Date.now() - takenAt;
    expect(tookMs).toBeLessThan(10_000);
    await mintBlocks(5);
    await expect.poll(async () => readyz(survivor), { timeout: 60_000, interval: 200 }).toMatchObject({ ok: true, lagBlocks: 0 });
    const after = (await store.indexedCollections())[0]!;
    expect(after.indexedThrough).toBeGreaterThan(before.indexedThrough);
    expect(after.indexedThrough).toBe(await chain.publicClient.getBlockNumber());

    // Nothing skipped, nothing twice: every log of the collection once, and every holder's balance.
    const logs = await chain.publicClient.request({ method: "eth_getLogs", params: [{ address: chain.collection, fromBlock: "0x0", toBlock: "latest" }] });
    const kept = await store.indexEvents(chain.collection, 0n, 10_000);
    const keys = kept.map((e) => `${e.blockNumber}:${e.logIndex}`);
    expect(new Set(keys).size).toBe(keys.length);
    const keptNames = new Set(["TransferSingle", "TransferBatch", "MembershipExtended", "TokenTypeCreated", "TokenTypeTermsUpdated", "Redeemed", "Paused", "Unpaused"]);
    expect(kept.length).toBeGreaterThan(BLOCKS);
    expect(kept.every((e) => keptNames.has(e.name))).toBe(true);
    // Every transfer log on chain is in the index (the index keeps a subset of the collection's logs: these).
    const transferTopics = new Set(["0xc3d58168c5ae7397731d063d5bbf3d657854427343f4c083240f7aacaa2d0f62", "0x4a39dc06d4c0dbc64b70af90fd698a233a518aa5d07e595d983b8c0526c8f7fb"]);
    const chainTransfers = logs.filter((l) => transferTopics.has(l.topics[0]!)).map((l) => `${BigInt(l.blockNumber!)}:${BigInt(l.logIndex!)}`);
    expect(keys.filter((k) => chainTransfers.includes(k)).length).toBe(chainTransfers.length);
    const balances = await chain.publicClient.readContract({ address: chain.collection, abi: stampbookCollectionAbi, functionName: "balanceOfBatch", args: [holders, holders.map(() => STAMP)] });
    const indexed = new Map((await store.collectionHoldings(chain.collection)).filter((h) => h.tokenId === STAMP).map((h) => [h.holder, h.balance]));
    expect(holders.map((h) => indexed.get(h.toLowerCase() as Address) ?? 0n)).toEqual(balances);
  }, 180_000);
});
