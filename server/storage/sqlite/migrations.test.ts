import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { applyMigrations, migrations, type Migration } from "./migrations.ts";
import { SqliteStore } from "./sqlite-store.ts";

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
const recorded = (db: DatabaseSync) => db.prepare("SELECT version, name, applied_at FROM schema_migrations ORDER BY version").all();

describe("migrations", () => {
  it("are numbered 1, 2, 3… with unique names", () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
    expect(new Set(migrations.map((m) => m.name)).size).toBe(migrations.length);
  });

  it("apply once to a fresh database and are recorded", () => {
    const { db } = freshDb();
    expect(applyMigrations(db, migrations, () => "2025-01-01T00:00:00.000Z")).toEqual(migrations.map((m) => m.version));
    expect(tables(db)).toEqual(["api_keys", "brands", "claims", "drops", "perks", "redemptions", "revoked_sessions", "schema_migrations", "secrets", "used_nonces"]);
    expect(recorded(db)).toEqual([
      { version: 1, name: "initial", applied_at: "2025-01-01T00:00:00.000Z" },
      { version: 2, name: "drops-and-claims", applied_at: "2025-01-01T00:00:00.000Z" },
      { version: 3, name: "signed-nonces-and-sessions", applied_at: "2025-01-01T00:00:00.000Z" },
    ]);
  });

  it("upgrade a version-2 database with stored nonces and sessions, keeping everything else", () => {
    const { db } = freshDb();
    applyMigrations(db, migrations.slice(0, 2));
    db.exec("INSERT INTO nonces (nonce, expires_at) VALUES ('n', '2099-01-01T00:00:00.000Z')");
    db.exec("INSERT INTO brands (id, name, created_at) VALUES ('b', 'B', '2025-01-01T00:00:00.000Z')");
    expect(applyMigrations(db)).toEqual([3]);
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
    expect(tables(db)).toContain("claims");
    expect(db.prepare("SELECT id FROM brands").all()).toEqual([{ id: "b" }]);
  });

  it("refuse a list with gaps", () => {
    const { db } = freshDb();
    expect(() => applyMigrations(db, [{ version: 2, name: "two", sql: "" }])).toThrow(/expected 1/);
  });
});
