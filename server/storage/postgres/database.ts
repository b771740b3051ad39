/**
 * The SQL layer's driver for PostgreSQL through `pg`, pooled: what several API instances share.
 * Statements arrive with `?` placeholders and leave as `$1…$n`, prepared once per connection. Transactions run at READ COMMITTED,
 * PostgreSQL's default: the store serialises what must not interleave with row locks
 * (`Dialect.forUpdate`, see the offer and take stores), and the unique indexes catch the rest.
 *
 * A lock not got within `lockTimeoutMs` is a StoreBusyError (503 store_busy, nothing recorded), as
 * SQLite's busy timeout is. A server that cannot be reached, a connection that drops, and a connection
 * or statement that takes longer than `timeoutMs` are a StoreUnavailableError (503 store_unavailable):
 * the broken connection leaves the pool, and the next request connects afresh, so the instance
 * recovers by itself when the server is back. A connection's errors never reach the process as an
 * unhandled `'error'` event, whether it is idle in the pool or held by a transaction.
 */
import { createHash } from "node:crypto";
import pg from "pg";
import { StoreBusyError, StoreUnavailableError } from "../errors.ts";
import type { Dialect, SqlDatabase, SqlExecutor, SqlValue, TransactionOptions } from "../sql/database.ts";
import { applyPostgresMigrations } from "./migrations.ts";

const DIALECT: Dialect = { name: "postgres", forUpdate: " FOR NO KEY UPDATE", skipLocked: " FOR UPDATE SKIP LOCKED" };

export const DEFAULT_POOL_SIZE = 10;
export const DEFAULT_LOCK_TIMEOUT_MS = 5_000;
export const DEFAULT_TIMEOUT_MS = 10_000;

export type PostgresOptions = {
  /** Connections in the pool. Default 10. */
  poolSize?: number;
  /** How long a statement waits for a lock before the write is refused as busy. Default 5000 ms. */
  lockTimeoutMs?: number;
  /** The schema the tables live in (created if missing); default the connection's own (`public`). */
  schema?: string;
  /**
   * How long connecting (or waiting for a free connection) and any one statement may take before
   * the store counts as unreachable. Above `lockTimeoutMs`, so a lock wait ends as busy first. Default 10000 ms.
   */
  timeoutMs?: number;
};

// SQLSTATE codes: https://www.postgresql.org/docs/current/errcodes-appendix.html
const UNIQUE_VIOLATION = "23505";
const LOCK_NOT_AVAILABLE = "55P03";
const DEADLOCK_DETECTED = "40P01";
const SERIALIZATION_FAILURE = "40001";
const BUSY = new Set([LOCK_NOT_AVAILABLE, DEADLOCK_DETECTED, SERIALIZATION_FAILURE]);
// The server going away, refusing connections or ending this one: class 08 (connection exception),
// admin or crash shutdown, "cannot connect now" (starting up, recovering), its database dropped, a
// session ended for idling (in a transaction or not).
const SERVER_GONE = new Set(["57P01", "57P02", "57P03", "57P04", "57P05", "25P03"]);
// The server cannot serve anything just now, whatever was asked: class 53 (insufficient resources: a
// full disk, no memory, too many connections), class 58 (system error: I/O), data or an index that
// reads as corrupt. As on SQLite (IOERR, FULL, CORRUPT), nothing the request did.
const CANNOT_SERVE = new Set(["XX001", "XX002"]);
const CANNOT_SERVE_CLASSES = ["53", "58"];
// What the socket says when the server or the path to it is gone.
const NETWORK = new Set(["ECONNREFUSED", "ECONNRESET", "ECONNABORTED", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);
// What pg and pg-pool say (as plain Errors without a code) when a connection fails, drops or times out.
const DISCONNECTED = /Connection terminated|not queryable|timeout exceeded when trying to connect|Query read timeout|Connection ended|Cannot use a pool after calling end/i;

/** Whether `error` says the server could not be reached or cannot serve just now (rather than that it refused the statement). */
export function isUnreachable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && (code.startsWith("08") || SERVER_GONE.has(code) || NETWORK.has(code))) return true;
  if (typeof code === "string" && code.length === 5 && (CANNOT_SERVE.has(code) || CANNOT_SERVE_CLASSES.includes(code.slice(0, 2)))) return true;
  return error instanceof Error && DISCONNECTED.test(error.message);
}

const INT8 = 20;
/** bigint columns (limits) as JS numbers: the store keeps them within Number.MAX_SAFE_INTEGER. */
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") => (oid === INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as "text"))) as typeof pg.types.getTypeParser,
};

const prepared = new Map<string, { name: string; text: string }>();
/**
 * A statement as PostgreSQL takes it: `?` placeholders as `$n` (the store's SQL holds no `?`
 * anywhere else), and a name derived from its text, so each connection parses and plans it once.
 */
function statement(sql: string): { name: string; text: string } {
  let found = prepared.get(sql);
  if (found === undefined) {
    let n = 0;
    found = { name: `s_${createHash("sha1").update(sql).digest("hex").slice(0, 24)}`, text: sql.replace(/\?/g, () => `$${++n}`) };
    if (prepared.size > 10_000) prepared.clear();
    prepared.set(sql, found);
  }
  return found;
}

/** pg sends a Buffer as bytea, but a plain Uint8Array as JSON: hand it a Buffer. */
const values = (params: SqlValue[]) => params.map((p) => (p instanceof Uint8Array && !Buffer.isBuffer(p) ? Buffer.from(p) : p));

/** The store's own error for what the driver threw: busy, unreachable, or as it was. */
function classify(error: unknown): unknown {
  if (error instanceof StoreBusyError || error instanceof StoreUnavailableError) return error;
  if (BUSY.has((error as { code?: string } | null)?.code ?? "")) return new StoreBusyError(error);
  return isUnreachable(error) ? new StoreUnavailableError(error) : error;
}

function executor(client: pg.Pool | pg.PoolClient): SqlExecutor {
  const query = async (sql: string, params: SqlValue[]) => {
    try {
      return await client.query({ ...statement(sql), values: values(params) });
    } catch (error) {
      throw classify(error);
    }
  };
  return {
    get: async <Row>(sql: string, ...params: SqlValue[]) => (await query(sql, params)).rows[0] as Row | undefined,
    all: async <Row>(sql: string, ...params: SqlValue[]) => (await query(sql, params)).rows as Row[],
    run: async (sql: string, ...params: SqlValue[]) => (await query(sql, params)).rowCount ?? 0,
  };
}

export class PostgresDatabase implements SqlDatabase {
  readonly dialect = DIALECT;
  readonly #pool: pg.Pool;
  readonly #direct: SqlExecutor;
  #open = true;

  private constructor(pool: pg.Pool) {
    this.#pool = pool;
    this.#direct = executor(pool);
  }

  /**
   * Connects a pool to `url` (`postgres://…`) and brings the schema up to date; when several
   * instances start at once, one applies the migrations and the others wait for it.
   */
  static async connect(url: string, options: PostgresOptions = {}): Promise<PostgresDatabase> {
    const schema = options.schema;
    if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new RangeError(`schema must be a lowercase SQL identifier, got ${schema}`);
    const lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const settings = [
      `-c lock_timeout=${lockTimeoutMs}`,
      // A transaction whose instance vanished (killed, or cut off while the server waits) must not
      // hold its row locks until the server's TCP keepalive notices, which takes hours by default.
      `-c idle_in_transaction_session_timeout=${2 * timeoutMs}`,
      ...(schema === undefined ? [] : [`-c search_path=${schema}`]),
    ];
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? DEFAULT_POOL_SIZE,
      options: settings.join(" "),
      types,
      // Never wait forever: not for a server that does not answer, a free connection, or a statement.
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
      // A path that silently died shows within seconds, not after the OS's two hours.
      keepAlive: true,
      keepAliveInitialDelayMillis: 5_000,
    });
    // An idle connection the server drops must not crash the process: the pool discards it and
    // connects afresh when next asked.
    pool.on("error", () => undefined);
    // Nor one a transaction holds: pg-pool stops listening to a connection while it is handed out,
    // and a reset then would be an 'error' event nobody handles. Every connection keeps this listener
    // for life; the statement in flight fails with the same error (see transaction()), and pg-pool
    // discards a connection that broke when it comes back.
    pool.on("connect", (client) => client.on("error", () => undefined));
    const db = new PostgresDatabase(pool);
    try {
      await db.transaction((tx) => applyPostgresMigrations(tx, { schema }));
    } catch (error) {
      await pool.end();
      throw error;
    }
    return db;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  get<Row>(sql: string, ...params: SqlValue[]): Promise<Row | undefined> {
    return this.#direct.get<Row>(sql, ...params);
  }

  all<Row>(sql: string, ...params: SqlValue[]): Promise<Row[]> {
    return this.#direct.all<Row>(sql, ...params);
  }

  run(sql: string, ...params: SqlValue[]): Promise<number> {
    return this.#direct.run(sql, ...params);
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw classify(error);
    }
    // Set when the connection must not be handed out again (pg-pool also drops one that broke).
    let broken: unknown = null;
    try {
      await client.query("BEGIN");
      // Used nonces and sign-outs may skip waiting for the disk, as on SQLite (synchronous = NORMAL).
      if (options.durability === "ephemeral") await client.query("SET LOCAL synchronous_commit = off");
      const result = await work(executor(client));
      await client.query("COMMIT");
      return result;
    } catch (error) {
      const failure = classify(error);
      // A connection that failed or timed out is not asked anything more (a ROLLBACK would wait
      // behind the stuck statement); discarding it ends the transaction on the server.
      if (failure instanceof StoreUnavailableError) broken ??= failure;
      else await client.query("ROLLBACK").catch((rollback: unknown) => (broken ??= rollback));
      throw failure;
    } finally {
      // With an error, the pool closes the connection instead of handing it out again.
      client.release(broken === null ? undefined : (broken as Error));
    }
  }

  /** A single statement is its own transaction on PostgreSQL: no BEGIN and COMMIT round trips. */
  writeOne<Row>(sql: string, ...params: SqlValue[]): Promise<Row[]> {
    return this.#direct.all<Row>(sql, ...params);
  }

  isUniqueViolation(error: unknown): boolean {
    return (error as { code?: string } | null)?.code === UNIQUE_VIOLATION;
  }

  async close(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    await this.#pool.end();
  }
}
