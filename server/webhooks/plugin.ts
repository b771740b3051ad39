/**
 * Webhooks: a brand's endpoints and their signing secrets (sealed like entitlement keys, under their
 * own key). Messages are signed the Standard Webhooks way (signing.ts) and fetched only from public
 * addresses unless the deployment allows otherwise (address-guard.ts, deliver.ts).
 */
import fp from "fastify-plugin";
import type { FastifyInstance } from "fastify";
import { createKeySealer } from "../entitlements/sealing.ts";
import { createWebhookEndpoints } from "./endpoints.ts";
import { webhookRoutes } from "./routes.ts";

/** Endpoints one brand may have. */
const MAX_ENDPOINTS_PER_BRAND = 20;

export const webhooksPlugin = fp(
  async (app: FastifyInstance) => {
    const { config, store } = app;
    const endpoints = createWebhookEndpoints({
      store,
      sealer: createKeySealer({ store, secret: config.authSecret, purpose: "webhook-secret-sealing" }),
      allowPrivate: config.webhooks.allowPrivate,
      allowHttp: config.webhooks.allowHttp,
      maxEndpoints: MAX_ENDPOINTS_PER_BRAND,
      now: app.now,
    });
    await app.register(webhookRoutes, { endpoints });
  },
  { name: "webhooks", fastify: "5.x", dependencies: ["context", "storage"] },
);
