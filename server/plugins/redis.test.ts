/**
 * REDIS_URL across instances: two API instances built in-process on one SQLite file (as two processes
 * share one database) and one Redis share their sign-in rate limits, see a brand's perk change and a
 * sign-out on the other at once though their caches would keep them much longer, and report Redis in
 * /readyz. Without REDIS_URL nothing connects and every instance counts alone. Each test gets its
 * own Redis prefix, so runs never share counters or messages. Skipped with a loud line where Redis
 * cannot be reached, never under CI=true.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import type { FastifyInstance } from "fastify";
import { getAddress, type Address, type PublicClient, type WalletClient } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/free-port.ts";
import { DEMO_TYPES, startChain, type DemoChain } from "../../test/support/chain.ts";
import { expectProblem } from "../../test/support/problems.ts";
import { bearer, TEST_MINTER_KEY_SECRET } from "../../test/support/server.ts";
import { REDIS_SKIPS, redisForTests } from "../../test/support/services.ts";
import { siweSignIn, viaInject } from "../../test/support/siwe.ts";
import { build } from "../app.ts";
import { createBrand, issueApiKey } from "../brands/accounts.ts";
import { loadConfig } from "../config.ts";
import { SqliteStore, type Store } from "../storage/index.ts";

const redisUrl = redisForTests("REDIS_URL across API instances (server/plugins/redis.test.ts)");

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The old fixed bound of list caches: a change seen sooner than this was told, not expired. */
const LIST_CACHE_BOUND_MS = 1_000;
/** How soon a broadcast change must show on the other instance (it takes a few ms; this is for loaded machines). */
const AT_ONCE_MS = 5_000;
/** Caches that would outlive every test. */
const LONG_MS = "60000";

let chain: DemoChain;
let dir: string;
let files = 0;
const open: { app: FastifyInstance; store: Store }[] = [];

beforeAll(async () => {
  chain = await startChain();
  dir = mkdtempSync(join(tmpdir(), "stampbook-redis-"));
});
afterAll(async () => {
  for (const { app, store } of open.splice(0)) {
    await app.close();
    await store.close();
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A database file with the brand "Demo Coffee Club" owning the chain's collection; its path and API key. */
async function sharedDatabase() {
  const path = join(dir, `shared-${++files}.db`);
  const store = SqliteStore.open(path);
  try {
    const brand = await createBrand(store, "Demo Coffee Club");
    const { key } = await issueApiKey(store, brand.id, "tests");
    const now = new Date().toISOString();
    await store.registerCollection({ brandId: brand.id, collection: chain.collection.address, admin: chain.brand.account.address, nonce: `setup-${randomUUID()}`, nonceExpiresAt: now, now });
    return { path, apiKey: key };
  } finally {
    await store.close();
  }
}

/** One API instance on the database file at `path`, with these environment variables. */
async function instance(path: string, env: Record<string, string>, redisPrefix?: string) {
  const config = loadConfig({
    PUBLIC_URL: "http://localhost:8787",
    DATABASE_URL: "sqlite::memory:",
    AUTH_RATE_LIMIT_PER_MINUTE: "100000",
    CLAIM_SWEEP_MS: "86400000",
    MINTER_KEY_SECRET: TEST_MINTER_KEY_SECRET,
    ...env,
  });
  const store = SqliteStore.open(path);
  const app = await build({ config, store, client: chain.publicClient as PublicClient, logger: false, ...(redisPrefix === undefined ? {} : { redisPrefix }) });
  open.push({ app, store });
  return app;
}

/** Signs `wallet` in on `app`; returns the bearer token. */
const signIn = (app: FastifyInstance, wallet: WalletClient): Promise<string> => siweSignIn(viaInject(app), wallet);

/** The titles of the perks `token`'s member sees listed on `app`. */
async function perkTitles(app: FastifyInstance, token: string): Promise<string[]> {
  const response = await app.inject({ method: "GET", url: "/v1/perks", headers: bearer(token) });
  expect(response.statusCode, response.body).toBe(200);
  return response.json().items.map((p: { title: string }) => p.title).sort();
}

/** Polls `probe` every 10 ms until it holds or `limitMs` passed; returns the ms it took, or null. */
async function timeUntil(probe: () => Promise<boolean>, limitMs: number): Promise<number | null> {
  const since = performance.now();
  for (;;) {
    if (await probe()) return performance.now() - since;
    if (performance.now() - since > limitMs) return null;
    await sleep(10);
  }
}

/** The names of the connections Redis has from clients whose name starts with `prefix`. */
async function connectionsNamed(prefix: string): Promise<string[]> {
  const admin = new Redis(redisUrl!, { maxRetriesPerRequest: 0 });
  try {
    const list = (await admin.call("CLIENT", "LIST")) as string;
    return list
      .split("\n")
      .map((line) => /(?:^| )name=(\S*)/.exec(line)?.[1] ?? "")
      .filter((name) => name.startsWith(prefix))
      .sort();
  } finally {
    await admin.quit();
  }
}

/** Deletes the rate-limit counters under `prefix`. */
async function dropKeys(prefix: string): Promise<void> {
  const admin = new Redis(redisUrl!, { maxRetriesPerRequest: 0 });
  try {
    const keys = await admin.keys(`${prefix}-rate-limit-*`);
    if (keys.length > 0) await admin.del(...keys);
  } finally {
    await admin.quit();
  }
}

const nonce = (app: FastifyInstance) => app.inject({ method: "GET", url: "/v1/auth/nonce" });
const testPrefix = () => `stampbook-test-${randomUUID().slice(0, 8)}`;

describe("without REDIS_URL", () => {
  it("nothing connects, /readyz names no Redis, and each instance counts its own rate limit", async () => {
    const prefix = testPrefix();
    const { path } = await sharedDatabase();
    const env = { AUTH_RATE_LIMIT_PER_MINUTE: "3" };
    const [a, b] = [await instance(path, env, prefix), await instance(path, env, prefix)];
    expect(a.redis).toBeNull();
    const ready = await a.inject({ method: "GET", url: "/readyz" });
    expect(ready.statusCode, ready.body).toBe(200);
    expect(ready.json()).not.toHaveProperty("redis");
    for (const app of [a, a, a, b, b, b]) expect((await nonce(app)).statusCode).toBe(200);
    expectProblem(await nonce(a), 429, "rate_limited");
    expectProblem(await nonce(b), 429, "rate_limited");
    if (redisUrl !== null) expect(await connectionsNamed(prefix)).toEqual([]);
  });
});

describe.skipIf(redisUrl === null)(`with REDIS_URL (${REDIS_SKIPS})`, () => {
  it("rate limits are shared: three nonces spread over two instances, then the fourth is 429 on either", async () => {
    const prefix = testPrefix();
    const { path } = await sharedDatabase();
    const env = { REDIS_URL: redisUrl!, AUTH_RATE_LIMIT_PER_MINUTE: "3" };
    const [a, b] = [await instance(path, env, prefix), await instance(path, env, prefix)];
    try {
      const answers = [await nonce(a), await nonce(b), await nonce(a)];
      expect(answers.map((r) => r.statusCode)).toEqual([200, 200, 200]);
      expect(answers.map((r) => r.headers["x-ratelimit-remaining"])).toEqual(["2", "1", "0"]);
      const refused = expectProblem(await nonce(b), 429, "rate_limited");
      expect(refused.title).toBe("Too many requests");
      expectProblem(await nonce(a), 429, "rate_limited");
      // Verify shares the limit's namespace, not its counter: it has its own three.
      expect((await a.inject({ method: "POST", url: "/v1/auth/verify", payload: { message: "x", signature: "0x" } })).statusCode).toBe(400);
    } finally {
      await dropKeys(prefix);
    }
  });

  it("when Redis does not answer, rate limits count per instance: sign-in stays up and limited (neither 5xx nor unlimited)", async () => {
    const { path } = await sharedDatabase();
    const app = await instance(path, { REDIS_URL: `redis://127.0.0.1:${await freePort()}`, AUTH_RATE_LIMIT_PER_MINUTE: "3" }, testPrefix());
    for (let i = 0; i < 3; i++) {
      const ok = await nonce(app);
      expect(ok.statusCode, ok.body).toBe(200);
      expect(ok.headers["x-ratelimit-remaining"]).toBe(String(2 - i));
    }
    expectProblem(await nonce(app), 429, "rate_limited");
  });

  it("a brand's perk changes on one instance show on the other at once, though its lists are cached far longer", async () => {
    const prefix = testPrefix();
    const { path, apiKey } = await sharedDatabase();
    // Holdings and offer lists cached for a minute: only a broadcast explains a quick change.
    const env = { REDIS_URL: redisUrl!, OWNERSHIP_CACHE_MS: LONG_MS };
    const [a, b] = [await instance(path, env, prefix), await instance(path, env, prefix)];
    // An instance without Redis on the same database: its changes are not broadcast.
    const quiet = await instance(path, { OWNERSHIP_CACHE_MS: LONG_MS });
    const member = chain.members[0]!;
    await chain.mint(getAddress(member.account.address), DEMO_TYPES.stamp);
    const token = await signIn(b, member);
    const rule = { type: "holds", collection: getAddress(chain.collection.address) as Address, tokenId: String(DEMO_TYPES.stamp) };
    const admin = (app: FastifyInstance, method: "POST" | "PATCH" | "DELETE", url: string, payload?: object) =>
      app.inject({ method, url, headers: bearer(apiKey), ...(payload === undefined ? {} : { payload }) });

    const created = await admin(a, "POST", "/v1/admin/perks", { title: "Free espresso", rule });
    expect(created.statusCode, created.body).toBe(201);
    const perkId: string = created.json().id;
    expect(await timeUntil(async () => (await perkTitles(b, token)).includes("Free espresso"), AT_ONCE_MS)).not.toBeNull();
    // Once A's message has surely landed, B lists again and caches that list.
    await sleep(100);
    expect(await perkTitles(b, token)).toEqual(["Free espresso"]);

    // A change nobody broadcasts stays unseen on B past the old 1 s bound...
    expect((await admin(quiet, "POST", "/v1/admin/perks", { title: "Unannounced", rule })).statusCode).toBe(201);
    await sleep(LIST_CACHE_BOUND_MS + 200);
    expect(await perkTitles(b, token)).toEqual(["Free espresso"]);

    // ...while A's changes show on B at once (and with them, the list read anew).
    expect((await admin(a, "PATCH", `/v1/admin/perks/${perkId}`, { title: "Free flat white" })).statusCode).toBe(200);
    const patched = await timeUntil(async () => (await perkTitles(b, token)).includes("Free flat white"), 2_000);
    expect(patched, "the patch showed on B").not.toBeNull();
    expect(patched!).toBeLessThan(AT_ONCE_MS);
    expect(await perkTitles(b, token)).toEqual(["Free flat white", "Unannounced"]);

    expect((await admin(a, "DELETE", `/v1/admin/perks/${perkId}`)).statusCode).toBe(204);
    const deleted = await timeUntil(async () => !(await perkTitles(b, token)).includes("Free flat white"), 2_000);
    expect(deleted, "the deletion showed on B").not.toBeNull();
    expect(deleted!).toBeLessThan(AT_ONCE_MS);
  });

  it("a sign-out on one instance ends the session on the other at once, though it caches sessions for a minute", async () => {
    const prefix = testPrefix();
    const { path } = await sharedDatabase();
    const env = { REDIS_URL: redisUrl!, SESSION_CACHE_MS: LONG_MS };
    const [a, b] = [await instance(path, env, prefix), await instance(path, env, prefix)];
    // Without Redis, an instance keeps trusting its cached session: the bound the broadcast removes.
    const quiet = await instance(path, { SESSION_CACHE_MS: LONG_MS });
    const token = await signIn(a, chain.members[1]!);
    const me = (app: FastifyInstance) => app.inject({ method: "GET", url: "/v1/perks", headers: bearer(token) });
    for (const app of [a, b, quiet]) expect((await me(app)).statusCode).toBe(200);

    expect((await a.inject({ method: "POST", url: "/v1/auth/logout", headers: bearer(token) })).statusCode).toBe(204);
    const ended = await timeUntil(async () => (await me(b)).statusCode === 401, 2_000);
    expect(ended, "the session ended on B").not.toBeNull();
    expect(ended!).toBeLessThan(AT_ONCE_MS);
    expectProblem(await me(a), 401, "session_expired");
    expect((await me(quiet)).statusCode).toBe(200);
  });

  it("/readyz reports Redis: ok when it answers; not ok (the instance still ready) when nothing listens at REDIS_URL, without showing the URL", async () => {
    const prefix = testPrefix();
    const { path } = await sharedDatabase();
    const up = await instance(path, { REDIS_URL: redisUrl! }, prefix);
    const ready = await up.inject({ method: "GET", url: "/readyz" });
    expect(ready.statusCode, ready.body).toBe(200);
    expect(ready.json()).toMatchObject({ ok: true, store: { ok: true }, chain: { ok: true }, redis: { ok: true } });
    // The invalidation subscriber connects in the background: it may come a moment after readiness.
    await expect.poll(() => connectionsNamed(prefix), { timeout: 5_000 }).toEqual([`${prefix}-commands`, `${prefix}-invalidations`]);

    // It starts anyway: Redis is a helper, and every instance shares it, so its outage is reported
    // without taking this instance out of rotation.
    const down = await instance(path, { REDIS_URL: `redis://:hunter2@127.0.0.1:${await freePort()}/0` }, testPrefix());
    const degraded = await down.inject({ method: "GET", url: "/readyz" });
    expect(degraded.statusCode, degraded.body).toBe(200);
    expect(degraded.json()).toMatchObject({ ok: true, store: { ok: true }, chain: { ok: true }, redis: { ok: false, detail: "Redis unreachable" } });
    expect(degraded.body).not.toContain("hunter2");

    // Closing the app closes its connections.
    const index = open.findIndex((o) => o.app === up);
    const [{ app, store }] = open.splice(index, 1) as [{ app: FastifyInstance; store: Store }];
    await app.close();
    await store.close();
    expect(await timeUntil(async () => (await connectionsNamed(prefix)).length === 0, 2_000)).not.toBeNull();
  });
});
