/**
 * One SQLite database through `node:sqlite` (Node >= 24), with what every aggregate's store needs:
 * cached prepared statements and write transactions. One file may be shared by several processes:
 * WAL lets readers run beside the one writer, every write runs in a `BEGIN IMMEDIATE` transaction so
 * writers queue for the lock from the start, and `busy_timeout` makes them wait for it rather than fail.
 *
 * node:sqlite is synchronous, so a write transaction runs whole before its caller's promise settles:
 * calls from one process never interleave inside a transaction. The price is that a write waiting
 * for another process's lock blocks this process's event loop meanwhile (at most the busy timeout).
 */
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import { StoreBusyError } from "../errors.ts";
import { applyMigrations } from "./migrations.ts";

/** Default for the busy timeout: how long a write waits for another writer's lock. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

const SQLITE_BUSY = 5;

/** SQLITE_BUSY, extended codes included (the primary code is the low byte). */
function isBusy(error: unknown): boolean {
  const code = (error as { errcode?: unknown } | null)?.errcode;
  return typeof code === "number" && (code & 0xff) === SQLITE_BUSY;
}

/**
 * Sets a database to WAL. On a brand-new file that several processes open at once, SQLite may answer
 * SQLITE_BUSY at once rather than wait (waiting could deadlock), so this retries within the busy timeout.
 */
function switchToWal(db: DatabaseSync, busyTimeoutMs: number): { journal_mode?: string } | undefined {
  const deadline = Date.now() + busyTimeoutMs;
  for (;;) {
    try {
      return db.prepare("PRAGMA journal_mode = WAL").get() as { journal_mode?: string } | undefined;
    } catch (error) {
      if (!isBusy(error) || Date.now() >= deadline) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
}

export class SqliteDatabase {
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();

  private constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /**
   * Opens (creating if needed) a database file, or a private in-memory database for ":memory:",
   * and brings its schema up to date (see migrations.ts).
   */
  static open(path: string, busyTimeoutMs = DEFAULT_BUSY_TIMEOUT_MS): SqliteDatabase {
    if (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
      throw new RangeError(`busyTimeoutMs must be a non-negative integer, got ${busyTimeoutMs}`);
    }
    const db = new DatabaseSync(path, { timeout: busyTimeoutMs, enableForeignKeyConstraints: true });
    try {
      db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
      db.exec("PRAGMA foreign_keys = ON");
      if (path !== ":memory:") {
        // Persistent in the file; a no-op once set. In-memory databases cannot use WAL.
        const row = switchToWal(db, busyTimeoutMs);
        if (row?.journal_mode !== "wal") throw new Error(`could not switch ${path} to WAL (got ${row?.journal_mode})`);
        // FULL: a commit the caller saw (a redemption code shown to a member) survives a power cut.
        db.exec("PRAGMA synchronous = FULL");
      }
      applyMigrations(db);
    } catch (error) {
      db.close();
      throw error;
    }
    return new SqliteDatabase(db);
  }

  get isOpen(): boolean {
    return this.#db.isOpen;
  }

  #statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  get<Row>(sql: string, ...params: SQLInputValue[]): Row | undefined {
    return this.#statement(sql).get(...params) as Row | undefined;
  }

  all<Row>(sql: string, ...params: SQLInputValue[]): Row[] {
    return this.#statement(sql).all(...params) as unknown as Row[];
  }

  count(sql: string, ...params: SQLInputValue[]): number {
    return this.get<{ n: number }>(sql, ...params)?.n ?? 0;
  }

  /** Runs a statement; returns how many rows it changed. */
  run(sql: string, ...params: SQLInputValue[]): number {
    return Number(this.#statement(sql).run(...params).changes);
  }

  /**
   * Runs `work` in a write transaction. BEGIN IMMEDIATE takes the write lock up front (waiting up
   * to busy_timeout), so the reads inside see the latest data and nothing can change it before
   * COMMIT. `work` must be synchronous. A lock not got in time is a {@link StoreBusyError}.
   */
  write<T>(work: () => T, durability: "durable" | "ephemeral" = "durable"): T {
    // Nonces and sessions skip the per-commit fsync: after a power cut the worst case is signing in
    // again. Everything else (redemptions above all) is on disk before the caller hears "done"; its
    // commit also syncs any ephemeral commits written before it.
    if (durability === "ephemeral") this.#db.exec("PRAGMA synchronous = NORMAL");
    try {
      this.#db.exec("BEGIN IMMEDIATE");
      const result = work();
      this.#db.exec("COMMIT");
      return result;
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
      throw isBusy(error) ? new StoreBusyError(error) : error;
    } finally {
      if (durability === "ephemeral") this.#db.exec("PRAGMA synchronous = FULL");
    }
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}
