import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import Fastify from "fastify";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { frameworkErrors, problemsPlugin } from "../../plugins/problems.ts";
import { CREATED_AT, describeCrossProcessTakes, offer, prepare, ROOMY, startChild, stopChildren, type CrossProcessEngine, type WorkerDatabase } from "../cross-process.test-helper.ts";
import { StoreBusyError } from "../errors.ts";
import type { Store } from "../store.ts";
import { migrations } from "./migrations.ts";
import { SqliteStore } from "./sqlite-store.ts";
import { dropKind } from "../../drops/kind.ts";

// Several OS processes sharing one database file: the deployment where the API runs more than one
// worker process, or a CLI writes while the server runs. The take races every engine must survive
// are in ../cross-process.test-helper.ts; what only SQLite has (one write lock per file, waited for
// up to busy_timeout) is tested here.

const lockHolder = fileURLToPath(new URL("./lock-holder.test-helper.ts", import.meta.url));

const dir = mkdtempSync(join(tmpdir(), "stampbook-cross-process-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

/** The file a `sqlite:<path>` database URL names. */
const pathOf = (db: WorkerDatabase) => db.url.slice("sqlite:".length);

/** The rows `sql` answers on `db`'s file, read by a connection of the test's own. */
function query<T>(db: WorkerDatabase, sql: string): T[] {
  const raw = new DatabaseSync(pathOf(db), { readOnly: true });
  try {
    return raw.prepare(sql).all() as T[];
  } finally {
    raw.close();
  }
}

const sqlite: CrossProcessEngine = {
  databaseNoun: "file",
  freshDatabase: () => ({ url: `sqlite:${join(dir, `shared-${++files}.db`)}` }),
  open: async (db) => SqliteStore.open(pathOf(db)),
  count: async (db, sql) => Number(query<{ n: number }>(db, sql)[0]!.n),
  appliedMigrations: async (db) => query<{ version: number }>(db, "SELECT version FROM schema_migrations ORDER BY version").map((r) => Number(r.version)),
  migrationVersions: migrations.map((m) => m.version),
};

describeCrossProcessTakes("SqliteStore", sqlite);

describe("SqliteStore shared by several processes: another process holding the write lock", () => {
  afterEach(stopChildren);

  /** Starts a process that holds the write lock on `path` for `holdMs`; resolves once it holds it. */
  async function holdLock(path: string, holdMs: number): Promise<{ released: Promise<unknown> }> {
    const holder = startChild(lockHolder, [path, String(holdMs)]);
    const released = holder.message((m) => m === "released");
    await holder.message((m) => m === "locked");
    return { released };
  }

  it("a write waits for another process's lock (busy_timeout) instead of failing", async () => {
    const path = pathOf(sqlite.freshDatabase());
    const store = SqliteStore.open(path);
    try {
      const { released } = await holdLock(path, 400);
      const t0 = performance.now();
      expect(await store.useNonce("waited", "2099-01-01T00:00:00.000Z")).toBe(true);
      expect(performance.now() - t0).toBeGreaterThan(200);
      await released;
      expect(await store.useNonce("waited", "2099-01-01T00:00:00.000Z")).toBe(false);
    } finally {
      await store.close();
    }
  });

  it("gives up with SQLITE_BUSY once busy_timeout has passed", async () => {
    const path = pathOf(sqlite.freshDatabase());
    const store = SqliteStore.open(path, { busyTimeoutMs: 50 });
    try {
      const { released } = await holdLock(path, 2000);
      await expect(store.useNonce("impatient", "2099-01-01T00:00:00.000Z")).rejects.toBeInstanceOf(StoreBusyError);
      await released;
      // The failed attempt recorded nothing.
      expect(await store.useNonce("impatient", "2099-01-01T00:00:00.000Z")).toBe(true);
    } finally {
      await store.close();
    }
  });

  it("a take while another process holds the lock past the busy timeout: StoreBusyError, nothing recorded", async () => {
    const path = pathOf(await prepare(sqlite, offer("drop")));
    const store = SqliteStore.open(path, { busyTimeoutMs: 50 });
    const input = { offerId: "o", kind: "drop", member: `0x${"a".repeat(40)}`, idempotencyKey: "k", id: "t", code: null, policy: dropKind.takes, now: CREATED_AT } as const;
    try {
      const { released } = await holdLock(path, 1000);
      await expect(store.take(input)).rejects.toBeInstanceOf(StoreBusyError);
      await expect(store.createOffer(offer("perk", { id: "p" }), ROOMY)).rejects.toBeInstanceOf(StoreBusyError);
      await released;
      expect(await store.findTake("drop", input.member, "k")).toBeNull();
      expect(await store.getOffer("p")).toBeNull();
      expect((await store.take(input)).status).toBe("created");
    } finally {
      await store.close();
    }
  });

  it("a write through the API while another process holds the lock past the busy timeout: 503 store_busy, nothing recorded", async () => {
    const path = pathOf(await prepare(sqlite));
    const store: Store = SqliteStore.open(path, { busyTimeoutMs: 50 });
    // The problems plugin maps errors to responses; a bare route stands in for the offer routes.
    const app = Fastify({ logger: false, frameworkErrors });
    await app.register(problemsPlugin);
    app.post("/offers", async (_request, reply) => reply.status(201).send(await store.createOffer(offer("perk"), ROOMY)));
    await app.ready();
    const createOffer = () => app.inject({ method: "POST", url: "/offers" });
    try {
      const { released } = await holdLock(path, 1000);
      const busy = await createOffer();
      expect(busy.statusCode).toBe(503);
      expect(busy.headers["retry-after"]).toBe("1");
      expect(busy.json()).toMatchObject({ code: "store_busy", status: 503 });
      await released;
      expect(await store.listOffers()).toEqual([]);
      expect((await createOffer()).statusCode).toBe(201);
      expect((await store.listOffers()).map((o) => o.id)).toEqual(["o"]);
    } finally {
      await app.close();
      await store.close();
    }
  });
});
