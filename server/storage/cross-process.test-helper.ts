/**
 * Several OS processes taking the same offer at once, on either engine: the take worker
 * (take-worker.test-helper.ts) forked several times, and the scenarios both engines must pass. An
 * engine's test file calls `describeCrossProcessTakes("SqliteStore", engine)` with how to make a
 * fresh database and open a store on it, and keeps its engine-only tests next to it (using
 * {@link startChild}, {@link prepare} and the rest from here).
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { NewOffer, OfferKind, Reward, TakeResult } from "../offers/types.ts";
import type { Store } from "./store.ts";
import type { WorkerKeys, WorkerMembers, WorkerOpen, WorkerReport } from "./take-worker.test-helper.ts";

const takeWorker = fileURLToPath(new URL("./take-worker.test-helper.ts", import.meta.url));
const KINDS = ["perk", "drop"] as const;
export const CREATED_AT = "2025-01-01T00:00:00.000Z";
export const ROOMY = { offers: 100, tokens: 100 };

/** Where a database is, as the take worker takes it. */
export interface WorkerDatabase {
  /** `sqlite:<path>` or `postgres://…` */
  url: string;
  /** The PostgreSQL schema; none on SQLite. */
  schema?: string;
}

/** What the shared scenarios need to know of an engine. */
export interface CrossProcessEngine {
  /** What a new database is called in test names ("file", "schema"). */
  databaseNoun: string;
  /** Where a new, empty database (not yet created or migrated) is. */
  freshDatabase(): WorkerDatabase;
  /** A store on `db` (creating and migrating it if needed), as the test's own, outside the workers. */
  open(db: WorkerDatabase): Promise<Store>;
  /** The single number a `SELECT … AS n FROM takes …` query answers on `db`, read outside every store. */
  count(db: WorkerDatabase, sql: string): Promise<number>;
  /** The versions recorded in `db`'s schema_migrations, in order. */
  appliedMigrations(db: WorkerDatabase): Promise<number[]>;
  /** The versions of every migration the engine knows, in order. */
  migrationVersions: readonly number[];
}

export function offer(kind: OfferKind, overrides: Partial<NewOffer> = {}): NewOffer {
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

/** A fresh database holding brand "b" and, if given, offers. */
export async function prepare(engine: CrossProcessEngine, ...offers: NewOffer[]): Promise<WorkerDatabase> {
  const db = engine.freshDatabase();
  const store = await engine.open(db);
  try {
    await store.createBrand({ id: "b", name: "B", createdAt: CREATED_AT });
    for (const o of offers) expect((await store.createOffer(o, ROOMY)).status).toBe("created");
  } finally {
    await store.close();
  }
  return db;
}

export interface Child {
  process: ChildProcess;
  /** Resolves with the first message satisfying `match`, or rejects if the child exits first. */
  message<T>(match: (m: unknown) => boolean): Promise<T>;
  exited: Promise<number | null>;
}

const children: Child[] = [];

/** Kills the children {@link startChild} started that are still running: for an `afterEach`. */
export function stopChildren(): void {
  for (const c of children.splice(0)) if (c.process.exitCode === null) c.process.kill();
}

/** Forks `script` (a .ts file) with `args` and an IPC channel. */
export function startChild(script: string, args: string[]): Child {
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

export interface WorkerOptions {
  kind: OfferKind;
  offerId: string;
  workers: number;
  attempts: number;
  members?: WorkerMembers;
  keys?: WorkerKeys;
  open?: WorkerOpen;
}

/** Starts `o.workers` take workers on `db`, lets them all go at once and returns their reports (each must exit 0). */
export async function runWorkers(db: WorkerDatabase, o: WorkerOptions): Promise<WorkerReport[]> {
  const args = (w: number) => [db.url, db.schema ?? "-", o.kind, o.offerId, String(o.attempts), String(w), o.members ?? "one", o.keys ?? "own", o.open ?? "open-first"];
  const started = Array.from({ length: o.workers }, (_, w) => startChild(takeWorker, args(w)));
  await Promise.all(started.map((c) => c.message(isType("ready"))));
  const reports = started.map((c) => c.message<WorkerReport>(isType("done")));
  for (const c of started) c.process.send("go"); // all start together
  const done = await Promise.all(reports);
  expect(await Promise.all(started.map((c) => c.exited))).toEqual(started.map(() => 0));
  return done;
}

/** The workers' counts of each take status, added up. */
export function sum(reports: WorkerReport[]): Partial<Record<TakeResult["status"], number>> {
  const total: Partial<Record<TakeResult["status"], number>> = {};
  for (const r of reports) {
    for (const [status, n] of Object.entries(r.counts) as [TakeResult["status"], number][]) total[status] = (total[status] ?? 0) + n;
  }
  return total;
}

/** The scenarios every engine must pass with several processes taking the same offer at once. */
export function describeCrossProcessTakes(name: string, engine: CrossProcessEngine): void {
  describe(`${name} shared by several processes`, () => {
    beforeAll(() => {
      expect(Number(process.versions.node.split(".")[0])).toBeGreaterThanOrEqual(24);
    });
    afterEach(stopChildren);

    for (const kind of KINDS) {
      it(`4 processes x 250 concurrent takes of a ${kind}, one member, limit 1 per member: exactly 1 take`, async () => {
        const db = await prepare(engine, offer(kind, { limits: { perMember: 1, total: null } }));
        const reports = await runWorkers(db, { kind, offerId: "o", workers: 4, attempts: 250 });
        expect(reports).toHaveLength(4);
        expect(sum(reports)).toEqual({ created: 1, member_limit_reached: 999 });
        expect(await engine.count(db, "SELECT count(*) AS n FROM takes")).toBe(1);
      });

      it(`4 processes x 50 members racing for a ${kind} of 7 in total: exactly 7 takes`, async () => {
        const db = await prepare(engine, offer(kind, { limits: { perMember: 1, total: 7 } }));
        const reports = await runWorkers(db, { kind, offerId: "o", workers: 4, attempts: 50, members: "each" });
        expect(sum(reports)).toEqual({ created: 7, total_limit_reached: 193 });
        expect(await engine.count(db, "SELECT count(*) AS n FROM takes")).toBe(7);
        expect(await engine.count(db, "SELECT count(DISTINCT member) AS n FROM takes")).toBe(7);
      });

      it(`4 processes x 100 takes of a ${kind} by the same 10 members, 3 per member and 20 in total: 20 takes, nobody over 3`, async () => {
        const db = await prepare(engine, offer(kind, { limits: { perMember: 3, total: 20 } }));
        const reports = await runWorkers(db, { kind, offerId: "o", workers: 4, attempts: 100, members: "ten" });
        const counts = sum(reports);
        expect(counts.created).toBe(20);
        expect((counts.member_limit_reached ?? 0) + (counts.total_limit_reached ?? 0)).toBe(380);
        expect(await engine.count(db, "SELECT count(*) AS n FROM takes")).toBe(20);
        expect(await engine.count(db, "SELECT max(n) AS n FROM (SELECT count(*) AS n FROM takes GROUP BY member) AS per_member")).toBeLessThanOrEqual(3);
      });

      it(`4 processes retrying the same 50 keys of a ${kind} at once: 50 takes, every retry a replay of the same take`, async () => {
        const db = await prepare(engine, offer(kind));
        const reports = await runWorkers(db, { kind, offerId: "o", workers: 4, attempts: 50, keys: "shared" });
        expect(sum(reports)).toEqual({ created: 50, replayed: 150 });
        for (let i = 0; i < 50; i++) {
          const ids = new Set(reports.map((r) => r.takeIds[i]));
          expect(ids.size, `key k${i}`).toBe(1);
        }
        expect(await engine.count(db, "SELECT count(*) AS n FROM takes")).toBe(50);
      });
    }

    it(`4 processes opening a brand-new ${engine.databaseNoun} at once apply the migrations exactly once`, async () => {
      const db = engine.freshDatabase();
      const reports = await runWorkers(db, { kind: "perk", offerId: "o", workers: 4, attempts: 1, open: "open-on-go" });
      expect(sum(reports)).toEqual({ offer_not_found: 4 });
      expect(await engine.appliedMigrations(db)).toEqual(engine.migrationVersions);
    });
  });
}
