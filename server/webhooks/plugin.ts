/**
 * Webhooks: a brand's endpoints and their signing secrets (sealed like entitlement keys, under their
 * own key). Stores write messages in the transactions of the changes they report (the outbox); every
 * instance's dispatcher delivers them, signed the Standard Webhooks way (signing.ts), only to public
 * addresses unless the deployment allows otherwise (address-guard.ts, deliver.ts).
 */
import fp from "fastify-plugin";
import type { FastifyInstance } from "fastify";
import { createKeySealer } from "../entitlements/sealing.ts";
import { throttled } from "../logging.ts";
import { createWebhookDispatcher } from "./dispatcher.ts";
import { createWebhookEndpoints } from "./endpoints.ts";
import { webhookRoutes } from "./routes.ts";

/** Endpoints one brand may have. */
const MAX_ENDPOINTS_PER_BRAND = 20;

export const webhooksPlugin = fp(
  async (app: FastifyInstance) => {
    const { config, store } = app;
    const trouble = throttled(30_000, (what, error) => app.log.warn({ err: error, what }, "webhook deliveries stalled"));
    let wake = () => {};
    const endpoints = createWebhookEndpoints({
      store,
      sealer: createKeySealer({ store, secret: config.authSecret, purpose: "webhook-secret-sealing" }),
      allowPrivate: config.webhooks.allowPrivate,
      allowHttp: config.webhooks.allowHttp,
      maxEndpoints: MAX_ENDPOINTS_PER_BRAND,
      now: app.now,
      onQueued: () => wake(),
    });
    const dispatcher = createWebhookDispatcher({
      store,
      signingSecrets: endpoints.signingSecrets,
      allowPrivate: config.webhooks.allowPrivate,
      allowHttp: config.webhooks.allowHttp,
      now: app.now,
      onError: trouble,
      onDisabled: (endpoint) => app.log.warn({ endpoint: endpoint.endpointId, brand: endpoint.brandId, reason: endpoint.reason }, "webhook endpoint turned off"),
    });
    wake = dispatcher.wake;
    app.addHook("onReady", async () => dispatcher.start());
    app.addHook("onClose", async () => dispatcher.stop());
    await app.register(webhookRoutes, { endpoints });
  },
  { name: "webhooks", fastify: "5.x", dependencies: ["context", "storage"] },
);
