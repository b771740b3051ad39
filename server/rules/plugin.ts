/**
 * The one place that decides which rules a brand may store and whether a member meets one
 * (`app.rules`): perks, drops, journeys' hold steps and the console's preview alike.
 */
import fp from "fastify-plugin";
import type { FastifyInstance } from "fastify";
import { throttled } from "../logging.ts";
import { createRules, type Rules } from "./index.ts";

declare module "fastify" {
  interface FastifyInstance {
    rules: Rules;
  }
}

export const rulesPlugin = fp(
  async (app: FastifyInstance) => {
    const { store } = app;
    app.decorate(
      "rules",
      createRules({
        ownership: app.chain.ownership,
        ...(app.chain.delegates === null ? {} : { delegates: app.chain.delegates }),
        terms: app.terms,
        grantsOf: (member, fresh) => app.consents.activeRequests(member, fresh),
        servedCollections: () => app.directory.served(),
        dataRequestOwner: async (id) => (await store.getDataRequest(id))?.brandId ?? null,
        // `what` is the brand whose holdings, or "grants" when the member's grants, could not be read.
        onUnavailable: throttled(10_000, (what, error) => app.log.warn({ what, err: error }, "part of a listing could not be read: it shows as unavailable")),
        now: app.now,
      }),
    );
  },
  { name: "rules", fastify: "5.x", dependencies: ["context", "storage", "chain", "brands", "member-data", "loyalty"] },
);
