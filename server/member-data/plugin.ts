/**
 * Members' data and who may see it: profiles, brands' data requests (their words are part of a brand's
 * rules: `app.requestBook`), members' grants (`app.consents`, read through a cache as sessions are,
 * which every grant, revocation or erasure drops on every instance), the access log, export and erasure.
 */
import fp from "fastify-plugin";
import type { FastifyInstance } from "fastify";
import { forgetOn } from "../invalidation.ts";
import { createMemberDataAccess } from "./access.ts";
import { createConsents, type Consents } from "./consents.ts";
import { createErasure } from "./erasure.ts";
import { createDataExport } from "./export.ts";
import { createProfiles } from "./profile.ts";
import { createDataRequests, createRequestBook, type RequestBook } from "./requests.ts";
import { consentRoutes } from "./routes.ts";

declare module "fastify" {
  interface FastifyInstance {
    consents: Consents;
    requestBook: RequestBook;
  }
}

export const memberDataPlugin = fp(
  async (app: FastifyInstance) => {
    const { config, store, bus, now, auth } = app;
    const requestBook = createRequestBook({ store, ttlMs: app.cacheBounds.listMs });
    forgetOn(bus, ["terms"], () => requestBook.forget());
    // A brand's data requests word its consent rules: changing them changes its terms.
    const requests = createDataRequests({ store, now, onChange: () => void bus.publish({ type: "terms" }) });
    const consents = createConsents({ store, auth, originBrand: app.origins.brandOf, requests, params: config, cacheMs: config.sessionCacheMs, now, onChange: (member) => bus.publish({ type: "consents", member }) });
    forgetOn(bus, ["consents", "member-erased"], (event) => consents.forget(event.type === "resync" ? undefined : event.member));
    app.decorate("consents", consents);
    app.decorate("requestBook", requestBook);
    const erasure = createErasure({ store, auth, sessionTtlSeconds: config.sessionTtlSeconds, now, onErased: (member) => bus.publish({ type: "member-erased", member }) });
    await app.register(consentRoutes, {
      profiles: createProfiles({ store, now }),
      requests,
      consents,
      access: createMemberDataAccess({ store, now }),
      exporter: createDataExport({ store, now }),
      erasure,
      rateLimitPerMinute: config.authRateLimitPerMinute,
    });
  },
  { name: "member-data", fastify: "5.x", dependencies: ["context", "storage", "invalidation", "sessions"] },
);
