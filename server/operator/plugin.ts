/** The deployment's operator creates brands and issues their first API keys (`/v1/operator/*`). */
import fp from "fastify-plugin";
import type { FastifyInstance } from "fastify";
import { createBrandAccounts } from "../brands/accounts.ts";
import { operatorRoutes } from "./routes.ts";

export const operatorPlugin = fp(
  async (app: FastifyInstance) => {
    await app.register(operatorRoutes, { accounts: createBrandAccounts(app.store) });
  },
  { name: "operator", fastify: "5.x", dependencies: ["storage", "sessions"] },
);
