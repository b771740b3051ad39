import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import Fastify from "fastify";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { NewOffer, OfferKind, Reward, TakeResult } from "../../offers/types.ts";
import { frameworkErrors, problemsPlugin } from "../../plugins/problems.ts";
import { StoreBusyError } from "../errors.ts";
import type { Store } from "../store.ts";
import { migrations } from "./migrations.ts";
import type { WorkerKeys, WorkerMembers, WorkerOpen, WorkerReport } from "./redeem-worker.test-helper.ts";
import { SqliteStore } from "./sqlite-store.ts";

// Several OS processes sharing one database file: the deployment where the API runs more than one
// worker process, or a CLI writes while the server runs.

const takeWorker = fileURLToPath(new URL("./redeem-worker.test-helper.ts", import.meta.url));
const lockHolder = fileURLToPath(new URL("./lock-holder.test-helper.ts", import.meta.url));
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

/** A database file holding brand "b" and, if given, one offer. */
async function prepare(path: string, ...offers: NewOffer[]): Promise<void> {
  const store = SqliteStore.open(path);
  try {
    await store.createBrand({ id: "b", name: "B", createdAt: CREATED_AT });
    for (const o of offers) expect((await store.createOffer(o, ROOMY)).status).toBe("created");
  } finally {
    await store.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), "stampbook-cross-process-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshPath = () => join(dir, `shared-${++files}.db`);

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

interface WorkerOptions {
  kind: OfferKind;
  offerId: string;
  workers: number;
  attempts: number;
  members?: WorkerMembers;
  keys?: WorkerKeys;
  open?: WorkerOpen;
}

async function runWorkers(path: string, o: WorkerOptions): Promise<WorkerReport[]> {
  const args = (w: number) => [path, o.kind, o.offerId, String(o.attempts), String(w), o.members ?? "one", o.keys ?? "own", o.open ?? "open-first"];
  const started = Array.from({ length: o.workers }, (_, w) => start(takeWorker, args(w)));
  await Promise.all(started.map((c) => c.message(isType("ready"))));
  const reports = started.map((c) => c.message<WorkerReport>(isType("done")));
  for (const c of started) c.process.send("go"); // all start together
  const done = await Promise.all(reports);
  expect(await Promise.all(started.map((c) => c.exited))).toEqual(started.map(() => 0));
  return done;
}

function sum(reports: WorkerReport[]): Partial<Record<TakeResult["status"], number>> {
  const total: Partial<Record<TakeResult["status"], number>> = {};
  for (const r of reports) {
    for (const [status, n] of Object.entries(r.counts) as [TakeResult["status"], number][]) total[status] = (total[status] ?? 0) + n;
  }
  return total;
}

function count(path: string, sql: string): number {
  const raw = new DatabaseSync(path, { readOnly: true });
  try {
    return Number((raw.prepare(sql).get() as { n: number }).n);
  } finally {
    raw.close();
  }
}

describe("SqliteStore shared by several processes", () => {
  beforeAll(() => {
    expect(Number(process.versions.node.split(".")[0])).toBeGreaterThanOrEqual(24);
  });

  for (const kind of KINDS) {
    it(`4 processes x 250 concurrent takes of a ${kind}, one member, limit 1 per member: exactly 1 take`, async () => {
      const path = freshPath();
      await prepare(path, offer(kind, { limits: { perMember: 1, total: null } }));
      const reports = await runWorkers(path, { kind, offerId: "o", workers: 4, attempts: 250 });
      expect(reports).toHaveLength(4);
      expect(sum(reports)).toEqual({ created: 1, member_limit_reached: 999 });
      expect(count(path, "SELECT count(*) AS n FROM takes")).toBe(1);
    });

    it(`4 processes x 50 members racing for a ${kind} of 7 in total: exactly 7 takes`, async () => {
      const path = freshPath();
      await prepare(path, offer(kind, { limits: { perMember: 1, total: 7 } }));
      const reports = await runWorkers(path, { kind, offerId: "o", workers: 4, attempts: 50, members: "each" });
      expect(sum(reports)).toEqual({ created: 7, total_limit_reached: 193 });
      expect(count(path, "SELECT count(*) AS n FROM takes")).toBe(7);
      expect(count(path, "SELECT count(DISTINCT member) AS n FROM takes")).toBe(7);
    });

    it(`4 processes retrying the same 50 keys of a ${kind} at once: 50 takes, every retry a replay of the same take`, async () => {
      const path = freshPath();
      await prepare(path, offer(kind));
      const reports = await runWorkers(path, { kind, offerId: "o", workers: 4, attempts: 50, keys: "shared" });
      expect(sum(reports)).toEqual({ created: 50, replayed: 150 });
      for (let i = 0; i < 50; i++) {
        const ids = new Set(reports.map((r) => r.takeIds[i]));
        expect(ids.size, `key k${i}`).toBe(1);
      }
      expect(count(path, "SELECT count(*) AS n FROM takes")).toBe(50);
    });
  }

  it("4 processes opening a brand-new file at once apply the migrations exactly once", async () => {
    const path = freshPath();
    const reports = await runWorkers(path, { kind: "perk", offerId: "o", workers: 4, attempts: 1, open: "open-on-go" });
    expect(sum(reports)).toEqual({ offer_not_found: 4 });
    expect(count(path, "SELECT count(*) AS n FROM schema_migrations")).toBe(migrations.length);
  });

  it("a write waits for another process's lock (busy_timeout) instead of failing", async () => {
    const path = freshPath();
    const store = SqliteStore.open(path);
    try {
      const holder = start(lockHolder, [path, "400"]);
      const released = holder.message((m) => m === "released");
      await holder.message((m) => m === "locked");
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
    const path = freshPath();
    const store = SqliteStore.open(path, { busyTimeoutMs: 50 });
    try {
      const holder = start(lockHolder, [path, "2000"]);
      const released = holder.message((m) => m === "released");
      await holder.message((m) => m === "locked");
      await expect(store.useNonce("impatient", "2099-01-01T00:00:00.000Z")).rejects.toBeInstanceOf(StoreBusyError);
      await released;
      // The failed attempt recorded nothing.
      expect(await store.useNonce("impatient", "2099-01-01T00:00:00.000Z")).toBe(true);
    } finally {
      await store.close();
    }
  });

  it("a take while another process holds the lock past the busy timeout: StoreBusyError, nothing recorded", async () => {
    const path = freshPath();
    await prepare(path, offer("drop"));
    const store = SqliteStore.open(path, { busyTimeoutMs: 50 });
    const input = { offerId: "o", kind: "drop", member: `0x${"a".repeat(40)}`, idempotencyKey: "k", id: "t", code: null, now: CREATED_AT } as const;
    try {
      const holder = start(lockHolder, [path, "1000"]);
      const released = holder.message((m) => m === "released");
      await holder.message((m) => m === "locked");
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
    const path = freshPath();
    await prepare(path);
    const store: Store = SqliteStore.open(path, { busyTimeoutMs: 50 });
    // The problems plugin maps errors to responses; a bare route stands in for the offer routes.
    const app = Fastify({ logger: false, frameworkErrors });
    await app.register(problemsPlugin);
    app.post("/offers", async (_request, reply) => reply.status(201).send(await store.createOffer(offer("perk"), ROOMY)));
    await app.ready();
    const createOffer = () => app.inject({ method: "POST", url: "/offers" });
    try {
      const holder = start(lockHolder, [path, "1000"]);
      const released = holder.message((m) => m === "released");
      await holder.message((m) => m === "locked");
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
