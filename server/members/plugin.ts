/** `GET /v1/me`: what a signed-in member holds in every served collection, and their standing with each brand. */
import fp from "fastify-plugin";
import type { FastifyInstance } from "fastify";
import { throttled } from "../logging.ts";
import { createMemberHoldings } from "./me.ts";
import { memberRoutes } from "./routes.ts";

export const membersPlugin = fp(
  async (app: FastifyInstance) => {
    // A collection that keeps failing is one line now and then, not one per request.
    const onUnreadable = throttled(10_000, (collection, error) => app.log.warn({ collection, err: error }, "a collection's holdings could not be read for /v1/me"));
    const me = createMemberHoldings({ store: app.store, directory: app.directory, tokenTypes: app.chain.tokenTypes, names: app.names, levels: app.levelBook, ownership: app.chain.ownership, onUnreadable });
    await app.register(memberRoutes, { me });
  },
  { name: "members", fastify: "5.x", dependencies: ["storage", "chain", "brands", "catalog", "loyalty", "sessions"] },
);
