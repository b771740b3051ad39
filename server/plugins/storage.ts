/**
 * Decorates the instance with the {@link Store}; opens the config's (SQLite or PostgreSQL) unless one
 * is given.
 * Every `pruneIntervalMs` it has the store forget used nonces and ended sessions past their expiry,
 * which otherwise pile up with every sign-in (one instance at a time, under a lease).
 */
import { randomUUID } from "node:crypto";
import fp from "fastify-plugin";
import type { FastifyInstance } from "fastify";
import { scheduleBackground } from "../background/schedule.ts";
import { openStore } from "../storage/open.ts";
import { toTimestamp, type Store } from "../storage/index.ts";

declare module "fastify" {
  interface FastifyInstance {
    store: Store;
  }
}

export const storagePlugin = fp(
  async (app: FastifyInstance, opts: { store?: Store; databaseUrl: string; poolSize?: number; timeoutMs?: number; pruneIntervalMs: number; holder?: string; leaseTtlMs?: number }) => {
    const owned = opts.store === undefined;
    const store = opts.store ?? (await openStore(opts.databaseUrl, { ...(opts.poolSize === undefined ? {} : { poolSize: opts.poolSize }), ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }) }));
    app.decorate("store", store);
    // A store handed in by the caller is the caller's to close. Hooks close in reverse order: added
    // first, this runs after the rounds below (and everything registered later) have finished.
    if (owned) app.addHook("onClose", async () => store.close());
    // One instance at a time prunes a shared store (harmless twice, but pointless).
    scheduleBackground(app, store, {
      name: "prune",
      holder: opts.holder ?? randomUUID(),
      intervalMs: opts.pruneIntervalMs,
      run: () => store.pruneExpired(toTimestamp()),
      failure: "pruning expired sign-in records failed",
      ...(opts.leaseTtlMs === undefined ? {} : { leaseTtlMs: opts.leaseTtlMs }),
    });
  },
  { name: "storage", fastify: "5.x" },
);
