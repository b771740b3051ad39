/** Perks: offers a member redeems for a code the brand's till checks (`/v1/perks/*`, `/v1/admin/perks/*`, the till's routes). */
import fp from "fastify-plugin";
import type { FastifyInstance } from "fastify";
import { perkRoutes } from "./routes.ts";
import { createTill } from "./till.ts";
import { perkVariant } from "./variant.ts";

export const perksPlugin = fp(
  async (app: FastifyInstance) => {
    const { config, store, now } = app;
    const till = createTill(store, now, { terms: app.terms, ownership: app.chain.ownership, timeoutMs: config.listingReadTimeoutMs });
    await app.register(perkRoutes, { perks: app.offers.forKind(perkVariant), till, tillVerifyPerMinute: config.tillVerifyPerMinute });
  },
  { name: "perks", fastify: "5.x", dependencies: ["context", "storage", "chain", "offers", "loyalty", "rate-limits"] },
);
