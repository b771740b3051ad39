/** Liveness and readiness (`/healthz`, `/readyz`): the store, the chain at the configured id, and Redis when there is one. */
import fp from "fastify-plugin";
import type { FastifyInstance } from "fastify";
import { healthRoutes } from "./routes.ts";

export const healthPlugin = fp(
  async (app: FastifyInstance) => {
    await app.register(healthRoutes, { chainId: app.config.chainId, redis: app.redis });
  },
  { name: "health", fastify: "5.x", dependencies: ["context", "storage", "chain", "redis"] },
);
