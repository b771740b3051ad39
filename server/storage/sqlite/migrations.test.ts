/**
 * Long because each migration is tested from the schema before it, with the rows an older version
 * wrote.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { Address, Hex } from "viem";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { NewOffer, Take, TokenReward } from "../../offers/types.ts";
import { applyMigrations, migrations, type Migration } from "./migrations.ts";
import { SqliteStore } from "./sqlite-store.ts";
import { dropKind } from "../../drops/kind.ts";
import { perkKind } from "../../perks/kind.ts";

const dir = mkdtempSync(join(tmpdir(), "stampbook-migrations-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const open: DatabaseSync[] = [];
function freshDb(): { db: DatabaseSync; path: string } {
  const path = join(dir, `m-${++files}.db`);
  const db = new DatabaseSync(path);
  open.push(db);
  return { db, path };
}
afterEach(() => {
  for (const db of open.splice(0)) if (db.isOpen) db.close();
});

const tables = (db: DatabaseSync) =>
  (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map(
    (r) => r.name,
  );
/** The tables of a database at the latest migration. */
const CURRENT_TABLES = [
  "access_log",
  "api_keys",
  "award_batches",
  "awards",
  "brand_collections",
  "brand_levels",
  "brand_minters",
  "brand_origins",
  "brands",
  "chain_index_blocks",
  "chain_index_changes",
  "chain_index_collections",
  "chain_index_cursor",
  "chain_index_delegations",
  "chain_index_events",
  "chain_index_holdings",
  "chain_index_token_types",
  "consents",
  "data_requests",
  "ended_member_sessions",
  "entitlement_keys",
  "journey_codes",
  "journey_events",
  "journey_invitations",
  "journey_members",
  "journey_progress",
  "journey_referrals",
  "journeys",
  "leases",
  "member_profiles",
  "members",
  "offers",
  "revoked_sessions",
  "schema_migrations",
  "secrets",
  "staff",
  "takes",
  "token_metadata",
  "used_nonces",
  "webhook_attempts",
  "webhook_chain_cursors",
  "webhook_deliveries",
  "webhook_endpoints",
  "webhook_member_levels",
  "webhook_messages",
];
const recorded = (db: DatabaseSync) => db.prepare("SELECT version, name, applied_at FROM schema_migrations ORDER BY version").all();

describe("migrations", () => {
  it("are numbered 1, 2, 3… with unique names", () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
    expect(new Set(migrations.map((m) => m.name)).size).toBe(migrations.length);
  });

  it("apply once to a fresh database and are recorded", () => {
    const { db } = freshDb();
    expect(applyMigrations(db, migrations, () => "2025-01-01T00:00:00.000Z")).toEqual(migrations.map((m) => m.version));
    expect(tables(db)).toEqual(CURRENT_TABLES);
    expect(recorded(db)).toEqual([
      { version: 1, name: "initial", applied_at: "2025-01-01T00:00:00.000Z" },
      { version: 2, name: "drops-and-claims", applied_at: "2025-01-01T00:00:00.000Z" },
      { version: 3, name: "signed-nonces-and-sessions", applied_at: "2025-01-01T00:00:00.000Z" },
      { version: 4, name: "offers-and-takes", applied_at: "2025-01-01T00:00:00.000Z" },
      { version: 5, name: "brand-collections-and-minters", applied_at: "2025-01-01T00:00:00.000Z" },
      { version: 6, name: "leases", applied_at: "2025-01-01T00:00:00.000Z" },
      { version: 7, name: "token-metadata-and-levels", applied_at: "2025-01-01T00:00:00.000Z" },
      { version: 8, name: "journeys", applied_at: "2025-01-01T00:00:00.000Z" },
      { version: 9, name: "awards", applied_at: "2025-01-01T00:00:00.000Z" },
      { version: 10, name: "staff", applied_at: "2025-01-01T00:00:00.000Z" },
      { version: 11, name: "consents", applied_at: "2025-01-01T00:00:00.000Z" },
      { version: 12, name: "access-log-and-erasure", applied_at: "2025-01-01T00:00:00.000Z" },
      { version: 13, name: "claim-holders", applied_at: "2025-01-01T00:00:00.000Z" },
      { version: 14, name: "any-offer-kind", applied_at: "2025-01-01T00:00:00.000Z" },
      { version: 15, name: "brand-origins", applied_at: "2025-01-01T00:00:00.000Z" },
      { version: 16, name: "entitlement-keys", applied_at: "2025-01-01T00:00:00.000Z" },
      { version: 17, name: "chain-index", applied_at: "2025-01-01T00:00:00.000Z" },
      { version: 18, name: "delegated-wallets", applied_at: "2025-01-01T00:00:00.000Z" },
      { version: 19, name: "webhooks", applied_at: "2025-01-01T00:00:00.000Z" },
      { version: 20, name: "webhook-deliveries", applied_at: "2025-01-01T00:00:00.000Z" },
    ]);
  });

  it("keep every take as the member's own after migration 18 (no vault), and follow delegations from then on", () => {
    const { db } = freshDb();
    applyMigrations(db, migrations.slice(0, 17));
    db.exec("INSERT INTO brands (id, name, created_at) VALUES ('b', 'B', '2025-01-01T00:00:00.000Z')");
    db.exec(`INSERT INTO offers VALUES ('p', 'b', 'perk', 'T', '', 'null', '[]', NULL, NULL, NULL, NULL, '{"type":"code"}', '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z', NULL)`);
    db.exec(`INSERT INTO takes (id, offer_id, brand_id, kind, member, idempotency_key, status, reward, created_at, updated_at) VALUES ('t1', 'p', 'b', 'perk', 'm', 'k', 'redeemed', '{"type":"code"}', 'now', 'now')`);
    applyMigrations(db, migrations);
    expect(db.prepare("SELECT id, vault FROM takes").all()).toEqual([{ id: "t1", vault: null }]);
    expect(db.prepare("SELECT count(*) AS n FROM chain_index_delegations").get()).toEqual({ n: 0 });
  });

  it("take any kind of offer and any take status after migration 14, keeping the tables' indexes and the takes' reference to offers", () => {
    const { db } = freshDb();
    applyMigrations(db, migrations.slice(0, 13));
    const indexes = () => (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name IN ('offers', 'takes') AND sql IS NOT NULL ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    const before = indexes();
    db.exec("INSERT INTO brands (id, name, created_at) VALUES ('b', 'B', '2025-01-01T00:00:00.000Z')");
    const offer = (id: string, kind: string) =>
      db.prepare(`INSERT INTO offers VALUES (?, 'b', ?, 'T', '', 'null', '[]', NULL, NULL, NULL, NULL, '{"type":"code"}', '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z', NULL)`).run(id, kind);
    const take = (id: string, offerId: string, kind: string, status: string) =>
      db.prepare(`INSERT INTO takes (id, offer_id, brand_id, kind, member, idempotency_key, status, reward, created_at, updated_at) VALUES (?, ?, 'b', ?, 'm', ?, ?, '{"type":"code"}', 'now', 'now')`).run(id, offerId, kind, id, status);
    offer("p", "perk");
    take("t1", "p", "perk", "redeemed");
    expect(() => offer("s", "sample")).toThrow(/CHECK/);
    applyMigrations(db, migrations.slice(0, 14));
    offer("s", "sample");
    take("t2", "s", "sample", "taken");
    expect(db.prepare("SELECT id, kind, status FROM takes ORDER BY id").all()).toEqual([
      { id: "t1", kind: "perk", status: "redeemed" },
      { id: "t2", kind: "sample", status: "taken" },
    ]);
    expect(indexes()).toEqual(before);
    // Takes still reference live offers.
    db.exec("PRAGMA foreign_keys = ON");
    expect(() => take("t3", "nope", "sample", "taken")).toThrow(/FOREIGN KEY/);
    expect(db.prepare("PRAGMA foreign_key_check").all()).toEqual([]);
  });

  it("upgrade a version-2 database with stored nonces and sessions, keeping everything else", () => {
    const { db } = freshDb();
    applyMigrations(db, migrations.slice(0, 2));
    db.exec("INSERT INTO nonces (nonce, expires_at) VALUES ('n', '2099-01-01T00:00:00.000Z')");
    db.exec("INSERT INTO brands (id, name, created_at) VALUES ('b', 'B', '2025-01-01T00:00:00.000Z')");
    expect(applyMigrations(db)).toEqual(migrations.slice(2).map((m) => m.version));
    expect(tables(db)).not.toContain("nonces");
    expect(tables(db)).not.toContain("sessions");
    expect(db.prepare("SELECT id FROM brands").all()).toEqual([{ id: "b" }]);
  });

  it("are a no-op on a current database", () => {
    const { db } = freshDb();
    applyMigrations(db);
    const before = recorded(db);
    expect(applyMigrations(db, migrations, () => "2099-01-01T00:00:00.000Z")).toEqual([]);
    expect(recorded(db)).toEqual(before);
  });

  it("apply only the new ones when the list grows", () => {
    const { db } = freshDb();
    applyMigrations(db);
    const next: Migration = { version: migrations.length + 1, name: "add-x", sql: "CREATE TABLE x (a INTEGER) STRICT" };
    expect(applyMigrations(db, [...migrations, next])).toEqual([next.version]);
    expect(tables(db)).toContain("x");
  });

  it("roll back entirely when one fails", () => {
    const { db } = freshDb();
    const list: Migration[] = [
      { version: 1, name: "ok", sql: "CREATE TABLE a (x INTEGER)" },
      { version: 2, name: "broken", sql: "CREATE TABLE b (x INTEGER); THIS IS NOT SQL" },
    ];
    expect(() => applyMigrations(db, list)).toThrow();
    expect(db.isTransaction).toBe(false);
    expect(tables(db)).toEqual([]);
  });

  it("refuse a database that has a migration this code does not know, or calls one differently", () => {
    const { db, path } = freshDb();
    applyMigrations(db);
    expect(() => applyMigrations(db, [{ version: 1, name: "renamed", sql: "" }])).toThrow(/initial/);
    db.exec("INSERT INTO schema_migrations VALUES (99, 'from-the-future', '2030-01-01T00:00:00.000Z')");
    expect(() => applyMigrations(db)).toThrow(/newer/);
    expect(() => SqliteStore.open(path)).toThrow(/newer/);
  });

  it("bring a version-1 database up to date, keeping its data", () => {
    const { db } = freshDb();
    expect(applyMigrations(db, migrations.slice(0, 1))).toEqual([1]);
    db.exec("INSERT INTO brands VALUES ('b', 'B', '2025-01-01T00:00:00.000Z')");
    expect(applyMigrations(db)).toEqual(migrations.slice(1).map((m) => m.version));
    expect(tables(db)).toEqual(CURRENT_TABLES);
    expect(db.prepare("SELECT id FROM brands").all()).toEqual([{ id: "b" }]);
  });

  it("refuse a list with gaps", () => {
    const { db } = freshDb();
    expect(() => applyMigrations(db, [{ version: 2, name: "two", sql: "" }])).toThrow(/expected 1/);
  });
});

describe("migration 4 (offers-and-takes) on a database with perks, drops, redemptions and claims", () => {
  const T = (m: number) => new Date(Date.UTC(2025, 0, 1, 0, m)).toISOString();
  // Mixed case, as the old routes stored rules (checksummed addresses).
  const A = "0xAbCdEf0000000000000000000000000000000001";
  const B = "0xDeF0000000000000000000000000000000000002";
  const a = A.toLowerCase();
  const b = B.toLowerCase();
  const DROP_COLLECTION: Address = `0x${"e".repeat(40)}`;
  const ALICE: Address = `0x${"a".repeat(40)}`;
  const BOB: Address = `0x${"b".repeat(40)}`;
  const TX1: Hex = `0x${"11".repeat(32)}`;
  const TX2: Hex = `0x${"22".repeat(32)}`;
  const PERK_RULE = {
    type: "any",
    rules: [
      { type: "all", rules: [{ type: "holds", collection: A, tokenId: "1", min: 2 }, { type: "member", collection: B, tokenId: "2" }] },
      // The same token type again, the address in another case: one holding key.
      { type: "not", rule: { type: "holds", collection: a, tokenId: "1", min: 5 } },
    ],
  };
  const VOUCHER = { to: ALICE, id: "7", amount: "3", validUntil: "1767225600", signature: "0x" + "5".repeat(130) };

  /**
   * A version-3 database holding one of each kind of old row, brought up to date by
   * `applyMigrations` or left for `SqliteStore.open` to upgrade (as a deployment does on start);
   * returns its path.
   */
  function buildVersion3(upgrade: "applyMigrations" | "on-open" = "applyMigrations"): string {
    const { db, path } = freshDb();
    expect(applyMigrations(db, migrations.slice(0, 3))).toEqual([1, 2, 3]);
    const run = (sql: string, ...params: (string | number | null)[]) => db.prepare(sql).run(...params);
    run("INSERT INTO brands (id, name, created_at) VALUES ('b', 'Brand', ?)", T(0));
    run(
      `INSERT INTO perks (id, brand_id, title, description, collections, rule, per_member_limit, total_limit, starts_at, ends_at, created_at, updated_at, deleted_at)
       VALUES ('perk-1', 'b', 'Free coffee', 'One on the house', ?, ?, 1, 100, ?, ?, ?, ?, NULL)`,
      JSON.stringify([a, b]),
      JSON.stringify(PERK_RULE),
      T(0),
      T(10_000),
      T(1),
      T(2),
    );
    run(
      `INSERT INTO perks (id, brand_id, title, description, collections, rule, per_member_limit, total_limit, starts_at, ends_at, created_at, updated_at, deleted_at)
       VALUES ('perk-gone', 'b', 'Old perk', '', '[]', ?, NULL, NULL, NULL, NULL, ?, ?, ?)`,
      JSON.stringify({ type: "member", collection: "0x" + "9".repeat(40), tokenId: "9" }),
      T(0),
      T(0),
      T(5),
    );
    run(
      `INSERT INTO drops (id, brand_id, title, description, collection, token_id, amount, rule, per_member_limit, total_limit, mode, starts_at, ends_at, created_at, updated_at, deleted_at)
       VALUES ('drop-open', 'b', 'Welcome stamp', 'For everyone', ?, '7', '3', 'null', 1, NULL, 'voucher', NULL, NULL, ?, ?, NULL)`,
      DROP_COLLECTION,
      T(3),
      T(3),
    );
    run(
      `INSERT INTO drops (id, brand_id, title, description, collection, token_id, amount, rule, per_member_limit, total_limit, mode, starts_at, ends_at, created_at, updated_at, deleted_at)
       VALUES ('drop-held', 'b', 'Holders only', '', ?, '8', '1', ?, NULL, 10, 'mint', NULL, NULL, ?, ?, NULL)`,
      DROP_COLLECTION,
      JSON.stringify({ type: "holds", collection: A, tokenId: "1", min: 1 }),
      T(4),
      T(4),
    );
    run(
      `INSERT INTO redemptions (id, perk_id, brand_id, member, code, idempotency_key, created_at, consumed_at)
       VALUES ('red-consumed', 'perk-1', 'b', ?, 'CODE-1', 'rk-1', ?, ?)`,
      ALICE,
      T(6),
      T(7),
    );
    run(
      `INSERT INTO redemptions (id, perk_id, brand_id, member, code, idempotency_key, created_at, consumed_at)
       VALUES ('red-open', 'perk-gone', 'b', ?, 'CODE-2', 'rk-2', ?, NULL)`,
      BOB,
      T(4),
    );
    const claim = (
      id: string,
      dropId: string,
      member: string,
      key: string,
      mode: "mint" | "voucher",
      status: string,
      fields: { txHash?: string; txRaw?: string; voucher?: unknown; error?: [string, string] },
      createdAt: string,
      updatedAt: string,
    ) =>
      run(
        `INSERT INTO claims (id, drop_id, brand_id, member, idempotency_key, collection, token_id, amount, mode, status, tx_hash, tx_raw, voucher, error_code, error_message, created_at, updated_at)
         VALUES (?, ?, 'b', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        id,
        dropId,
        member,
        key,
        DROP_COLLECTION,
        dropId === "drop-open" ? "7" : "8",
        dropId === "drop-open" ? "3" : "1",
        mode,
        status,
        fields.txHash ?? null,
        fields.txRaw ?? null,
        fields.voucher === undefined ? null : JSON.stringify(fields.voucher),
        fields.error?.[0] ?? null,
        fields.error?.[1] ?? null,
        createdAt,
        updatedAt,
      );
    claim("cl-pending", "drop-held", ALICE, "ck-1", "mint", "pending", { txHash: TX1, txRaw: "0x02f8ab" }, T(10), T(11));
    claim("cl-minted", "drop-held", BOB, "ck-1", "mint", "minted", { txHash: TX2, txRaw: "0x02f8ac" }, T(12), T(13));
    claim("cl-failed", "drop-held", ALICE, "ck-2", "mint", "failed", { error: ["mint_failed", "execution reverted"] }, T(14), T(15));
    claim("cl-issued", "drop-open", ALICE, "ck-3", "voucher", "issued", { voucher: VOUCHER }, T(16), T(17));
    claim("cl-expired", "drop-open", BOB, "ck-3", "voucher", "expired", { voucher: { ...VOUCHER, to: BOB } }, T(18), T(19));
    if (upgrade === "applyMigrations") {
      expect(applyMigrations(db)).toEqual(migrations.slice(3).map((m) => m.version));
      expect(tables(db)).toEqual(CURRENT_TABLES);
    }
    db.close();
    return path;
  }

  const noTx = { txHash: null, rawTx: null, voucher: null, error: null, vault: null };
  const dropReward = (tokenId: string, amount: string, mode: "mint" | "voucher"): TokenReward => ({ type: "token", collection: DROP_COLLECTION, tokenId, amount, mode });

  it("moves perks and drops into offers, with their kind, reward and the tokens their rules read (lowercase, once each)", async () => {
    const store = SqliteStore.open(buildVersion3());
    try {
      expect(await store.getOffer("perk-1")).toEqual({
        id: "perk-1",
        brandId: "b",
        kind: "perk",
        title: "Free coffee",
        description: "One on the house",
        rule: PERK_RULE,
        tokens: [`${a}:1`, `${b}:2`],
        limits: { perMember: 1, total: 100 },
        startsAt: T(0),
        endsAt: T(10_000),
        reward: { type: "code" },
        createdAt: T(1),
        updatedAt: T(2),
      });
      expect(await store.getOffer("drop-open")).toEqual({
        id: "drop-open",
        brandId: "b",
        kind: "drop",
        title: "Welcome stamp",
        description: "For everyone",
        rule: null,
        tokens: [],
        limits: { perMember: 1, total: null },
        startsAt: null,
        endsAt: null,
        reward: dropReward("7", "3", "voucher"),
        createdAt: T(3),
        updatedAt: T(3),
      });
      expect(await store.getOffer("drop-held")).toMatchObject({ kind: "drop", tokens: [`${a}:1`], limits: { perMember: null, total: 10 }, reward: dropReward("8", "1", "mint") });
      // A deleted perk stays deleted.
      expect(await store.getOffer("perk-gone")).toBeNull();
      expect((await store.listOffers({ kind: "perk" })).map((o) => o.id)).toEqual(["perk-1"]);
      expect((await store.listOffers({ kind: "drop" })).map((o) => o.id)).toEqual(["drop-held", "drop-open"]);
    } finally {
      await store.close();
    }
  });

  it("moves redemptions into redeemed takes and claims into takes keeping their status, transaction, voucher and error", async () => {
    const store = SqliteStore.open(buildVersion3());
    try {
      expect((await store.listTakes({ kind: "perk", limit: 100 })).items).toEqual([
        {
          id: "red-consumed",
          offerId: "perk-1",
          brandId: "b",
          kind: "perk",
          member: ALICE,
          idempotencyKey: "rk-1",
          status: "redeemed",
          reward: { type: "code" },
          code: "CODE-1",
          consumedAt: T(7),
          ...noTx,
          createdAt: T(6),
          updatedAt: T(7),
        },
        {
          id: "red-open",
          offerId: "perk-gone",
          brandId: "b",
          kind: "perk",
          member: BOB,
          idempotencyKey: "rk-2",
          status: "redeemed",
          reward: { type: "code" },
          code: "CODE-2",
          consumedAt: null,
          ...noTx,
          createdAt: T(4),
          updatedAt: T(4),
        },
      ]);
      const drop = (fields: Partial<Take> & Pick<Take, "id" | "offerId" | "member" | "idempotencyKey" | "status" | "reward" | "createdAt" | "updatedAt">): Take => ({
        brandId: "b",
        kind: "drop",
        code: null,
        consumedAt: null,
        ...noTx,
        ...fields,
        vault: null,
      });
      expect((await store.listTakes({ kind: "drop", limit: 100 })).items).toEqual([
        drop({ id: "cl-expired", offerId: "drop-open", member: BOB, idempotencyKey: "ck-3", status: "expired", reward: dropReward("7", "3", "voucher"), voucher: { ...VOUCHER, to: BOB }, createdAt: T(18), updatedAt: T(19) }),
        drop({ id: "cl-issued", offerId: "drop-open", member: ALICE, idempotencyKey: "ck-3", status: "issued", reward: dropReward("7", "3", "voucher"), voucher: VOUCHER, createdAt: T(16), updatedAt: T(17) }),
        drop({ id: "cl-failed", offerId: "drop-held", member: ALICE, idempotencyKey: "ck-2", status: "failed", reward: dropReward("8", "1", "mint"), error: { code: "mint_failed", message: "execution reverted" }, createdAt: T(14), updatedAt: T(15) }),
        drop({ id: "cl-minted", offerId: "drop-held", member: BOB, idempotencyKey: "ck-1", status: "minted", reward: dropReward("8", "1", "mint"), txHash: TX2, rawTx: "0x02f8ac", createdAt: T(12), updatedAt: T(13) }),
        drop({ id: "cl-pending", offerId: "drop-held", member: ALICE, idempotencyKey: "ck-1", status: "pending", reward: dropReward("8", "1", "mint"), txHash: TX1, rawTx: "0x02f8ab", createdAt: T(10), updatedAt: T(11) }),
      ]);
      expect(await store.findTake("perk", ALICE, "rk-1")).toMatchObject({ id: "red-consumed" });
      expect(await store.findTake("drop", ALICE, "ck-1")).toMatchObject({ id: "cl-pending" });
    } finally {
      await store.close();
    }
  });

  it("drops the old tables and indexes", () => {
    const path = buildVersion3();
    const raw = new DatabaseSync(path, { readOnly: true });
    try {
      for (const old of ["perks", "drops", "redemptions", "claims"]) expect(tables(raw)).not.toContain(old);
      const indexes = (raw.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL").all() as { name: string }[]).map((r) => r.name);
      expect(indexes.filter((name) => /^(perks|drops|redemptions|claims)_/.test(name))).toEqual([]);
    } finally {
      raw.close();
    }
  });

  it("leaves the moved rows working after SqliteStore.open upgrades the file: replays, limits, codes, completions and the brand's token bound", async () => {
    const path = buildVersion3("on-open");
    const store = SqliteStore.open(path);
    const now = T(100);
    try {
      // Old idempotency keys replay; old takes count against the limits.
      expect(await store.take({ offerId: "perk-1", kind: "perk", member: ALICE, idempotencyKey: "rk-1", id: "new-1", code: "NEW-1", policy: perkKind.takes, now })).toMatchObject({
        status: "replayed",
        take: { id: "red-consumed" },
      });
      expect(await store.take({ offerId: "perk-1", kind: "perk", member: ALICE, idempotencyKey: "rk-9", id: "new-2", code: "NEW-2", policy: perkKind.takes, now })).toEqual({
        status: "member_limit_reached",
        limit: 1,
      });
      // Old codes stay unique and consumable, a deleted perk's too.
      await expect(store.take({ offerId: "perk-1", kind: "perk", member: BOB, idempotencyKey: "rk-9", id: "new-3", code: "CODE-1", policy: perkKind.takes, now })).rejects.toThrow();
      expect(await store.consumeCode("b", "CODE-1", now)).toMatchObject({ status: "already_consumed" });
      expect(await store.consumeCode("b", "CODE-2", now)).toMatchObject({ status: "consumed", take: { id: "red-open", consumedAt: now } });
      // Counted statuses: pending, minted and issued count; failed and expired do not.
      expect(await store.memberTakeCounts("drop", ALICE, dropKind.takes.counted)).toEqual(new Map([["drop-held", 1], ["drop-open", 1]]));
      expect(await store.memberTakeCounts("drop", BOB, dropKind.takes.counted)).toEqual(new Map([["drop-held", 1]]));
      expect(await store.take({ offerId: "drop-open", kind: "drop", member: ALICE, idempotencyKey: "ck-9", id: "new-4", code: null, policy: dropKind.takes, now })).toEqual({
        status: "member_limit_reached",
        limit: 1,
      });
      expect((await store.take({ offerId: "drop-open", kind: "drop", member: BOB, idempotencyKey: "ck-9", id: "new-5", code: null, policy: dropKind.takes, now })).status).toBe("created");
      // Old claims settle as before.
      expect(await store.completeTake("cl-pending", { status: "minted", now })).toMatchObject({ status: "minted", txHash: TX1, rawTx: "0x02f8ab" });
      expect(await store.completeTake("cl-issued", { status: "expired", now })).toMatchObject({ status: "expired", voucher: VOUCHER });
      // The live offers read a:1 and b:2 (the deleted perk's token is free): a bound of 2 is full.
      const newOffer: NewOffer = {
        id: "new-offer",
        brandId: "b",
        kind: "perk",
        title: "",
        description: "",
        rule: null,
        tokens: [`0x${"c".repeat(40)}:1`],
        limits: { perMember: null, total: null },
        startsAt: null,
        endsAt: null,
        reward: { type: "code" },
        createdAt: now,
      };
      expect(await store.createOffer(newOffer, { offers: 10, tokens: 2 })).toEqual({ status: "quota_exceeded", quota: "tokens", limit: 2 });
      expect((await store.createOffer({ ...newOffer, tokens: [`${b}:2`] }, { offers: 10, tokens: 2 })).status).toBe("created");
    } finally {
      await store.close();
    }
    const raw = new DatabaseSync(path, { readOnly: true });
    try {
      expect(tables(raw)).toEqual(CURRENT_TABLES);
      expect(recorded(raw)).toHaveLength(migrations.length);
    } finally {
      raw.close();
    }
  });
});
