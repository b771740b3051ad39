import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RedeemStatus } from "../store.ts";
import type { WorkerReport } from "./redeem-worker.test-helper.ts";
import { migrations } from "./migrations.ts";
import { createPublicClient, http, type PublicClient } from "viem";
import { createBrand, issueApiKey } from "../../admin/brands.ts";
import { build } from "../../app.ts";
import { loadConfig } from "../../config.ts";
import { StoreBusyError } from "../errors.ts";
import { SqliteStore } from "./sqlite-store.ts";

// Several OS processes sharing one database file: the deployment where the API runs more than one
// worker process, or a CLI writes while the server runs.

const redeemWorker = fileURLToPath(new URL("./redeem-worker.test-helper.ts", import.meta.url));
const lockHolder = fileURLToPath(new URL("./lock-holder.test-helper.ts", import.meta.url));
const MEMBER = "0x" + "a".repeat(40);

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

async function runWorkers(
  path: string,
  perkId: string,
  workers: number,
  attempts: number,
  mode: "open-first" | "open-on-go" = "open-first",
): Promise<WorkerReport[]> {
  const started = Array.from({ length: workers }, (_, w) =>
    start(redeemWorker, [path, perkId, MEMBER, String(attempts), String(w), mode]),
  );
  await Promise.all(started.map((c) => c.message(isType("ready"))));
  const reports = started.map((c) => c.message<WorkerReport>(isType("done")));
  for (const c of started) c.process.send("go"); // all start together
  const done = await Promise.all(reports);
  expect(await Promise.all(started.map((c) => c.exited))).toEqual(started.map(() => 0));
  return done;
}

function sum(reports: WorkerReport[]): Partial<Record<RedeemStatus, number>> {
  const total: Partial<Record<RedeemStatus, number>> = {};
  for (const r of reports) {
    for (const [status, n] of Object.entries(r.counts) as [RedeemStatus, number][]) total[status] = (total[status] ?? 0) + n;
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

  it("4 processes x 250 concurrent redeems, one member, limit 1 per member: exactly 1 redemption", async () => {
    const path = freshPath();
    const store = SqliteStore.open(path);
    await store.createBrand({ id: "b", name: "B", createdAt: "2025-01-01T00:00:00.000Z" });
    await store.createPerk({
      id: "p",
      brandId: "b",
      title: "One per member",
      description: "",
      collections: [],
      rule: null,
      limits: { perMember: 1, total: null },
      startsAt: null,
      endsAt: null,
      createdAt: "2025-01-01T00:00:00.000Z",
    });
    await store.close();

    const reports = await runWorkers(path, "p", 4, 250);
    expect(reports).toHaveLength(4);
    expect(sum(reports)).toEqual({ created: 1, member_limit_reached: 999 });
    expect(count(path, "SELECT count(*) AS n FROM redemptions")).toBe(1);
  });

  it("4 processes opening a brand-new file at once apply the migrations exactly once", async () => {
    const path = freshPath();
    const reports = await runWorkers(path, "p", 4, 1, "open-on-go");
    expect(sum(reports)).toEqual({ perk_not_found: 4 });
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

  it("an API write while another process holds the lock past the busy timeout: 503 store_busy, nothing recorded", async () => {
    const path = freshPath();
    const store = SqliteStore.open(path, { busyTimeoutMs: 50 });
    const brand = await createBrand(store, "Busy Brand");
    const { key } = await issueApiKey(store, brand.id, "test");
    const client = createPublicClient({ transport: http("http://127.0.0.1:9") }) as PublicClient;
    const app = await build({ config: loadConfig({ COLLECTIONS: "0x" + "c".repeat(40) }), store, client, logger: false });
    const createPerk = () =>
      app.inject({
        method: "POST",
        url: "/v1/admin/perks",
        headers: { authorization: `Bearer ${key}` },
        payload: { title: "Busy", rule: { type: "holds", collection: "0x" + "c".repeat(40), tokenId: "1" } },
      });
    try {
      const holder = start(lockHolder, [path, "1000"]);
      const released = holder.message((m) => m === "released");
      await holder.message((m) => m === "locked");
      const busy = await createPerk();
      expect(busy.statusCode).toBe(503);
      expect(busy.headers["retry-after"]).toBe("1");
      expect(busy.json()).toMatchObject({ code: "store_busy", status: 503 });
      await released;
      expect(await store.listPerks()).toEqual([]);
      expect((await createPerk()).statusCode).toBe(201);
    } finally {
      await app.close();
      await store.close();
    }
  });
});
