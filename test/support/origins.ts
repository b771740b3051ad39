/**
 * Brands' registered origins for tests of entitlements, as the `app.origins` interface answers them
 * (`brandOf(origin)`), set on a built app before its first request.
 */
import type { FastifyInstance } from "fastify";
import type { BrandOrigins } from "../../server/entitlements/audience.ts";

export function registerOrigins(app: FastifyInstance, origins: Record<string, string>): void {
  const registry: BrandOrigins = { brandOf: async (origin) => origins[origin] ?? null };
  app.decorate("origins", registry);
}
