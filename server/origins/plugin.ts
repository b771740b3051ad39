/** A brand's origins: the routes that register and remove them (the registry itself is infrastructure: plugins/sessions.ts). */
import fp from "fastify-plugin";
import type { FastifyInstance } from "fastify";
import { originRoutes } from "./routes.ts";

export const originsPlugin = fp(
  async (app: FastifyInstance) => {
    await app.register(originRoutes, { origins: app.origins });
  },
  { name: "origins", fastify: "5.x", dependencies: ["sessions"] },
);
