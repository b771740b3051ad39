/**
 * Revocation across API instances sharing one store: with Redis, a grant revoked on one instance is
 * seen revoked on the other at once, though each caches a member's grants for a minute; an instance
 * without Redis keeps its cached list until the cache ends (the bound the broadcast removes). A
 * consent rule follows: the other instance's listing locks the perk at once, and even an instance
 * with a stale cache refuses the redemption (it re-reads grants); a brand's read is refused
 * everywhere at once (never cached). An erasure on one instance ends the member's sessions on all.
 */
import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { PublicClient } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChain, type DemoChain } from "../../test/support/chain.ts";
import { bearer, TEST_MINTER_KEY_SECRET } from "../../test/support/server.ts";
import { REDIS_SKIPS, redisForTests } from "../../test/support/services.ts";
import { siweSignIn, viaInject } from "../../test/support/siwe.ts";
import { build } from "../app.ts";
import { createBrand, issueApiKey } from "../brands/accounts.ts";
import { createSiweMessage } from "viem/siwe";
import { ERASURE_STATEMENT } from "../../sdk/src/protocol/statements.ts";
import { loadConfig } from "../config.ts";
import { SqliteStore, type Store } from "../storage/index.ts";

const redisUrl = redisForTests("consent revocation across API instances (server/member-data/instances.test.ts)");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let chain: DemoChain;
let store: Store;
let brandId: string;
let apiKey: string;
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  chain = await startChain();
  store = SqliteStore.open(":memory:");
  brandId = (await createBrand(store, "Demo Coffee Club")).id;
  apiKey = (await issueApiKey(store, brandId, "tests")).key;
});
afterAll(async () => {
  for (const app of apps.splice(0)) await app.close();
  await store?.close();
});

async function instance(env: Record<string, string>, redisPrefix?: string): Promise<FastifyInstance> {
  const config = loadConfig({ PUBLIC_URL: "http://localhost:8787", DATABASE_URL: "sqlite::memory:", AUTH_RATE_LIMIT_PER_MINUTE: "100000", CLAIM_SWEEP_MS: "86400000", MINTER_KEY_SECRET: TEST_MINTER_KEY_SECRET, ...env });
  const app = await build({ config, store, client: chain.publicClient as PublicClient, logger: false, ...(redisPrefix === undefined ? {} : { redisPrefix }) });
  apps.push(app);
  return app;
}

const statusOn = async (app: FastifyInstance, token: string, id: string) =>
  ((await app.inject({ method: "GET", url: "/v1/me/consents", headers: bearer(token) })).json().items as { id: string; status: string }[]).find((c) => c.id === id)?.status;

describe.skipIf(redisUrl === null)(`with REDIS_URL (${REDIS_SKIPS})`, () => {
  it("a grant revoked on one instance is revoked on the other at once, though it caches grants for a minute", async () => {
    const prefix = `stampbook-test-${randomUUID().slice(0, 8)}`;
    const env = { REDIS_URL: redisUrl!, SESSION_CACHE_MS: "60000" };
    const [a, b] = [await instance(env, prefix), await instance(env, prefix)];
    const quiet = await instance({ SESSION_CACHE_MS: "60000" });
    const member = chain.members[0]!;
    const token = await siweSignIn(viaInject(a), member);
    const request = await store.createDataRequest({ id: `req-${randomUUID()}`, brandId, fields: ["birthday"], purpose: "to send you a birthday treat", retentionDays: 30, perkId: null, createdAt: new Date().toISOString() });

    // Every instance caches the member's (empty) list, then sees the grant: granting is broadcast too.
    for (const app of [a, b]) expect((await app.inject({ method: "GET", url: "/v1/me/consents", headers: bearer(token) })).json().items).toEqual([]);
    const template = (await a.inject({ method: "GET", url: `/v1/consents/template?request=${request.id}`, headers: bearer(token) })).json();
    const signature = await member.signMessage({ account: member.account!, message: template.message });
    const granted = await a.inject({ method: "POST", url: "/v1/consents", headers: bearer(token), payload: { message: template.message, signature } });
    expect(granted.statusCode, granted.body).toBe(201);
    const id = granted.json().id;
    for (const app of [a, quiet]) expect(await statusOn(app, token, id)).toBe("active");
    const grantedAt = performance.now();
    while ((await statusOn(b, token, id)) !== "active") {
      expect(performance.now() - grantedAt, "the grant reached B").toBeLessThan(5_000);
      await sleep(10);
    }

    expect((await a.inject({ method: "DELETE", url: `/v1/me/consents/${id}`, headers: bearer(token) })).statusCode).toBe(204);
    expect(await statusOn(a, token, id)).toBe("revoked");
    const since = performance.now();
    while ((await statusOn(b, token, id)) !== "revoked") {
      expect(performance.now() - since, "the grant was revoked on B").toBeLessThan(5_000);
      await sleep(10);
    }
    // Without Redis an instance serves its cached list until the cache ends: what the broadcast removes.
    expect(await statusOn(quiet, token, id)).toBe("active");
  });

  it("a revocation locks a consent perk on the other instance at once; a stale instance still refuses the redemption; brand reads stop everywhere", async () => {
    const prefix = `stampbook-test-${randomUUID().slice(0, 8)}`;
    const env = { REDIS_URL: redisUrl!, SESSION_CACHE_MS: "60000", OWNERSHIP_CACHE_MS: "60000" };
    const [a, b] = [await instance(env, prefix), await instance(env, prefix)];
    const quiet = await instance({ SESSION_CACHE_MS: "60000", OWNERSHIP_CACHE_MS: "60000" });
    const member = chain.members[1]!;
    const token = await siweSignIn(viaInject(a), member);
    const request = await a.inject({ method: "POST", url: "/v1/admin/data-requests", headers: bearer(apiKey), payload: { fields: ["birthday"], purpose: "to send you a birthday treat", retentionDays: 30 } });
    expect(request.statusCode, request.body).toBe(201);
    const perk = (await a.inject({ method: "POST", url: "/v1/admin/perks", headers: bearer(apiKey), payload: { title: "Birthday treat", rule: { type: "consent", request: request.json().id } } })).json();
    const eligibleOn = async (app: FastifyInstance) => ((await app.inject({ method: "GET", url: "/v1/perks", headers: bearer(token) })).json().items as { id: string; eligible: boolean }[]).find((p) => p.id === perk.id)?.eligible;

    const template = (await a.inject({ method: "GET", url: `/v1/consents/template?request=${request.json().id}`, headers: bearer(token) })).json();
    const signature = await member.signMessage({ account: member.account!, message: template.message });
    const id = (await a.inject({ method: "POST", url: "/v1/consents", headers: bearer(token), payload: { message: template.message, signature } })).json().id;
    const grantedAt = performance.now();
    for (const app of [a, b, quiet]) {
      while (!(await eligibleOn(app))) {
        expect(performance.now() - grantedAt, "the grant unlocked the perk everywhere").toBeLessThan(5_000);
        await sleep(10);
      }
    }

    expect((await a.inject({ method: "DELETE", url: `/v1/me/consents/${id}`, headers: bearer(token) })).statusCode).toBe(204);
    const since = performance.now();
    while ((await eligibleOn(b)) !== false) {
      expect(performance.now() - since, "the perk locked on B").toBeLessThan(5_000);
      await sleep(10);
    }
    // The quiet instance still lists it from its cache, but the redemption reads grants afresh.
    expect(await eligibleOn(quiet)).toBe(true);
    const redeem = await quiet.inject({ method: "POST", url: `/v1/perks/${perk.id}/redeem`, headers: { ...bearer(token), "idempotency-key": randomUUID() } });
    expect(redeem.statusCode, redeem.body).toBe(403);
    expect(redeem.json().code).toBe("not_eligible");
    for (const app of [b, quiet]) {
      const read = await app.inject({ method: "GET", url: `/v1/admin/members/${member.account!.address}/profile`, headers: bearer(apiKey) });
      expect(read.json().code).toBe("consent_revoked");
    }
  });

  it("an erasure on one instance ends the member's sessions on the other at once", async () => {
    const prefix = `stampbook-test-${randomUUID().slice(0, 8)}`;
    const env = { REDIS_URL: redisUrl!, SESSION_CACHE_MS: "60000" };
    const [a, b] = [await instance(env, prefix), await instance(env, prefix)];
    const member = chain.members[2]!;
    const token = await siweSignIn(viaInject(a), member);
    // B has the session cached for a minute.
    expect((await b.inject({ method: "GET", url: "/v1/me/consents", headers: bearer(token) })).statusCode).toBe(200);
    const nonce = (await a.inject({ method: "GET", url: "/v1/auth/nonce" })).json();
    const message = createSiweMessage({ address: member.account!.address, chainId: nonce.chainId, domain: nonce.domain, uri: nonce.uri, nonce: nonce.nonce, version: "1", issuedAt: new Date(nonce.issuedAt), statement: ERASURE_STATEMENT });
    const erased = await a.inject({ method: "DELETE", url: "/v1/me", headers: bearer(token), payload: { message, signature: await member.signMessage({ account: member.account!, message }) } });
    expect(erased.statusCode, erased.body).toBe(200);
    const since = performance.now();
    while ((await b.inject({ method: "GET", url: "/v1/me/consents", headers: bearer(token) })).statusCode !== 401) {
      expect(performance.now() - since, "the session ended on B").toBeLessThan(5_000);
      await sleep(10);
    }
  });
});
