/**
 * Points and levels: each brand's levels (`app.levelBook`), and its terms (`app.terms`): the words its
 * rules speak in, from its collections, token type names, levels and data requests.
 */
import fp from "fastify-plugin";
import type { FastifyInstance } from "fastify";
import { forgetOn } from "../invalidation.ts";
import type { TermsOf } from "../rules/terms.ts";
import { createLevelBook, type LevelBook } from "./levels.ts";
import { levelRoutes } from "./routes.ts";
import { createLevels } from "./service.ts";
import { createBrandTerms } from "./terms.ts";

declare module "fastify" {
  interface FastifyInstance {
    levelBook: LevelBook;
    terms: TermsOf;
  }
}

export const loyaltyPlugin = fp(
  async (app: FastifyInstance) => {
    const { store, bus } = app;
    const levelBook = createLevelBook({ store, ttlMs: app.cacheBounds.listMs });
    forgetOn(bus, ["terms"], () => levelBook.forget());
    app.decorate("levelBook", levelBook);
    app.decorate("terms", createBrandTerms({ directory: app.directory, names: app.names, levels: levelBook, tokenTypes: app.chain.tokenTypes, requests: app.requestBook }));
    await app.register(levelRoutes, { levels: createLevels({ store, book: levelBook, onChange: () => void bus.publish({ type: "terms" }), now: app.now }) });
  },
  { name: "loyalty", fastify: "5.x", dependencies: ["context", "storage", "chain", "invalidation", "brands", "catalog", "member-data"] },
);
