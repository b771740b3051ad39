import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { Address } from "viem";
import { afterAll, describe, expect, it } from "vitest";
import type { NewOffer, Reward } from "../../offers/types.ts";
import { sha256Hex } from "../hash.ts";
import { StoreUnavailableError } from "../errors.ts";
import { describeStoreContract } from "../contract/index.ts";
import { storeOver } from "../contract/fixtures.ts";
import { SqliteDatabase } from "./database.ts";
import { migrations } from "./migrations.ts";
import { SqliteStore } from "./sqlite-store.ts";
import { dropKind } from "../../drops/kind.ts";
import { perkKind } from "../../perks/kind.ts";

const dir = mkdtempSync(join(tmpdir(), "stampbook-sqlite-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshPath = () => join(dir, `store-${++files}.db`);

describeStoreContract("SqliteStore on a file", async () => storeOver(SqliteDatabase.open(freshPath())));
describeStoreContract("SqliteStore in memory", async () => storeOver(SqliteDatabase.open(":memory:")));

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

  it("answers everything asked after close, ephemeral transactions too, as a store that cannot be reached (503, never a 500)", async () => {
    const db = SqliteDatabase.open(freshPath());
    await db.close();
    const asks = [
      db.get("SELECT 1"),
      db.all("SELECT 1"),
      db.run("SELECT 1"),
      db.writeOne("SELECT 1"),
      db.transaction(async (tx) => tx.get("SELECT 1")),
      db.transaction(async (tx) => tx.get("SELECT 1"), { durability: "ephemeral" }),
    ];
    for (const ask of asks) await expect(ask).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it("answers as a store that cannot be reached while its files read as garbage, and comes back by itself once they are whole", async () => {
    const path = freshPath();
    const store = SqliteStore.open(path);
    try {
      expect(await store.useNonce("before", "2099-01-01T00:00:00.000Z")).toBe(true);
      const files = ["", "-wal", "-shm"].map((suffix) => ({ file: path + suffix, bytes: readFileSync(path + suffix) }));
      for (const { file, bytes } of files) writeFileSync(file, Buffer.alloc(Math.max(bytes.length, 4096), 7));
      // SQLite says "file is not a database" (SQLITE_NOTADB): nothing a request did, so 503, not 500.
      await expect(store.listBrands()).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.useNonce("during", "2099-01-01T00:00:00.000Z")).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.revokeSession("session", "2099-01-01T00:00:00.000Z")).rejects.toBeInstanceOf(StoreUnavailableError);
      for (const { file, bytes } of files) writeFileSync(file, bytes);
      expect(await store.listBrands()).toEqual([]);
      expect(await store.useNonce("before", "2099-01-01T00:00:00.000Z")).toBe(false);
      expect(await store.useNonce("after", "2099-01-01T00:00:00.000Z")).toBe(true);
    } finally {
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
    const member: Address = `0x${"a".repeat(40)}`;
    const offer = (id: string, kind: "perk" | "drop", reward: Reward): NewOffer => ({
      id,
      brandId: "b",
      kind,
      title: "T",
      description: "",
      rule: { type: "any", rules: [] },
      tokens: [`0x${"c".repeat(40)}:1`],
      limits: { perMember: 1, total: null },
      startsAt: null,
      endsAt: null,
      reward,
      createdAt: t(0),
    });
    const quota = { offers: 10, tokens: 10 };
    let store = SqliteStore.open(path);
    await store.createBrand({ id: "b", name: "B", createdAt: t(0) });
    await store.createApiKey({ id: "k", brandId: "b", keyHash: sha256Hex("key"), label: "", createdAt: t(0) });
    await store.createOffer(offer("p", "perk", { type: "code" }), quota);
    await store.createOffer(offer("d", "drop", { type: "token", collection: `0x${"c".repeat(40)}`, tokenId: "2", amount: "1", mode: "voucher" }), quota);
    const perkTake = await store.take({ offerId: "p", kind: "perk", member, idempotencyKey: "i", id: "r", code: "c", policy: perkKind.takes, now: t(1) });
    const dropTake = await store.take({ offerId: "d", kind: "drop", member, idempotencyKey: "i", id: "c1", code: null, policy: dropKind.takes, now: t(1) });
    expect(perkTake.status).toBe("created");
    expect(dropTake.status).toBe("created");
    const issued = await store.completeTake("c1", { status: "issued", voucher: { signature: "0x01" }, now: t(2) });
    await store.consumeCode("b", "c", t(3));
    const registered = await store.registerCollection({ brandId: "b", collection: `0x${"c".repeat(40)}`, admin: member, nonce: "reg", nonceExpiresAt: t(60), now: t(1) });
    const minter = await store.setMinter({ brandId: "b", address: `0x${"d".repeat(40)}`, sealedKey: "sealed", source: "generated", createdAt: t(1) });
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
      expect((await store.getOffer("p"))?.rule).toEqual({ type: "any", rules: [] });
      expect((await store.listOffers()).map((o) => `${o.id}:${o.kind}`).sort()).toEqual(["d:drop", "p:perk"]);
      expect(await store.listCollections()).toEqual([registered.status === "registered" ? registered.collection : null]);
      expect(await store.registerCollection({ brandId: "b", collection: `0x${"c".repeat(40)}`, admin: member, nonce: "reg", nonceExpiresAt: t(60), now: t(2) })).toEqual({
        status: "replayed",
      });
      expect(await store.getMinter("b")).toEqual(minter);

      const again = await store.take({ offerId: "p", kind: "perk", member, idempotencyKey: "i", id: "r2", code: "c2", policy: perkKind.takes, now: t(4) });
      expect(again).toEqual({ status: "replayed", take: { ...(perkTake.status === "created" ? perkTake.take : null), consumedAt: t(3), updatedAt: t(3) } });
      const other = await store.take({ offerId: "p", kind: "perk", member, idempotencyKey: "j", id: "r3", code: "c3", policy: perkKind.takes, now: t(4) });
      expect(other).toEqual({ status: "member_limit_reached", limit: 1 });
      expect(await store.consumeCode("b", "c", t(5))).toMatchObject({ status: "already_consumed" });
      expect(await store.findTake("drop", member, "i")).toEqual(issued);
      expect(await store.take({ offerId: "d", kind: "drop", member, idempotencyKey: "j", id: "c2", code: null, policy: dropKind.takes, now: t(4) })).toEqual({
        status: "member_limit_reached",
        limit: 1,
      });
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

  it("records nonces handed in just before close, and answers later calls as a store that cannot be reached", async () => {
    const path = freshPath();
    let store = SqliteStore.open(path);
    const pending = store.useNonce("last", "2099-01-01T00:00:00.000Z");
    await store.close();
    expect(await pending).toBe(true);
    const after = store.useNonce("after", "2099-01-01T00:00:00.000Z");
    await expect(after).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(after).rejects.toMatchObject({ cause: { message: expect.stringMatching(/closed/) } });
    store = SqliteStore.open(path);
    try {
      expect(await store.useNonce("last", "2099-01-01T00:00:00.000Z")).toBe(false);
    } finally {
      await store.close();
    }
  });
});
