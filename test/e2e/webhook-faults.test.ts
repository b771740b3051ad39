/**
 * Webhook deliveries under faults. API processes (`node server/main.ts`) share one PostgreSQL
 * database per scenario and one local chain; a brand's receiver (test/support/webhook-receiver.ts)
 * verifies every message with the standardwebhooks library and counts it by webhook-id. Members
 * redeem a perk without limits, each redemption writing a `redemption.created` message in its own
 * transaction (the outbox); every instance's dispatcher delivers them.
 *
 * - kill -9 of an instance while its deliveries are in flight: the other one delivers every message
 *   (those the dead one held once their lease lapses; WEBHOOK_LEASE_MS is 5 s here, 60 s by default);
 * - PostgreSQL cut, then blackholed, through a TCP proxy (test/support/tcp-proxy.ts) while
 *   messages are being delivered: every message is delivered, and the instances never crash;
 * - two instances, 5,000 messages, no fault: every message is delivered exactly once.
 *
 * In every scenario: every message the database holds arrives, none is lost, a repeated arrival
 * carries the same webhook-id and the same body (no redemption arrives under two ids), every
 * signature verifies, and the database records every delivery as delivered. Duplicates are counted
 * and printed. Part of the messages are real redemptions through the API; to make thousands in
 * seconds, the rest are written through a store opened on the same database, with the store's own
 * writeWebhookMessage and webhookMessage() (the same outbox write a redemption makes), while the
 * instances run. Timings are never asserted, only outcomes.
 *
 * Where it finds its services: the PostgreSQL server of the run's throwaway database
 * (TEST_POSTGRES_URL, test/support/services.ts), on which each scenario makes a database of its own
 * (server/main.ts takes no schema); skipped with a loud line where it cannot be reached, never under
 * CI=true. Redis is not used.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import type { Address } from "viem";
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stampbookCollectionAbi } from "../../contracts/bindings/index.ts";
import { devAccount } from "../../scripts/demo/accounts.ts";
import { freePort } from "../../scripts/free-port.ts";
import { createThrowawayDatabase, type ThrowawayDatabase } from "../../scripts/throwaway-database.ts";
import { PostgresStore, type Store } from "../../server/storage/index.ts";
import { webhookMessage } from "../../server/webhooks/messages.ts";
import { inParallel, startApiProcess, type ApiProcess } from "../support/api-process.ts";
import { startChainServer, type ChainServer } from "../support/chain-server.ts";
import { POSTGRES_SKIPS, postgresForTests } from "../support/services.ts";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.ts";
import { createBrandHttp, expectStatus, registerCollectionHttp, signInHttp } from "../support/tenancy-http.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../support/webhook-receiver.ts";

const STAMP = 3n; // what the perk requires: every member holds one
const MEMBERS = 6;
const OPERATOR_TOKEN = `operator-${randomUUID().replaceAll("-", "")}`;
const SECRETS = { AUTH_SECRET: `auth-secret-${randomUUID()}`, MINTER_KEY_SECRET: `minter-key-secret-${randomUUID()}` };
/** What a process must never print: each is a bug. */
const BUG_LINES = /unhandled rejection|uncaught exception|"msg":"unhandled error"|Emitted 'error' event/i;
/** Outcomes may take long on a busy machine: nothing here is a timing bar. */
const POLL = { timeout: 60_000, interval: 100 };
/** WEBHOOK_LEASE_MS where an instance dies or loses its database: short, so the test does not wait a minute; above twice the receiver's longest hold. */
const LEASE_MS = 5_000;

const postgresUrl = postgresForTests("webhook deliveries under faults (test/e2e/webhook-faults.test.ts)");

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One scenario's deployment: its database, instances, brand, perk, endpoint and receiver. */
type Deployment = {
  database: ThrowawayDatabase;
  /** Every instance started, and whether the test killed it. */
  started: { api: ApiProcess; killed: boolean }[];
  /** The instances clients use now. */
  live: ApiProcess[];
  receiver: WebhookReceiver;
  proxy: TcpProxy | null;
  brandId: string;
  perk: string;
  tokens: string[];
  /** The test's own store on the same database (never through the proxy). */
  store: Store;
  db: pg.Client;
};

describe.skipIf(postgresUrl === null)(`Webhook deliveries under faults: API processes on PostgreSQL (${POSTGRES_SKIPS})`, () => {
  let chainServer: ChainServer | undefined;
  let collection: Address;
  const members: PrivateKeyAccount[] = Array.from({ length: MEMBERS }, () => privateKeyToAccount(generatePrivateKey()));
  const deployments: Deployment[] = [];

  beforeAll(async () => {
    chainServer = await startChainServer();
    ({ collection } = chainServer);
    const hash = await chainServer.admin.writeContract({ address: collection, abi: stampbookCollectionAbi, functionName: "airdrop", args: [STAMP, members.map((m) => m.address), 1n] });
    expect((await chainServer.publicClient.waitForTransactionReceipt({ hash })).status).toBe("success");
  }, 120_000);

  afterAll(async () => {
    for (const d of deployments) {
      await Promise.all(d.started.map(({ api }) => api.stop()));
      await d.receiver.close();
      await d.proxy?.close();
      await d.store.close().catch(() => undefined);
      await d.db.end().catch(() => undefined);
      await d.database.drop();
    }
    await chainServer?.server.close();
  });

  /** A database, `instances` API processes on it (through a proxy if asked), a brand with a perk and an endpoint for `redemption.created`. */
  async function deploy(name: string, options: { instances: number; env?: Record<string, string>; throughProxy?: boolean; delayMs: number }): Promise<Deployment> {
    const database = await createThrowawayDatabase(postgresUrl!, { variable: "TEST_POSTGRES_URL", prefix: "stampbook_webhooks" });
    const target = new URL(database.url);
    const proxy = options.throughProxy ? await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) }) : null;
    const databaseUrl = proxy === null ? database.url : Object.assign(new URL(target), { hostname: "127.0.0.1", port: String(proxy.port) }).toString();
    const receiver = await startWebhookReceiver({ delayMs: options.delayMs });
    const ports = await Promise.all(Array.from({ length: options.instances }, () => freePort()));
    const env = {
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_SIZE: "6",
      REDIS_URL: "",
      RPC_URL: chainServer!.rpcUrl,
      CHAIN_ID: "31337",
      LOG_LEVEL: "warn",
      OPERATOR_TOKEN,
      ...SECRETS,
      SIWE_URI: `http://localhost:${ports[0]}`,
      AUTH_RATE_LIMIT_PER_MINUTE: "1000000",
      WEBHOOK_ALLOW_PRIVATE: "true",
      WEBHOOK_ALLOW_HTTP: "true",
      ...options.env,
    };
    const apis = await Promise.all(ports.map((port, i) => startApiProcess(`${name}: instance ${"AB"[i]}`, { ...env, PORT: String(port) })));
    const d: Deployment = {
      database,
      started: apis.map((api) => ({ api, killed: false })),
      live: [...apis],
      receiver,
      proxy,
      brandId: "",
      perk: "",
      tokens: [],
      store: await PostgresStore.connect(database.url, { poolSize: 8 }),
      db: new pg.Client({ connectionString: database.url }),
    };
    deployments.push(d);
    await d.db.connect();
    const api = apis[0]!;
    const { brand, apiKey } = await createBrandHttp(api, OPERATOR_TOKEN, `${name} brand`);
    d.brandId = brand.id;
    expectStatus(await registerCollectionHttp(api, apiKey, devAccount(0).account, collection), "registering the collection", [201]);
    const rule = { type: "holds", collection, tokenId: STAMP.toString() };
    d.perk = expectStatus(await api.call("POST", "/v1/admin/perks", { token: apiKey, body: { title: "A tasting, any time", rule, limits: { perMember: null, total: null } } }), "the perk", [201]).id;
    const endpoint = expectStatus(
      await api.call("POST", "/v1/admin/webhooks", { token: apiKey, body: { url: receiver.url, events: ["redemption.created"], description: "the brand's receiver" } }),
      "the endpoint",
      [201],
    );
    receiver.secret = endpoint.secret;
    await inParallel(MEMBERS, MEMBERS, async (i) => {
      d.tokens[i] = await signInHttp(apis[i % apis.length]!, members[i]!);
    });
    return d;
  }

  /** One redemption through the API, retried (same key) on another instance after a 503 or a failed connection, as the README advises. */
  async function redeem(d: Deployment, member: number, key: string): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (let attempt = 0; ; attempt++) {
      const api = d.live[(member + attempt) % d.live.length]!;
      const answer = await api.call("POST", `/v1/perks/${d.perk}/redeem`, { token: d.tokens[member]!, headers: { "idempotency-key": key } }).catch(() => null);
      if (answer !== null && (answer.statusCode === 201 || answer.statusCode === 200)) return;
      if (answer !== null && answer.statusCode !== 503 && answer.statusCode !== 429) throw new Error(`redeeming (${key}) answered ${answer.statusCode}: ${answer.body}`);
      if (Date.now() > deadline) throw new Error(`redeeming (${key}) got no answer but 503s and failed connections for 60 s`);
      await sleep(100 + Math.random() * 100);
    }
  }

  /** `n` real redemptions, by the members in turn, `concurrency` at a time. */
  const redemptions = (d: Deployment, n: number, concurrency = 8) => inParallel(n, concurrency, (i) => redeem(d, i % MEMBERS, `redeem-${randomUUID()}`));

  /** `n` messages written through the test's store, as a redemption's transaction writes them. */
  function writeMessages(d: Deployment, n: number, concurrency = 8): Promise<void> {
    return inParallel(n, concurrency, async (i) => {
      const at = new Date();
      const message = webhookMessage(
        d.brandId,
        "redemption.created",
        { redemptionId: `red_written_${randomUUID().replaceAll("-", "")}`, perk: { id: d.perk, title: "A tasting, any time" }, member: { address: members[i % MEMBERS]!.address.toLowerCase() as Address }, vault: null, code: null, createdAt: at.toISOString() },
        at,
      );
      expect(await d.store.writeWebhookMessage(message)).toBe(true);
    });
  }

  /** The ids of the messages the database holds. */
  const messageIds = async (d: Deployment) => (await d.db.query<{ id: string }>("SELECT id FROM webhook_messages WHERE type = 'redemption.created'")).rows.map((r) => r.id);
  const deliveryStates = async (d: Deployment) =>
    Object.fromEntries((await d.db.query<{ state: string; n: number }>("SELECT state, CAST(count(*) AS INTEGER) AS n FROM webhook_deliveries GROUP BY state")).rows.map((r) => [r.state, r.n]));

  /**
   * Every message the database holds arrived (at least once), nothing else arrived, a repeated
   * arrival had the same id and body, and the database records every delivery as delivered.
   * Returns the duplicates (extra arrivals).
   */
  async function expectEveryMessageDelivered(d: Deployment, expected: number): Promise<number> {
    const ids = await messageIds(d);
    expect(ids).toHaveLength(expected);
    await expect.poll(() => ids.filter((id) => !d.receiver.counts.has(id)).length, POLL).toBe(0);
    await expect.poll(() => deliveryStates(d), POLL).toEqual({ delivered: expected });
    expect(new Set(d.receiver.counts.keys())).toEqual(new Set(ids));
    expect(d.receiver.bad).toBe(0);
    expect(d.receiver.changed).toBe(0);
    // A redemption never went out under a second webhook-id: one id per redemption.
    const redemptionIds = new Set([...d.receiver.first.values()].map((m) => m.body.data.redemptionId));
    expect(redemptionIds.size).toBe(ids.length);
    // The outbox holds one message per redemption recorded, and no more.
    const takes = (await d.db.query<{ id: string }>("SELECT id FROM takes WHERE offer_id = $1", [d.perk])).rows.map((r) => r.id);
    expect(takes.filter((id) => !redemptionIds.has(id))).toEqual([]);
    return d.receiver.duplicates();
  }

  /** No instance exited unless killed, none printed a bug, each still alive answers /healthz. */
  async function expectInstancesHealthy(d: Deployment): Promise<void> {
    for (const { api, killed } of d.started) {
      expect(api.output(), `${api.name} printed a bug`).not.toMatch(BUG_LINES);
      if (killed) continue;
      expect(api.child.exitCode, `${api.name} exited:\n${api.output().slice(-3_000)}`).toBeNull();
      expect((await api.call("GET", "/healthz")).statusCode, api.name).toBe(200);
    }
  }

  it("delivers every message after the instance delivering them is killed (-9) mid-stream: the other takes over what the dead one held once its lease lapses", async () => {
    const d = await deploy("kill -9", { instances: 2, env: { WEBHOOK_LEASE_MS: String(LEASE_MS) }, delayMs: 40 });
    const TOTAL = 300;
    const FIRST = 120;
    // The receiver holds its answers while the first redemptions are made: each instance fills its
    // lanes for the endpoint and the rest wait in the outbox, so both deliver at full stretch after.
    d.receiver.pause();
    await redemptions(d, FIRST, 8);
    d.receiver.resume();
    // Both instances delivering: more requests held at the receiver than one instance sends at once (8).
    await expect.poll(() => d.receiver.counts.size >= 40 && d.receiver.inFlight > 8, { timeout: 60_000, interval: 2 }).toBe(true);
    const victim = d.live[0]!;
    victim.child.kill("SIGKILL");
    d.started.find((s) => s.api === victim)!.killed = true;
    d.live.splice(0, 1);
    const arrivedBeforeKill = d.receiver.counts.size;
    // And more redemptions after the kill, on the instance left.
    await redemptions(d, TOTAL - FIRST, 8);
    const duplicates = await expectEveryMessageDelivered(d, TOTAL);
    // What the dead instance held (claimed, its result never written) was claimed again by the other.
    const takenOver = (await d.db.query<{ n: number }>("SELECT CAST(count(*) AS INTEGER) AS n FROM webhook_deliveries WHERE claims > 1")).rows[0]!.n;
    expect(takenOver).toBeGreaterThan(0);
    console.log(
      `kill -9: ${TOTAL} messages (real redemptions), ${arrivedBeforeKill} had arrived when instance A was killed; ${takenOver} deliveries it held were claimed again by B; ${d.receiver.requests} verified arrivals, ${duplicates} duplicates (each with its message's webhook-id)`,
    );
    await expectInstancesHealthy(d);
  }, 120_000);

  it("delivers every message across a PostgreSQL cut and a blackhole mid-stream, and the instances never crash", async () => {
    const d = await deploy("PostgreSQL outage", { instances: 2, throughProxy: true, env: { WEBHOOK_LEASE_MS: String(LEASE_MS) }, delayMs: 30 });
    const REAL = 150;
    const WRITTEN = 450;
    await redemptions(d, REAL, 8);
    const writing = writeMessages(d, WRITTEN, 4);
    await expect.poll(() => d.receiver.inFlight, { timeout: 60_000, interval: 2 }).toBeGreaterThan(8);
    d.proxy!.cut();
    const arrivedAtCut = d.receiver.counts.size;
    await sleep(3_000);
    d.proxy!.restore();
    // Deliveries again, then silence on the way to the database for a while.
    await expect.poll(() => d.receiver.counts.size >= arrivedAtCut + 30 && d.receiver.inFlight > 8, { timeout: 60_000, interval: 2 }).toBe(true);
    const arrivedAtBlackhole = d.receiver.counts.size;
    d.proxy!.blackhole();
    await sleep(3_000);
    d.proxy!.restore();
    await writing;
    const duplicates = await expectEveryMessageDelivered(d, REAL + WRITTEN);
    console.log(
      `PostgreSQL outage: ${REAL + WRITTEN} messages (${REAL} real redemptions, ${WRITTEN} written through a store); ${arrivedAtCut} had arrived at the cut, ${arrivedAtBlackhole} at the blackhole; ${d.receiver.requests} verified arrivals, ${duplicates} duplicates (each with its message's webhook-id)`,
    );
    await expectInstancesHealthy(d);
  }, 120_000);

  it("delivers 5,000 messages from two instances exactly once when nothing fails", async () => {
    const d = await deploy("no faults", { instances: 2, delayMs: 0 });
    const REAL = 200;
    const WRITTEN = 4_800;
    await Promise.all([redemptions(d, REAL, 8), writeMessages(d, WRITTEN, 8)]);
    const duplicates = await expectEveryMessageDelivered(d, REAL + WRITTEN);
    expect([...d.receiver.counts.values()].filter((n) => n !== 1)).toEqual([]);
    expect(duplicates).toBe(0);
    const attempts = (await d.db.query<{ n: number }>("SELECT CAST(count(*) AS INTEGER) AS n FROM webhook_attempts")).rows[0]!.n;
    expect(attempts).toBe(REAL + WRITTEN);
    console.log(`no faults: ${REAL + WRITTEN} messages (${REAL} real redemptions, ${WRITTEN} written through a store), each delivered once (${d.receiver.requests} arrivals, ${attempts} attempts recorded)`);
    await expectInstancesHealthy(d);
  }, 120_000);
});
