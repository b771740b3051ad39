/**
 * API benchmark. One run, one machine, loopback only:
 *   - a local Hardhat chain (in this process) with the demo collection;
 *   - four server processes: a bare Fastify hello-world (the ceiling); the API with its short
 *     ownership cache (gated); the API reading the chain for every request the way tutorials do,
 *     one call per token (naive, scripts/bench/naive-server.ts); and the API with its own batched
 *     reader but no cache (uncached, reported for reference);
 *   - autocannon in this process drives each with the same settings.
 * Also times fresh EOA sign-ins (nonce + verify over HTTP) against the `siwe` package's
 * `SiweMessage.verify()` on the same messages in-process, and redemptions with their on-chain
 * re-check. Every measurement follows a warm-up of the same work; sign-ins and the `siwe` baseline
 * are the median of three trials, as a loaded two-core machine varies from one second to the next.
 * Then the same on PostgreSQL, as deployments with several instances run: a throwaway database on
 * the server BENCH_POSTGRES_URL names (default postgres://postgres@127.0.0.1:5432/test; the bench
 * fails if it cannot be reached), two API instances over it sharing one AUTH_SECRET, the gated
 * listing on one of them, and redemptions alternating between the two. Their rate is held to a ratio
 * of the SQLite instance's on the same workload in the same run (`redeem_postgres_vs_sqlite`), as
 * absolute rates do not carry from one machine to another.
 * Journeys: members completing a quiz step concurrently (each a fresh member, so each completion is
 * a new progress row), and the gas per member of batched stamp awards (scripts/bench/award-gas.ts).
 * Writes bench/results/api.json.
 *
 * Long because every ratio must be measured in the same run as its baseline, so the servers, loads
 * and baselines live in one script.
 */
import { fork, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { network } from "hardhat";
import pg from "pg";
import { SiweMessage } from "siwe";
import { defineChain, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { createSiweMessage } from "viem/siwe";
import { createBrand, issueApiKey } from "../../server/brands/accounts.ts";
import { PostgresStore, SqliteStore } from "../../server/storage/index.ts";
import { devAccount } from "../demo/accounts.ts";
import { measureAwardGas } from "./award-gas.ts";
import { deployDemoCollection } from "../demo/seed.ts";
import { freePort } from "../free-port.ts";
import { keepAliveClient, stopProcess, timed } from "./harness.ts";
import { createThrowawayDatabase } from "../throwaway-database.ts";

const LOAD = { connections: 50, duration: Number(process.env.BENCH_SECONDS ?? 10), pipelining: 1 };
const WARMUP_SECONDS = 1;
const LOGINS = 2_000;
const LIB_VERIFIES = 300;
const TRIALS = 3;
const REDEMPTIONS = 2_000;
const CONCURRENCY = 32;
const STEP_MEMBERS = 2_000;

const children: ChildProcess[] = [];
async function startProcess(script: string, env: Record<string, string>): Promise<ChildProcess> {
  const execArgv = process.env.BENCH_PROFILE && script.includes("main") ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const child = fork(script, [], { env: { ...process.env, ...env }, execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  children.push(child);
  const url = `http://127.0.0.1:${env.PORT}/`;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}`);
    if (await fetch(url).then(() => true, () => false)) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${script} did not start`);
}

/** Stops a server process and waits for it to exit (so its CPU profile, if any, is written). */

async function load(url: string, headers: Record<string, string> = {}): Promise<number> {
  await autocannon({ url, headers, ...LOAD, duration: WARMUP_SECONDS });
  const result = await autocannon({ url, headers, ...LOAD });
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  return Math.round(result.requests.average);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

/** Runs `task(i)` for i in [0, n) with at most `limit` in flight; returns the elapsed seconds. */

async function json(response: Response): Promise<any> {
  if (!response.ok) throw new Error(`${response.url}: ${response.status} ${await response.text()}`);
  return response.json();
}

const call = keepAliveClient(CONCURRENCY);

// The PostgreSQL run's database first: a bench without PostgreSQL fails here, in a second, naming
// BENCH_POSTGRES_URL, rather than after minutes of SQLite measurements.
const postgresServer = process.env.BENCH_POSTGRES_URL || "postgres://postgres@127.0.0.1:5432/test";
const postgres = await createThrowawayDatabase(postgresServer, { variable: "BENCH_POSTGRES_URL", prefix: "stampbook_bench" }).catch((error: unknown) => {
  console.error(`bench:api: the PostgreSQL run needs a server it may create a database on. ${(error as Error).message}`);
  process.exit(1);
});
// Ctrl-C or a kill: stop the servers and drop the database before leaving.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    for (const child of children) child.kill("SIGTERM");
    postgres.drop().then(
      () => process.exit(130),
      (error: unknown) => {
        console.error(`could not drop ${postgres.name}: ${(error as Error).message}`);
        process.exit(130);
      },
    );
  });
}
const dir = await mkdtemp(join(tmpdir(), "stampbook-bench-")).catch(async (error: unknown) => {
  await postgres.drop();
  throw error;
});
let chainServer: Awaited<ReturnType<typeof network.createServer>> | undefined;
try {
  chainServer = await network.createServer("default", "127.0.0.1", await freePort());
  const { port: chainPort } = await chainServer.listen();
  const rpcUrl = `http://127.0.0.1:${chainPort}`;
  const chain = defineChain({ id: 31337, name: "local", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [rpcUrl] } } });
  const { collection } = await deployDemoCollection({ rpcUrl, chain });

  const databaseUrl = `sqlite:${join(dir, "bench.sqlite")}`;
  const store = SqliteStore.open(join(dir, "bench.sqlite"));
  const brand = await createBrand(store, "Bench Brand");
  const { key: apiKey } = await issueApiKey(store, brand.id, "bench");
  // The brand owns the demo collection, so its journeys may award the collection's stamps.
  const registeredAt = new Date().toISOString();
  await store.registerCollection({ brandId: brand.id, collection, admin: devAccount(0).account.address, nonce: "bench-registration", nonceExpiresAt: registeredAt, now: registeredAt });
  await store.close();

  const [helloPort, gatedPort, naivePort, uncachedPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  // REDIS_URL empty: every server keeps its caches in-process, whatever the caller's environment says.
  const serverEnv = { RPC_URL: rpcUrl, CHAIN_ID: "31337", COLLECTIONS: collection, DATABASE_URL: databaseUrl, REDIS_URL: "", LOG_LEVEL: "silent", AUTH_RATE_LIMIT_PER_MINUTE: "1000000" };
  await startProcess("scripts/bench/hello-server.ts", { PORT: String(helloPort) });
  const sqliteServers = [
    await startProcess("server/main.ts", { ...serverEnv, PORT: String(gatedPort), PUBLIC_URL: `http://localhost:${gatedPort}`, OWNERSHIP_CACHE_MS: "300000" }),
    await startProcess("scripts/bench/naive-server.ts", { ...serverEnv, PORT: String(naivePort), PUBLIC_URL: `http://localhost:${naivePort}`, OWNERSHIP_CACHE_MS: "0" }),
    await startProcess("server/main.ts", { ...serverEnv, PORT: String(uncachedPort), PUBLIC_URL: `http://localhost:${uncachedPort}`, OWNERSHIP_CACHE_MS: "0" }),
  ];
  const gated = `http://localhost:${gatedPort}`;

  // The demo's perks (member, holds >= N, any/all/not) plus an unlimited one to redeem repeatedly.
  const leaf = (type: string, id: number, min?: number) => ({ type, collection, tokenId: String(id), ...(min ? { min } : {}) });
  const perkBodies = [
    { title: "Gold coffee", rule: leaf("member", 1) },
    { title: "Collector discount", rule: leaf("holds", 3, 3) },
    { title: "Founders", rule: { type: "any", rules: [leaf("member", 2), leaf("holds", 5)] } },
    { title: "Tour", rule: { type: "all", rules: [{ type: "any", rules: [leaf("member", 1), leaf("member", 2)] }, leaf("holds", 3)] } },
    { title: "Upgrade", rule: { type: "all", rules: [leaf("member", 1), { type: "not", rule: leaf("member", 2) }] } },
    { title: "Unlimited tasting", rule: leaf("member", 1) },
  ];
  async function createPerks(base: string, key: string): Promise<string[]> {
    const ids: string[] = [];
    for (const body of perkBodies) {
      const perk = await json(await fetch(`${base}/v1/admin/perks`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body) }));
      ids.push(perk.id);
    }
    return ids;
  }
  const perkIds = await createPerks(gated, apiKey);

  async function signIn(base: string, key: Hex): Promise<string> {
    const account = privateKeyToAccount(key);
    const grant = await json(await fetch(`${base}/v1/auth/nonce`));
    const message = createSiweMessage({ ...grant, address: account.address, issuedAt: new Date(grant.issuedAt) });
    const session = await json(await fetch(`${base}/v1/auth/verify`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ message, signature: await account.signMessage({ message }) }) }));
    return session.token;
  }

  // The gold member of the demo: eligible for most perks.
  const goldKey = devAccount(1).privateKey;
  const gatedToken = await signIn(gated, goldKey);
  const naiveToken = await signIn(`http://localhost:${naivePort}`, goldKey);
  const uncachedToken = await signIn(`http://localhost:${uncachedPort}`, goldKey);
  const check = await json(await fetch(`${gated}/v1/perks`, { headers: { authorization: `Bearer ${gatedToken}` } }));
  if (check.items.filter((p: any) => p.eligible).length < 4) throw new Error("the benchmark member should be eligible for most perks");

  console.log(`load: ${LOAD.connections} connections, ${LOAD.duration} s each, ${cpus().length} cores`);
  const hello_rps = await load(`http://127.0.0.1:${helloPort}/`);
  console.log(`hello  ${hello_rps} req/s`);
  const gated_rps = await load(`${gated}/v1/perks`, { authorization: `Bearer ${gatedToken}` });
  console.log(`gated  ${gated_rps} req/s`);
  const naive_rps = await load(`http://localhost:${naivePort}/v1/perks`, { authorization: `Bearer ${naiveToken}` });
  console.log(`naive  ${naive_rps} req/s`);
  const uncached_rps = await load(`http://localhost:${uncachedPort}/v1/perks`, { authorization: `Bearer ${uncachedToken}` });
  console.log(`uncached ${uncached_rps} req/s`);

  // Fresh plain-wallet sign-ins: the server's share is the nonce and the verification; the wallet's
  // signing happens in between and is not timed. Returns the messages, for the baseline.
  async function signIns(n: number, label: string): Promise<{ perSecond: number; signed: { message: string; signature: Hex }[] }> {
    const grants: any[] = [];
    const nonceSeconds = await timed(n, CONCURRENCY, async (i) => {
      const response = await call(`${gated}/v1/auth/nonce`);
      if (response.status !== 200) throw new Error(`nonce: ${response.status} ${response.body}`);
      grants[i] = JSON.parse(response.body);
    });
    const signed = await Promise.all(grants.map(async (grant) => {
      const account = privateKeyToAccount(generatePrivateKey());
      const message = createSiweMessage({ ...grant, address: account.address, issuedAt: new Date(grant.issuedAt) });
      return { message, signature: await account.signMessage({ message }) };
    }));
    const bodies = signed.map((s) => JSON.stringify(s));
    const verifySeconds = await timed(n, CONCURRENCY, async (i) => {
      const response = await call(`${gated}/v1/auth/verify`, { method: "POST", body: bodies[i]! });
      if (response.status !== 200) throw new Error(`verify: ${response.status} ${response.body}`);
    });
    console.log(`login  ${Math.round(n / (nonceSeconds + verifySeconds))} sign-ins/s (nonce ${nonceSeconds.toFixed(2)} s + verify ${verifySeconds.toFixed(2)} s for ${n}; ${label})`);
    return { perSecond: n / (nonceSeconds + verifySeconds), signed };
  }

  async function libVerifies(sample: { message: string; signature: Hex }[], label: string): Promise<number> {
    const start = performance.now();
    for (const { message, signature } of sample) {
      const result = await new SiweMessage(message).verify({ signature });
      if (!result.success) throw new Error("siwe rejected a valid message");
    }
    const perSecond = sample.length / ((performance.now() - start) / 1000);
    console.log(`siwe   ${Math.round(perSecond)} verify()/s in-process (${sample.length}; ${label})`);
    return perSecond;
  }

  const { signed: warmupMessages } = await signIns(LOGINS / 4, "warm-up");
  await libVerifies(warmupMessages.slice(0, LIB_VERIFIES / 6), "warm-up");
  const loginTrials: number[] = [];
  const libTrials: number[] = [];
  for (let trial = 0; trial < TRIALS; trial++) {
    const { perSecond, signed } = await signIns(LOGINS, `trial ${trial + 1}`);
    loginTrials.push(Math.round(perSecond));
    libTrials.push(Math.round(await libVerifies(signed.slice(0, LIB_VERIFIES), `trial ${trial + 1}`)));
  }
  const login_per_s = median(loginTrials);
  const siwe_lib_verify_per_s = median(libTrials);

  // Successful redemptions, each re-reading the member's holdings from the chain.
  const redeemUrl = `${gated}/v1/perks/${perkIds.at(-1)}/redeem`;
  await timed(REDEMPTIONS / 10, CONCURRENCY, async (i) => {
    const response = await call(redeemUrl, { method: "POST", headers: { authorization: `Bearer ${gatedToken}`, "idempotency-key": `warmup-${i}` } });
    if (response.status !== 201) throw new Error(`redeem: ${response.status} ${response.body}`);
  });
  let redeemed = 0;
  const redeemSeconds = await timed(REDEMPTIONS, CONCURRENCY, async (i) => {
    const response = await call(redeemUrl, { method: "POST", headers: { authorization: `Bearer ${gatedToken}`, "idempotency-key": `bench-${i}` } });
    if (response.status !== 201) throw new Error(`redeem: ${response.status} ${response.body}`);
    redeemed++;
  });
  const redeem_per_s = Math.round(redeemed / redeemSeconds);
  console.log(`redeem ${redeem_per_s} redemptions/s (${redeemed} in ${redeemSeconds.toFixed(2)} s)`);

  // Journey steps: fresh members each answer a quiz (checked by the server) on a two-step journey,
  // so every completion records progress and none sends a transaction.
  const journey = await json(await fetch(`${gated}/v1/admin/journeys`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({
      title: "Coffee 101",
      stamp: { collection, tokenId: "3", amount: "1" },
      steps: [
        { id: "quiz", title: "Know your beans", kind: "quiz", questions: [{ prompt: "Where does coffee grow?", choices: ["Iceland", "Kenya"], answer: 1 }, { prompt: "Espresso is…", choices: ["brewed under pressure", "instant"], answer: 0 }] },
        { id: "visit", title: "Visit a store", kind: "code", mode: "shared", code: "BEANS-2026" },
      ],
    }),
  }));
  const stepTokens: string[] = [];
  await timed(STEP_MEMBERS, CONCURRENCY, async (i) => {
    stepTokens[i] = await signIn(gated, generatePrivateKey());
  });
  const stepUrl = `${gated}/v1/journeys/${journey.id}/steps/quiz/complete`;
  const answers = JSON.stringify({ answers: [1, 0] });
  const warmupSteps = STEP_MEMBERS / 10;
  await timed(warmupSteps, CONCURRENCY, async (i) => {
    const response = await call(stepUrl, { method: "POST", headers: { authorization: `Bearer ${stepTokens[i]}` }, body: answers });
    if (response.status !== 200) throw new Error(`step (warm-up): ${response.status} ${response.body}`);
  });
  const stepSeconds = await timed(STEP_MEMBERS - warmupSteps, CONCURRENCY, async (i) => {
    const response = await call(stepUrl, { method: "POST", headers: { authorization: `Bearer ${stepTokens[warmupSteps + i]}` }, body: answers });
    if (response.status !== 200) throw new Error(`step: ${response.status} ${response.body}`);
  });
  const step_complete_per_s = Math.round((STEP_MEMBERS - warmupSteps) / stepSeconds);
  console.log(`steps  ${step_complete_per_s} step completions/s (${STEP_MEMBERS - warmupSteps} members in ${stepSeconds.toFixed(2)} s)`);

  // PostgreSQL: two API instances over one throwaway database, as a deployment with several
  // instances runs. The SQLite API processes stop first, so the two runs do not share the cores.
  for (const child of sqliteServers) await stopProcess(child);
  const pgStore = await PostgresStore.connect(postgres.url, { poolSize: 1 });
  const pgBrand = await createBrand(pgStore, "Bench Brand");
  const { key: pgApiKey } = await issueApiKey(pgStore, pgBrand.id, "bench");
  await pgStore.close();
  const [pgPortA, pgPortB] = [await freePort(), await freePort()];
  // One AUTH_SECRET on both: a session signed by one instance is good on the other.
  const pgEnv = { ...serverEnv, DATABASE_URL: postgres.url, AUTH_SECRET: randomBytes(32).toString("hex"), OWNERSHIP_CACHE_MS: "300000" };
  await Promise.all([
    startProcess("server/main.ts", { ...pgEnv, PORT: String(pgPortA), PUBLIC_URL: `http://localhost:${pgPortA}` }),
    startProcess("server/main.ts", { ...pgEnv, PORT: String(pgPortB), PUBLIC_URL: `http://localhost:${pgPortB}` }),
  ]);
  const pgA = `http://localhost:${pgPortA}`;
  const pgB = `http://localhost:${pgPortB}`;
  const pgPerkIds = await createPerks(pgA, pgApiKey);
  const pgToken = await signIn(pgA, goldKey);
  for (const base of [pgA, pgB]) {
    const listing = await json(await fetch(`${base}/v1/perks`, { headers: { authorization: `Bearer ${pgToken}` } }));
    if (listing.items.length !== pgPerkIds.length || listing.items.filter((p: any) => p.eligible).length < 4) {
      throw new Error(`${base}: the PostgreSQL instances should list the same perks, the member eligible for most`);
    }
  }

  const gated_rps_postgres = await load(`${pgA}/v1/perks`, { authorization: `Bearer ${pgToken}` });
  console.log(`gated  ${gated_rps_postgres} req/s (PostgreSQL, instance A)`);

  // Request i goes to instance A when i is even, B when odd.
  const pgRedeemUrls = [pgA, pgB].map((base) => `${base}/v1/perks/${pgPerkIds.at(-1)}/redeem`);
  const pgWarmups = REDEMPTIONS / 10;
  await timed(pgWarmups, CONCURRENCY, async (i) => {
    const response = await call(pgRedeemUrls[i % 2]!, { method: "POST", headers: { authorization: `Bearer ${pgToken}`, "idempotency-key": `warmup-${i}` } });
    if (response.status !== 201) throw new Error(`redeem (PostgreSQL, instance ${"AB"[i % 2]}): ${response.status} ${response.body}`);
  });
  const pgRedeemed = [0, 0];
  const pgRedeemSeconds = await timed(REDEMPTIONS, CONCURRENCY, async (i) => {
    const response = await call(pgRedeemUrls[i % 2]!, { method: "POST", headers: { authorization: `Bearer ${pgToken}`, "idempotency-key": `bench-${i}` } });
    if (response.status !== 201) throw new Error(`redeem (PostgreSQL, instance ${"AB"[i % 2]}): ${response.status} ${response.body}`);
    pgRedeemed[i % 2]!++;
  });
  const pgRedeemedTotal = pgRedeemed[0]! + pgRedeemed[1]!;
  // What the store holds afterwards: exactly the timed redemptions (and the warm-up's), no more, no fewer.
  const counter = new pg.Client({ connectionString: postgres.url });
  await counter.connect();
  try {
    const { rows } = await counter.query<{ timed: number; all: number }>(
      "SELECT CAST(count(*) FILTER (WHERE idempotency_key LIKE 'bench-%') AS INTEGER) AS timed, CAST(count(*) AS INTEGER) AS all FROM takes WHERE offer_id = $1 AND status = 'redeemed'",
      [pgPerkIds.at(-1)],
    );
    if (pgRedeemedTotal !== REDEMPTIONS || rows[0]!.timed !== REDEMPTIONS || rows[0]!.all !== REDEMPTIONS + pgWarmups) {
      throw new Error(`PostgreSQL redemptions: ${pgRedeemedTotal} answered 201, the store holds ${rows[0]!.timed} timed and ${rows[0]!.all} in all (expected ${REDEMPTIONS} and ${REDEMPTIONS + pgWarmups})`);
    }
  } finally {
    await counter.end();
  }
  const redeem_per_s_postgres = Math.round(pgRedeemedTotal / pgRedeemSeconds);
  console.log(`redeem ${redeem_per_s_postgres} redemptions/s (PostgreSQL; ${pgRedeemedTotal} in ${pgRedeemSeconds.toFixed(2)} s: ${pgRedeemed[0]} on A, ${pgRedeemed[1]} on B; ${REDEMPTIONS} in the store)`);

  // Stamps for 100 members, in batched airdrops through the award queue (its own in-process chain).
  const awardGas = await measureAwardGas();
  console.log(`awards ${awardGas.award_gas_per_member} gas per member (${awardGas.members} members in ${awardGas.transactions} transactions)`);

  const results = {
    hello_rps,
    gated_rps,
    naive_rps,
    uncached_rps,
    login_per_s,
    siwe_lib_verify_per_s,
    redeem_per_s,
    gated_rps_postgres,
    redeem_per_s_postgres,
    step_complete_per_s,
    award_gas_per_member: awardGas.award_gas_per_member,
    gated_vs_hello: Number((gated_rps / hello_rps).toFixed(3)),
    gated_vs_hello_postgres: Number((gated_rps_postgres / hello_rps).toFixed(3)),
    gated_vs_naive: Number((gated_rps / naive_rps).toFixed(2)),
    gated_vs_uncached: Number((gated_rps / uncached_rps).toFixed(2)),
    login_vs_siwe_lib: Number((login_per_s / siwe_lib_verify_per_s).toFixed(2)),
    redeem_postgres_vs_sqlite: Number((redeem_per_s_postgres / redeem_per_s).toFixed(2)),
    trials: { login_per_s: loginTrials, siwe_lib_verify_per_s: libTrials },
    award_batches: { members: awardGas.members, transactions: awardGas.transactions },
    settings: { ...LOAD, step_members: STEP_MEMBERS, warmup_seconds: WARMUP_SECONDS, logins: LOGINS, lib_verifies: LIB_VERIFIES, trials: TRIALS, redemptions: REDEMPTIONS, concurrency: CONCURRENCY, cores: cpus().length, perks: perkIds.length, postgres_instances: 2 },
  };
  await mkdir(new URL("../../bench/results/", import.meta.url), { recursive: true });
  await writeFile(new URL("../../bench/results/api.json", import.meta.url), JSON.stringify(results, null, 2) + "\n");
  console.log(results);

  const bars = [
    ["gated_vs_hello", results.gated_vs_hello, 0.4],
    ["gated_vs_naive", results.gated_vs_naive, 10],
    ["login_vs_siwe_lib", results.login_vs_siwe_lib, 5.5],
    ["redeem_per_s", redeem_per_s, 500],
    ["gated_vs_hello_postgres", results.gated_vs_hello_postgres, 0.4],
    ["redeem_postgres_vs_sqlite", results.redeem_postgres_vs_sqlite, 0.6],
    ["step_complete_per_s", step_complete_per_s, 500],
  ] as const;
  // Gas bars are ceilings: a figure above one misses it.
  const ceilings = [["award_gas_per_member", awardGas.award_gas_per_member, 32_000]] as const;
  const missed = [...bars.filter(([, value, bar]) => value < bar), ...ceilings.filter(([, value, bar]) => value > bar)];
  for (const [name, value, bar] of missed) console.error(`misses the bar: ${name} = ${value} (bar ${bar})`);
  if (missed.length > 0) process.exitCode = 1;
} finally {
  await Promise.all(children.map(stopProcess));
  await chainServer?.close();
  await rm(dir, { recursive: true, force: true });
  await postgres.drop().catch((error: unknown) => {
    console.error(`could not drop the bench database ${postgres.name}: ${(error as Error).message}`);
    process.exitCode = 1;
  });
}
