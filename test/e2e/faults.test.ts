/**
 * Faults, as a red team makes them. Two API processes (`node server/main.ts`) share one PostgreSQL,
 * one Redis and one chain, each reached through a TCP proxy this test controls (test/support/
 * tcp-proxy.ts). A bounded load of members redeeming perks, claiming a drop (minted on chain by the
 * brand's minter) and completing a journey step (whose stamp the award queue airdrops) runs while
 * each fault happens in turn:
 *
 *   PostgreSQL cut · PostgreSQL blackhole · Redis cut · the chain's RPC cut · an instance killed
 *   (-9) mid-load · a rolling restart (SIGTERM, then start again) of both instances
 *
 * Clients behave as the README tells them to: an answer of 503, or a connection that fails, is
 * retried after a moment with the same Idempotency-Key, on the other instance. Then everything the
 * clients were told is reconciled against the store and the chain: every redemption answered exists
 * exactly once, a perk's total is exact, every claim answered minted is minted on chain once, every
 * completed step's stamp arrives once. And: no process exited unless the test stopped it (SIGTERM
 * exits 0), no answer was a 500, no process logged an unhandled rejection, an uncaught exception or
 * an unhandled error, and after each fault both instances were ready again within 5 s of the
 * service's return (printed, and in README's reliability notes).
 *
 * Where it finds its services: the run's throwaway PostgreSQL database server at TEST_POSTGRES_URL and
 * the Redis at TEST_REDIS_URL (test/support/services.ts); skipped with a loud line where either cannot
 * be reached, never under CI=true.
 *
 * Long because the faults share one load and one reckoning at the end: split, each would start its
 * own two instances, database and chain.
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
import { inParallel, startApiProcess, type ApiAnswer, type ApiProcess } from "../support/api-process.ts";
import { POSTGRES_SKIPS, REDIS_SKIPS, postgresForTests, redisForTests } from "../support/services.ts";
import { startChainServer, type ChainServer } from "../support/chain-server.ts";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.ts";
import { createBrandHttp, expectStatus, registerCollectionHttp, setMinterHttp, signInHttp } from "../support/tenancy-http.ts";
import { dropKind } from "../../server/drops/kind.ts";

const STAMP = 3n; // what the perks require: every member holds one
const COFFEE = 4n; // what the drop mints
const FOUNDER = 5n; // what the journey awards
const MEMBERS = 96;
/** Members who race for the limited perk, once each: more than its total. */
const LIMITED_TOTAL = 30;
/** How long after a service returns both instances must be ready again (the bar). */
const RECOVERY_BAR_MS = 5_000;
/** The product's default: how long work a dead instance held stays its own. */
const LEASE_TTL_MS = 5_000;
/** A claim a dead instance held is minted elsewhere within about two lease times (its hold lapses, then a takeover round comes). */
const TAKEOVER_BAR_MS = 3 * LEASE_TTL_MS;

const OPERATOR_TOKEN = `operator-${randomUUID().replaceAll("-", "")}`;
const SECRETS = { AUTH_SECRET: `auth-secret-${randomUUID()}`, MINTER_KEY_SECRET: `minter-key-secret-${randomUUID()}` };
/** What a process must never print: each is a bug. */
const BUG_LINES = /unhandled rejection|uncaught exception|"msg":"unhandled error"|Emitted 'error' event/i;

const postgresUrl = postgresForTests("faults: two instances through TCP proxies (test/e2e/faults.test.ts)");
const redisUrl = redisForTests("faults: two instances through TCP proxies (test/e2e/faults.test.ts)");

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const problemCode = (answer: ApiAnswer): string | undefined => (answer.headers["content-type"]?.toString().startsWith("application/problem+json") ? answer.json().code : undefined);

/** One operation a client saw through: the answers it got on the way, and the one it ended with. */
type Outcome = { op: string; member: number; key: string; answers: { status: number; code?: string; detail?: string }[]; final: ApiAnswer };

describe.skipIf(postgresUrl === null || redisUrl === null)(`Faults under load: two instances behind TCP proxies (${POSTGRES_SKIPS}; ${REDIS_SKIPS})`, () => {
  let database: ThrowawayDatabase | undefined;
  let chainServer: ChainServer | undefined;
  let proxies: { postgres: TcpProxy; redis: TcpProxy; rpc: TcpProxy };
  let env: Record<string, string>;
  /** Every process started, to check how each ended and what it printed. */
  const started: { api: ApiProcess; stoppedByTest: "sigterm" | "sigkill" | null }[] = [];
  /** The two instances serving now, as clients reach them. */
  const live: ApiProcess[] = [];
  const members: PrivateKeyAccount[] = Array.from({ length: MEMBERS }, () => privateKeyToAccount(generatePrivateKey()));
  const tokens: string[] = [];
  const outcomes: Outcome[] = [];
  const recoveries: { fault: string; ms: number }[] = [];
  let apiKey: string;
  let collection: Address;
  let publicClient: ChainServer["publicClient"];
  let openPerk: string;
  let limitedPerk: string;
  let drop: string;
  let journey: { id: string; step: string };
  /** The test's own view of the store (straight to PostgreSQL, not through the proxy). */
  let store: Store;
  /** A member whose claim an instance reserves and dies holding. */
  const orphanMember = privateKeyToAccount(generatePrivateKey());
  let takeoverMs = 0;

  async function startInstance(name: string, port: number): Promise<ApiProcess> {
    const api = await startApiProcess(name, { ...env, PORT: String(port) });
    started.push({ api, stoppedByTest: null });
    return api;
  }

  /**
   * One client operation through to an answer that is not "try again": 503s and failed connections
   * are retried after a moment on the other instance with the same key, as the README advises.
   */
  async function send(op: string, member: number, key: string, method: "GET" | "POST", path: string, body?: unknown): Promise<Outcome> {
    const answers: Outcome["answers"] = [];
    const deadline = Date.now() + 60_000;
    for (let attempt = 0; ; attempt++) {
      const api = live[(member + attempt) % live.length]!;
      let answer: ApiAnswer | null = null;
      try {
        answer = await api.call(method, path, { token: tokens[member]!, headers: { "idempotency-key": key }, ...(body === undefined ? {} : { body }) });
      } catch {
        // The connection failed (an instance stopping or killed): another instance, same key.
      }
      if (answer !== null) {
        const code = problemCode(answer);
        answers.push({ status: answer.statusCode, ...(code === undefined ? {} : { code }), ...(answer.statusCode >= 500 ? { detail: String(answer.json().detail ?? "") } : {}) });
        // A claim that failed answers its failure to every replay of its key (a 503 when the chain
        // could not be reached): final, and claimed again with a new key, as the SDK does.
        const failedClaim = answer.statusCode === 503 && code === "chain_unavailable" && answer.json().claim?.status === "failed";
        if ((answer.statusCode !== 503 && answer.statusCode !== 429) || failedClaim) {
          const outcome = { op, member, key, answers, final: answer };
          outcomes.push(outcome);
          return outcome;
        }
      }
      if (Date.now() > deadline) throw new Error(`${op} for member ${member} (key ${key}) got no final answer in 60 s: ${JSON.stringify(answers.slice(-5))}`);
      await sleep(100 + Math.random() * 200);
    }
  }

  const newKey = (op: string) => `${op}-${randomUUID()}`;
  const stepDone = new Set<number>();
  const claimed = new Set<number>();
  const limitedTried = new Set<number>();

  /** A member's claim until it is minted or refused; a failed claim is claimed again with a new key, as its answer says. */
  async function claimUntilSettled(member: number): Promise<void> {
    for (let tries = 0; tries < 5; tries++) {
      const key = newKey("claim");
      let outcome = await send("claim", member, key, "POST", `/v1/drops/${drop}/claim`);
      // Still minting: the same key again (a replay) until it settles.
      for (let polls = 0; outcome.final.statusCode === 202 && polls < 100; polls++) {
        await sleep(200);
        outcome = await send("claim", member, key, "POST", `/v1/drops/${drop}/claim`);
      }
      const body = outcome.final.json();
      if (outcome.final.statusCode === 502 || body?.claim?.status === "failed") continue;
      return;
    }
  }

  /** The load: members redeem, claim and complete a step, 12 at a time, until `stop` says so. */
  async function load(until: { stop: boolean }): Promise<void> {
    let turn = 0;
    await Promise.all(
      Array.from({ length: 12 }, async (_, worker) => {
        while (!until.stop) {
          const member = (turn++ * 7 + worker) % MEMBERS;
          const kind = turn % 4;
          if (kind === 0 && !claimed.has(member)) {
            claimed.add(member);
            await claimUntilSettled(member);
          } else if (kind === 1 && !stepDone.has(member)) {
            stepDone.add(member);
            await send("step", member, newKey("step"), "POST", `/v1/journeys/${journey.id}/steps/${journey.step}/complete`, { code: "K7QP-3XMD-W2" });
          } else if (kind === 2 && !limitedTried.has(member)) {
            limitedTried.add(member);
            await send("limited", member, newKey("limited"), "POST", `/v1/perks/${limitedPerk}/redeem`);
          } else {
            await send("redeem", member, newKey("redeem"), "POST", `/v1/perks/${openPerk}/redeem`);
          }
        }
      }),
    );
  }

  /** ms from `since` until both instances are ready (and Redis back, if `redis`) and serve a member's read. */
  async function timeToReady(since: number, options: { redis?: boolean } = {}): Promise<number> {
    for (;;) {
      const ready = await Promise.all(
        live.map(async (api) => {
          try {
            const r = await api.call("GET", "/readyz");
            if (r.statusCode !== 200 || (options.redis && r.json().redis?.ok !== true)) return false;
            return (await api.call("GET", "/v1/redemptions", { token: tokens[0]! })).statusCode === 200;
          } catch {
            return false;
          }
        }),
      );
      if (ready.every(Boolean)) return performance.now() - since;
      if (performance.now() - since > 60_000) throw new Error("the instances did not become ready within 60 s");
      await sleep(50);
    }
  }

  /** Runs the load through `fault`, which returns when its service is back (and the moment it came back). */
  async function underLoad(name: string, fault: () => Promise<{ restoredAt: number; redis?: boolean }>): Promise<void> {
    const until = { stop: false };
    const running = load(until);
    await sleep(800);
    const { restoredAt, redis } = await fault();
    const ms = await timeToReady(restoredAt, { redis: redis ?? false });
    recoveries.push({ fault: name, ms: Math.round(ms) });
    console.log(`fault "${name}": ready again ${Math.round(ms)} ms after the service returned`);
    await sleep(800);
    until.stop = true;
    await running;
  }

  beforeAll(async () => {
    database = await createThrowawayDatabase(postgresUrl!, { variable: "TEST_POSTGRES_URL", prefix: "stampbook_faults" });
    chainServer = await startChainServer();
    const { port: chainPort, admin } = chainServer;
    ({ collection, publicClient } = chainServer);
    const hash = await admin.writeContract({ address: collection, abi: stampbookCollectionAbi, functionName: "airdrop", args: [STAMP, members.map((m) => m.address), 1n] });
    expect((await publicClient.waitForTransactionReceipt({ hash })).status).toBe("success");

    const pgTarget = new URL(database.url);
    const redisTarget = new URL(redisUrl!);
    proxies = {
      postgres: await startTcpProxy({ host: pgTarget.hostname, port: Number(pgTarget.port || 5432) }),
      redis: await startTcpProxy({ host: redisTarget.hostname, port: Number(redisTarget.port || 6379) }),
      rpc: await startTcpProxy({ host: "127.0.0.1", port: chainPort }),
    };
    const viaProxy = (url: URL, proxy: TcpProxy) => Object.assign(new URL(url), { hostname: "127.0.0.1", port: String(proxy.port) }).toString();
    const [portA, portB] = [await freePort(), await freePort()];
    env = {
      DATABASE_URL: viaProxy(pgTarget, proxies.postgres),
      DATABASE_POOL_SIZE: "6",
      REDIS_URL: viaProxy(redisTarget, proxies.redis),
      RPC_URL: `http://127.0.0.1:${proxies.rpc.port}`,
      CHAIN_ID: "31337",
      LOG_LEVEL: "warn",
      LEASE_TTL_MS: String(LEASE_TTL_MS),
      OPERATOR_TOKEN,
      ...SECRETS,
      SIWE_URI: `http://localhost:${portA}`,
      AUTH_RATE_LIMIT_PER_MINUTE: "1000000",
      STEP_ATTEMPTS_PER_MINUTE: "1000000",
      STEP_ATTEMPTS_PER_IP_PER_MINUTE: "1000000",
      OWNERSHIP_CACHE_MS: "0",
      CLAIM_SWEEP_MS: "1000",
      AWARD_INTERVAL_MS: "500",
      AWARD_DELAY_MS: "100",
    };
    live.push(...(await Promise.all([startInstance("instance A", portA), startInstance("instance B", portB)])));
    const [a, b] = live as [ApiProcess, ApiProcess];

    ({ apiKey } = await createBrandHttp(a, OPERATOR_TOKEN, "Faulty Coffee"));
    expectStatus(await registerCollectionHttp(b, apiKey, devAccount(0).account, collection), "registering the collection", [201]);
    await setMinterHttp(a, apiKey, devAccount(0).privateKey);
    const rule = { type: "holds", collection, tokenId: STAMP.toString() };
    openPerk = expectStatus(await a.call("POST", "/v1/admin/perks", { token: apiKey, body: { title: "A tasting, any time", rule, limits: { perMember: 1_000_000, total: null } } }), "the open perk", [201]).id;
    limitedPerk = expectStatus(await a.call("POST", "/v1/admin/perks", { token: apiKey, body: { title: `The first ${LIMITED_TOTAL}`, rule, limits: { perMember: 1, total: LIMITED_TOTAL } } }), "the limited perk", [201]).id;
    drop = expectStatus(await b.call("POST", "/v1/admin/drops", { token: apiKey, body: { title: "A coffee on us", collection, tokenId: COFFEE.toString(), mode: "mint", rule: null, limits: { perMember: 1, total: null } } }), "the drop", [201]).id;
    const made = expectStatus(
      await a.call("POST", "/v1/admin/journeys", {
        token: apiKey,
        body: { title: "Say the word", stamp: { collection, tokenId: FOUNDER.toString(), amount: "1" }, steps: [{ id: "word", title: "Say the word", kind: "code", mode: "shared", code: "K7QP-3XMD-W2" }] },
      }),
      "the journey",
      [201],
    );
    journey = { id: made.id, step: made.steps[0].id };
    store = await PostgresStore.connect(database.url, { poolSize: 2 });
    await inParallel(MEMBERS, 16, async (i) => {
      tokens[i] = await signInHttp(live[i % 2]!, members[i]!);
    });
  }, 180_000);

  afterAll(async () => {
    await Promise.all(started.map(({ api }) => api.stop()));
    await store?.close();
    for (const proxy of Object.values(proxies ?? {})) await proxy.close();
    await chainServer?.server.close();
    await database?.drop();
  });

  it("survives each fault in turn under load, then everything the clients were told reconciles with the store and the chain", async () => {
    await underLoad("PostgreSQL cut for 3 s", async () => {
      proxies.postgres.cut();
      await sleep(3_000);
      proxies.postgres.restore();
      return { restoredAt: performance.now() };
    });
    await underLoad("PostgreSQL blackhole for 5 s", async () => {
      proxies.postgres.blackhole();
      await sleep(5_000);
      proxies.postgres.restore();
      return { restoredAt: performance.now() };
    });
    await underLoad("Redis cut for 4 s", async () => {
      proxies.redis.cut();
      await sleep(4_000);
      proxies.redis.restore();
      return { restoredAt: performance.now(), redis: true };
    });
    await underLoad("the chain's RPC cut for 3 s", async () => {
      proxies.rpc.cut();
      await sleep(3_000);
      proxies.rpc.restore();
      return { restoredAt: performance.now() };
    });
    await underLoad("instance B killed (-9) under load, then started again", async () => {
      // A claim B had reserved and held, as if it died between the reservation and the send.
      const orphan = await store.take({ offerId: drop, kind: "drop", member: orphanMember.address, idempotencyKey: "reserved-by-b", id: "claim_orphaned_by_b", code: null, policy: dropKind.takes, now: new Date().toISOString() });
      expect(orphan.status).toBe("created");
      expect(await store.holdTake("claim_orphaned_by_b", "instance-b-that-died", new Date().toISOString())).not.toBeNull();
      const victim = live[1]!;
      started.find((s) => s.api === victim)!.stoppedByTest = "sigkill";
      victim.child.kill("SIGKILL");
      const killedAt = performance.now();
      live.splice(1, 1);
      // Meanwhile A serves alone; the claim B held is taken over and minted within seconds, not minutes.
      for (;;) {
        const claim = await store.getTake("claim_orphaned_by_b");
        if (claim?.status === "minted") break;
        if (performance.now() - killedAt > 30_000) throw new Error(`the claim B held was not taken over within 30 s: ${JSON.stringify(claim)}`);
        await sleep(100);
      }
      takeoverMs = Math.round(performance.now() - killedAt);
      console.log(`a claim held by the killed instance was minted by the other ${takeoverMs} ms after the kill (LEASE_TTL_MS ${LEASE_TTL_MS})`);
      live.push(await startInstance("instance B (after kill -9)", victim.port));
      // Ready is measured from when the new process listens: starting Node is not recovery.
      return { restoredAt: performance.now() };
    });
    await underLoad("a rolling restart of both instances (SIGTERM, start again)", async () => {
      let restoredAt = 0;
      for (const index of [0, 1]) {
        const old = live[index]!;
        started.find((s) => s.api === old)!.stoppedByTest = "sigterm";
        live.splice(index, 1);
        await old.stop();
        expect(old.child.exitCode, `${old.name} after SIGTERM:\n${old.output().slice(-3_000)}`).toBe(0);
        live.splice(index, 0, await startInstance(`${old.name.replace(/ \(.*\)$/, "")} (after SIGTERM)`, old.port));
        restoredAt = performance.now();
      }
      return { restoredAt };
    });

    // Everyone who has not claimed or completed the step yet does so now, with every service up.
    await inParallel(MEMBERS, 12, async (m) => {
      if (!claimed.has(m)) {
        claimed.add(m);
        await claimUntilSettled(m);
      }
      if (!stepDone.has(m)) {
        stepDone.add(m);
        await send("step", m, newKey("step"), "POST", `/v1/journeys/${journey.id}/steps/${journey.step}/complete`, { code: "K7QP-3XMD-W2" });
      }
    });

    // No process died unasked, none printed a bug, no answer was a 500.
    for (const { api, stoppedByTest } of started) {
      if (stoppedByTest === null) expect(api.child.exitCode, `${api.name} exited:\n${api.output().slice(-3_000)}`).toBeNull();
      expect(api.output(), `${api.name} printed a bug`).not.toMatch(BUG_LINES);
    }
    const all = outcomes.flatMap((o) => o.answers);
    expect(all.filter((a) => a.status >= 500 && a.status !== 503), JSON.stringify(all.filter((a) => a.status >= 500 && a.status !== 503).slice(0, 5))).toEqual([]);
    for (const a of all.filter((a) => a.status === 503)) expect(["store_unavailable", "store_busy", "chain_unavailable", "shutting_down"]).toContain(a.code);
    const count = (op: string) => outcomes.filter((o) => o.op === op).length;
    console.log(
      `answers: ${all.length} (${all.filter((a) => a.status === 503).length} of them 503, retried); operations: ${count("redeem")} redemptions, ${count("limited")} tries at the limited perk, ${count("claim")} claim answers, ${count("step")} steps`,
    );
    for (const r of recoveries) expect(r.ms, r.fault).toBeLessThanOrEqual(RECOVERY_BAR_MS);
    expect(takeoverMs).toBeLessThanOrEqual(TAKEOVER_BAR_MS);

    // Reconcile with the store, read directly (not through the proxy).
    const db = new pg.Client({ connectionString: database!.url });
    await db.connect();
    try {
      const takes = async (offer: string) => (await db.query<{ id: string; member: string; idempotency_key: string; status: string; code: string | null }>("SELECT id, member, idempotency_key, status, code FROM takes WHERE offer_id = $1", [offer])).rows;

      // Redemptions: each one answered exists once, with the code the member was shown; nothing else was recorded.
      const open = await takes(openPerk);
      const redeemed = outcomes.filter((o) => o.op === "redeem");
      for (const o of redeemed) expect([200, 201], `${o.key}: ${o.final.body}`).toContain(o.final.statusCode);
      expect(open.length).toBe(redeemed.length);
      const byKey = new Map(open.map((t) => [t.idempotency_key, t]));
      for (const o of redeemed) expect(byKey.get(o.key), o.key).toMatchObject({ id: o.final.json().id, code: o.final.json().code, member: members[o.member]!.address.toLowerCase() });

      // The limited perk: exactly its total, each answered 201 or 200 once; the others were told it ran out.
      const limited = await takes(limitedPerk);
      const got = outcomes.filter((o) => o.op === "limited" && [200, 201].includes(o.final.statusCode));
      expect(limitedTried.size).toBeGreaterThan(LIMITED_TOTAL);
      expect(limited.length).toBe(LIMITED_TOTAL);
      expect(new Set(got.map((o) => o.final.json().id))).toEqual(new Set(limited.map((t) => t.id)));
      for (const o of outcomes.filter((o) => o.op === "limited" && ![200, 201].includes(o.final.statusCode))) expect(problemCode(o.final)).toBe("total_limit_reached");

      // Claims: once everything settled, one minted claim per member, and exactly one coffee each on chain.
      const deadline = Date.now() + 60_000;
      let claims = await takes(drop);
      while (claims.some((c) => c.status === "pending") && Date.now() < deadline) {
        await sleep(500);
        claims = await takes(drop);
      }
      expect(claims.filter((c) => c.status === "pending")).toEqual([]);
      expect(claims.find((c) => c.id === "claim_orphaned_by_b")).toMatchObject({ status: "minted" });
      expect(await publicClient.readContract({ address: collection, abi: stampbookCollectionAbi, functionName: "balanceOf", args: [orphanMember.address, COFFEE] })).toBe(1n);
      claims = claims.filter((c) => c.id !== "claim_orphaned_by_b");
      const minted = claims.filter((c) => c.status === "minted");
      expect(new Set(minted.map((c) => c.member)).size).toBe(minted.length);
      expect(minted.length).toBe(MEMBERS);
      const coffees = await Promise.all(members.map((m) => publicClient.readContract({ address: collection, abi: stampbookCollectionAbi, functionName: "balanceOf", args: [m.address, COFFEE] })));
      expect(coffees).toEqual(members.map(() => 1n));
      const failed = claims.filter((c) => c.status === "failed").length;
      console.log(`claims: ${minted.length} minted, ${failed} failed honestly and claimed again`);

      // Steps: every member completed once; every stamp is awarded once, on chain too.
      const steps = outcomes.filter((o) => o.op === "step");
      for (const o of steps) expect([200, 201], `${o.key}: ${o.final.body}`).toContain(o.final.statusCode);
      let awards = (await db.query<{ member: string; status: string }>("SELECT member, status FROM awards")).rows;
      while (awards.some((a) => a.status !== "awarded") && Date.now() < deadline) {
        await sleep(500);
        awards = (await db.query<{ member: string; status: string }>("SELECT member, status FROM awards")).rows;
      }
      expect(awards.filter((a) => a.status !== "awarded")).toEqual([]);
      expect(new Set(awards.map((a) => a.member)).size).toBe(MEMBERS);
      expect(awards.length).toBe(MEMBERS);
      const founders = await Promise.all(members.map((m) => publicClient.readContract({ address: collection, abi: stampbookCollectionAbi, functionName: "balanceOf", args: [m.address, FOUNDER] })));
      expect(founders).toEqual(members.map(() => 1n));
    } finally {
      await db.end();
    }
  }, 600_000);
});
