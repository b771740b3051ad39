/**
 * The {@link Store} on SQLite through `node:sqlite` (Node >= 24): the embedded default, needing no
 * server. One store per aggregate (sign-in, brands, offers, takes) over one {@link SqliteDatabase}.
 */
import type { Store } from "../store.ts";
import { createSqliteBrandStore } from "./brand-store.ts";
import { DEFAULT_BUSY_TIMEOUT_MS, SqliteDatabase } from "./database.ts";
import { createSqliteOfferStore } from "./offer-store.ts";
import { createSqliteSignInStore } from "./sign-in-store.ts";
import { createSqliteTakeStore } from "./take-store.ts";

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
    const db = SqliteDatabase.open(path, options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS);
    const { flush, ...signIn } = createSqliteSignInStore(db);
    return {
      ...signIn,
      ...createSqliteBrandStore(db),
      ...createSqliteOfferStore(db),
      ...createSqliteTakeStore(db),
      async close() {
        // Nonces already handed in are recorded (or refused) before the database closes.
        if (db.isOpen) flush();
        db.close();
      },
    };
  },
};
