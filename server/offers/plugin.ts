/**
 * The offers core (`app.offers`): what every kind of offer shares (a rule, a window, limits, one take
 * per idempotency key), and the cached listings that show members what they may take. Kinds (perks,
 * drops) register their routes through `app.offers.forKind(kind)`.
 */
import fp from "fastify-plugin";
import type { FastifyInstance } from "fastify";
import { forgetOn } from "../invalidation.ts";
import { throttled } from "../logging.ts";
import { createOffers, type Offers } from "./service.ts";

declare module "fastify" {
  interface FastifyInstance {
    offers: Offers;
  }
}

export const offersPlugin = fp(
  async (app: FastifyInstance) => {
    const { config, store, bus, now } = app;
    const offers = createOffers({
      store,
      rules: app.rules,
      terms: app.terms,
      quotas: { offers: config.brandMaxOffers, tokenTypes: config.brandMaxTokenTypes },
      listCacheMs: app.cacheBounds.listMs,
      takeCountCacheMs: app.cacheBounds.takeCountMs,
      onChange: () => void bus.publish({ type: "offers" }),
      listingReadTimeoutMs: config.listingReadTimeoutMs,
      now,
      onUnavailable: throttled(10_000, (brandId, error) => app.log.warn({ brandId, err: error }, "a brand's terms could not be read for a listing: its words stay plain")),
    });
    // A changed name, level or data request changes how offers read and whom they unlock.
    forgetOn(bus, ["offers", "terms"], () => offers.offersChanged());
    app.decorate("offers", offers);
  },
  { name: "offers", fastify: "5.x", dependencies: ["context", "storage", "invalidation", "loyalty", "rules"] },
);
