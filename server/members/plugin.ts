/**
 * Members: the registry every sign-in passes through (`app.memberRegistry`: the first sign-in of an
 * address makes it a member), and `GET /v1/me`: what a signed-in member holds in every served
 * collection, and their standing with each brand.
 */
import fp from "fastify-plugin";
import type { FastifyInstance } from "fastify";
import { throttled } from "../logging.ts";
import { createMemberHoldings } from "./me.ts";
import { createMemberRegistry, type MemberRegistry } from "./registry.ts";
import { memberRoutes } from "./routes.ts";

declare module "fastify" {
  interface FastifyInstance {
    memberRegistry: MemberRegistry;
  }
}

export const membersPlugin = fp(
  async (app: FastifyInstance) => {
    const registry = createMemberRegistry({ store: app.store, now: app.now });
    app.decorate("memberRegistry", registry);
    app.onMemberSignIn((address, context) => registry.signedIn(address, context));
    // A collection that keeps failing is one line now and then, not one per request.
    const onUnreadable = throttled(10_000, (collection, error) => app.log.warn({ collection, err: error }, "a collection's holdings could not be read for /v1/me"));
    const me = createMemberHoldings({ store: app.store, directory: app.directory, tokenTypes: app.chain.tokenTypes, names: app.names, levels: app.levelBook, ownership: app.chain.ownership, index: app.chain.index, onUnreadable });
    await app.register(memberRoutes, { me });
  },
  { name: "members", fastify: "5.x", dependencies: ["context", "storage", "chain", "auth", "brands", "catalog", "loyalty", "sessions"] },
);
