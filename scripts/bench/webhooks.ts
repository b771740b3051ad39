/**
 * Webhook benchmark. One run, one machine, loopback only, on SQLite:
 *   - a local Hardhat chain (in this process) with the demo collection, one API process
 *     (`server/main.ts`) over a SQLite file, and a brand's receiver in this process (node:http)
 *     that verifies every message with the standardwebhooks library and answers 200 at once;
 *   - deliveries per second: a burst of messages written to the outbox in one transaction (through
 *     the store's own outbox write, from a second connection to the same file) while the API runs,
 *     timed from that commit until the receiver has every one and the store records every delivery
 *     as delivered;
 *   - latency from commit to delivery at a steady 200 events/s: real redemptions through the API,
 *     started every 5 ms; each message's latency is its arrival at the receiver less its `timestamp`
 *     (stamped in the redemption's transaction, just before the commit);
 *   - redemptions per second (as scripts/bench/api.ts measures them: one member, 32 at a time, each
 *     with its on-chain re-check behind the ownership cache) with two enabled endpoints subscribed
 *     to `redemption.created` against none (the same endpoints turned off), in alternating trials
 *     (without-with, then with-without), the median of each; after a trial with endpoints, the
 *     outbox is drained, and every trial starts with the write-ahead log checkpointed and a second's
 *     pause. In these trials the receiver only counts ids (it shares this process with the chain the
 *     redemptions read); it verifies every message in the other two phases.
 * Writes bench/results/webhooks.json: the figures, their bars, whether each is met, and the machine.
 */
import { fork, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { cpus, platform, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { network } from "hardhat";
import { Webhook } from "standardwebhooks";
import { defineChain, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { createSiweMessage } from "viem/siwe";
import { createBrand, issueApiKey } from "../../server/brands/accounts.ts";
import { SqliteStore } from "../../server/storage/index.ts";
import { SqliteDatabase } from "../../server/storage/sqlite/database.ts";
import { writeOutboxMessages } from "../../server/storage/sql/webhook-outbox.ts";
import { webhookMessage } from "../../server/webhooks/messages.ts";
import { devAccount } from "../demo/accounts.ts";
import { deployDemoCollection } from "../demo/seed.ts";
import { freePort } from "../free-port.ts";
import { keepAliveClient, stopProcess, timed } from "./harness.ts";

const BURST = Number(process.env.BENCH_WEBHOOK_BURST ?? 10_000);
const EVENTS_PER_S = 200;
const LATENCY_SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const LATENCY_WARMUP_SECONDS = 2;
const REDEMPTIONS = 2_000;
const CONCURRENCY = 32;
const TRIALS = 5;
const BARS = { webhook_deliveries_per_s: { min: 1_000 }, webhook_latency_p99_ms: { max: 1_000 }, redeem_with_webhooks_vs_without: { min: 0.8 } } as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

const children: ChildProcess[] = [];
async function startServer(env: Record<string, string>): Promise<ChildProcess> {
  const execArgv = process.env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const child = fork("server/main.ts", [], { env: { ...process.env, ...env }, execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  children.push(child);
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`server/main.ts exited with ${child.exitCode}`);
    if (await fetch(`http://127.0.0.1:${env.PORT}/healthz`).then((r) => r.ok, () => false)) return child;
    await sleep(100);
  }
  throw new Error("server/main.ts did not start");
}


const call = keepAliveClient(CONCURRENCY);

async function json(response: { status: number; body: string }, what: string, ok = [200, 201]): Promise<any> {
  if (!ok.includes(response.status)) throw new Error(`${what}: ${response.status} ${response.body}`);
  return JSON.parse(response.body);
}

/** Runs `task(i)` for i in [0, n) with at most `limit` in flight; returns the elapsed seconds. */

/**
 * The brand's receiver: one path per endpoint, each verified with that endpoint's secret. Records
 * each (endpoint, webhook-id)'s first arrival and how many came; answers 200 at once.
 */
async function startReceiver() {
  const verifiers = new Map<string, Webhook>();
  const arrivals = new Map<string, { at: number; stamped: number }>();
  let requests = 0;
  let bad = 0;
  let light = false;
  const server = createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      const at = Date.now();
      const verifier = verifiers.get(request.url ?? "");
      const id = String(request.headers["webhook-id"]);
      try {
        if (verifier === undefined) throw new Error(`no endpoint at ${request.url}`);
        // In the redemption trials the receiver only counts ids: it shares this process with the chain
        // the redemptions read, and what is measured is the API's cost, not a receiver's.
        const payload = (
          light
            ? JSON.parse(body)
            : verifier.verify(body, { "webhook-id": id, "webhook-timestamp": String(request.headers["webhook-timestamp"]), "webhook-signature": String(request.headers["webhook-signature"]) })
        ) as { timestamp: string };
        requests++;
        const key = `${request.url} ${id}`;
        if (!arrivals.has(key)) arrivals.set(key, { at, stamped: Date.parse(payload.timestamp) });
        response.writeHead(200).end();
      } catch {
        bad++;
        response.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    /** A path for an endpoint whose secret is `secret`, once its creation answered. */
    url: (name: string) => `${base}/hooks/${name}`,
    accept: (name: string, secret: string) => verifiers.set(`/hooks/${name}`, new Webhook(secret)),
    arrivals,
    /** Only count ids from now on (true), or verify every message again (false). */
    lightly: (on: boolean) => void (light = on),
    get requests() {
      return requests;
    },
    get bad() {
      return bad;
    },
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

const dir = await mkdtemp(join(tmpdir(), "stampbook-bench-webhooks-"));
let chainServer: Awaited<ReturnType<typeof network.createServer>> | undefined;
let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    for (const child of children) child.kill("SIGTERM");
    process.exit(130);
  });
}
try {
  chainServer = await network.createServer("default", "127.0.0.1", await freePort());
  const { port: chainPort } = await chainServer.listen();
  const rpcUrl = `http://127.0.0.1:${chainPort}`;
  const chain = defineChain({ id: 31337, name: "local", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [rpcUrl] } } });
  const { collection } = await deployDemoCollection({ rpcUrl, chain });

  const file = join(dir, "bench.sqlite");
  const setup = SqliteStore.open(file);
  const brand = await createBrand(setup, "Bench Brand");
  const { key: apiKey } = await issueApiKey(setup, brand.id, "bench");
  const registeredAt = new Date().toISOString();
  await setup.registerCollection({ brandId: brand.id, collection, admin: devAccount(0).account.address, nonce: "bench-registration", nonceExpiresAt: registeredAt, now: registeredAt });
  await setup.close();

  const port = await freePort();
  const base = `http://localhost:${port}`;
  // REDIS_URL empty: caches in-process, whatever the caller's environment says. The receiver is on loopback, over plain http.
  await startServer({
    RPC_URL: rpcUrl,
    CHAIN_ID: "31337",
    COLLECTIONS: collection,
    DATABASE_URL: `sqlite:${file}`,
    REDIS_URL: "",
    LOG_LEVEL: "silent",
    AUTH_RATE_LIMIT_PER_MINUTE: "1000000",
    OWNERSHIP_CACHE_MS: "300000",
    AUTH_SECRET: randomBytes(32).toString("hex"),
    WEBHOOK_ALLOW_PRIVATE: "true",
    WEBHOOK_ALLOW_HTTP: "true",
    PORT: String(port),
    PUBLIC_URL: base,
  });
  const admin = { authorization: `Bearer ${apiKey}` };
  const perk = await json(
    await call(`${base}/v1/admin/perks`, { method: "POST", headers: admin, body: JSON.stringify({ title: "Unlimited tasting", rule: { type: "member", collection, tokenId: "1" }, limits: { perMember: null, total: null } }) }),
    "the perk",
  );
  receiver = await startReceiver();
  const rcv = receiver;
  async function addEndpoint(name: string): Promise<string> {
    const created = await json(await call(`${base}/v1/admin/webhooks`, { method: "POST", headers: admin, body: JSON.stringify({ url: rcv.url(name), events: ["redemption.created"], description: `bench ${name}` }) }), `endpoint ${name}`);
    rcv.accept(name, created.secret);
    return created.id;
  }
  const setEnabled = async (id: string, enabled: boolean) => json(await call(`${base}/v1/admin/webhooks/${id}`, { method: "PATCH", headers: admin, body: JSON.stringify({ enabled }) }), "turning an endpoint on or off");

  const account = privateKeyToAccount(devAccount(1).privateKey as Hex);
  const grant = await json(await call(`${base}/v1/auth/nonce`), "nonce");
  const message = createSiweMessage({ ...grant, address: account.address, issuedAt: new Date(grant.issuedAt) });
  const { token } = await json(await call(`${base}/v1/auth/verify`, { method: "POST", body: JSON.stringify({ message, signature: await account.signMessage({ message }) }) }), "sign-in");
  const member = { authorization: `Bearer ${token}` };
  const redeemUrl = `${base}/v1/perks/${perk.id}/redeem`;
  let keys = 0;
  async function redeem(): Promise<void> {
    const response = await call(redeemUrl, { method: "POST", headers: { ...member, "idempotency-key": `bench-${keys++}` } });
    if (response.status !== 201) throw new Error(`redeem: ${response.status} ${response.body}`);
  }

  // The bench's own connection to the file: the outbox write, and what the store says is still pending.
  const db = SqliteDatabase.open(file);
  const pending = async () => Number((await db.get<{ n: number }>("SELECT count(*) AS n FROM webhook_deliveries WHERE state = 'pending'"))!.n);
  async function drained(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await pending()) > 0) {
      if (Date.now() > deadline) throw new Error(`${await pending()} deliveries still pending after ${timeoutMs} ms`);
      await sleep(20);
    }
  }
  console.log(`${cpus().length} cores (${cpus()[0]?.model ?? "unknown"}), Node ${process.version}`);

  // 1. Deliveries per second: a burst written in one transaction, delivered to one endpoint.
  const first = await addEndpoint("first");
  const burstOf = async (n: number, label: string) => {
    const at = new Date();
    const drafts = Array.from({ length: n }, (_, i) =>
      webhookMessage(brand.id, "redemption.created", { redemptionId: `red_${label}_${i}`, perk: { id: perk.id, title: perk.title }, member: { address: account.address.toLowerCase() as Hex }, vault: null, code: null, createdAt: at.toISOString() }, at),
    );
    const before = rcv.arrivals.size;
    await db.transaction((tx) => writeOutboxMessages(tx, drafts));
    const committed = performance.now();
    while (rcv.arrivals.size - before < n || (await pending()) > 0) await sleep(10);
    return (performance.now() - committed) / 1000;
  };
  await burstOf(BURST / 10, "warmup");
  const burstSeconds = await burstOf(BURST, "burst");
  const webhook_deliveries_per_s = Math.round(BURST / burstSeconds);
  console.log(`deliveries ${webhook_deliveries_per_s}/s (${BURST} messages to one endpoint in ${burstSeconds.toFixed(2)} s, from the commit until all were recorded delivered)`);

  // 2. Latency from commit to delivery, redemptions at a steady 200/s.
  async function steady(seconds: number): Promise<void> {
    const started = performance.now();
    const total = seconds * EVENTS_PER_S;
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / EVENTS_PER_S;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      const key = `steady-${keys++}`;
      inFlight.push(
        call(redeemUrl, { method: "POST", headers: { ...member, "idempotency-key": key } }).then((response) => {
          if (response.status !== 201) throw new Error(`redeem: ${response.status} ${response.body}`);
        }),
      );
    }
    await Promise.all(inFlight);
    const late = (performance.now() - started) / 1000 - seconds;
    if (late > 1) console.warn(`the steady load ran ${late.toFixed(1)} s late: the machine could not start ${EVENTS_PER_S} redemptions a second`);
  }
  await steady(LATENCY_WARMUP_SECONDS);
  await drained(60_000);
  const measuredFrom = rcv.arrivals.size;
  await steady(LATENCY_SECONDS);
  await drained(60_000);
  const latencies = [...rcv.arrivals.values()].slice(measuredFrom).map((a) => a.at - a.stamped).sort((a, b) => a - b);
  if (latencies.length !== LATENCY_SECONDS * EVENTS_PER_S) throw new Error(`expected ${LATENCY_SECONDS * EVENTS_PER_S} messages, ${latencies.length} arrived`);
  const webhook_latency_p50_ms = percentile(latencies, 50);
  const webhook_latency_p99_ms = percentile(latencies, 99);
  const webhook_latency_max_ms = latencies.at(-1)!;
  console.log(`latency p50 ${webhook_latency_p50_ms} ms, p99 ${webhook_latency_p99_ms} ms, max ${webhook_latency_max_ms} ms (${latencies.length} redemptions at ${EVENTS_PER_S}/s, commit to arrival)`);

  // 3. Redemptions with two enabled endpoints against none, alternating.
  const second = await addEndpoint("second");
  const endpoints = [first, second];
  await timed(REDEMPTIONS / 10, CONCURRENCY, () => redeem());
  await drained(60_000);
  const trials: { without: number[]; with: number[] } = { without: [], with: [] };
  rcv.lightly(true);
  for (let trial = 0; trial < TRIALS; trial++) {
    // In turn without-with and with-without, so that drift over the run weighs on both alike.
    for (const enabled of trial % 2 === 0 ? [false, true] : [true, false]) {
      for (const id of endpoints) await setEnabled(id, enabled);
      // Each trial starts from the same state: the write-ahead log folded in, the process settled.
      await db.get("PRAGMA wal_checkpoint(TRUNCATE)");
      await sleep(1_000);
      const arrivedBefore = rcv.arrivals.size;
      const seconds = await timed(REDEMPTIONS, CONCURRENCY, () => redeem());
      const perSecond = Math.round(REDEMPTIONS / seconds);
      (enabled ? trials.with : trials.without).push(perSecond);
      await drained(120_000);
      const delivered = rcv.arrivals.size - arrivedBefore;
      if (delivered !== (enabled ? 2 * REDEMPTIONS : 0)) throw new Error(`trial ${trial + 1} (${enabled ? "two endpoints" : "none"}): ${delivered} deliveries arrived`);
      console.log(`redeem ${perSecond} redemptions/s (${enabled ? "two endpoints on" : "no endpoint on"}, trial ${trial + 1}; ${delivered} deliveries)`);
    }
  }
  await db.close();
  const redeem_per_s_without_webhooks = median(trials.without);
  const redeem_per_s_with_webhooks = median(trials.with);
  if (rcv.bad > 0) throw new Error(`${rcv.bad} requests did not verify`);

  const figures = {
    webhook_deliveries_per_s,
    webhook_latency_p99_ms,
    redeem_with_webhooks_vs_without: Number((redeem_per_s_with_webhooks / redeem_per_s_without_webhooks).toFixed(2)),
  };
  const pass = Object.fromEntries(Object.entries(BARS).map(([name, bar]) => [name, "min" in bar ? figures[name as keyof typeof figures] >= bar.min : figures[name as keyof typeof figures] <= bar.max]));
  const results = {
    ...figures,
    webhook_latency_p50_ms,
    webhook_latency_max_ms,
    redeem_per_s_without_webhooks,
    redeem_per_s_with_webhooks,
    bars: BARS,
    pass,
    trials,
    settings: {
      store: "sqlite",
      instances: 1,
      burst_messages: BURST,
      burst_endpoints: 1,
      events_per_s: EVENTS_PER_S,
      latency_seconds: LATENCY_SECONDS,
      latency_messages: latencies.length,
      redemptions: REDEMPTIONS,
      concurrency: CONCURRENCY,
      trials: TRIALS,
      endpoints_with_webhooks: 2,
      verified_requests: rcv.requests,
    },
    machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? "unknown", memory_gb: Math.round(totalmem() / 2 ** 30), platform: platform(), node: process.version },
  };
  await mkdir(new URL("../../bench/results/", import.meta.url), { recursive: true });
  await writeFile(new URL("../../bench/results/webhooks.json", import.meta.url), JSON.stringify(results, null, 2) + "\n");
  console.log(results);
  const missed = Object.entries(pass).filter(([, ok]) => !ok);
  for (const [name] of missed) console.error(`misses the bar: ${name} = ${figures[name as keyof typeof figures]} (bar ${JSON.stringify(BARS[name as keyof typeof BARS])})`);
  if (missed.length > 0) process.exitCode = 1;
} finally {
  await Promise.all(children.map(stopProcess));
  await receiver?.close();
  await chainServer?.close();
  await rm(dir, { recursive: true, force: true });
}
