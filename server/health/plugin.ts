/** Liveness and readiness (`/healthz`, `/readyz`): the store, the chain at the configured id, and Redis when there is one. */
import fp from "fastify-plugin";
import type { FastifyInstance } from "fastify";
import { toTimestamp } from "../storage/index.ts";
import { healthRoutes } from "./routes.ts";

export const healthPlugin = fp(
  async (app: FastifyInstance) => {
    const { store } = app;
    // Ready means the store takes a write: pruning what expired is one, and harmless at any time.
    const checks = { store: async () => void (await store.pruneExpired(toTimestamp())) };
    await app.register(healthRoutes, { chainId: app.config.chainId, checks, redis: app.redis });
  },
  { name: "health", fastify: "5.x", dependencies: ["context", "storage", "chain", "redis"] },
);
