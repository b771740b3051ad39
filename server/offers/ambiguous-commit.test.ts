/**
 * A write whose outcome the client cannot know: PostgreSQL records a redemption (or a claim's
 * reservation), and the connection drops before the answer comes back (test/support/tcp-proxy.ts
 * holds the replies, then cuts). The client hears 503 `store_unavailable`; once the database is back
 * it retries with the same Idempotency-Key and gets that one redemption (200, the same id and code),
 * never a second. And when the connection drops before the write reached the database, the same
 * retry records it once (201). Skipped with a loud line where PostgreSQL cannot be reached at
 * TEST_POSTGRES_URL, never under CI=true.
 */
import type { FastifyInstance } from "fastify";
import type { PublicClient } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createThrowawayDatabase, type ThrowawayDatabase } from "../../scripts/throwaway-database.ts";
import { DEMO_TYPES, startChain, type DemoChain } from "../../test/support/chain.ts";
import { expectProblem } from "../../test/support/problems.ts";
import { bearer } from "../../test/support/server.ts";
import { POSTGRES_SKIPS, postgresForTests } from "../../test/support/services.ts";
import { siweSignIn, viaInject } from "../../test/support/siwe.ts";
import { startTcpProxy, type TcpProxy } from "../../test/support/tcp-proxy.ts";
import { registerCollection } from "../../test/support/tenancy.ts";
import { build } from "../app.ts";
import { loadConfig } from "../config.ts";

const postgresUrl = postgresForTests("a redemption whose commit the client never heard of (server/offers/ambiguous-commit.test.ts)");
const OPERATOR_TOKEN = "operator-token-for-the-ambiguous-commit-test-0123";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(postgresUrl === null)(`A write whose answer was lost when the database connection dropped (${POSTGRES_SKIPS})`, () => {
  let database: ThrowawayDatabase;
  let proxy: TcpProxy;
  let chain: DemoChain;
  let app: FastifyInstance;
  let token: string;
  let perk: string;

  beforeAll(async () => {
    chain = await startChain();
    await chain.mint(chain.members[0]!.account!.address, DEMO_TYPES.stamp);
    database = await createThrowawayDatabase(postgresUrl!, { variable: "TEST_POSTGRES_URL", prefix: "stampbook_ambiguous" });
    const target = new URL(database.url);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const config = loadConfig({
      PUBLIC_URL: "http://localhost:8787",
      DATABASE_URL: Object.assign(new URL(database.url), { hostname: "127.0.0.1", port: String(proxy.port) }).toString(),
      DATABASE_POOL_SIZE: "2",
      OPERATOR_TOKEN,
      OWNERSHIP_CACHE_MS: "0",
    });
    app = await build({ config, client: chain.publicClient as PublicClient, logger: false });
    const created = await app.inject({ method: "POST", url: "/v1/operator/brands", headers: bearer(OPERATOR_TOKEN), payload: { name: "Careful Coffee", keyLabel: "tests" } });
    expect(created.statusCode, created.body).toBe(201);
    const apiKey = created.json().key.apiKey as string;
    const registered = await registerCollection(app, apiKey, chain.brand, chain.collection.address);
    expect(registered.statusCode, registered.body).toBe(201);
    const made = await app.inject({
      method: "POST",
      url: "/v1/admin/perks",
      headers: bearer(apiKey),
      payload: { title: "A tasting", rule: { type: "holds", collection: chain.collection.address, tokenId: DEMO_TYPES.stamp.toString() }, limits: { perMember: null, total: null } },
    });
    expect(made.statusCode, made.body).toBe(201);
    perk = made.json().id;
    token = await siweSignIn(viaInject(app), chain.members[0]!);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await proxy?.close();
    await database?.drop();
  });

  const redeem = (key: string) => app.inject({ method: "POST", url: `/v1/perks/${perk}/redeem`, headers: { ...bearer(token), "idempotency-key": key } });

  async function untilReady() {
    for (let i = 0; i < 100; i++) {
      if ((await app.inject({ method: "GET", url: "/readyz" })).statusCode === 200) return;
      await sleep(50);
    }
    throw new Error("not ready again within 5 s");
  }

  async function redemptionsWith(key: string): Promise<Array<{ id: string; code: string }>> {
    const { default: pg } = await import("pg");
    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    try {
      return (await db.query<{ id: string; code: string }>("SELECT id, code FROM takes WHERE idempotency_key = $1", [key])).rows;
    } finally {
      await db.end();
    }
  }

  it("committed, then the connection dropped before the answer: 503, and the retry gets that redemption", async () => {
    const key = `committed-${crypto.randomUUID()}`;
    // The key travels with two statements: the look-up of an earlier take, then the insert that takes the perk.
    const held = proxy.holdRepliesAfter(key, 2);
    const first = redeem(key);
    await held;
    // The insert reached the database and commits there; its answer is held back. Then the line drops.
    await sleep(300);
    proxy.cut();
    expectProblem(await first, 503, "store_unavailable");
    const recorded = await redemptionsWith(key);
    expect(recorded).toHaveLength(1);

    proxy.restore();
    await untilReady();
    const retry = await redeem(key);
    expect(retry.statusCode, retry.body).toBe(200);
    expect(retry.json()).toMatchObject({ id: recorded[0]!.id, code: recorded[0]!.code });
    expect(await redemptionsWith(key)).toHaveLength(1);
  });

  it("dropped before the write reached the database: 503, and the retry records it once", async () => {
    const key = `never-sent-${crypto.randomUUID()}`;
    // Held after the look-up: the insert is never sent.
    const held = proxy.holdRepliesAfter(key, 1);
    const first = redeem(key);
    const which = await Promise.race([held.then(() => "held"), first.then((r) => `answered ${r.statusCode} ${r.body}`), sleep(5000).then(() => "timeout")]);
    expect(which).toBe("held");
    await sleep(100);
    proxy.cut();
    expectProblem(await first, 503, "store_unavailable");
    expect(await redemptionsWith(key)).toEqual([]);

    proxy.restore();
    await untilReady();
    const retry = await redeem(key);
    expect(retry.statusCode, retry.body).toBe(201);
    expect(await redemptionsWith(key)).toEqual([{ id: retry.json().id, code: retry.json().code }]);
  });
});
