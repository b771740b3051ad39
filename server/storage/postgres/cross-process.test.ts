import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { freshSchema, postgresForTests } from "../../../test/support/services.ts";
import type { NewOffer, OfferKind, Reward, TakeResult } from "../../offers/types.ts";
import { StoreBusyError } from "../errors.ts";
import { postgresMigrations } from "./migrations.ts";
import { PostgresStore } from "./postgres-store.ts";
import type { WorkerKeys, WorkerMembers, WorkerOpen, WorkerReport } from "./take-worker.test-helper.ts";

// Several OS processes on one PostgreSQL schema: the deployment where several API instances share
// one database. Each process has its own pool; only the database's row locks and unique indexes
// stand between them. Skipped with a loud line where PostgreSQL cannot be reached, never under CI=true.

const takeWorker = fileURLToPath(new URL("./take-worker.test-helper.ts", import.meta.url));
const KINDS = ["perk", "drop"] as const;
const CREATED_AT = "2025-01-01T00:00:00.000Z";
const ROOMY = { offers: 100, tokens: 100 };

function offer(kind: OfferKind, overrides: Partial<NewOffer> = {}): NewOffer {
  const reward: Reward = kind === "perk" ? { type: "code" } : { type: "token", collection: `0x${"e".repeat(40)}`, tokenId: "1", amount: "1", mode: "mint" };
  return {
    id: "o",
    brandId: "b",
    kind,
    title: "Shared",
    description: "",
    rule: null,
    tokens: [],
    limits: { perMember: null, total: null },
    startsAt: null,
    endsAt: null,
    reward,
    createdAt: CREATED_AT,
    ...overrides,
  };
}

interface Child {
  process: ChildProcess;
  /** Resolves with the first message satisfying `match`, or rejects if the child exits first. */
  message<T>(match: (m: unknown) => boolean): Promise<T>;
  exited: Promise<number | null>;
}

const children: Child[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.process.exitCode === null) c.process.kill();
});

function start(script: string, args: string[]): Child {
  // process.execPath is the Node 24 that runs vitest (npx puts the project's `node` first), which
  // runs .ts files directly by stripping their types. execArgv: [] keeps vitest's flags away.
  const child = fork(script, args, { execPath: process.execPath, execArgv: [], stdio: ["ignore", "inherit", "pipe", "ipc"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const handle: Child = {
    process: child,
    exited,
    message: <T,>(match: (m: unknown) => boolean) =>
      new Promise<T>((resolve, reject) => {
        const onMessage = (m: unknown) => {
          if (!match(m)) return;
          child.off("message", onMessage);
          resolve(m as T);
        };
        child.on("message", onMessage);
        void exited.then((code) => reject(new Error(`${script} exited with ${code} before answering:\n${stderr}`)));
      }),
  };
  children.push(handle);
  return handle;
}

const isType = (type: string) => (m: unknown) => typeof m === "object" && m !== null && (m as { type?: unknown }).type === type;

function sum(reports: WorkerReport[]): Partial<Record<TakeResult["status"], number>> {
  const total: Partial<Record<TakeResult["status"], number>> = {};
  for (const r of reports) {
    for (const [status, n] of Object.entries(r.counts) as [TakeResult["status"], number][]) total[status] = (total[status] ?? 0) + n;
  }
  return total;
}

const url = postgresForTests("PostgresStore shared by several processes");

if (url === null) {
  describe.skip("PostgresStore shared by several processes (PostgreSQL not reachable)", () => it("skipped", () => {}));
} else {
  describe("PostgresStore shared by several processes", () => {
    // A connection of the test's own, outside every store: counts what the workers left behind.
    const client = new pg.Client({ connectionString: url });
    const schemas: string[] = [];

    beforeAll(async () => {
      expect(Number(process.versions.node.split(".")[0])).toBeGreaterThanOrEqual(24);
      await client.connect();
    });

    afterAll(async () => {
      for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    });

    /** A fresh schema holding brand "b" and, if given, offers. */
    async function prepare(...offers: NewOffer[]): Promise<string> {
      const schema = freshSchema();
      schemas.push(schema);
      const store = await PostgresStore.connect(url!, { schema, poolSize: 1 });
      try {
        await store.createBrand({ id: "b", name: "B", createdAt: CREATED_AT });
        for (const o of offers) expect((await store.createOffer(o, ROOMY)).status).toBe("created");
      } finally {
        await store.close();
      }
      return schema;
    }

    async function count(schema: string, sql: string): Promise<number> {
      const result = await client.query<{ n: string }>(sql.replace("FROM takes", `FROM ${schema}.takes`));
      return Number(result.rows[0]!.n);
    }

    interface WorkerOptions {
      kind: OfferKind;
      offerId: string;
      workers: number;
      attempts: number;
      members?: WorkerMembers;
      keys?: WorkerKeys;
      open?: WorkerOpen;
    }

    async function runWorkers(schema: string, o: WorkerOptions): Promise<WorkerReport[]> {
      const args = (w: number) => [url!, schema, o.kind, o.offerId, String(o.attempts), String(w), o.members ?? "one", o.keys ?? "own", o.open ?? "open-first"];
      const started = Array.from({ length: o.workers }, (_, w) => start(takeWorker, args(w)));
      await Promise.all(started.map((c) => c.message(isType("ready"))));
      const reports = started.map((c) => c.message<WorkerReport>(isType("done")));
      for (const c of started) c.process.send("go"); // all start together
      const done = await Promise.all(reports);
      expect(await Promise.all(started.map((c) => c.exited))).toEqual(started.map(() => 0));
      return done;
    }

    for (const kind of KINDS) {
      it(`4 processes x 250 concurrent takes of a ${kind}, one member, limit 1 per member: exactly 1 take`, async () => {
        const schema = await prepare(offer(kind, { limits: { perMember: 1, total: null } }));
        const reports = await runWorkers(schema, { kind, offerId: "o", workers: 4, attempts: 250 });
        expect(reports).toHaveLength(4);
        expect(sum(reports)).toEqual({ created: 1, member_limit_reached: 999 });
        expect(await count(schema, "SELECT count(*) AS n FROM takes")).toBe(1);
      });

      it(`4 processes x 50 members racing for a ${kind} of 7 in total: exactly 7 takes`, async () => {
        const schema = await prepare(offer(kind, { limits: { perMember: 1, total: 7 } }));
        const reports = await runWorkers(schema, { kind, offerId: "o", workers: 4, attempts: 50, members: "each" });
        expect(sum(reports)).toEqual({ created: 7, total_limit_reached: 193 });
        expect(await count(schema, "SELECT count(*) AS n FROM takes")).toBe(7);
        expect(await count(schema, "SELECT count(DISTINCT member) AS n FROM takes")).toBe(7);
      });

      it(`4 processes x 100 takes of a ${kind} by the same 10 members, 3 per member and 20 in total: 20 takes, nobody over 3`, async () => {
        const schema = await prepare(offer(kind, { limits: { perMember: 3, total: 20 } }));
        const reports = await runWorkers(schema, { kind, offerId: "o", workers: 4, attempts: 100, members: "ten" });
        const counts = sum(reports);
        expect(counts.created).toBe(20);
        expect((counts.member_limit_reached ?? 0) + (counts.total_limit_reached ?? 0)).toBe(380);
        expect(await count(schema, "SELECT count(*) AS n FROM takes")).toBe(20);
        expect(await count(schema, "SELECT max(n) AS n FROM (SELECT count(*) AS n FROM takes GROUP BY member) AS per_member")).toBeLessThanOrEqual(3);
      });

      it(`4 processes retrying the same 50 keys of a ${kind} at once: 50 takes, every retry a replay of the same take`, async () => {
        const schema = await prepare(offer(kind));
        const reports = await runWorkers(schema, { kind, offerId: "o", workers: 4, attempts: 50, keys: "shared" });
        expect(sum(reports)).toEqual({ created: 50, replayed: 150 });
        for (let i = 0; i < 50; i++) {
          const ids = new Set(reports.map((r) => r.takeIds[i]));
          expect(ids.size, `key k${i}`).toBe(1);
        }
        expect(await count(schema, "SELECT count(*) AS n FROM takes")).toBe(50);
      });
    }

    it("4 processes connecting to a brand-new schema at once apply the migrations exactly once", async () => {
      const schema = freshSchema();
      schemas.push(schema);
      const reports = await runWorkers(schema, { kind: "perk", offerId: "o", workers: 4, attempts: 1, open: "open-on-go" });
      expect(sum(reports)).toEqual({ offer_not_found: 4 });
      const applied = await client.query<{ version: number }>(`SELECT version FROM ${schema}.schema_migrations ORDER BY version`);
      expect(applied.rows.map((r) => Number(r.version))).toEqual(postgresMigrations.map((m) => m.version));
    });

    it("a take waits for another connection's lock on the offer, and gives up with StoreBusyError after lockTimeoutMs, recording nothing", async () => {
      const schema = await prepare(offer("drop"));
      const store = await PostgresStore.connect(url, { schema, poolSize: 2, lockTimeoutMs: 1_000 });
      const input = { offerId: "o", kind: "drop", member: `0x${"a".repeat(40)}`, idempotencyKey: "k", id: "t", code: null, now: CREATED_AT } as const;
      const holder = new pg.Client({ connectionString: url });
      await holder.connect();
      try {
        // Held for less than the lock timeout: the take waits, then goes through.
        await holder.query("BEGIN");
        await holder.query(`SELECT id FROM ${schema}.offers WHERE id = 'o' FOR UPDATE`);
        const t0 = performance.now();
        const waited = store.take(input);
        setTimeout(() => void holder.query("COMMIT"), 200);
        expect((await waited).status).toBe("created");
        expect(performance.now() - t0).toBeGreaterThan(150);

        // Held past it: refused as busy, and nothing is recorded.
        await holder.query("BEGIN");
        await holder.query(`SELECT id FROM ${schema}.offers WHERE id = 'o' FOR UPDATE`);
        await expect(store.take({ ...input, idempotencyKey: "k2", id: "t2" })).rejects.toBeInstanceOf(StoreBusyError);
        await holder.query("COMMIT");
        expect(await store.findTake("drop", input.member, "k2")).toBeNull();
        expect((await store.take({ ...input, idempotencyKey: "k2", id: "t2" })).status).toBe("created");
        expect(await count(schema, "SELECT count(*) AS n FROM takes")).toBe(2);
      } finally {
        await holder.query("ROLLBACK").catch(() => undefined);
        await holder.end();
        await store.close();
      }
    });
  });
}
