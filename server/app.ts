/**
 * `build(options)` returns a configured Fastify instance; it never listens (server/main.ts does).
 * Infrastructure arrives as plugins that decorate the instance (store, chain, auth); features are
 * encapsulated route plugins that use those decorators.
 */
import Fastify, { type FastifyInstance } from "fastify";
import cookie from "@fastify/cookie";
import cors from "@fastify/cors";
import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { Ajv } from "ajv";
import ajvFormats from "ajv-formats";
import type { PublicClient } from "viem";
import { adminRoutes } from "./admin/routes.ts";
import { authRoutes } from "./auth/routes.ts";
import { createAuthService } from "./auth/sessions.ts";
import { createCollectionCatalog } from "./chain/collections.ts";
import type { OwnershipReader } from "./chain/ownership.ts";
import type { Config } from "./config.ts";
import { dropsPlugin } from "./drops/index.ts";
import { healthRoutes } from "./health/routes.ts";
import { memberRoutes } from "./members/routes.ts";
import { perkRoutes } from "./perks/routes.ts";
import { createPerkService } from "./perks/service.ts";
import { authenticationPlugin } from "./plugins/authentication.ts";
import { chainPlugin, createChainClient } from "./plugins/chain.ts";
import { frameworkErrors, problemsPlugin } from "./plugins/problems.ts";
import { storagePlugin } from "./plugins/storage.ts";
import type { Store } from "./storage/index.ts";

export type BuildOptions = {
  config: Config;
  /** Use this store instead of opening `config.databaseUrl` (the caller closes it). */
  store?: Store;
  /** Use this chain client instead of one for `config.rpcUrl`. */
  client?: PublicClient;
  /** Read holdings this way instead of the batched, cached reader (benchmark baselines, tests). */
  ownership?: OwnershipReader;
  /** Clock override for tests. */
  now?: () => Date;
  /** pino options, or false for silence. Defaults to the config's level. */
  logger?: boolean | { level: string };
};

function createValidator(options: { coerceTypes: "array" | false }): Ajv {
  const ajv = new Ajv({ ...options, removeAdditional: false, useDefaults: true, allErrors: false, strict: false });
  // ajv-formats is CommonJS: its default export arrives wrapped.
  (ajvFormats as unknown as { default: (ajv: Ajv) => Ajv }).default(ajv);
  return ajv;
}

export async function build(options: BuildOptions): Promise<FastifyInstance> {
  const { config } = options;
  const app = Fastify({
    // At "silent" there is nothing to write: no logger at all spares every request a child logger.
    logger: options.logger ?? (config.logLevel === "silent" ? false : { level: config.logLevel, redact: ["req.headers.authorization", "req.headers.cookie", 'res.headers["set-cookie"]'] }),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    requestIdHeader: "x-request-id",
    genReqId: () => crypto.randomUUID(),
    frameworkErrors,
  });
  // Query strings, path parameters and headers arrive as text and are coerced to their schema's
  // types; JSON bodies are typed already and must match exactly (no "5" for 5, no null for "").
  const coercing = createValidator({ coerceTypes: "array" });
  const exact = createValidator({ coerceTypes: false });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === "body" ? exact : coercing).compile(schema));

  await app.register(problemsPlugin);
  await app.register(cookie);
  // Without configured storefront origins there is nothing to allow, and no per-request CORS work.
  if (config.corsOrigins.length > 0) {
    await app.register(cors, { origin: config.corsOrigins, credentials: true, exposedHeaders: ["x-request-id"] });
  }
  await app.register(rateLimit, { global: false });
  await app.register(swagger, {
    openapi: {
      info: { title: "Stampbook API", version: "1", description: "Sign in with Ethereum, see holders-only perks, redeem them once." },
      components: {
        securitySchemes: {
          session: { type: "http", scheme: "bearer", description: "Member session token (sbs_…) or the stampbook_session cookie" },
          apiKey: { type: "http", scheme: "bearer", description: "Brand API key (sbk_…)" },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });

  await app.register(storagePlugin, { databaseUrl: config.databaseUrl, pruneIntervalMs: config.pruneIntervalMs, ...(options.store ? { store: options.store } : {}) });
  const client = options.client ?? createChainClient(config.rpcUrl, config.chainId);
  await app.register(chainPlugin, { client, ownershipCacheMs: config.ownershipCacheMs, ...(options.ownership ? { ownership: options.ownership } : {}) });
  const now = options.now ?? (() => new Date());
  const auth = createAuthService({ store: app.store, client, params: config, secret: config.authSecret, sessionCacheMs: config.sessionCacheMs, now });
  await app.register(authenticationPlugin, { auth });

  app.addHook("onRequest", (request, reply, done) => {
    reply.header("x-request-id", request.id);
    done();
  });

  await app.register(healthRoutes, { chainId: config.chainId });
  await app.register(authRoutes, {
    rateLimitPerMinute: config.authRateLimitPerMinute,
    secureCookies: config.publicUrl.protocol === "https:",
    sessionTtlSeconds: config.sessionTtlSeconds,
  });
  const catalog = createCollectionCatalog(client, { ttlMs: 30_000 });
  await app.register(memberRoutes, { collections: config.collections, catalog });
  // Perk lists are cached no longer than holdings are, and at most a second.
  const perks = createPerkService({ store: app.store, ownership: app.chain.ownership, catalogCacheMs: Math.min(config.ownershipCacheMs, 1_000), now });
  await app.register(perkRoutes, { perks });
  await app.register(adminRoutes, { collections: config.collections, onCatalogChange: () => perks.catalogChanged(), now });
  await app.register(dropsPlugin, { config, catalog, now });

  return app;
}
