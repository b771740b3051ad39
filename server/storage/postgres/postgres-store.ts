/**
 * The {@link Store} on PostgreSQL: what several API instances share. The store's logic is the SQL
 * layer's (sql/), the same as on SQLite; this is its PostgreSQL driver and schema.
 */
import { createSqlStore } from "../sql/store.ts";
import type { Store } from "../store.ts";
import { PostgresDatabase, type PostgresOptions } from "./database.ts";

export const PostgresStore = {
  /** Connects to `url` (`postgres://…`), brings the schema up to date, and returns the store over it. */
  async connect(url: string, options: PostgresOptions = {}): Promise<Store> {
    return createSqlStore(await PostgresDatabase.connect(url, options));
  },
};
