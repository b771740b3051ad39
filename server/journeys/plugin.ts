/**
 * Journeys: a brand's sequences of steps (visits, codes, holdings) that earn stamps. A new member's
 * sign-in with an invitation completes the inviter's referral step; a completed journey queues its stamp with the award queue.
 */
import fp from "fastify-plugin";
import type { FastifyInstance } from "fastify";
import { forgetOn } from "../invalidation.ts";
import { createCatalogStamps } from "./catalog-stamps.ts";
import { journeyRoutes } from "./routes.ts";
import { createJourneys } from "./service.ts";

export const journeysPlugin = fp(
  async (app: FastifyInstance) => {
    const { config, store, bus } = app;
    const journeys = createJourneys({
      store,
      directory: app.directory,
      rules: app.rules,
      stamps: createCatalogStamps(app.chain.tokenTypes, app.names),
      onAwardQueued: () => app.awards.nudge(),
      onChange: () => void bus.publish({ type: "journeys" }),
      cacheMs: app.cacheBounds.takeCountMs,
      now: app.now,
    });
    forgetOn(bus, ["journeys"], () => journeys.journeysChanged());
    // A new member who brings an invitation completes the inviter's referral step.
    app.memberRegistry.handleInvitations((member, invitation) => journeys.invited(member, invitation));
    await app.register(journeyRoutes, { journeys, attemptsPerMinute: config.stepAttemptsPerMinute, attemptsPerIpPerMinute: config.stepAttemptsPerIpPerMinute });
  },
  { name: "journeys", fastify: "5.x", dependencies: ["context", "storage", "chain", "invalidation", "auth", "brands", "catalog", "rules", "awards", "members"] },
);
