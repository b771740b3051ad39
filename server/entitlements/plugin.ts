/**
 * Entitlements: signed statements of a member's standing with one brand that the brand's own server
 * verifies offline (`/v1/me/entitlement`), and the key ring they are signed with (`/.well-known/jwks.json`,
 * rotation on a schedule and by the operator).
 */
import fp from "fastify-plugin";
import type { FastifyInstance } from "fastify";
import { throttled } from "../logging.ts";
import { createMemberHoldings } from "../members/me.ts";
import { perkVariant } from "../perks/variant.ts";
import { createEntitlements } from "./claims.ts";
import { createKeyRing } from "./keys.ts";
import { entitlementRoutes } from "./routes.ts";
import { createKeySealer } from "../sealing.ts";

/** How long an instance reuses the key ring it read: another instance's rotation reaches it within this. */
const KEY_RING_CACHE_MS = 30_000;

export const entitlementsPlugin = fp(
  async (app: FastifyInstance) => {
    const { config, store } = app;
    const keys = createKeyRing({
      store,
      sealer: createKeySealer({ store, secret: config.authSecret }),
      rotationMs: config.entitlementKeyRotationDays * 86_400_000,
      ttlMs: config.entitlementTtlSeconds * 1000,
      skewMs: config.clockSkewSeconds * 1000,
      cacheMs: KEY_RING_CACHE_MS,
      now: app.now,
    });
    const onUnreadable = throttled(10_000, (collection, error) => app.log.warn({ collection, err: error }, "a collection's holdings could not be read for an entitlement"));
    const entitlements = createEntitlements({
      store,
      // What is signed for a brand's server to trust: from the index only when it is at the head.
      holdings: createMemberHoldings({ store, directory: app.directory, tokenTypes: app.chain.tokenTypes, names: app.names, levels: app.levelBook, ownership: app.chain.ownership, index: app.chain.index, exact: true, onUnreadable }),
      levels: app.levelBook,
      perks: app.offers.forKind(perkVariant),
      rules: app.rules,
      keys,
      issuer: config.publicUrl.href.replace(/\/+$/, ""),
      ttlSeconds: config.entitlementTtlSeconds,
      now: app.now,
    });
    await app.register(entitlementRoutes, { entitlements, keys, origins: app.origins });
  },
  { name: "entitlements", fastify: "5.x", dependencies: ["context", "storage", "chain", "sessions", "brands", "catalog", "loyalty", "rules", "offers"] },
);
