/**
 * Who is calling: members' sessions (Sign-In with Ethereum), staff sessions and their roles, and the
 * guards routes use (`requireMember`, `requireBrand`, `requireStaff`, `requireOperator`). Sign-outs,
 * erasures and staff changes elsewhere drop what this instance cached of them.
 */
import fp from "fastify-plugin";
import type { FastifyInstance } from "fastify";
import { createAuthService } from "../auth/sessions.ts";
import { forgetOn } from "../invalidation.ts";
import { createOriginRegistry, type OriginRegistry } from "../origins/registry.ts";
import { createStaffRoles } from "../staff/roles.ts";
import { createStaffSessions } from "../staff/sessions.ts";
import { authenticationPlugin } from "./authentication.ts";

declare module "fastify" {
  interface FastifyInstance {
    /** The origins that may call from a browser and sign members in, and for which brand. */
    origins: OriginRegistry;
  }
}

export const sessionsPlugin = fp(
  async (app: FastifyInstance) => {
    const { config, store, bus, now } = app;
    const client = app.chain.client;
    // The deployment's own pages (storefronts it lists, the API's, the sign-in page's) act for every brand.
    const deployment = [...config.corsOrigins, config.publicUrl.origin, config.siweUri.origin];
    const origins = createOriginRegistry({ store, deployment, ttlMs: app.cacheBounds.listMs, now, onChange: () => void bus.publish({ type: "origins" }) });
    forgetOn(bus, ["origins"], () => origins.forget());
    app.decorate("origins", origins);
    const onSignOut = (sessionId: string) => bus.publish({ type: "session-revoked", sessionId });
    const auth = createAuthService({ store, client, params: config, origins: origins.lookup, secret: config.authSecret, sessionCacheMs: config.sessionCacheMs, now, onSignOut });
    const roles = createStaffRoles({ store, client, cacheMs: config.staffRoleCacheMs });
    const staff = createStaffSessions({ verify: auth.verify, store, roles, secret: config.authSecret, ttlSeconds: config.staffSessionTtlSeconds, sessionCacheMs: config.sessionCacheMs, now, onSignOut });
    forgetOn(bus, ["session-revoked"], (event) => {
      const sessionId = event.type === "session-revoked" ? event.sessionId : undefined;
      auth.forget(sessionId);
      staff.forget(sessionId);
    });
    // Session ids are not kept per member: an erasure has this instance ask the store about every session again.
    forgetOn(bus, ["member-erased"], () => auth.forget());
    // A registered collection may make a new owner; a staff list changed elsewhere re-resolves roles at once.
    forgetOn(bus, ["collections", "staff"], () => roles.forget());
    // Pages that may change state with the session cookie: the deployment's and the brands' registered storefronts.
    await app.register(authenticationPlugin, { auth, staff, isAllowedOrigin: origins.isAllowed, operatorToken: config.operatorToken });
  },
  { name: "sessions", fastify: "5.x", dependencies: ["context", "storage", "chain", "invalidation"] },
);
