/**
 * Chain index benchmark, one run, one machine, loopback only (a Hardhat chain served over HTTP from
 * this process, as a node would be):
 *
 *   - `index_events_per_s`: catch-up over a collection's history of at least 20,000 transfer events
 *     (scripts/bench/transfer-history.ts: airdrops, transfers, batch transfers, burns, memberships),
 *     from its deployment block to the head, into SQLite (the embedded default, a file) and into
 *     PostgreSQL (a throwaway database on BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test;
 *     skipped with a line when it cannot be reached), through the server's own chain client. The
 *     baseline in the same run: the same logs fetched with eth_getLogs alone (`getlogs_events_per_s`),
 *     the most any indexer can do over this node. Each index is checked against `balanceOfBatch` for
 *     every holder and token id; a wrong index fails the bench.
 *   - `index_lag_blocks_p99`: a steady stream of blocks of 50 transfer events each (an airdrop to 50
 *     members), one a second, for BENCH_LAG_BLOCKS blocks, the writer running as the server runs it
 *     (INDEX_POLL_MS 1000); the lag (head - indexed) sampled every 50 ms.
 *   - `me_rps_50_vs_1_collections`: `GET /v1/me` against the API with 50 served collections, and
 *     with 1, with the index serving, the same member, same load (autocannon), both servers up at
 *     once and three trials each, alternating; the ratio of the medians.
 *
 * Writes bench/results/index.json and exits 1 when a bar is missed.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { network } from "hardhat";
import { createWalletClient, http, numberToHex, type Address, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { build } from "../../server/app.ts";
import { createChainIndexFollower } from "../../server/chain/index/follower.ts";
import { startIndexRunner } from "../../server/chain/index/runner.ts";
import { loadConfig } from "../../server/config.ts";
import { createChainClient } from "../../server/plugins/chain.ts";
import { createSqlStore } from "../../server/storage/sql/store.ts";
import { PostgresDatabase } from "../../server/storage/postgres/database.ts";
import { openStore, SqliteStore, type Store } from "../../server/storage/index.ts";
import { stampbookCollectionAbi } from "../../contracts/bindings/index.ts";
import { siweSignIn, viaInject } from "../../test/support/siwe.ts";
import { devAccount } from "../demo/accounts.ts";
import { deployDemoCollection } from "../demo/seed.ts";
import { freePort } from "../free-port.ts";
import { createThrowawayDatabase } from "../throwaway-database.ts";
import { localChain, makeTransferHistory, readHistory } from "./transfer-history.ts";

const EVENTS = Number(process.env.BENCH_INDEX_EVENTS ?? 20_000);
const LAG_BLOCKS = Number(process.env.BENCH_LAG_BLOCKS ?? 30);
const ME_SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const BARS = { index_events_per_s: 5_000, index_lag_blocks_p99: 2, me_rps_50_vs_1_collections: 0.8 };
const root = join(import.meta.dirname, "..", "..");

const server = await network.createServer("default", "127.0.0.1", await freePort());
const { port } = await server.listen();
const rpcUrl = `http://127.0.0.1:${port}`;
const chain = localChain(rpcUrl);
const client = createChainClient(rpcUrl, 31337);
const log = (level: string, message: string) => (level === "info" ? undefined : console.log(`  [index ${level}] ${message}`));

console.log(`making a history of ${EVENTS} transfer events…`);
const history = await makeTransferHistory({ rpcUrl, chain, events: EVENTS });
const truth = await readHistory({ rpcUrl, chain }, history);
console.log(`  ${history.events} events in ${history.toBlock - history.deployBlock + 1n} blocks (${truth.blocksWithEvents} with events)`);

/** eth_getLogs alone over the same blocks, in pages of 500 blocks (under the client's 10 MB answer limit): what any indexer over this node must wait for. */
async function getLogsRate(): Promise<{ seconds: number; logs: number }> {
  const started = performance.now();
  let logs = 0;
  for (let from = history.deployBlock; from <= history.toBlock; from += 500n) {
    const to = from + 499n < history.toBlock ? from + 499n : history.toBlock;
    logs += ((await client.request({ method: "eth_getLogs", params: [{ address: [history.collection], fromBlock: numberToHex(from), toBlock: numberToHex(to) }] })) as unknown[]).length;
  }
  return { seconds: (performance.now() - started) / 1000, logs };
}

/** Catch-up from nothing into `store`, then the check against the chain. */
async function catchUp(store: Store) {
  const follower = createChainIndexFollower({ client, store, chainId: 31337, confirmations: 0, maxPageBlocks: 2_000, collections: async () => [history.collection], startBlockFloor: 0n, log, now: () => new Date() });
  const started = performance.now();
  await follower.syncToHead();
  const seconds = (performance.now() - started) / 1000;
  const indexed = new Map((await store.collectionHoldings(history.collection)).map((h) => [`${h.holder}:${h.tokenId}`, h.balance]));
  const wrong = [...truth.balances].filter(([key, balance]) => (indexed.get(key) ?? 0n) !== balance);
  let kept = 0;
  for (let from = 0n; ; ) {
    const page = await store.indexEvents(history.collection, from, 10_000);
    kept += page.length;
    if (page.length < 10_000) break;
    // Pages end at a block boundary: the last block's events are read again with the next page.
    const last = page.at(-1)!.blockNumber;
    kept -= page.filter((e) => e.blockNumber === last).length;
    from = last;
  }
  return { seconds: round(seconds, 3), events_per_s: Math.round(history.events / seconds), logs_kept: kept, holdings: indexed.size, mismatches: wrong.length };
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

const baseline = await getLogsRate();
const getlogs_events_per_s = Math.round(history.events / baseline.seconds);
console.log(`eth_getLogs alone: ${baseline.logs} logs in ${baseline.seconds.toFixed(2)} s (${getlogs_events_per_s} transfer events/s)`);

const dir = await mkdtemp(join(tmpdir(), "stampbook-index-bench-"));
const sqlite = SqliteStore.open(join(dir, "index.db"));
const sqliteRun = await catchUp(sqlite);
console.log(`SQLite: ${sqliteRun.events_per_s} events/s (${sqliteRun.seconds} s), ${sqliteRun.mismatches} mismatches`);

let postgresRun: Awaited<ReturnType<typeof catchUp>> | { skipped: string } = { skipped: "PostgreSQL not reachable" };
const postgresServer = process.env.BENCH_POSTGRES_URL || "postgres://postgres@127.0.0.1:5432/test";
const throwaway = await createThrowawayDatabase(postgresServer, { variable: "BENCH_POSTGRES_URL", prefix: "stampbook_bench" }).catch((error: unknown) => {
  console.log(`PostgreSQL skipped: ${(error as Error).message}`);
  return null;
});
if (throwaway !== null) {
  const pgStore = createSqlStore(await PostgresDatabase.connect(throwaway.url, { poolSize: 4 }));
  postgresRun = await catchUp(pgStore);
  console.log(`PostgreSQL: ${postgresRun.events_per_s} events/s (${postgresRun.seconds} s), ${postgresRun.mismatches} mismatches`);
  await pgStore.close();
  await throwaway.drop();
}

// Lag under a steady stream: 50 transfer events a block, a block a second; the writer runs as in the server.
console.log(`lag under ${LAG_BLOCKS} blocks of 50 transfer events, one a second…`);
const admin = createWalletClient({ account: devAccount(0).account, chain, transport: http(rpcUrl) });
const members = Array.from({ length: 50 }, (_, i) => privateKeyToAccount(numberToHex(BigInt(i + 9_000_001), { size: 32 })).address);
const runner = startIndexRunner({ store: sqlite, follower: createChainIndexFollower({ client, store: sqlite, chainId: 31337, confirmations: 0, maxPageBlocks: 2_000, collections: async () => [history.collection], startBlockFloor: 0n, log, now: () => new Date() }), holder: "bench", leaseTtlMs: 5_000, pollMs: 1_000, log });
const lags: number[] = [];
let streaming = true;
const sampler = (async () => {
  while (streaming) {
    const [head, cursor] = await Promise.all([client.getBlockNumber({ cacheTime: 0 }), sqlite.indexCursor()]);
    lags.push(Number(head - (cursor?.block.number ?? 0n)));
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
})();
for (let b = 0; b < LAG_BLOCKS; b++) {
  const started = performance.now();
  const hash = await admin.writeContract({ address: history.collection, abi: stampbookCollectionAbi, functionName: "airdrop", args: [history.tokenIds[0]!, members, 1n] });
  await client.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1_000 - (performance.now() - started))));
}
streaming = false;
await sampler;
await runner.stop();
const sorted = [...lags].sort((a, b) => a - b);
const p99 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]!;
console.log(`lag: p50 ${sorted[sorted.length >> 1]}, p99 ${p99}, max ${sorted.at(-1)} blocks over ${lags.length} samples`);
await sqlite.close();
await rm(dir, { recursive: true, force: true });

// /v1/me with 50 served collections against 1, the index serving both.
console.log("/v1/me with 50 collections vs 1…");
const collections: Address[] = [];
for (let i = 0; i < 50; i++) collections.push((await deployDemoCollection({ rpcUrl, chain })).collection);
const member = privateKeyToAccount(numberToHex(9_100_001n, { size: 32 }));
const memberWallet = createWalletClient({ account: member, chain, transport: http(rpcUrl) });
// The member holds something in the first collection (a membership and stamps).
for (const [id, amount] of [[1n, 1n], [3n, 3n]] as const) {
  const hash = await admin.writeContract({ address: collections[0]!, abi: stampbookCollectionAbi, functionName: "mint", args: [member.address, id, amount] });
  await client.waitForTransactionReceipt({ hash });
}

/** The API serving `served`, listening, with the member signed in, once the index answers /v1/me. */
async function meServer(served: Address[]) {
  const store = await openStore("sqlite::memory:");
  const config = loadConfig({ PUBLIC_URL: "http://localhost:8787", DATABASE_URL: "sqlite::memory:", RPC_URL: rpcUrl, COLLECTIONS: served.join(","), AUTH_RATE_LIMIT_PER_MINUTE: "1000000", CLAIM_SWEEP_MS: "86400000", INDEX_POLL_MS: "200", LOG_LEVEL: "silent" });
  const app = await build({ config, store, client: client as PublicClient, logger: false });
  const token = await siweSignIn(viaInject(app), memberWallet);
  const url = `http://127.0.0.1:${await freePort()}`;
  await app.listen({ host: "127.0.0.1", port: Number(new URL(url).port) });
  for (;;) {
    const me = await (await fetch(`${url}/v1/me`, { headers: { authorization: `Bearer ${token}` } })).json();
    if (me.freshness?.source === "index") break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const options = { url: `${url}/v1/me`, headers: { authorization: `Bearer ${token}` }, connections: 20, pipelining: 1 };
  return {
    async rate(seconds: number): Promise<number> {
      const result = await autocannon({ ...options, duration: seconds });
      if (result.non2xx > 0 || result.errors > 0) throw new Error(`/v1/me answered ${result.non2xx} non-2xx, ${result.errors} errors`);
      return result.requests.average;
    },
    async close() {
      await app.close();
      await store.close();
    },
  };
}
// Both servers up at once; trials alternate, so a busy second on the machine hits both alike.
const one = await meServer(collections.slice(0, 1));
const fifty = await meServer(collections);
await one.rate(1);
await fifty.rate(1);
const ones: number[] = [];
const fifties: number[] = [];
for (let trial = 0; trial < 3; trial++) {
  ones.push(await one.rate(ME_SECONDS));
  fifties.push(await fifty.rate(ME_SECONDS));
}
await one.close();
await fifty.close();
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
const meOne = Math.round(median(ones));
const meFifty = Math.round(median(fifties));
const meRatio = round(meFifty / meOne);
console.log(`/v1/me: ${meOne} req/s with 1 collection, ${meFifty} with 50 (medians of 3 alternating trials): ratio ${meRatio}`);
await server.close();

const result = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, node: process.version },
  history: { events: history.events, blocks: Number(history.toBlock - history.deployBlock + 1n), blocks_with_events: truth.blocksWithEvents, mix: history.mix },
  getlogs_events_per_s,
  catch_up: { sqlite: sqliteRun, postgres: postgresRun },
  index_events_per_s: sqliteRun.events_per_s,
  index_vs_getlogs: round(sqliteRun.events_per_s / getlogs_events_per_s),
  lag: { blocks: LAG_BLOCKS, events_per_block: 50, block_interval_ms: 1_000, poll_ms: 1_000, samples: lags.length, p50: sorted[sorted.length >> 1], max: sorted.at(-1) },
  index_lag_blocks_p99: p99,
  me: { one_collection_rps: meOne, fifty_collections_rps: meFifty, trials: { one: ones.map(Math.round), fifty: fifties.map(Math.round) }, seconds: ME_SECONDS },
  me_rps_50_vs_1_collections: meRatio,
  bars: BARS,
};
const missed = [
  result.index_events_per_s < BARS.index_events_per_s && "index_events_per_s",
  typeof postgresRun === "object" && "events_per_s" in postgresRun && postgresRun.events_per_s < BARS.index_events_per_s && "index_events_per_s (PostgreSQL)",
  p99 > BARS.index_lag_blocks_p99 && "index_lag_blocks_p99",
  meRatio < BARS.me_rps_50_vs_1_collections && "me_rps_50_vs_1_collections",
  sqliteRun.mismatches > 0 && "SQLite index differs from the chain",
  typeof postgresRun === "object" && "mismatches" in postgresRun && postgresRun.mismatches > 0 && "PostgreSQL index differs from the chain",
].filter(Boolean);
await mkdir(join(root, "bench/results"), { recursive: true });
await writeFile(join(root, "bench/results/index.json"), `${JSON.stringify({ ...result, missed }, null, 2)}\n`);
console.log(missed.length === 0 ? "every bar met" : `missed: ${missed.join(", ")}`);
process.exit(missed.length === 0 ? 0 : 1);
