/**
 * Staff: sign-in to the console and till (`/v1/staff/*`), a brand's staff list (owners manage it),
 * and what the console reads: statistics and a rule's preview against a member.
 */
import fp from "fastify-plugin";
import type { FastifyInstance } from "fastify";
import { consoleRoutes } from "./console-routes.ts";
import { staffAdminRoutes } from "./admin-routes.ts";
import { createStaffList } from "./list.ts";
import { createRulePreviews } from "./preview.ts";
import { staffRoutes } from "./routes.ts";
import { createStaffStats } from "./stats.ts";
import { OFFER_KINDS } from "../offer-kinds.ts";

export const staffPlugin = fp(
  async (app: FastifyInstance) => {
    const { config, store, bus, now } = app;
    await app.register(staffRoutes, { rateLimitPerMinute: config.authRateLimitPerMinute, secureCookies: config.publicUrl.protocol === "https:", sessionTtlSeconds: config.staffSessionTtlSeconds });
    await app.register(staffAdminRoutes, { staff: createStaffList({ store, roles: app.staff.roles, now, onChange: () => void bus.publish({ type: "staff" }) }) });
    await app.register(consoleRoutes, {
      stats: createStaffStats({ store, now, kinds: OFFER_KINDS }),
      previews: createRulePreviews({ store, rules: app.rules }),
    });
  },
  { name: "staff", fastify: "5.x", dependencies: ["context", "storage", "chain", "invalidation", "sessions", "rules", "rate-limits"] },
);
