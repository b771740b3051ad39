/**
 * The PostgreSQL driver when the network fails under it, through a TCP proxy this test controls
 * (test/support/tcp-proxy.ts): a connection dropped while a transaction holds it rejects that
 * transaction with StoreUnavailableError instead of ending the process with an unhandled `'error'`
 * event; a silent server times out; the broken connections leave the pool and the next transaction,
 * once the server is back, simply works. Skipped with a loud line where PostgreSQL cannot be reached
 * at TEST_POSTGRES_URL, never under CI=true.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { freshSchema, POSTGRES_SKIPS, postgresForTests } from "../../../test/support/services.ts";
import { startTcpProxy, type TcpProxy } from "../../../test/support/tcp-proxy.ts";
import { StoreUnavailableError } from "../errors.ts";
import { PostgresDatabase } from "./database.ts";

const url = postgresForTests("the PostgreSQL driver under network faults");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(url === null)(`PostgreSQL driver under network faults (${POSTGRES_SKIPS})`, () => {
  let proxy: TcpProxy;
  let db: PostgresDatabase;
  const escaped: unknown[] = [];
  const onEscape = (error: unknown) => escaped.push(error);

  beforeAll(() => {
    // An 'error' event nobody handles arrives here (vitest keeps the process alive): it must not.
    process.on("uncaughtException", onEscape);
    process.on("unhandledRejection", onEscape);
  });
  afterAll(() => {
    process.off("uncaughtException", onEscape);
    process.off("unhandledRejection", onEscape);
  });

  beforeEach(async () => {
    const target = new URL(url!);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const proxied = Object.assign(new URL(url!), { hostname: "127.0.0.1", port: String(proxy.port) }).toString();
    db = await PostgresDatabase.connect(proxied, { schema: freshSchema(), poolSize: 3, timeoutMs: 1_000, lockTimeoutMs: 500 });
  });
  afterEach(async () => {
    await db.close().catch(() => undefined);
    await proxy.close();
  });

  it("a connection cut while transactions hold it: they reject as unavailable, nothing escapes, the next one works", async () => {
    // Three transactions waiting inside (the server silent), then their connections are cut.
    proxy.blackhole();
    const held = Array.from({ length: 3 }, () => db.transaction(async (tx) => tx.get("SELECT 1 AS one")).then(() => "committed", (error: unknown) => error));
    await sleep(200);
    proxy.cut();
    for (const outcome of await Promise.all(held)) expect(outcome).toBeInstanceOf(StoreUnavailableError);
    await expect(db.get("SELECT 1 AS one")).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(db.transaction(async (tx) => tx.get("SELECT 1 AS one"))).rejects.toBeInstanceOf(StoreUnavailableError);

    proxy.restore();
    expect(await db.transaction(async (tx) => tx.get<{ one: number }>("SELECT 1 AS one"))).toEqual({ one: 1 });
    expect(await db.get<{ one: number }>("SELECT 1 AS one")).toEqual({ one: 1 });
    expect(escaped).toEqual([]);
  });

  it("a server that goes silent: statements and connecting give up after the timeout as unavailable, then recover", async () => {
    await db.get("SELECT 1");
    proxy.blackhole();
    const started = Date.now();
    await expect(db.transaction(async (tx) => tx.get("SELECT 1"))).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(db.get("SELECT 1")).rejects.toBeInstanceOf(StoreUnavailableError);
    // Generous: it gave up rather than waited for the network to come back.
    expect(Date.now() - started).toBeLessThan(10_000);
    proxy.restore();
    expect(await db.get<{ one: number }>("SELECT 1 AS one")).toEqual({ one: 1 });
    expect(escaped).toEqual([]);
  });

  it("a connection cut in the middle of a transaction's statements rolls it back on the server: nothing half-written", async () => {
    await db.run("CREATE TABLE faults_probe (id INTEGER PRIMARY KEY)");
    const failed = db
      .transaction(async (tx) => {
        await tx.run("INSERT INTO faults_probe (id) VALUES (1)");
        proxy.cut();
        await tx.run("INSERT INTO faults_probe (id) VALUES (2)");
      })
      .catch((error: unknown) => error);
    expect(await failed).toBeInstanceOf(StoreUnavailableError);
    proxy.restore();
    // The server ends the transaction with its connection: neither row was kept.
    let rows: unknown[] = [];
    for (let i = 0; i < 20; i++) {
      rows = await db.all("SELECT id FROM faults_probe");
      if (rows.length === 0) break;
      await sleep(100);
    }
    expect(rows).toEqual([]);
    expect(escaped).toEqual([]);
  });
});
