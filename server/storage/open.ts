/** Opens the store a `DATABASE_URL` names: SQLite (the embedded default) or PostgreSQL. */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { PostgresStore } from "./postgres/postgres-store.ts";
import { SqliteStore } from "./sqlite/sqlite-store.ts";
import type { Store } from "./store.ts";

/** @param options.poolSize, options.timeoutMs PostgreSQL only (DATABASE_POOL_SIZE, DATABASE_TIMEOUT_MS). */
export async function openStore(databaseUrl: string, options: { poolSize?: number; timeoutMs?: number } = {}): Promise<Store> {
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return PostgresStore.connect(databaseUrl, options);
  const path = databaseUrl.slice("sqlite:".length);
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  return SqliteStore.open(path);
}
