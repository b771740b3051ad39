import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, describe, expect, it } from "vitest";
import { sha256Hex } from "../hash.ts";
import { describeStoreContract } from "../store-contract.test-helper.ts";
import { migrations } from "./migrations.ts";
import { SqliteStore } from "./sqlite-store.ts";

const dir = mkdtempSync(join(tmpdir(), "stampbook-sqlite-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshPath = () => join(dir, `store-${++files}.db`);

describeStoreContract("SqliteStore on a file", () => SqliteStore.open(freshPath()));
describeStoreContract("SqliteStore in memory", () => SqliteStore.open(":memory:"));

describe("SqliteStore.open", () => {
  it("puts a file database in WAL mode", async () => {
    const path = freshPath();
    const store = SqliteStore.open(path);
    const raw = new DatabaseSync(path);
    try {
      expect(raw.prepare("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
    } finally {
      raw.close();
      await store.close();
    }
  });

  it("refuses a bad busy timeout and tolerates a second close", async () => {
    expect(() => SqliteStore.open(":memory:", { busyTimeoutMs: -1 })).toThrow(RangeError);
    const store = SqliteStore.open(":memory:");
    await store.close();
    await store.close();
  });

  it("keeps data across a reopen without re-applying migrations: used nonces stay used, ended sessions ended, secrets the same", async () => {
    const path = freshPath();
    const t = (m: number) => new Date(Date.UTC(2025, 0, 1, 0, m)).toISOString();
    let store = SqliteStore.open(path);
    await store.createBrand({ id: "b", name: "B", createdAt: t(0) });
    await store.createApiKey({ id: "k", brandId: "b", keyHash: sha256Hex("key"), label: "", createdAt: t(0) });
    await store.createPerk({
      id: "p",
      brandId: "b",
      title: "T",
      description: "",
      collections: [],
      rule: { any: [] },
      limits: { perMember: 1, total: null },
      startsAt: null,
      endsAt: null,
      createdAt: t(0),
    });
    const first = await store.redeem({ perkId: "p", member: "0x" + "a".repeat(40), idempotencyKey: "i", id: "r", code: "c", now: t(1) });
    expect(first.status).toBe("created");
    expect(await store.useNonce("used", t(60))).toBe(true);
    await store.revokeSession("ended", t(60));
    const secret = await store.secret("signing");
    await store.close();

    const readMigrations = () => {
      const raw = new DatabaseSync(path);
      try {
        return raw.prepare("SELECT version, name, applied_at FROM schema_migrations ORDER BY version").all();
      } finally {
        raw.close();
      }
    };
    const before = readMigrations();
    expect(before).toHaveLength(migrations.length);

    store = SqliteStore.open(path);
    try {
      expect(readMigrations()).toEqual(before);
      expect(await store.useNonce("used", t(60))).toBe(false);
      expect(await store.useNonce("fresh", t(60))).toBe(true);
      expect(await store.isSessionRevoked("ended")).toBe(true);
      expect(await store.secret("signing")).toEqual(secret);
      expect((await store.findBrandByApiKeyHash(sha256Hex("key")))?.id).toBe("b");
      expect((await store.getPerk("p"))?.rule).toEqual({ any: [] });
      const again = await store.redeem({ perkId: "p", member: "0x" + "a".repeat(40), idempotencyKey: "i", id: "r2", code: "c2", now: t(4) });
      expect(again).toEqual({ status: "replayed", redemption: first.status === "created" ? first.redemption : null });
      const other = await store.redeem({ perkId: "p", member: "0x" + "a".repeat(40), idempotencyKey: "j", id: "r3", code: "c3", now: t(4) });
      expect(other).toEqual({ status: "member_limit_reached", limit: 1 });
    } finally {
      await store.close();
    }
  });
});

describe("SqliteStore.useNonce batching", () => {
  it("records the nonces of one turn in one transaction, each with its own answer", async () => {
    const path = freshPath();
    const store = SqliteStore.open(path);
    const raw = new DatabaseSync(path);
    try {
      // The WAL gains one frame per page a commit writes; the nonce table fits in one page.
      const walFrames = () => (raw.prepare("PRAGMA wal_checkpoint(PASSIVE)").get() as { log: number }).log;
      raw.exec("PRAGMA wal_checkpoint(TRUNCATE)");
      const answers = await Promise.all(["a", "b", "a", "c", "b"].map((n) => store.useNonce(n, "2099-01-01T00:00:00.000Z")));
      expect(answers).toEqual([true, true, false, true, false]);
      expect(walFrames()).toBe(1);
      // Later turns are transactions of their own.
      raw.exec("PRAGMA wal_checkpoint(TRUNCATE)");
      expect(await store.useNonce("d", "2099-01-01T00:00:00.000Z")).toBe(true);
      expect(await store.useNonce("e", "2099-01-01T00:00:00.000Z")).toBe(true);
      expect(walFrames()).toBe(2);
    } finally {
      raw.close();
      await store.close();
    }
  });

  it("records nonces handed in just before close, and answers later calls with an error", async () => {
    const path = freshPath();
    let store = SqliteStore.open(path);
    const pending = store.useNonce("last", "2099-01-01T00:00:00.000Z");
    await store.close();
    expect(await pending).toBe(true);
    await expect(store.useNonce("after", "2099-01-01T00:00:00.000Z")).rejects.toThrow(/closed/);
    store = SqliteStore.open(path);
    try {
      expect(await store.useNonce("last", "2099-01-01T00:00:00.000Z")).toBe(false);
    } finally {
      await store.close();
    }
  });
});
