/**
 * `build(options)` returns a configured Fastify instance; it never listens (server/main.ts does).
 * It is a list of plugins in dependency order: infrastructure first (each decorates the instance:
 * context, store, chain, invalidation bus, sessions and guards), then features, each of which
 * builds its services from those decorators, registers its routes, ties its caches to the
 * invalidation events they need and schedules its background work. A feature that others use
 * decorates the instance with it (`app.directory`, `app.offers`, …), and declares what it needs.
 */
import { randomUUID } from "node:crypto";
import Fastify, { type FastifyInstance, type FastifyLoggerOptions } from "fastify";
import cookie from "@fastify/cookie";
import { Ajv } from "ajv";
import ajvFormats from "ajv-formats";
import type { PublicClient } from "viem";
import { authPlugin } from "./auth/plugin.ts";
import { awardsPlugin } from "./awards/plugin.ts";
import { brandsPlugin } from "./brands/plugin.ts";
import { originsPlugin } from "./origins/plugin.ts";
import { webhooksPlugin } from "./webhooks/plugin.ts";
import { catalogPlugin } from "./catalog/plugin.ts";
import { chainIndexPlugin } from "./chain/index/plugin.ts";
import type { OwnershipReader } from "./chain/ownership.ts";
import type { Config } from "./config.ts";
import { memberDataPlugin } from "./member-data/plugin.ts";
import { dropsPlugin } from "./drops/plugin.ts";
import { entitlementsPlugin } from "./entitlements/plugin.ts";
import { healthPlugin } from "./health/plugin.ts";
import { journeysPlugin } from "./journeys/plugin.ts";
import { boundedError } from "./logging.ts";
import { loyaltyPlugin } from "./loyalty/plugin.ts";
import { membersPlugin } from "./members/plugin.ts";
import { offersPlugin } from "./offers/plugin.ts";
import { operatorPlugin } from "./operator/plugin.ts";
import { perksPlugin } from "./perks/plugin.ts";
import { rulesPlugin } from "./rules/plugin.ts";
import { chainPlugin, createChainClient } from "./plugins/chain.ts";
import { contextPlugin } from "./plugins/context.ts";
import { corsPlugin } from "./plugins/cors.ts";
import { docsPlugin } from "./plugins/docs.ts";
import { invalidationPlugin } from "./plugins/invalidation.ts";
import { frameworkErrors, problemsPlugin } from "./plugins/problems.ts";
import { rateLimitsPlugin } from "./plugins/rate-limits.ts";
import { redisPlugin } from "./plugins/redis.ts";
import { requestsPlugin } from "./plugins/requests.ts";
import { sessionsPlugin } from "./plugins/sessions.ts";
import { storagePlugin } from "./plugins/storage.ts";
import { staffPlugin } from "./staff/plugin.ts";
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
  /** pino's level and where lines go (default stdout), or false for silence. Defaults to the config's level. */
  logger?: boolean | { level: string; stream?: FastifyLoggerOptions["stream"] };
  /**
   * What this deployment's Redis keys, channel and connection names start with (default `stampbook`;
   * no spaces): instances of one deployment share it; tests, or deployments sharing one Redis, tell
   * theirs apart by it.
   */
  redisPrefix?: string;
};

function createValidator(options: { coerceTypes: "array" | false }): Ajv {
  const ajv = new Ajv({ ...options, removeAdditional: false, useDefaults: true, allErrors: false, strict: false });
  // ajv-formats is CommonJS: its default export arrives wrapped.
  (ajvFormats as unknown as { default: (ajv: Ajv) => Ajv }).default(ajv);
  return ajv;
}

/** The features, each after what it uses. */
export const FEATURES = [healthPlugin, authPlugin, brandsPlugin, chainIndexPlugin, originsPlugin, operatorPlugin, catalogPlugin, memberDataPlugin, loyaltyPlugin, rulesPlugin, staffPlugin, offersPlugin, perksPlugin, dropsPlugin, awardsPlugin, membersPlugin, journeysPlugin, entitlementsPlugin, webhooksPlugin];

export async function build(options: BuildOptions): Promise<FastifyInstance> {
  const app = await buildInfrastructure(options);
  for (const feature of FEATURES) await app.register(feature);
  return app;
}

/**
 * The instance with its infrastructure and none of its features: tests start one feature (with the
 * features it needs) on it; fastify-plugin refuses a feature whose dependencies are missing.
 */
export async function buildInfrastructure(options: BuildOptions): Promise<FastifyInstance> {
  const { config } = options;
  // At "silent" there is nothing to write: no logger at all spares every request a child logger.
  const logger = options.logger ?? (config.logLevel === "silent" ? false : { level: config.logLevel });
  const app = Fastify({
    logger: logger && {
      ...(logger === true ? {} : logger),
      redact: ["req.headers.authorization", "req.headers.cookie", 'res.headers["set-cookie"]'],
      // An error logs as a few short facts: never calldata, call arguments or RPC bodies.
      serializers: { err: boundedError },
    },
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    requestIdHeader: "x-request-id",
    genReqId: () => crypto.randomUUID(),
    frameworkErrors,
    // A stopping instance answers with our own problem+json 503 (plugins/requests.ts), not Fastify's plain one.
    return503OnClosing: false,
  });
  // Query strings, path parameters and headers arrive as text and are coerced to their schema's
  // types; JSON bodies are typed already and must match exactly (no "5" for 5, no null for "").
  const coercing = createValidator({ coerceTypes: "array" });
  const exact = createValidator({ coerceTypes: false });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === "body" ? exact : coercing).compile(schema));
  const redisPrefix = options.redisPrefix ?? "stampbook";

  await app.register(contextPlugin, { config, now: options.now ?? (() => new Date()), instanceId: randomUUID(), sharedInvalidations: config.redisUrl !== null });
  await app.register(problemsPlugin);
  await app.register(requestsPlugin);
  await app.register(cookie);
  await app.register(corsPlugin);
  await app.register(redisPlugin, { url: config.redisUrl, name: redisPrefix });
  await app.register(rateLimitsPlugin, { keyPrefix: `${redisPrefix}-rate-limit-` });
  await app.register(docsPlugin);
  try {
    await app.register(storagePlugin, {
      databaseUrl: config.databaseUrl,
      poolSize: config.databasePoolSize,
      timeoutMs: config.databaseTimeoutMs,
      pruneIntervalMs: config.pruneIntervalMs,
      holder: app.instanceId,
      leaseTtlMs: config.leaseTtlMs,
      ...(options.store ? { store: options.store } : {}),
    });
  } catch (error) {
    // The store could not be opened (server/main.ts waits for it and builds again): close what is open (Redis).
    await app.close().catch(() => undefined);
    throw error;
  }
  const client = options.client ?? createChainClient(config.rpcUrl, config.chainId);
  await app.register(chainPlugin, { client, ownershipCacheMs: config.ownershipCacheMs, ...(options.ownership ? { ownership: options.ownership } : {}) });
  await app.register(invalidationPlugin, { channel: `${redisPrefix}:invalidations` });
  await app.register(sessionsPlugin);

  return app;
}
