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
        terms: app.terms,
        grantsOf: (member, fresh) => app.consents.activeRequests(member, fresh),
        servedCollections: () => app.directory.served(),
        dataRequestOwner: async (id) => (await store.getDataRequest(id))?.brandId ?? null,
        onUnavailable: throttled(10_000, (brandId, error) => app.log.warn({ brandId, err: error }, "a brand's holdings could not be read for a listing")),
        now: app.now,
      }),
    );
  },
  { name: "rules", fastify: "5.x", dependencies: ["context", "storage", "chain", "brands", "member-data", "loyalty"] },
);
