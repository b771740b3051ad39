/**
 * The one SQL layer every store operation is written against, once for every engine. Statements use
 * `?` placeholders and the SQL both SQLite and PostgreSQL speak (ON CONFLICT, RETURNING, row values,
 * CAST(count(*) AS INTEGER)); where the engines really differ, the driver says so through its
 * {@link Dialect}. A driver (sqlite/database.ts, postgres/database.ts) only runs statements and
 * transactions.
 */

/** A statement's parameter. */
export type SqlValue = string | number | bigint | null | Uint8Array;

/** What a statement runs on: the database itself, or one open transaction. */
export interface SqlExecutor {
  get<Row>(sql: string, ...params: SqlValue[]): Promise<Row | undefined>;
  all<Row>(sql: string, ...params: SqlValue[]): Promise<Row[]>;
  /** Runs a statement; resolves to how many rows it changed. */
  run(sql: string, ...params: SqlValue[]): Promise<number>;
}

export interface Dialect {
  name: "sqlite" | "postgres";
  /**
   * Appended to a SELECT that must hold its rows until the transaction ends. PostgreSQL locks them
   * (` FOR UPDATE`); SQLite needs nothing, its write transactions run one at a time.
   */
  forUpdate: string;
  /**
   * Appended to a SELECT that claims rows for work: rows another transaction holds are passed over
   * rather than waited for (PostgreSQL ` FOR UPDATE SKIP LOCKED`). SQLite needs nothing.
   */
  skipLocked: string;
}

export type TransactionOptions = {
  /**
   * `ephemeral`: the commit may skip waiting for the disk (used nonces, sign-outs), so after a power
   * cut it may be lost; the worst case is signing in again. Everything else is `durable`.
   */
  durability?: "durable" | "ephemeral";
};

export interface SqlDatabase extends SqlExecutor {
  readonly dialect: Dialect;
  /**
   * Runs `work` in a write transaction and commits it, or rolls it back if `work` throws. A write
   * that cannot get the engine's lock in time rejects with a StoreBusyError and changes nothing.
   */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Runs one writing statement on its own, atomically (PostgreSQL: a single round trip), and
   * resolves to the rows it returns (`RETURNING`). Busy as `transaction`.
   */
  writeOne<Row>(sql: string, ...params: SqlValue[]): Promise<Row[]>;
  /** Whether `error` is a unique-constraint violation (another writer inserted the same key first). */
  isUniqueViolation(error: unknown): boolean;
  /** Whether the database can still be used. */
  readonly isOpen: boolean;
  close(): Promise<void>;
}
