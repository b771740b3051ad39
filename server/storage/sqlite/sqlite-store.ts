/**
 * The {@link Store} on SQLite through `node:sqlite` (Node >= 24): the embedded default, needing no
 * server. The store's logic is the SQL layer's (sql/); this is its SQLite driver and schema.
 */
import { createSqlStore } from "../sql/store.ts";
import type { Store } from "../store.ts";
import { DEFAULT_BUSY_TIMEOUT_MS, SqliteDatabase } from "./database.ts";

export { DEFAULT_BUSY_TIMEOUT_MS };

export interface SqliteStoreOptions {
  /**
   * How long a write waits for another connection (or process) holding the write lock before it
   * fails with a StoreBusyError. Default 5000 ms.
   */
  busyTimeoutMs?: number;
}

export const SqliteStore = {
  /**
   * Opens (creating if needed) a database file, or a private in-memory database for ":memory:",
   * brings its schema up to date, and returns the store over it.
   */
  open(path: string, options: SqliteStoreOptions = {}): Store {
    return createSqlStore(SqliteDatabase.open(path, options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS));
  },
};
