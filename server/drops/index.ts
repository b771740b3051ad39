/**
 * Drops and gasless claims, as one route plugin: `app.register(dropsPlugin, { config })`. Needs the
 * store, chain and authentication decorators (registered before it in app.ts).
 */
import type { FastifyInstance } from "fastify";
import type { CollectionCatalog } from "../chain/collections.ts";
import type { Config } from "../config.ts";
import { dropAdminRoutes } from "./admin-routes.ts";
import { createMinter } from "./minter.ts";
import { dropRoutes } from "./routes.ts";
import { createDropService } from "./service.ts";

export type DropsPluginOptions = {
  config: Pick<Config, "collections" | "chainId" | "minterPrivateKey" | "mintTimeoutMs" | "voucherTtlSeconds" | "claimSweepMs">;
  /** The collections' token types, shared with the other routes that read them. */
  catalog: CollectionCatalog;
  now?: () => Date;
};

export async function dropsPlugin(app: FastifyInstance, opts: DropsPluginOptions) {
  const { config } = opts;
  const minter =
    config.minterPrivateKey === null
      ? null
      : createMinter({ client: app.chain.client, privateKey: config.minterPrivateKey, chainId: config.chainId, receiptTimeoutMs: config.mintTimeoutMs });
  const drops = createDropService({
    store: app.store,
    ownership: app.chain.ownership,
    client: app.chain.client,
    catalog: opts.catalog,
    minter,
    voucherTtlSeconds: config.voucherTtlSeconds,
    // Hashes are recorded before broadcast; a claim without one this long after its reservation was never sent.
    staleAfterMs: config.mintTimeoutMs + 5 * 60_000,
    ...(opts.now ? { now: opts.now } : {}),
  });
  // Claims nobody reads still settle: pending mints by their transaction, lapsed vouchers by the
  // chain. One sweep at a time; several instances sweeping one store is harmless (transitions are
  // conditional). A sweep that cannot reach the chain leaves the rest for the next.
  let sweeping = false;
  const sweeper = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    drops
      .sweep()
      .catch((error: unknown) => app.log.warn({ err: error }, "claim sweep stopped early"))
      .finally(() => (sweeping = false));
  }, config.claimSweepMs).unref();
  app.addHook("onClose", async () => clearInterval(sweeper));

  await app.register(dropRoutes, { drops });
  await app.register(dropAdminRoutes, { collections: config.collections, minter, ...(opts.now ? { now: opts.now } : {}) });
}
