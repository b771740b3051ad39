/**
 * Staff across API instances sharing one store: a staff token signed in on one instance works on the
 * others; someone just listed on one instance signs in on another at once; a staff member removed on
 * one instance loses access on another within the role cache time (at once on the first); a staff
 * sign-out on one instance ends the session on the others at once with Redis (the invalidation bus),
 * though they cache sessions far longer.
 */
import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { getAddress, type PublicClient, type WalletClient } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChain, type DemoChain } from "../../test/support/chain.ts";
import { expectProblem } from "../../test/support/problems.ts";
import { bearer, TEST_MINTER_KEY_SECRET } from "../../test/support/server.ts";
import { REDIS_SKIPS, redisForTests } from "../../test/support/services.ts";
import { viaInject } from "../../test/support/siwe.ts";
import { staffSignIn, staffSignInAnswer } from "../../test/support/staff.ts";
import { build } from "../app.ts";
import { createBrand } from "../brands/accounts.ts";
import { loadConfig } from "../config.ts";
import { SqliteStore, type Store } from "../storage/index.ts";

const redisUrl = redisForTests("staff sign-outs across API instances (server/staff/instances.test.ts)");
const ROLE_CACHE_MS = 400;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let chain: DemoChain;
let store: Store;
let brandId: string;
const apps: FastifyInstance[] = [];
const address = (wallet: WalletClient) => getAddress(wallet.account!.address);

beforeAll(async () => {
  chain = await startChain();
  store = SqliteStore.open(":memory:");
  brandId = (await createBrand(store, "Demo Coffee Club")).id;
  const now = new Date().toISOString();
  await store.registerCollection({ brandId, collection: chain.collection.address, admin: chain.brand.account.address, nonce: `setup-${randomUUID()}`, nonceExpiresAt: now, now });
});
afterAll(async () => {
  for (const app of apps.splice(0)) await app.close();
  await store?.close();
});

/** One API instance over the shared store. */
async function instance(env: Record<string, string>, redisPrefix?: string): Promise<FastifyInstance> {
  const config = loadConfig({
    PUBLIC_URL: "http://localhost:8787",
    DATABASE_URL: "sqlite::memory:",
    AUTH_RATE_LIMIT_PER_MINUTE: "100000",
    CLAIM_SWEEP_MS: "86400000",
    MINTER_KEY_SECRET: TEST_MINTER_KEY_SECRET,
    ...env,
  });
  const app = await build({ config, store, client: chain.publicClient as PublicClient, logger: false, ...(redisPrefix === undefined ? {} : { redisPrefix }) });
  apps.push(app);
  return app;
}

const me = (app: FastifyInstance, token: string) => app.inject({ method: "GET", url: "/v1/staff/me", headers: bearer(token) });

describe("two instances over one store", () => {
  it("removed staff lose access at once where they were removed, and on the other within the role cache time", async () => {
    const env = { STAFF_ROLE_CACHE_MS: String(ROLE_CACHE_MS) };
    const [a, b] = [await instance(env), await instance(env)];
    const owner = await staffSignIn(viaInject(a), chain.brand, brandId);
    const manager = chain.members[1]!;
    // Refused on B before being listed; listed on A, they sign in on B at once: a sign-in reads the role now.
    expect((await staffSignInAnswer(viaInject(b), manager, brandId)).statusCode).toBe(403);
    expect((await a.inject({ method: "PUT", url: `/v1/admin/staff/${address(manager)}`, headers: bearer(owner.token), payload: { role: "manager" } })).statusCode).toBe(201);
    // Signed in on A, used on B: the token is the deployment's, not the instance's.
    const { token } = await staffSignIn(viaInject(b), manager, brandId);
    expect((await b.inject({ method: "GET", url: "/v1/admin/perks", headers: bearer(token) })).statusCode).toBe(200);

    const removedAt = performance.now();
    expect((await a.inject({ method: "DELETE", url: `/v1/admin/staff/${address(manager)}`, headers: bearer(owner.token) })).statusCode).toBe(204);
    expectProblem(await a.inject({ method: "GET", url: "/v1/admin/perks", headers: bearer(token) }), 403, "not_staff");
    // B read the role before the removal, and may trust it for the cache time, no longer.
    for (;;) {
      const response = await b.inject({ method: "GET", url: "/v1/admin/perks", headers: bearer(token) });
      if (response.statusCode === 403) {
        expectProblem(response, 403, "not_staff");
        break;
      }
      expect(response.statusCode).toBe(200);
      // A behavioural bound, with room for a loaded machine: far below "never".
      expect(performance.now() - removedAt).toBeLessThan(ROLE_CACHE_MS + 5_000);
      await sleep(20);
    }
  });
});

describe.skipIf(redisUrl === null)(`with REDIS_URL (${REDIS_SKIPS})`, () => {
  it("a staff sign-out on one instance ends the session on the other at once, though it caches sessions for a minute", async () => {
    const prefix = `stampbook-test-${randomUUID().slice(0, 8)}`;
    const env = { REDIS_URL: redisUrl!, SESSION_CACHE_MS: "60000" };
    const [a, b] = [await instance(env, prefix), await instance(env, prefix)];
    // Without Redis, an instance keeps trusting its cached session: the bound the broadcast removes.
    const quiet = await instance({ SESSION_CACHE_MS: "60000" });
    const { token } = await staffSignIn(viaInject(a), chain.brand, brandId);
    for (const app of [a, b, quiet]) expect((await me(app, token)).statusCode).toBe(200);

    expect((await a.inject({ method: "POST", url: "/v1/staff/sign-out", headers: bearer(token) })).statusCode).toBe(204);
    const since = performance.now();
    while ((await me(b, token)).statusCode !== 401) {
      expect(performance.now() - since, "the session ended on B").toBeLessThan(5_000);
      await sleep(10);
    }
    expectProblem(await me(a, token), 401, "session_expired");
    expectProblem(await me(b, token), 401, "session_expired");
    expect((await me(quiet, token)).statusCode).toBe(200);
  });

  it("a staff member removed on one instance loses access on the other at once, though it caches roles for 30 s", async () => {
    const prefix = `stampbook-test-${randomUUID().slice(0, 8)}`;
    const env = { REDIS_URL: redisUrl!, STAFF_ROLE_CACHE_MS: "30000" };
    const [a, b] = [await instance(env, prefix), await instance(env, prefix)];
    const owner = await staffSignIn(viaInject(a), chain.brand, brandId);
    const manager = chain.members[2]!;
    expect((await a.inject({ method: "PUT", url: `/v1/admin/staff/${address(manager)}`, headers: bearer(owner.token), payload: { role: "manager" } })).statusCode).toBe(201);
    const { token } = await staffSignIn(viaInject(b), manager, brandId);
    expect((await b.inject({ method: "GET", url: "/v1/admin/perks", headers: bearer(token) })).statusCode).toBe(200);

    expect((await a.inject({ method: "DELETE", url: `/v1/admin/staff/${address(manager)}`, headers: bearer(owner.token) })).statusCode).toBe(204);
    const since = performance.now();
    while ((await b.inject({ method: "GET", url: "/v1/admin/perks", headers: bearer(token) })).statusCode !== 403) {
      expect(performance.now() - since, "the removal reached B before its role cache expired").toBeLessThan(5_000);
      await sleep(10);
    }
  });
});
