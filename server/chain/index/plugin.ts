/**
 * The chain index as a feature: the follower (run by whichever instance holds the index's lease) over
 * the collections the deployment serves. The gates' reader is infrastructure (plugins/chain.ts):
 * every instance reads the index, one writes it.
 */
import fp from "fastify-plugin";
import type { FastifyInstance } from "fastify";
import { DELEGATE_REGISTRY_ADDRESS } from "../../../contracts/bindings/index.ts";
import { forgetOn } from "../../invalidation.ts";
import { createChainIndexFollower, type FollowerStatus } from "./follower.ts";
import { startIndexRunner, type IndexRunner } from "./runner.ts";

declare module "fastify" {
  interface FastifyInstance {
    /** The chain index's follower on this instance; null when CHAIN_INDEX is off. */
    chainIndex: { status(): FollowerStatus; runner: IndexRunner } | null;
  }
}

export const chainIndexPlugin = fp(
  async (app: FastifyInstance) => {
    const { config } = app;
    if (!config.chainIndex.enabled) {
      app.decorate("chainIndex", null);
      return;
    }
    const log = app.log.child({ component: "chain-index" });
    const follower = createChainIndexFollower({
      client: app.chain.client,
      store: app.store,
      chainId: config.chainId,
      confirmations: config.chainIndex.confirmations,
      maxPageBlocks: config.chainIndex.pageBlocks,
      // The Delegate Registry is followed like a collection: its events say whose vault counts for whom.
      collections: async () => [...(await app.directory.list()).map((c) => c.collection), ...(config.chainIndex.delegations ? [DELEGATE_REGISTRY_ADDRESS] : [])],
      startBlockFloor: config.chainIndex.startBlock,
      log: (level, message, facts = {}) => log[level](facts, message),
      now: app.now,
    });
    const runner = startIndexRunner({ store: app.store, follower, holder: app.instanceId, leaseTtlMs: config.leaseTtlMs, pollMs: config.chainIndex.pollMs, log: (level, message, facts = {}) => log[level](facts, message) });
    app.decorate("chainIndex", { status: follower.status, runner });
    // A newly registered collection starts catching up now, not at the next poll.
    const unsubscribe = forgetOn(app.bus, ["collections"], () => runner.nudge());
    app.addHook("onClose", async () => {
      unsubscribe();
      await runner.stop();
    });
  },
  { name: "chain-index", fastify: "5.x", dependencies: ["context", "storage", "chain", "invalidation", "brands"] },
);
