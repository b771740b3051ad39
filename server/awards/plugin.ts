/**
 * Awards: stamps owed to members for completed journeys go out in batched airdrops from each brand's
 * minter (`app.awards`, nudged when a journey completes); one instance works the queue at a time.
 * Brands read their awards at `GET /v1/admin/awards`.
 */
import fp from "fastify-plugin";
import type { FastifyInstance } from "fastify";
import { throttled } from "../logging.ts";
import { createAwardHistory } from "./history.ts";
import { createAwardQueue, type AwardQueue } from "./queue.ts";
import { awardRoutes } from "./routes.ts";
import { tokenTypeRef, webhookMessage } from "../webhooks/messages.ts";

declare module "fastify" {
  interface FastifyInstance {
    awards: AwardQueue;
  }
}

export const awardsPlugin = fp(
  async (app: FastifyInstance) => {
    const { config, store, now } = app;
    const trouble = throttled(30_000, (_what, error) => app.log.warn({ err: error }, "award round stopped early"));
    const awards = createAwardQueue({
      store,
      senders: app.senders,
      client: app.chain.client,
      confirmations: config.chainIndex.confirmations,
      holder: app.instanceId,
      batchMax: config.awardBatchMax,
      delayMs: config.awardDelayMs,
      intervalMs: config.awardIntervalMs,
      leaseTtlMs: config.leaseTtlMs,
      now,
      onError: (error) => trouble("award-queue", error),
      announceSent: async (batch) => {
        const [tokenType, journeys] = await Promise.all([tokenTypeRef(app.names, batch.collection, batch.tokenId), store.listJourneys({ brandId: batch.brandId })]);
        const titles = new Map(journeys.map((j) => [j.id, j.title]));
        return (sent) =>
          sent.map((award) =>
            webhookMessage(
              batch.brandId,
              "award.sent",
              { awardId: award.id, journey: { id: award.journeyId, title: titles.get(award.journeyId) ?? "" }, member: { address: award.member }, tokenType, amount: batch.amount, txHash: award.txHash, sentAt: award.sentAt },
              award.sentAt,
            ),
          );
      },
    });
    app.decorate("awards", awards);
    app.addHook("onReady", async () => awards.start());
    app.addHook("onClose", async () => awards.stop());
    await app.register(awardRoutes, { history: createAwardHistory(store) });
  },
  { name: "awards", fastify: "5.x", dependencies: ["context", "storage", "chain", "brands", "catalog", "sessions"] },
);
