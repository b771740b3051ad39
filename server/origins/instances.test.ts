/**
 * A brand's origins across API instances sharing one store: each instance keeps the registrations it
 * read for a while, and Redis tells every instance of a change at once, so a storefront added (or
 * removed) on one instance signs members in (or stops) on the other at once.
 */
import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { PublicClient } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChain, type DemoChain } from "../../test/support/chain.ts";
import { REDIS_SKIPS, redisForTests } from "../../test/support/services.ts";
import { build } from "../app.ts";
import { createBrand, issueApiKey } from "../brands/accounts.ts";
import { loadConfig } from "../config.ts";
import { SqliteStore, type Store } from "../storage/index.ts";

const redisUrl = redisForTests("a brand's origins across API instances (server/origins/instances.test.ts)");

let chain: DemoChain;
let store: Store;
let apiKey: string;
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  chain = await startChain();
  store = SqliteStore.open(":memory:");
  apiKey = (await issueApiKey(store, (await createBrand(store, "Demo Coffee Club")).id, "tests")).key;
});
afterAll(async () => {
  for (const app of apps.splice(0)) await app.close();
  await store?.close();
});

async function instance(redisPrefix: string): Promise<FastifyInstance> {
  // Registrations may be reused for a minute: only the broadcast makes the other instance see a change sooner.
  const config = loadConfig({ PUBLIC_URL: "http://localhost:8787", DATABASE_URL: "sqlite::memory:", REDIS_URL: redisUrl!, OWNERSHIP_CACHE_MS: "60000", CLAIM_SWEEP_MS: "86400000" });
  const app = await build({ config, store, client: chain.publicClient as PublicClient, logger: false, redisPrefix });
  apps.push(app);
  return app;
}

const nonceStatus = async (app: FastifyInstance, origin: string) => (await app.inject({ method: "GET", url: "/v1/auth/nonce", headers: { origin } })).statusCode;

describe.skipIf(redisUrl === null)(`with REDIS_URL (${REDIS_SKIPS})`, () => {
  it("an origin added on one instance signs members in on the other at once, and stops at once when removed", async () => {
    const prefix = `stampbook-test-${randomUUID().slice(0, 8)}`;
    const [a, b] = [await instance(prefix), await instance(prefix)];
    const shop = "https://shop.example";
    // B reads (and keeps) the registrations: none yet.
    expect(await nonceStatus(b, shop)).toBe(403);
    const added = await a.inject({ method: "POST", url: "/v1/admin/origins", headers: { authorization: `Bearer ${apiKey}` }, payload: { origin: shop } });
    expect(added.statusCode).toBe(201);
    await expect.poll(() => nonceStatus(b, shop), { timeout: 5_000 }).toBe(200);
    await a.inject({ method: "DELETE", url: `/v1/admin/origins/${encodeURIComponent(shop)}`, headers: { authorization: `Bearer ${apiKey}` } });
    await expect.poll(() => nonceStatus(b, shop), { timeout: 5_000 }).toBe(403);
  });
});
