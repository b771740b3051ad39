/** Decorates the instance with the {@link Store}; opens SQLite from the config unless one is given. */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import fp from "fastify-plugin";
import type { FastifyInstance } from "fastify";
import { SqliteStore, type Store } from "../storage/index.ts";

declare module "fastify" {
  interface FastifyInstance {
    store: Store;
  }
}

export function openStore(databaseUrl: string): Store {
  const path = databaseUrl.slice("sqlite:".length);
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  return SqliteStore.open(path);
}

export const storagePlugin = fp(
  async (app: FastifyInstance, opts: { store?: Store; databaseUrl: string }) => {
    const owned = opts.store === undefined;
    const store = opts.store ?? openStore(opts.databaseUrl);
    app.decorate("store", store);
    // A store handed in by the caller is the caller's to close.
    if (owned) app.addHook("onClose", async () => store.close());
  },
  { name: "storage", fastify: "5.x" },
);
