/**
 * Who is calling: members' sessions (Sign-In with Ethereum), staff sessions and their roles, and the
 * guards routes use (`requireMember`, `requireBrand`, `requireStaff`, `requireOperator`). Sign-outs,
 * erasures and staff changes elsewhere drop what this instance cached of them.
 */
import fp from "fastify-plugin";
import type { FastifyInstance } from "fastify";
import { createAuthService } from "../auth/sessions.ts";
import { forgetOn } from "../invalidation.ts";
import { createStaffRoles } from "../staff/roles.ts";
import { createStaffSessions } from "../staff/sessions.ts";
import { authenticationPlugin } from "./authentication.ts";

export const sessionsPlugin = fp(
  async (app: FastifyInstance) => {
    const { config, store, bus, now } = app;
    const client = app.chain.client;
    const onSignOut = (sessionId: string) => bus.publish({ type: "session-revoked", sessionId });
    const auth = createAuthService({ store, client, params: config, secret: config.authSecret, sessionCacheMs: config.sessionCacheMs, now, onSignOut });
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
    // Pages that may change state with the session cookie: the storefronts, the API's own, the sign-in page's.
    await app.register(authenticationPlugin, { auth, staff, allowedOrigins: [...config.corsOrigins, config.publicUrl.origin, config.siweUri.origin], operatorToken: config.operatorToken });
  },
  { name: "sessions", fastify: "5.x", dependencies: ["context", "storage", "chain", "invalidation"] },
);
