/**
 * Webhooks: a brand's endpoints and their signing secrets (sealed like entitlement keys, under their
 * own key). Stores write messages in the transactions of the changes they report (the outbox); every
 * instance's dispatcher delivers them, signed the Standard Webhooks way (signing.ts), only to public
 * addresses unless the deployment allows otherwise (address-guard.ts, deliver.ts).
 */
import fp from "fastify-plugin";
import type { FastifyInstance } from "fastify";
import { createKeySealer } from "../sealing.ts";
import { throttled } from "../logging.ts";
import { createLoadGauge } from "../background/load.ts";
import { createRounds } from "../background/schedule.ts";
import { reorgWindow } from "../chain/index/follower.ts";
import { createChainAnnouncer } from "./chain-events.ts";
import { createWebhookDispatcher } from "./dispatcher.ts";
import { createWebhookEndpoints } from "./endpoints.ts";
import { webhookRoutes } from "./routes.ts";

/** The instance counts as busy answering requests (and deliveries step back) with this many in flight and its event loop this busy. */
const BUSY_REQUESTS = 16;
const BUSY_UTILIZATION = 0.8;

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
    const load = createLoadGauge();
    const dispatcher = createWebhookDispatcher({
      store,
      signingSecrets: endpoints.signingSecrets,
      allowPrivate: config.webhooks.allowPrivate,
      allowHttp: config.webhooks.allowHttp,
      now: app.now,
      leaseMs: config.webhookLeaseMs,
      // An attempt must end well before its lease does, or another instance would try it meanwhile.
      timeoutMs: Math.min(15_000, Math.floor(config.webhookLeaseMs / 2)),
      // Members' requests first: while requests keep the event loop saturated, deliveries step back.
      busy: () => app.requestsInFlight() >= BUSY_REQUESTS && load.utilization() >= BUSY_UTILIZATION,
      onError: trouble,
      onDisabled: (endpoint) => app.log.warn({ endpoint: endpoint.endpointId, brand: endpoint.brandId, reason: endpoint.reason }, "webhook endpoint turned off"),
    });
    wake = dispatcher.wake;
    app.addHook("onReady", async () => dispatcher.start());
    app.addHook("onClose", async () => {
      await dispatcher.stop();
      load.stop();
    });

    // Messages about the chain come from the index's facts, announced by one instance at a time.
    if (config.chainIndex.enabled) {
      const { confirmations } = config.chainIndex;
      const announcer = createChainAnnouncer({ store, directory: app.directory, names: app.names, levels: (brandId) => store.getLevels(brandId), confirmations, window: reorgWindow(confirmations), now: app.now });
      const rounds = createRounds(store, {
        name: "webhook-chain",
        holder: app.instanceId,
        intervalMs: config.chainIndex.pollMs,
        leaseTtlMs: config.leaseTtlMs,
        run: () => announcer.round(),
        onError: (error) => trouble("webhook-chain", error),
      });
      app.addHook("onReady", async () => rounds.start());
      app.addHook("onClose", async () => rounds.stop());
    }
    await app.register(webhookRoutes, { endpoints });
  },
  { name: "webhooks", fastify: "5.x", dependencies: ["context", "requests", "storage", "brands", "catalog"] },
);
