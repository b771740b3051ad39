/**
 * Token types' names, descriptions and pictures: the name book the rest of the server speaks in
 * (decorated as `app.names`), and the routes brands describe their types with and anyone reads
 * metadata from. A changed name or picture changes the words of every rule that names it.
 */
import fp from "fastify-plugin";
import type { FastifyInstance } from "fastify";
import { forgetOn } from "../invalidation.ts";
import { createNameBook, type NameBook } from "./names.ts";
import { catalogRoutes } from "./routes.ts";
import { createTokenCatalog } from "./service.ts";

declare module "fastify" {
  interface FastifyInstance {
    names: NameBook;
  }
}

export const catalogPlugin = fp(
  async (app: FastifyInstance) => {
    const { config, store, bus } = app;
    const tokenTypes = app.chain.tokenTypes;
    const names = createNameBook({ store, tokenTypes, publicUrl: config.publicUrl, ttlMs: app.cacheBounds.listMs });
    forgetOn(bus, ["terms"], () => names.forget());
    app.decorate("names", names);
    const tokens = createTokenCatalog({ store, directory: app.directory, tokenTypes, publicUrl: config.publicUrl, imageMaxBytes: config.imageMaxBytes, names, onChange: () => void bus.publish({ type: "terms" }), now: app.now });
    await app.register(catalogRoutes, { catalog: tokens, imageMaxBytes: config.imageMaxBytes });
  },
  { name: "catalog", fastify: "5.x", dependencies: ["context", "storage", "chain", "invalidation", "brands"] },
);
