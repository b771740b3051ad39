/**
 * `build(options)` returns a configured Fastify instance; it never listens (server/main.ts does).
 * Infrastructure arrives as plugins that decorate the instance (store, chain, auth); features are
 * encapsulated route plugins that use those decorators.
 */
import { randomUUID } from "node:crypto";
import Fastify, { type FastifyInstance, type FastifyLoggerOptions } from "fastify";
import cookie from "@fastify/cookie";
import cors from "@fastify/cors";
import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { Ajv } from "ajv";
import ajvFormats from "ajv-formats";
import type { PublicClient } from "viem";
import { authRoutes } from "./auth/routes.ts";
import { createAwardQueue } from "./awards/queue.ts";
import { awardRoutes } from "./awards/routes.ts";
import { createAuthService } from "./auth/sessions.ts";
import { createCollectionCatalog } from "./chain/collections.ts";
import type { OwnershipReader } from "./chain/ownership.ts";
import type { Config } from "./config.ts";
import { scheduleBackground } from "./background.ts";
import { catalogRoutes, createNameBook, createTokenCatalog } from "./catalog/index.ts";
import { createBrandAccounts } from "./brands/accounts.ts";
import { createCollectionDirectory } from "./brands/directory.ts";
import { createKeyVault } from "./brands/key-vault.ts";
import { createBrandTerms } from "./loyalty/terms.ts";
import { createBrandMinters } from "./brands/minters.ts";
import { createRegistrations } from "./brands/registration.ts";
import { brandRoutes } from "./brands/routes.ts";
import { dropRoutes } from "./drops/routes.ts";
import { createDropVariant } from "./drops/variant.ts";
import { healthRoutes } from "./health/routes.ts";
import { createCatalogStamps } from "./journeys/catalog-stamps.ts";
import { createRuleEligibility } from "./journeys/rule-eligibility.ts";
import { journeyRoutes } from "./journeys/routes.ts";
import { createJourneys } from "./journeys/service.ts";
import { createInvalidationBus } from "./invalidation.ts";
import { boundedError, throttled } from "./logging.ts";
import { memberRoutes } from "./members/routes.ts";
import { createOffers } from "./offers/service.ts";
import { createLevelBook } from "./loyalty/levels.ts";
import { levelRoutes } from "./loyalty/routes.ts";
import { createLevels } from "./loyalty/service.ts";
import { operatorRoutes } from "./operator/routes.ts";
import { OFFER_KINDS } from "./offer-kinds.ts";
import { perkRoutes } from "./perks/routes.ts";
import { createTill } from "./perks/till.ts";
import { perkVariant } from "./perks/variant.ts";
import { authenticationPlugin } from "./plugins/authentication.ts";
import { chainPlugin, createChainClient } from "./plugins/chain.ts";
import { frameworkErrors, problemsPlugin } from "./plugins/problems.ts";
import { redisPlugin, sharedRateLimitStore } from "./plugins/redis.ts";
import { storagePlugin } from "./plugins/storage.ts";
import { Problem } from "./errors.ts";
import { staffAdminRoutes } from "./staff/admin-routes.ts";
import { consoleRoutes } from "./staff/console-routes.ts";
import { createMemberDataAccess } from "./consents/access.ts";
import { createConsents } from "./consents/consents.ts";
import { createErasure } from "./consents/erasure.ts";
import { createDataExport } from "./consents/export.ts";
import { createProfiles } from "./consents/profile.ts";
import { createDataRequests, createRequestBook } from "./consents/requests.ts";
import { consentRoutes } from "./consents/routes.ts";
import { createStaffList } from "./staff/list.ts";
import { createRulePreviews } from "./staff/preview.ts";
import { createStaffRoles } from "./staff/roles.ts";
import { staffRoutes } from "./staff/routes.ts";
import { createStaffSessions } from "./staff/sessions.ts";
import { createStaffStats } from "./staff/stats.ts";
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

export async function build(options: BuildOptions): Promise<FastifyInstance> {
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
    // A stopping instance answers with our own problem+json 503 (below), not Fastify's plain one.
    return503OnClosing: false,
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
    // The console changes things with PUT, PATCH and DELETE too (the plugin allows GET, HEAD, POST by default).
    await app.register(cors, { origin: config.corsOrigins, credentials: true, methods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"], exposedHeaders: ["x-request-id"] });
  }
  const redisPrefix = options.redisPrefix ?? "stampbook";
  await app.register(redisPlugin, { url: config.redisUrl, name: redisPrefix });
  // With Redis every instance counts against one limit (while Redis fails, each counts on its own:
  // see sharedRateLimitStore); without it each instance counts alone.
  const onLocalCount = throttled(30_000, (_key, error) => app.log.warn({ err: error }, "rate limits count on this instance alone: Redis did not answer"));
  const rateLimitStore = app.redis && sharedRateLimitStore(app.redis.client, `${redisPrefix}-rate-limit-`, (error) => onLocalCount("", error));
  await app.register(rateLimit, { global: false, ...(rateLimitStore ? { store: rateLimitStore } : {}) });
  // An operation names the credentials its guards check, so "Try it out" in /docs sends them; a new
  // guard gets its scheme here. Read when routes register, after the guards are decorated. A fresh
  // schema object: route plugins may share one between routes with different guards.
  const guardSchemes = () => new Map<unknown, string>([[app.requireMember, "session"], [app.requireBrand, "apiKey"], [app.requireStaff, "staff"], [app.requireOperator, "operator"]]);
  app.addHook("onRoute", (route) => {
    if (route.schema?.security !== undefined) return;
    const schemes = guardSchemes();
    const names = [route.preHandler ?? []].flat().flatMap((guard) => schemes.get(guard) ?? []);
    // Every guard of a route must pass: one requirement naming them all.
    if (names.length > 0) route.schema = { ...route.schema, security: [Object.fromEntries(names.map((name) => [name, []]))] };
  });
  await app.register(swagger, {
    openapi: {
      info: { title: "Stampbook API", version: "1", description: "Sign in with Ethereum, see holders-only perks, redeem them once." },
      components: {
        securitySchemes: {
          session: { type: "http", scheme: "bearer", description: "Member session token (sbs_…) or the stampbook_session cookie" },
          apiKey: { type: "http", scheme: "bearer", description: "Brand API key (sbk_…); brand routes also take a staff session (sbt_… or the stampbook_staff cookie) whose role allows them" },
          staff: { type: "http", scheme: "bearer", description: "Staff session token (sbt_…) or the stampbook_staff cookie" },
          operator: { type: "http", scheme: "bearer", description: "The deployment's OPERATOR_TOKEN" },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });

  // Who this instance is, to the leases of background work several instances share.
  const instanceId = randomUUID();
  try {
    await app.register(storagePlugin, {
      databaseUrl: config.databaseUrl,
      poolSize: config.databasePoolSize,
      timeoutMs: config.databaseTimeoutMs,
      pruneIntervalMs: config.pruneIntervalMs,
      holder: instanceId,
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
  const now = options.now ?? (() => new Date());
  // What one instance changes, the others drop from their caches: at once with Redis, else when their caches expire.
  const bus = createInvalidationBus({
    redis: app.redis && { publisher: app.redis.client, subscriber: app.redis.subscriber },
    channel: `${redisPrefix}:invalidations`,
    origin: instanceId,
    onError: throttled(30_000, (what, error) => app.log.warn({ err: error }, what)),
  });
  app.addHook("onClose", async () => bus.close());
  const auth = createAuthService({
    store: app.store,
    client,
    params: config,
    secret: config.authSecret,
    sessionCacheMs: config.sessionCacheMs,
    now,
    onSignOut: (sessionId) => bus.publish({ type: "session-revoked", sessionId }),
  });
  const staffRoles = createStaffRoles({ store: app.store, client, cacheMs: config.staffRoleCacheMs });
  const staff = createStaffSessions({
    verify: auth.verify,
    store: app.store,
    roles: staffRoles,
    secret: config.authSecret,
    ttlSeconds: config.staffSessionTtlSeconds,
    sessionCacheMs: config.sessionCacheMs,
    now,
    onSignOut: (sessionId) => bus.publish({ type: "session-revoked", sessionId }),
  });
  // Pages that may change state with the session cookie: the storefronts, the API's own, the sign-in page's.
  await app.register(authenticationPlugin, { auth, staff, allowedOrigins: [...config.corsOrigins, config.publicUrl.origin, config.siweUri.origin], operatorToken: config.operatorToken });

  app.addHook("onRequest", (request, reply, done) => {
    reply.header("x-request-id", request.id);
    done();
  });
  // Once the instance is stopping, a request still arriving on an open connection starts nothing it
  // might not finish: 503, so the client (or the load balancer) tries another instance.
  let closing = false;
  app.addHook("preClose", (done) => {
    closing = true;
    done();
  });
  app.addHook("onRequest", (_request, reply, done) => {
    if (!closing) return done();
    reply.header("connection", "close");
    done(new Problem(503, "shutting_down", "This server is stopping", "Nothing was done; try again (another server will answer).", { retryAfter: 1 }));
  });

  await app.register(healthRoutes, { chainId: config.chainId, redis: app.redis });
  await app.register(authRoutes, {
    rateLimitPerMinute: config.authRateLimitPerMinute,
    secureCookies: config.publicUrl.protocol === "https:",
    sessionTtlSeconds: config.sessionTtlSeconds,
    // Bound late: journeys are built below, and sign-ins only arrive once the app is ready.
    onSignIn: (address, context) => journeys.signedIn(address, context),
  });
  await app.register(staffRoutes, { rateLimitPerMinute: config.authRateLimitPerMinute, secureCookies: config.publicUrl.protocol === "https:", sessionTtlSeconds: config.staffSessionTtlSeconds });
  const store = app.store;
  const ownership = app.chain.ownership;
  // Lists cached for listing (collections, offers, take counts) live no longer than holdings, and at
  // most a second, which bounds how late another instance's change shows. With Redis, brands'
  // changes to offers and collections reach every instance at once (the bound then only matters when
  // a broadcast is lost), so those lists may live as long as holdings; take counts stay at a second,
  // as takes and claim settlements are not broadcast.
  const takeCountCacheMs = Math.min(config.ownershipCacheMs, 1_000);
  const listCacheMs = app.redis ? config.ownershipCacheMs : takeCountCacheMs;
  const catalog = createCollectionCatalog(client, { ttlMs: 30_000 });
  const directory = createCollectionDirectory({
    store,
    configured: config.collections,
    ttlMs: listCacheMs,
    onChange: () => void bus.publish({ type: "collections" }),
  });
  const minters = createBrandMinters({
    store,
    vault: config.minterKeySecret === null ? null : createKeyVault(config.minterKeySecret),
    client,
    chainId: config.chainId,
    receiptTimeoutMs: config.mintTimeoutMs,
    instanceId,
    leaseTtlMs: config.leaseTtlMs,
    now,
  });
  const registrations = createRegistrations({ store, client, chainId: config.chainId, directory, lifetimeSeconds: REGISTRATION_LIFETIME_SECONDS, now });
  // Names of token types and brands' levels: what rules, journeys and /v1/me speak in.
  const names = createNameBook({ store, catalog, publicUrl: config.publicUrl, ttlMs: listCacheMs });
  const levelBook = createLevelBook({ store, ttlMs: listCacheMs });
  const requestBook = createRequestBook({ store, ttlMs: listCacheMs });
  const termsChanged = () => {
    offers.catalogChanged();
    void bus.publish({ type: "terms" });
  };
  const terms = createBrandTerms({ directory, names, levels: levelBook, catalog, requests: requestBook });
  // Members' data and consents: grants are read through a cache as sessions are (SESSION_CACHE_MS),
  // which every grant or revocation drops on every instance over the bus. A brand's data requests
  // word its consent rules: changing them changes its terms.
  const requests = createDataRequests({
    store,
    now,
    onChange: () => {
      requestBook.forget();
      termsChanged();
    },
  });
  const consents = createConsents({ store, auth, requests, params: config, cacheMs: config.sessionCacheMs, now, onChange: (member) => bus.publish({ type: "consents", member }) });
  const offers = createOffers({
    store,
    ownership,
    terms,
    grantsOf: (member, fresh) => consents.activeRequests(member, fresh),
    servedCollections: () => directory.served(),
    quotas: { offers: config.brandMaxOffers, tokenTypes: config.brandMaxTokenTypes },
    catalogCacheMs: listCacheMs,
    takeCountCacheMs,
    onChange: () => void bus.publish({ type: "offers" }),
    listingReadTimeoutMs: config.listingReadTimeoutMs,
    now,
    onUnavailable: throttled(10_000, (brandId, error) => app.log.warn({ brandId, err: error }, "a brand's holdings could not be read for a listing")),
  });
  const takeoverTrouble = throttled(10_000, (_what, error) => app.log.warn({ err: error }, "a claim taken over from a stopped instance could not be minted yet"));
  const drops = createDropVariant({
    store,
    ownership,
    client,
    catalog,
    directory,
    minters,
    voucherTtlSeconds: config.voucherTtlSeconds,
    holder: instanceId,
    leaseTtlMs: config.leaseTtlMs,
    now,
    onError: (error) => takeoverTrouble("takeover", error),
  });
  // Claims nobody reads still settle (their places free up); one instance sweeps at a time. Two at
  // once would do no harm (every transition is conditional, a resent transaction is the same one).
  scheduleBackground(app, store, { name: "claim-sweep", holder: instanceId, intervalMs: config.claimSweepMs, leaseTtlMs: config.leaseTtlMs, run: () => drops.sweep(), failure: "claim sweep stopped early" });
  // A claim whose instance died before sending is minted by another within about a lease time.
  scheduleBackground(app, store, { name: "claim-takeover", holder: instanceId, intervalMs: config.leaseTtlMs, leaseTtlMs: config.leaseTtlMs, run: () => drops.takeOver(), failure: "claim takeover stopped early" });
  // A stopping instance finishes the mints it has under way before the store closes, for a while: a
  // mint whose transaction is recorded settles from the chain later, on whichever instance reads it.
  app.addHook("onClose", async () => {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([drops.drain(), new Promise((resolve) => (timer = setTimeout(resolve, config.shutdownTimeoutMs).unref()))]);
    clearTimeout(timer);
  });
  // Journey stamps owed to members go out in batched airdrops from each brand's minter; one instance
  // works the queue at a time (its lease); completions nudge it (awards.nudge()).
  const awardTrouble = throttled(30_000, (_what, error) => app.log.warn({ err: error }, "award round stopped early"));
  const awards = createAwardQueue({
    store,
    minters,
    client,
    holder: instanceId,
    batchMax: config.awardBatchMax,
    delayMs: config.awardDelayMs,
    intervalMs: config.awardIntervalMs,
    leaseTtlMs: config.leaseTtlMs,
    now,
    onError: (error) => awardTrouble("award-queue", error),
  });

  const journeys = createJourneys({
    store,
    directory,
    eligibility: createRuleEligibility({ ownership, terms, grantsOf: (member) => consents.activeRequests(member, true) }),
    stamps: createCatalogStamps(catalog, names),
    onAwardQueued: () => awards.nudge(),
    onChange: () => void bus.publish({ type: "journeys" }),
    cacheMs: takeCountCacheMs,
    now,
  });

  bus.subscribe((event) => {
    switch (event.type) {
      case "offers":
        return offers.catalogChanged();
      case "collections":
        return directory.forget();
      case "terms":
        names.forget();
        levelBook.forget();
        requestBook.forget();
        return offers.catalogChanged();
      case "journeys":
        return journeys.journeysChanged();
      case "session-revoked":
        return auth.forget(event.sessionId);
      case "resync":
        offers.catalogChanged();
        directory.forget();
        names.forget();
        levelBook.forget();
        requestBook.forget();
        journeys.journeysChanged();
        return auth.forget();
    }
  });

  await app.register(memberRoutes, { directory, catalog, names, levels: levelBook, store });
  await app.register(perkRoutes, { perks: offers.forKind(perkVariant), till: createTill(store, now, { terms, ownership, timeoutMs: config.listingReadTimeoutMs }), tillVerifyPerMinute: config.tillVerifyPerMinute });
  await app.register(dropRoutes, { drops: offers.forKind(drops), variant: drops });
  await app.register(brandRoutes, { registrations, minters });
  await app.register(operatorRoutes, { accounts: createBrandAccounts(store) });

  await app.register(catalogRoutes, {
    catalog: createTokenCatalog({ store, directory, catalog, publicUrl: config.publicUrl, imageMaxBytes: config.imageMaxBytes, names, onChange: termsChanged, now }),
    imageMaxBytes: config.imageMaxBytes,
  });
  await app.register(levelRoutes, { levels: createLevels({ store, book: levelBook, onChange: termsChanged, now }) });

  await app.register(journeyRoutes, { journeys, attemptsPerMinute: config.stepAttemptsPerMinute, attemptsPerIpPerMinute: config.stepAttemptsPerIpPerMinute });

  await app.register(awardRoutes, { store });
  app.addHook("onReady", async () => awards.start());
  app.addHook("onClose", async () => awards.stop());

  // Staff: sign-outs elsewhere end sessions here; a registered collection may make a new owner; a staff
  // list changed elsewhere re-resolves roles here at once (without Redis, within STAFF_ROLE_CACHE_MS).
  bus.subscribe((event) => {
    if (event.type === "session-revoked") staff.forget(event.sessionId);
    if (event.type === "collections" || event.type === "staff") staffRoles.forget();
    if (event.type === "resync") {
      staff.forget();
      staffRoles.forget();
    }
  });
  await app.register(staffAdminRoutes, { staff: createStaffList({ store, roles: staffRoles, now, onChange: () => void bus.publish({ type: "staff" }) }) });
  await app.register(consoleRoutes, {
    stats: createStaffStats({ store, now, kinds: OFFER_KINDS }),
    previews: createRulePreviews({ store, ownership, terms, servedCollections: () => directory.served() }),
  });

  bus.subscribe((event) => {
    if (event.type === "consents") consents.forget(event.member);
    if (event.type === "member-erased") {
      consents.forget(event.member);
      // Session ids are not kept per member: this instance asks the store about every session again.
      auth.forget();
    }
    if (event.type === "resync") consents.forget();
  });
  const erasure = createErasure({
    store,
    auth,
    sessionTtlSeconds: config.sessionTtlSeconds,
    now,
    onErased: (member) => {
      consents.forget(member);
      auth.forget();
      return bus.publish({ type: "member-erased", member });
    },
  });
  await app.register(consentRoutes, {
    profiles: createProfiles({ store, now }),
    requests,
    consents,
    access: createMemberDataAccess({ store, now }),
    exporter: createDataExport({ store, now }),
    erasure,
    rateLimitPerMinute: config.authRateLimitPerMinute,
  });

  return app;
}

/** How long a registration a brand asks for stays signable. */
const REGISTRATION_LIFETIME_SECONDS = 3_600;
