/** Token metadata routes: the brand's (behind its API key) and the public ERC-1155 metadata. */
import type { FastifyInstance } from "fastify";
import { catalogAdminRoutes } from "./admin-routes.ts";
import { catalogPublicRoutes } from "./public-routes.ts";
import type { TokenCatalog } from "./service.ts";

export async function catalogRoutes(app: FastifyInstance, opts: { catalog: TokenCatalog; imageMaxBytes: number }) {
  await app.register(catalogAdminRoutes, opts);
  await app.register(catalogPublicRoutes, { catalog: opts.catalog });
}
