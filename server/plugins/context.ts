/**
 * What every feature plugin reads from the instance: the config, the clock, this instance's id (to
 * the leases of shared background work) and how long lists may be cached. Decorated first.
 */
import fp from "fastify-plugin";
import type { FastifyInstance } from "fastify";
import type { Config } from "../config.ts";

/** How long listing caches may keep what they read. */
export type CacheBounds = {
  /** Lists brands change (collections, offers, names, levels, data requests). */
  listMs: number;
  /** Counts of takes (redemptions, claims), which are not broadcast between instances. */
  takeCountMs: number;
};

declare module "fastify" {
  interface FastifyInstance {
    config: Config;
    now: () => Date;
    /** Who this instance is, to the leases of background work several instances share. */
    instanceId: string;
    cacheBounds: CacheBounds;
  }
}

/**
 * Lists cached for listing (collections, offers, take counts) live no longer than holdings, and at
 * most a second, which bounds how late another instance's change shows. With Redis, brands' changes
 * to offers and collections reach every instance at once (the bound then only matters when a
 * broadcast is lost), so those lists may live as long as holdings; take counts stay at a second, as
 * takes and claim settlements are not broadcast.
 */
export function cacheBoundsFor(config: Config, shared: boolean): CacheBounds {
  const takeCountMs = Math.min(config.ownershipCacheMs, 1_000);
  return { takeCountMs, listMs: shared ? config.ownershipCacheMs : takeCountMs };
}

export const contextPlugin = fp(
  async (app: FastifyInstance, opts: { config: Config; now: () => Date; instanceId: string; sharedInvalidations: boolean }) => {
    app.decorate("config", opts.config);
    app.decorate("now", opts.now);
    app.decorate("instanceId", opts.instanceId);
    app.decorate("cacheBounds", cacheBoundsFor(opts.config, opts.sharedInvalidations));
  },
  { name: "context", fastify: "5.x" },
);
