/**
 * Decorates the instance with the {@link Store}; opens the config's (SQLite or PostgreSQL) unless one
 * is given.
 * Every `pruneIntervalMs` it has the store forget used nonces and ended sessions past their expiry,
 * which otherwise pile up with every sign-in.
 */
import fp from "fastify-plugin";
import type { FastifyInstance } from "fastify";
import { openStore } from "../storage/open.ts";
import { toTimestamp, type Store } from "../storage/index.ts";

declare module "fastify" {
  interface FastifyInstance {
    store: Store;
  }
}

export const storagePlugin = fp(
  async (app: FastifyInstance, opts: { store?: Store; databaseUrl: string; poolSize?: number; pruneIntervalMs: number }) => {
    const owned = opts.store === undefined;
    const store = opts.store ?? (await openStore(opts.databaseUrl, opts.poolSize === undefined ? {} : { poolSize: opts.poolSize }));
    app.decorate("store", store);
    // unref: pruning never keeps the process alive. Several instances pruning one store is harmless.
    const pruning = setInterval(() => {
      store.pruneExpired(toTimestamp()).catch((error: unknown) => app.log.warn({ err: error }, "pruning expired sign-in records failed"));
    }, opts.pruneIntervalMs).unref();
    app.addHook("onClose", async () => clearInterval(pruning));
    // A store handed in by the caller is the caller's to close.
    if (owned) app.addHook("onClose", async () => store.close());
  },
  { name: "storage", fastify: "5.x" },
);
