/**
 * The SQL layer's driver for SQLite through `node:sqlite` (Node >= 24): cached prepared statements
 * and write transactions. One file may be shared by several processes: WAL lets readers run beside
 * the one writer, every write transaction starts with `BEGIN IMMEDIATE` so writers queue for the lock
 * from the start, and `busy_timeout` makes them wait for it rather than fail.
 *
 * node:sqlite is synchronous and this process has one connection, so everything it asks of the
 * database takes turns (a queue): a transaction's statements never interleave with another caller's,
 * and no read sees a transaction that has not committed. The price is that a write waiting for
 * another process's lock blocks this process's event loop meanwhile (at most the busy timeout).
 */
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import { StoreBusyError, StoreUnavailableError } from "../errors.ts";
import type { Dialect, SqlDatabase, SqlExecutor, SqlValue, TransactionOptions } from "../sql/database.ts";
import { applyMigrations } from "./migrations.ts";

/** Default for the busy timeout: how long a write waits for another writer's lock. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

const SQLITE_BUSY = 5;

/** SQLITE_BUSY, extended codes included (the primary code is the low byte). */
function isBusy(error: unknown): boolean {
  const code = (error as { errcode?: unknown } | null)?.errcode;
  return typeof code === "number" && (code & 0xff) === SQLITE_BUSY;
}

// Primary result codes that mean the file cannot be read or written now, whatever was asked: an I/O
// error, a full disk, a file that vanished or turned read-only, no lock possible, or files that read
// as damaged or as no database at all (a disk returning garbage, files replaced underneath).
// https://www.sqlite.org/rescode.html
const UNAVAILABLE = new Set([8 /* READONLY */, 10 /* IOERR */, 11 /* CORRUPT */, 13 /* FULL */, 14 /* CANTOPEN */, 15 /* PROTOCOL */, 26 /* NOTADB */, 37 /* NOLFS */]);

/** The store's own error for what node:sqlite threw: busy, unavailable, or as it was. */
function classify(error: unknown): unknown {
  if (error instanceof StoreBusyError || error instanceof StoreUnavailableError) return error;
  if (isBusy(error)) return new StoreBusyError(error);
  const { errcode, code } = (error ?? {}) as { errcode?: unknown; code?: unknown };
  if (typeof errcode === "number" && UNAVAILABLE.has(errcode & 0xff)) return new StoreUnavailableError(error);
  // A database closed under a request (the instance is stopping) cannot answer it either.
  if (code === "ERR_INVALID_STATE") return new StoreUnavailableError(error);
  return error;
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

const SQLITE_CONSTRAINT_UNIQUE = 2067;
const SQLITE_CONSTRAINT_PRIMARYKEY = 1555;

const DIALECT: Dialect = { name: "sqlite", forUpdate: "", skipLocked: "" };

const rethrow = (error: unknown): never => {
  throw classify(error);
};

export class SqliteDatabase implements SqlDatabase {
  readonly dialect = DIALECT;
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  /** The turn of the last thing asked: the next one starts when it has settled. */
  #turn: Promise<unknown> = Promise.resolve();
  /** The direct executor, for a transaction's own statements (which already hold the turn). */
  readonly #direct: SqlExecutor = {
    get: async (sql, ...params) => this.#get(sql, params),
    all: async (sql, ...params) => this.#all(sql, params),
    run: async (sql, ...params) => this.#run(sql, params),
  };

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

  #get<Row>(sql: string, params: SqlValue[]): Row | undefined {
    return this.#statement(sql).get(...(params as SQLInputValue[])) as Row | undefined;
  }

  #all<Row>(sql: string, params: SqlValue[]): Row[] {
    return this.#statement(sql).all(...(params as SQLInputValue[])) as unknown as Row[];
  }

  #run(sql: string, params: SqlValue[]): number {
    return Number(this.#statement(sql).run(...(params as SQLInputValue[])).changes);
  }

  /** Runs `task` when everything asked before it has settled. */
  #inTurn<T>(task: () => T | Promise<T>): Promise<T> {
    const result = this.#turn.then(task);
    this.#turn = result.catch(() => undefined);
    return result;
  }

  get<Row>(sql: string, ...params: SqlValue[]): Promise<Row | undefined> {
    return this.#inTurn(() => this.#get<Row>(sql, params)).catch(rethrow);
  }

  all<Row>(sql: string, ...params: SqlValue[]): Promise<Row[]> {
    return this.#inTurn(() => this.#all<Row>(sql, params)).catch(rethrow);
  }

  run(sql: string, ...params: SqlValue[]): Promise<number> {
    return this.#inTurn(() => this.#run(sql, params)).catch(rethrow);
  }

  /**
   * BEGIN IMMEDIATE takes the write lock up front (waiting up to busy_timeout), so the reads inside
   * see the latest data and nothing can change it before COMMIT.
   */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    return this.#inTurn(async () => {
      // Nonces and sessions skip the per-commit fsync: after a power cut the worst case is signing in
      // again. Everything else (redemptions above all) is on disk before the caller hears "done"; its
      // commit also syncs any ephemeral commits written before it.
      const ephemeral = options.durability === "ephemeral";
      try {
        // Inside the try: on a closed database this throws too, and must leave as the store's error.
        if (ephemeral) this.#db.exec("PRAGMA synchronous = NORMAL");
        this.#db.exec("BEGIN IMMEDIATE");
        const result = await work(this.#direct);
        this.#db.exec("COMMIT");
        return result;
      } catch (error) {
        try {
          if (this.#db.isOpen && this.#db.isTransaction) this.#db.exec("ROLLBACK");
        } catch {
          // A file that cannot be written cannot be rolled back either: SQLite does it on next open.
        }
        throw classify(error);
      } finally {
        if (ephemeral && this.#db.isOpen) this.#db.exec("PRAGMA synchronous = FULL");
      }
    }).catch(rethrow);
  }

  writeOne<Row>(sql: string, ...params: SqlValue[]): Promise<Row[]> {
    return this.transaction(async (tx) => tx.all<Row>(sql, ...params));
  }

  isUniqueViolation(error: unknown): boolean {
    if (error instanceof StoreUnavailableError || error instanceof StoreBusyError) return false;
    const code = (error as { errcode?: unknown } | null)?.errcode;
    return code === SQLITE_CONSTRAINT_UNIQUE || code === SQLITE_CONSTRAINT_PRIMARYKEY;
  }

  /** Closes once everything asked before has settled. */
  close(): Promise<void> {
    return this.#inTurn(() => {
      if (this.#db.isOpen) this.#db.close();
    });
  }
}
