/**
 * The till's limit: code checks per credential per minute (TILL_VERIFY_PER_MINUTE), found or not; each
 * API key and each staff session counts apart, never the client address alone; with Redis, every
 * instance counts one credential's checks together.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import type { FastifyInstance } from "fastify";
import { getAddress, type PublicClient } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_TYPES, startChain, type DemoChain } from "../../test/support/chain.ts";
import { expectProblem } from "../../test/support/problems.ts";
import { bearer, startServer, TEST_MINTER_KEY_SECRET, type TestServer } from "../../test/support/server.ts";
import { REDIS_SKIPS, redisForTests } from "../../test/support/services.ts";
import { viaInject } from "../../test/support/siwe.ts";
import { staffSignIn } from "../../test/support/staff.ts";
import { build } from "../app.ts";
import { createBrand, issueApiKey } from "../brands/accounts.ts";
import { loadConfig } from "../config.ts";
import { SqliteStore } from "../storage/index.ts";

const redisUrl = redisForTests("till checks shared across instances (server/perks/till-routes.test.ts)");
const LIMIT = 3;

let chain: DemoChain;
let server: TestServer;

beforeAll(async () => {
  chain = await startChain();
  server = await startServer(chain, { tillVerifyPerMinute: LIMIT });
  await chain.mint(getAddress(chain.members[0]!.account.address), DEMO_TYPES.stamp);
});
afterAll(async () => server?.close());

const verify = (app: FastifyInstance, token: string, code: string, remoteAddress = "127.0.0.1") =>
  app.inject({ method: "POST", url: "/v1/admin/redemptions/verify", headers: bearer(token), payload: { code }, remoteAddress });

/** A fresh, unused redemption code of the server's brand. */
async function redemptionCode(): Promise<string> {
  const created = await server.app.inject({
    method: "POST",
    url: "/v1/admin/perks",
    headers: bearer(server.apiKey),
    payload: { title: "Free refill", rule: { type: "holds", collection: chain.collection.address, tokenId: DEMO_TYPES.stamp.toString() } },
  });
  expect(created.statusCode, created.body).toBe(201);
  const member = await server.signIn(chain.members[0]!);
  const redeemed = await server.app.inject({ method: "POST", url: `/v1/perks/${created.json().id}/redeem`, headers: { ...bearer(member), "idempotency-key": randomUUID() } });
  expect(redeemed.statusCode, redeemed.body).toBe(201);
  return redeemed.json().code;
}

describe("till checks per credential", () => {
  it("every check counts, found or not: the one past the limit is 429 rate_limited with Retry-After and the wait in words, and consumes nothing", async () => {
    const code = await redemptionCode();
    const { key } = await issueApiKey(server.store, server.brand.id, "till one");
    for (let i = 0; i < LIMIT; i++) expectProblem(await verify(server.app, key, `ZZZZ-ZZZZ-ZZZ${i}`), 404, "redemption_not_found");
    const refused = await verify(server.app, key, code);
    const body = expectProblem(refused, 429, "rate_limited");
    expect(body.title).toBe("Too many code checks");
    expect(body.detail).toMatch(/^At most 3 a minute with these credentials\. Try again in \d+ s\.$/);
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    expect(body.retryAfter).toBe(Number(refused.headers["retry-after"]));
    // Refused before the store was asked: the code is still good, with another credential.
    const { key: other } = await issueApiKey(server.store, server.brand.id, "till two");
    const honoured = await verify(server.app, other, code);
    expect(honoured.statusCode, honoured.body).toBe(200);
  });

  it("each staff session counts apart from the others and from API keys, whatever address it calls from", async () => {
    const call = viaInject(server.app);
    const [first, second] = [await staffSignIn(call, chain.brand, server.brand.id), await staffSignIn(call, chain.brand, server.brand.id)];
    for (let i = 0; i < LIMIT; i++) expectProblem(await verify(server.app, first.token, "ZZZZ-ZZZZ-ZZZZ", `192.0.2.${i + 1}`), 404, "redemption_not_found");
    expectProblem(await verify(server.app, first.token, "ZZZZ-ZZZZ-ZZZZ", "192.0.2.99"), 429, "rate_limited");
    expectProblem(await verify(server.app, second.token, "ZZZZ-ZZZZ-ZZZZ", "192.0.2.1"), 404, "redemption_not_found");
    const { key } = await issueApiKey(server.store, server.brand.id, "till three");
    expectProblem(await verify(server.app, key, "ZZZZ-ZZZZ-ZZZZ", "192.0.2.1"), 404, "redemption_not_found");
  });

  it("a malformed body is refused before it counts", async () => {
    const { key } = await issueApiKey(server.store, server.brand.id, "till four");
    for (let i = 0; i < LIMIT * 2; i++) expectProblem(await server.app.inject({ method: "POST", url: "/v1/admin/redemptions/verify", headers: bearer(key), payload: {} }), 400, "validation_failed");
    expectProblem(await verify(server.app, key, "ZZZZ-ZZZZ-ZZZZ"), 404, "redemption_not_found");
  });

  it("documents the 429 in the OpenAPI responses", async () => {
    const doc = (await server.app.inject({ method: "GET", url: "/docs/json" })).json();
    expect(Object.keys(doc.paths["/v1/admin/redemptions/verify"].post.responses)).toContain("429");
  });
});

describe.skipIf(redisUrl === null)(`on two instances sharing Redis (${REDIS_SKIPS})`, () => {
  it("one API key's checks count once across both", async () => {
    const prefix = `stampbook-test-${randomUUID().slice(0, 8)}`;
    const config = loadConfig({
      PUBLIC_URL: "http://localhost:8787",
      DATABASE_URL: "sqlite::memory:",
      REDIS_URL: redisUrl!,
      TILL_VERIFY_PER_MINUTE: String(LIMIT),
      CLAIM_SWEEP_MS: "86400000",
      MINTER_KEY_SECRET: TEST_MINTER_KEY_SECRET,
    });
    const store = SqliteStore.open(":memory:");
    const apps = await Promise.all([0, 1].map(() => build({ config, store, client: chain.publicClient as PublicClient, logger: false, redisPrefix: prefix })));
    try {
      const brand = await createBrand(store, "Two tills");
      const { key } = await issueApiKey(store, brand.id, "till");
      const [a, b] = apps as [FastifyInstance, FastifyInstance];
      for (const app of [a, b, a]) expectProblem(await verify(app, key, "ZZZZ-ZZZZ-ZZZZ"), 404, "redemption_not_found");
      expectProblem(await verify(b, key, "ZZZZ-ZZZZ-ZZZZ"), 429, "rate_limited");
      expectProblem(await verify(a, key, "ZZZZ-ZZZZ-ZZZZ"), 429, "rate_limited");
    } finally {
      const admin = new Redis(redisUrl!, { maxRetriesPerRequest: 0 });
      const keys = await admin.keys(`${prefix}-rate-limit-*`);
      if (keys.length > 0) await admin.del(...keys);
      await admin.quit();
      for (const app of apps) await app.close();
      await store.close();
    }
  });
});
