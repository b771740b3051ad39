/**
 * Brands and what they own: the directory of collections this deployment serves (decorated as
 * `app.directory`), each brand's minter (`app.minters`: its key) and the sender of its transactions
 * (`app.senders`), and the routes that register collections and set up minters.
 */
import fp from "fastify-plugin";
import type { FastifyInstance } from "fastify";
import { createBrandSenders, type BrandSenders } from "../chain/sender/brand-senders.ts";
import { createKeyVault } from "../chain/sender/key-vault.ts";
import { forgetOn } from "../invalidation.ts";
import { createCollectionDirectory, type CollectionDirectory } from "./directory.ts";
import { createBrandMinters, type BrandMinters } from "./minters.ts";
import { createPublicBrands } from "./public.ts";
import { createRegistrations } from "./registration.ts";
import { brandRoutes } from "./routes.ts";

declare module "fastify" {
  interface FastifyInstance {
    directory: CollectionDirectory;
    minters: BrandMinters;
    /** Each brand's transaction sender (its minter key, nonce and settlement). */
    senders: BrandSenders;
  }
}

/** How long a registration a brand asks for stays signable. */
const REGISTRATION_LIFETIME_SECONDS = 3_600;

export const brandsPlugin = fp(
  async (app: FastifyInstance) => {
    const { config, store, bus, now, instanceId } = app;
    const client = app.chain.client;
    const directory = createCollectionDirectory({ store, configured: config.collections, ttlMs: app.cacheBounds.listMs, onChange: () => void bus.publish({ type: "collections" }) });
    forgetOn(bus, ["collections"], () => directory.forget());
    const vault = config.minterKeySecret === null ? null : createKeyVault(config.minterKeySecret);
    const senders = createBrandSenders({ store, vault, client, chainId: config.chainId, receiptTimeoutMs: config.mintTimeoutMs, confirmations: config.chainIndex.confirmations, holder: instanceId, leaseTtlMs: config.leaseTtlMs });
    const minters = createBrandMinters({ store, vault, senders, now });
    app.decorate("directory", directory);
    app.decorate("minters", minters);
    app.decorate("senders", senders);
    const registrations = createRegistrations({ store, client, chainId: config.chainId, directory, lifetimeSeconds: REGISTRATION_LIFETIME_SECONDS, now });
    await app.register(brandRoutes, { registrations, minters, brands: createPublicBrands(store) });
  },
  { name: "brands", fastify: "5.x", dependencies: ["context", "storage", "chain", "invalidation", "sessions"] },
);
