/**
 * `npm start` on PostgreSQL (`DATABASE_URL=postgres://…`) whose connections go silent and are then
 * cut for 3 s, under load (through a TCP proxy this test controls, test/support/tcp-proxy.ts): it
 * keeps serving. While the database is
 * away, what needs it answers 503 `store_unavailable` and `/readyz` 503; the process stays up and
 * prints no bug; once the database is back it is ready again by itself, and Ctrl-C still stops it
 * cleanly.
 *
 * Where it finds PostgreSQL: a throwaway database on the server at TEST_POSTGRES_URL
 * (test/support/services.ts); skipped with a loud line where it cannot be reached, never under CI=true.
 */
import type { Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createThrowawayDatabase, type ThrowawayDatabase } from "../../scripts/throwaway-database.ts";
import { startDemo, type DemoProcess } from "../support/demo-process.ts";
import { expectProblem } from "../support/problems.ts";
import { POSTGRES_SKIPS, postgresForTests } from "../support/services.ts";
import { signedSiwe, siweSignIn, type ApiCall } from "../support/siwe.ts";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.ts";

const postgresUrl = postgresForTests("npm start on PostgreSQL through a cut (test/e2e/start-postgres-faults.test.ts)");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(postgresUrl === null)(`npm start on PostgreSQL, its database cut for 3 s (${POSTGRES_SKIPS})`, () => {
  let database: ThrowawayDatabase | undefined;
  let proxy: TcpProxy | undefined;
  let demo: DemoProcess | undefined;

  /** A request to the demo's API, as `fetch` makes it. */
  async function call(method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(`${demo!.manifest.apiUrl}${path}`, { method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) });
    const body = await response.text();
    return { statusCode: response.status, headers: Object.fromEntries(response.headers), body, json: () => JSON.parse(body) };
  }

  beforeAll(async () => {
    database = await createThrowawayDatabase(postgresUrl!, { variable: "TEST_POSTGRES_URL", prefix: "stampbook_start_faults" });
    const target = new URL(database.url);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const proxied = Object.assign(new URL(database.url), { hostname: "127.0.0.1", port: String(proxy.port) }).toString();
    demo = await startDemo({ DATABASE_URL: proxied, LOG_LEVEL: "warn", AUTH_RATE_LIMIT_PER_MINUTE: "1000000" });
  }, 180_000);

  afterAll(async () => {
    await demo?.cleanup();
    await proxy?.close();
    await database?.drop();
  });

  it("answers 503 store_unavailable while the database is away, stays up, and is ready again by itself when it returns", async () => {
    const member = demo!.manifest.accounts[0]!;
    const viaFetch: ApiCall = (method, url, body) => call(method, url, body === undefined ? {} : { body });
    const token = await siweSignIn(viaFetch, privateKeyToAccount(member.privateKey as Hex));
    const perk = demo!.manifest.perks[0]!.id;
    expect((await call("GET", "/v1/redemptions", { token })).statusCode).toBe(200);

    // Load while it happens, 6 at a time: the brand making and withdrawing perks (each a transaction
    // that locks the brand's row to check its quota), sign-ins and reads, so connections are cut in
    // the middle of transactions, not only while idle.
    const apiKey = demo!.manifest.brand.apiKey;
    const collection = demo!.manifest.contracts.collections[0]!;
    const answers: number[] = [];
    let stop = false;
    const load = Promise.all(
      Array.from({ length: 6 }, async (_, worker) => {
        for (let round = 0; !stop; round++) {
          const made = await call("POST", "/v1/admin/perks", { token: apiKey, body: { title: `Load ${worker}-${round}`, rule: { type: "holds", collection, tokenId: "3" }, limits: { perMember: 1, total: 10 } } }).catch(() => null);
          if (made) answers.push(made.statusCode);
          if (made?.statusCode === 201) {
            const gone = await call("DELETE", `/v1/admin/perks/${made.json().id}`, { token: apiKey }).catch(() => null);
            if (gone) answers.push(gone.statusCode);
          }
          const signIn = await call("POST", "/v1/auth/verify", { body: await signedSiwe(viaFetch, privateKeyToAccount(generatePrivateKey())).catch(() => ({})) }).catch(() => null);
          if (signIn) answers.push(signIn.statusCode);
          const read = await call("GET", "/v1/redemptions", { token }).catch(() => null);
          if (read) answers.push(read.statusCode);
        }
      }),
    );
    await sleep(500);

    // First silence, so the requests under way wait inside their transactions, holding connections;
    // then the cut drops those connections under them (what ended the process before).
    proxy!.blackhole();
    await sleep(1_000);
    proxy!.cut();
    const during = await call("GET", "/v1/redemptions", { token });
    expectProblem(during, 503, "store_unavailable");
    expect(during.headers["retry-after"]).toBe("2");
    expectProblem(await call("POST", `/v1/perks/${perk}/redeem`, { token, headers: { "idempotency-key": "during-the-cut" } }), 503, "store_unavailable");
    expect((await call("GET", "/readyz")).statusCode).toBe(503);
    expect((await call("GET", "/healthz")).statusCode).toBe(200);
    await sleep(3_000);
    expect(demo!.child.exitCode, demo!.output()).toBeNull();

    proxy!.restore();
    const restored = performance.now();
    while ((await call("GET", "/readyz")).statusCode !== 200) {
      expect(performance.now() - restored, "ready again within 5 s of the database's return").toBeLessThan(5_000);
      await sleep(50);
    }
    console.log(`npm start on PostgreSQL: ready again ${Math.round(performance.now() - restored)} ms after the database returned`);
    expect((await call("GET", "/v1/redemptions", { token })).statusCode).toBe(200);
    stop = true;
    await load;
    const tally = new Map<number, number>();
    for (const status of answers) tally.set(status, (tally.get(status) ?? 0) + 1);
    console.log(`answers under load: ${[...tally].map(([status, n]) => `${n}× ${status}`).join(", ")}`);
    // Sign-ins whose nonce could not be fetched during the cut send an empty body (400); none is a 500.
    expect(answers.filter((status) => status >= 500 && status !== 503)).toEqual([]);
    expect(answers.filter((status) => status === 503).length).toBeGreaterThan(0);
    expect(demo!.child.exitCode, demo!.output()).toBeNull();
    expect(demo!.output()).not.toMatch(/unhandled rejection|uncaught exception|"msg":"unhandled error"|Emitted 'error' event/i);
    expect(await demo!.stop()).toBe(0);
  });
});
