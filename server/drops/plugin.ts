/**
 * Drops: offers a member claims a token from, minted by the brand's minter (or a voucher the member's
 * wallet submits). Claims nobody reads still settle, and a claim whose instance died before sending is
 * minted by another: two background jobs, one instance at a time each.
 */
import fp from "fastify-plugin";
import type { FastifyInstance } from "fastify";
import { scheduleBackground } from "../background/schedule.ts";
import { throttled } from "../logging.ts";
import { dropRoutes } from "./routes.ts";
import { createDropVariant } from "./variant.ts";

export const dropsPlugin = fp(
  async (app: FastifyInstance) => {
    const { config, store, now, instanceId } = app;
    const takeoverTrouble = throttled(10_000, (_what, error) => app.log.warn({ err: error }, "a claim taken over from a stopped instance could not be minted yet"));
    const drops = createDropVariant({
      store,
      ownership: app.chain.ownership,
      client: app.chain.client,
      tokenTypes: app.chain.tokenTypes,
      names: app.names,
      directory: app.directory,
      senders: app.senders,
      confirmations: config.chainIndex.confirmations,
      voucherTtlSeconds: config.voucherTtlSeconds,
      holder: instanceId,
      leaseTtlMs: config.leaseTtlMs,
      now,
      onError: (error) => takeoverTrouble("takeover", error),
    });
    // Two at once would do no harm (every transition is conditional, a resent transaction is the same one).
    scheduleBackground(app, store, { name: "claim-sweep", holder: instanceId, intervalMs: config.claimSweepMs, leaseTtlMs: config.leaseTtlMs, run: () => drops.sweep(), failure: "claim sweep stopped early" });
    scheduleBackground(app, store, { name: "claim-takeover", holder: instanceId, intervalMs: config.leaseTtlMs, leaseTtlMs: config.leaseTtlMs, run: () => drops.takeOver(), failure: "claim takeover stopped early" });
    // A stopping instance finishes the mints it has under way before the store closes, for a while: a
    // mint whose transaction is recorded settles from the chain later, on whichever instance reads it.
    app.addHook("onClose", async () => {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([drops.drain(), new Promise((resolve) => (timer = setTimeout(resolve, config.shutdownTimeoutMs).unref()))]);
      clearTimeout(timer);
    });
    await app.register(dropRoutes, { drops: app.offers.forKind(drops), variant: drops });
  },
  { name: "drops", fastify: "5.x", dependencies: ["context", "storage", "chain", "brands", "catalog", "offers"] },
);
