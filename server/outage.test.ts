/**
 * The store unreachable, on every route and both engines. Each registered route (collected as it
 * registers, so a route added later is covered without a word here) is called with the credentials
 * its guard takes, real ids in its path and a minimal body made from its JSON schema, while the
 * database cannot be reached. No answer may be a 500: a 5xx is problem+json 503 `store_unavailable`
 * (with Retry-After), `store_busy` or `chain_unavailable`. On PostgreSQL the instance then recovers
 * by itself once the database is back, and a connection that silently stops answering (a blackhole)
 * ends in 503 within the timeout instead of hanging.
 *
 * Long because the promise is about every route at once: the route collector, the body maker and
 * both engines' outages must sit together to say it.
 */
import { randomUUID } from "node:crypto";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance, RouteOptions } from "fastify";
import { Ajv, type ValidateFunction } from "ajv";
import ajvFormats from "ajv-formats";
import { getAddress, type Address, type PublicClient } from "viem";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { devAccount } from "../scripts/demo/accounts.ts";
import { createThrowawayDatabase, type ThrowawayDatabase } from "../scripts/throwaway-database.ts";
import { DEMO_TYPES, startChain, type DemoChain } from "../test/support/chain.ts";
import { bearer, TEST_MINTER_KEY_SECRET } from "../test/support/server.ts";
import { POSTGRES_SKIPS, postgresForTests } from "../test/support/services.ts";
import { signedSiwe, siweSignIn, viaInject } from "../test/support/siwe.ts";
import { staffSignIn } from "../test/support/staff.ts";
import { startTcpProxy, type TcpProxy } from "../test/support/tcp-proxy.ts";
import { registerCollection, setMinter, signRegistration } from "../test/support/tenancy.ts";
import { build } from "./app.ts";
import { loadConfig } from "./config.ts";
import { ERASURE_STATEMENT } from "./consents/erasure.ts";
import { createSqlStore } from "./storage/sql/store.ts";
import { SqliteDatabase } from "./storage/sqlite/database.ts";

const postgresUrl = postgresForTests("every route with PostgreSQL unreachable (server/outage.test.ts)");

// Every route each instance registers, in order, seen as it registers: Fastify announces a new
// instance on this channel before anything is registered on it.
const routesOf = new WeakMap<object, RouteOptions[]>();
function onInstance(message: unknown) {
  const app = (message as { fastify: FastifyInstance }).fastify;
  const routes: RouteOptions[] = [];
  routesOf.set(app, routes);
  app.addHook("onRoute", (route) => void routes.push(route));
}
subscribe("fastify.initialization", onInstance);

// Whatever escapes a request (a connection's 'error' event nobody listens to, a promise nobody
// awaits) would end a real process: none may.
const escaped: unknown[] = [];
const onEscape = (error: unknown) => void escaped.push(error);
process.on("unhandledRejection", onEscape);
process.on("uncaughtException", onEscape);

let chain: DemoChain;
const OPERATOR_TOKEN = "operator-token-for-the-outage-test-0123456789";
// The brand's own account deployed the collection: it holds its admin and minter roles.
const BRAND_KEY = devAccount(0).privateKey;

beforeAll(async () => {
  chain = await startChain();
  // The member holds a stamp, which the perk asks for.
  await chain.mint(chain.members[0]!.account!.address, DEMO_TYPES.stamp);
});
afterEach(() => expect(escaped, "nothing escaped to the process").toEqual([]));
afterAll(() => {
  unsubscribe("fastify.initialization", onInstance);
  process.off("unhandledRejection", onEscape);
  process.off("uncaughtException", onEscape);
});

function configOf(databaseUrl: string, env: Record<string, string> = {}) {
  return loadConfig({
    PUBLIC_URL: "http://localhost:8787",
    DATABASE_URL: databaseUrl,
    OPERATOR_TOKEN,
    MINTER_KEY_SECRET: TEST_MINTER_KEY_SECRET,
    OWNERSHIP_CACHE_MS: "0",
    AUTH_RATE_LIMIT_PER_MINUTE: "100000",
    STEP_ATTEMPTS_PER_MINUTE: "100000",
    STEP_ATTEMPTS_PER_IP_PER_MINUTE: "100000",
    TILL_VERIFY_PER_MINUTE: "100000",
    // Sessions and roles checked before the outage stay trusted through it, so requests get past
    // their guard to their own work (an API key is looked up every time: that is its own case).
    SESSION_CACHE_MS: "60000",
    STAFF_ROLE_CACHE_MS: "30000",
    // Background rounds stay out of the way: what asks the store during a request is that request.
    PRUNE_INTERVAL_MS: "86400000",
    CLAIM_SWEEP_MS: "86400000",
    AWARD_INTERVAL_MS: "86400000",
    LEASE_TTL_MS: "300000",
    ...env,
  });
}

type Fixture = {
  app: FastifyInstance;
  /** How many times the store was asked anything so far: whether a request got as far as the store. */
  storeCalls: () => number;
  brandId: string;
  apiKey: string;
  member: Address;
  memberToken: string;
  staffToken: string;
  perkId: string;
  redemptionCode: string;
  dropId: string;
  claimId: string;
  journeyId: string;
  stepId: string;
  requestId: string;
  consentId: string;
  /** A sign-in the member signed before the outage (its nonce still unused): a body that gets as far as the store. */
  signIn: { message: string; signature: string };
  /** Bodies signed before the outage (a sign-in, a grant, an erasure, a collection's registration), each unused. */
  signed: Record<string, unknown>[];
};

async function expectStatus(response: { statusCode: number; body: string }, status: number) {
  expect(response.statusCode, response.body).toBe(status);
  return JSON.parse(response.body);
}

/** Counts the calls made on the instance's store from now on (its methods are wrapped in place: services hold the same object). */
function countStoreCalls(app: FastifyInstance): () => number {
  let calls = 0;
  const store = app.store as unknown as Record<string, unknown>;
  for (const [name, value] of Object.entries(store)) {
    if (typeof value !== "function") continue;
    store[name] = (...args: unknown[]) => {
      calls++;
      return (value as (...args: unknown[]) => unknown).apply(store, args);
    };
  }
  return () => calls;
}

/** A brand made through the API, with a collection, a minter, a perk redeemed, a drop claimed, a journey, a data request granted. */
async function prepare(app: FastifyInstance): Promise<Fixture> {
  const inject = (method: "GET" | "POST" | "PUT", url: string, token: string, payload?: object, headers: Record<string, string> = {}) =>
    app.inject({ method, url, headers: { ...bearer(token), ...headers }, ...(payload === undefined ? {} : { payload }) });
  const wallet = chain.members[0]!;
  const member = getAddress(wallet.account!.address);
  const collection = chain.collection.address;

  const created = await expectStatus(await inject("POST", "/v1/operator/brands", OPERATOR_TOKEN, { name: "Outage Coffee" }), 201);
  const brandId: string = created.brand.id;
  const apiKey: string = created.key.apiKey;
  await expectStatus(await registerCollection(app, apiKey, chain.brand, collection), 201);
  await setMinter(app, apiKey, BRAND_KEY);
  await expectStatus(await inject("PUT", `/v1/admin/collections/${collection}/types/${DEMO_TYPES.stamp}/metadata`, apiKey, { name: "Journey stamp" }), 200);
  const stampRule = { type: "holds", collection, tokenId: DEMO_TYPES.stamp.toString(), min: 1 };
  const perkId: string = (await expectStatus(await inject("POST", "/v1/admin/perks", apiKey, { title: "A free coffee", rule: stampRule }), 201)).id;
  const dropId: string = (await expectStatus(await inject("POST", "/v1/admin/drops", apiKey, { title: "A stamp", collection, tokenId: DEMO_TYPES.stamp.toString(), mode: "voucher" }), 201)).id;
  const journey = await expectStatus(
    await inject("POST", "/v1/admin/journeys", apiKey, { title: "Coffee 101", stamp: { collection, tokenId: DEMO_TYPES.stamp.toString() }, steps: [{ id: "visit", title: "Visit a store", kind: "code", mode: "batch" }] }),
    201,
  );
  const requestId: string = (await expectStatus(await inject("POST", "/v1/admin/data-requests", apiKey, { fields: ["email"], purpose: "to send you news", retentionDays: 30 }), 201)).id;

  const memberToken = await siweSignIn(viaInject(app), wallet);
  const redemption = await expectStatus(await inject("POST", `/v1/perks/${perkId}/redeem`, memberToken, undefined, { "idempotency-key": randomUUID() }), 201);
  const claim = await expectStatus(await inject("POST", `/v1/drops/${dropId}/claim`, memberToken, undefined, { "idempotency-key": randomUUID() }), 201);
  const template = await expectStatus(await inject("GET", `/v1/consents/template?request=${requestId}`, memberToken), 200);
  const grant = { message: template.message as string, signature: await wallet.signMessage({ account: wallet.account!, message: template.message }) };
  const consentId: string = (await expectStatus(await inject("POST", "/v1/consents", memberToken, grant), 201)).id;

  const { token: staffToken, role } = await staffSignIn(viaInject(app), chain.brand, brandId);
  expect(role).toBe("owner");
  // Each credential used once now, so its session and role are cached when the store goes away.
  await expectStatus(await inject("GET", "/v1/me/profile", memberToken), 200);
  await expectStatus(await inject("GET", "/v1/admin/brand", staffToken), 200);
  await expectStatus(await inject("GET", "/v1/staff/me", staffToken), 200);

  const signIn = await signedSiwe(viaInject(app), wallet);
  const template2 = await expectStatus(await inject("GET", `/v1/consents/template?request=${requestId}`, memberToken), 200);
  const signed = [
    signIn,
    { message: template2.message, signature: await wallet.signMessage({ account: wallet.account!, message: template2.message }) },
    await signedSiwe(viaInject(app), wallet, { statement: ERASURE_STATEMENT }),
    await signRegistration(app, apiKey, chain.brand, collection),
  ];

  return {
    app,
    storeCalls: countStoreCalls(app),
    brandId,
    apiKey,
    member,
    memberToken,
    staffToken,
    perkId,
    redemptionCode: redemption.code,
    dropId,
    claimId: claim.id,
    journeyId: journey.id,
    stepId: "visit",
    requestId,
    consentId,
    signIn,
    signed,
  };
}

// --- Minimal valid values from a route's JSON schema ---------------------------------------------

const ajv = new Ajv({ strict: false, allErrors: false });
(ajvFormats as unknown as { default: (ajv: Ajv) => Ajv }).default(ajv);
const validators = new WeakMap<object, ValidateFunction>();
function fits(schema: unknown, value: unknown): boolean {
  if (schema === null || typeof schema !== "object") return true;
  let validate = validators.get(schema);
  if (validate === undefined) {
    validate = ajv.compile(schema);
    validators.set(schema, validate);
  }
  return validate(structuredClone(value)) as boolean;
}

type Schema = {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  minProperties?: number;
  items?: Schema;
  minItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
};

/** Strings a pattern is likely to take, tried in turn. */
function stringCandidates(): string[] {
  return ["1", "abc", "visit", "gold", chain.collection.address, `0x${"11".repeat(32)}`, "0x", "https://example.com/picture.png", new Date(Date.now() + 86_400_000).toISOString()];
}

function sampleString(schema: Schema): string {
  const formats: Record<string, string> = {
    "date-time": new Date(Date.now() + 86_400_000).toISOString(),
    date: "2030-01-01",
    email: "member@example.com",
    uri: "https://example.com/",
    url: "https://example.com/",
    uuid: randomUUID(),
  };
  if (schema.format !== undefined && formats[schema.format] !== undefined) return formats[schema.format]!;
  const min = schema.minLength ?? 1;
  for (const candidate of stringCandidates()) {
    const padded = candidate.length >= min ? candidate : candidate + "x".repeat(min - candidate.length);
    if (fits({ type: "string", ...(schema.pattern === undefined ? {} : { pattern: schema.pattern }), ...(schema.maxLength === undefined ? {} : { maxLength: schema.maxLength }), minLength: min }, padded)) return padded;
  }
  return "x".repeat(min);
}

/**
 * A small value `schema` accepts: required properties only (more when `minProperties` asks), the
 * first enum value or union branch, the smallest number allowed. A property named in `hints` takes
 * the hint when the schema accepts it (real ids, a rule, a signed message).
 */
function sample(schema: Schema | undefined, hints: Record<string, unknown>, name?: string): unknown {
  if (name !== undefined && name in hints && fits(schema, hints[name])) return hints[name];
  if (schema === undefined || typeof schema !== "object") return {};
  if ("const" in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches !== undefined) {
    const candidates = branches.filter((branch) => branch.type !== "null").map((branch) => sample(branch, hints, name));
    return candidates.find((value) => fits(schema, value)) ?? candidates[0] ?? null;
  }
  if (schema.allOf !== undefined) return Object.assign({}, ...schema.allOf.map((part) => sample(part, hints, name)));
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  switch (type) {
    case "object": {
      const properties = schema.properties ?? {};
      const keys = Object.keys(properties).filter((key) => schema.required?.includes(key));
      for (const key of Object.keys(properties)) if (keys.length < (schema.minProperties ?? 0) && !keys.includes(key)) keys.push(key);
      return Object.fromEntries(keys.map((key) => [key, sample(properties[key], hints, key)]));
    }
    case "array":
      return Array.from({ length: schema.minItems ?? 0 }, () => sample(schema.items, hints, name));
    case "string":
      return sampleString(schema);
    case "integer":
    case "number": {
      const low = schema.minimum ?? (schema.exclusiveMinimum === undefined ? 1 : schema.exclusiveMinimum + 1);
      return Math.min(Math.max(low, 1), schema.maximum ?? Number.MAX_SAFE_INTEGER);
    }
    case "boolean":
      return true;
    case "null":
      return null;
  }
  return {};
}

// --- Calling every route -------------------------------------------------------------------------

type Who = "anyone" | "member" | "apiKey" | "staff" | "operator";

/** Which credentials a route's guards take (its `security`, which app.ts derives from them, or the guard itself). */
function credentialsOf(app: FastifyInstance, route: RouteOptions): Who[] {
  const guards = new Set([route.preHandler ?? [], route.onRequest ?? []].flat());
  const schemes = new Set(((route.schema as { security?: Record<string, unknown>[] } | undefined)?.security ?? []).flatMap((requirement) => Object.keys(requirement)));
  const who: Who[] = [];
  if (guards.has(app.requireMember) || schemes.has("session")) who.push("member");
  if (guards.has(app.requireBrand) || schemes.has("apiKey")) who.push("apiKey", "staff");
  if ((guards.has(app.requireStaff) || schemes.has("staff")) && !who.includes("staff")) who.push("staff");
  if (guards.has(app.requireOperator) || schemes.has("operator")) who.push("operator");
  // A route with no guard may still look at who calls.
  return who.length > 0 ? who : ["anyone", "member"];
}

/** A route's own answer to a 503 (a readiness report), rather than a problem. */
function ownServiceUnavailable(route: RouteOptions): boolean {
  const answer = (route.schema as { response?: Record<string, { properties?: Record<string, unknown> }> } | undefined)?.response?.[503];
  return answer !== undefined && answer.properties?.code === undefined;
}

// A 1x1 PNG: the body of routes that take raw bytes (pictures) rather than JSON.
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=", "base64");

type Call = { route: string; who: Who; status: number; code: string | undefined; touched: boolean };

/**
 * The JSON bodies to send: each body signed before the outage that the schema takes (laid over the
 * generated one, which fills what it lacks), else the generated one. A signature only the right
 * message carries gets a request past its checks to the store.
 */
function jsonBodies(fixture: Fixture, schema: Schema, hints: Record<string, unknown>): unknown[] {
  const generated = sample(schema, hints);
  const signed = fixture.signed.map((body) => ({ ...(generated as object), ...body })).filter((body) => fits(schema, body));
  return signed.length > 0 ? signed : [generated];
}

/** The requests that exercise `route`, one per credential its guard takes and body it may take. */
function requestsFor(fixture: Fixture, route: RouteOptions) {
  const { app } = fixture;
  const schema = (route.schema ?? {}) as { params?: Schema; querystring?: Schema; query?: Schema; body?: Schema };
  const hints: Record<string, unknown> = {
    collection: chain.collection.address,
    tokenId: DEMO_TYPES.stamp.toString(),
    member: fixture.member,
    address: fixture.member,
    signer: chain.brand.account!.address,
    brandId: fixture.brandId,
    brand: fixture.brandId,
    request: fixture.requestId,
    perkId: fixture.perkId,
    code: fixture.redemptionCode,
    message: fixture.signIn.message,
    signature: fixture.signIn.signature,
    rule: { type: "holds", collection: chain.collection.address, tokenId: DEMO_TYPES.stamp.toString(), min: 1 },
    stamp: { collection: chain.collection.address, tokenId: DEMO_TYPES.stamp.toString() },
    steps: [{ id: "visit", title: "Visit a store", kind: "code", mode: "batch" }],
    levels: [{ key: "gold", name: "Gold", minPoints: 100 }],
    fields: ["email"],
    type: "purchase",
  };
  // What an `:id` names, by the word before it.
  const ids: Record<string, string> = {
    perks: fixture.perkId,
    drops: fixture.dropId,
    claims: fixture.claimId,
    journeys: fixture.journeyId,
    "data-requests": fixture.requestId,
    consents: fixture.consentId,
    brands: fixture.brandId,
  };
  const params: Record<string, unknown> = { ...hints, stepId: fixture.stepId };
  const segments = route.url.split("/");
  const path = segments
    .map((segment, i) => {
      if (segment === "*") return "index.html";
      if (!segment.startsWith(":")) return segment;
      const name = segment.slice(1);
      if (name === "id") return ids[segments[i - 1]!] ?? DEMO_TYPES.stamp.toString();
      return String(params[name] ?? sample(schema.params?.properties?.[name], hints, name));
    })
    .join("/");
  const query = sample(schema.querystring ?? schema.query, hints) as Record<string, unknown>;
  const search = new URLSearchParams(Object.entries(query ?? {}).map(([key, value]) => [key, String(value)])).toString();
  const url = search === "" ? path : `${path}?${search}`;
  const method = ([] as string[]).concat(route.method)[0]!;
  // A route without a body schema is called without a body, and with a picture's raw bytes (what
  // the one kind of such route that reads a body takes).
  const bodies: { payload?: unknown; headers?: Record<string, string> }[] =
    schema.body !== undefined ? jsonBodies(fixture, schema.body, hints).map((payload) => ({ payload })) : method === "GET" || method === "DELETE" ? [{}] : [{}, { payload: PNG, headers: { "content-type": "image/png" } }];
  const tokens: Record<Who, string | null> = { anyone: null, member: fixture.memberToken, apiKey: fixture.apiKey, staff: fixture.staffToken, operator: OPERATOR_TOKEN };
  return credentialsOf(app, route).flatMap((who) =>
    bodies.map((body) => ({
      who,
      request: {
        method: method as "GET",
        url,
        ...(body.payload === undefined ? {} : { payload: body.payload as object }),
        headers: { "idempotency-key": randomUUID(), ...(tokens[who] === null ? {} : bearer(tokens[who])), ...body.headers },
      },
    })),
  );
}

/** Every route of `app` but the HEAD twins Fastify adds to GET routes, those that end the caller's session last. */
function routesToCall(app: FastifyInstance): RouteOptions[] {
  const routes = routesOf.get(app) ?? [];
  // Signing out drops the session from the cache before the store is asked: the routes after it
  // would then stop at their guard.
  const endsSession = (route: RouteOptions) => /\/(logout|sign-out)$/.test(route.url) || (route.method === "DELETE" && route.url === "/v1/me");
  return routes.filter((route) => route.method !== "HEAD").sort((a, b) => Number(endsSession(a)) - Number(endsSession(b)));
}

const STORE_CODES = new Set(["store_unavailable", "store_busy", "chain_unavailable"]);

/** What is wrong with one answer given while the store cannot be reached (null: nothing): never a 500; a 5xx is a 503 problem saying why. */
function wrongWith(route: RouteOptions, response: { statusCode: number; headers: Record<string, unknown>; body: string }): string | null {
  let body: { code?: unknown; store?: { ok?: unknown } } | null = null;
  try {
    body = JSON.parse(response.body);
  } catch {
    // Not JSON: fine below 500 (a CSV, a picture); a 5xx must be a problem.
  }
  if (response.statusCode === 500 || body?.code === "internal") return "a 500";
  if (response.statusCode < 500) return null;
  if (response.statusCode !== 503) return `${response.statusCode}, not 503`;
  // Readiness answers 503 with its own report, which must say the store is not ready.
  if (ownServiceUnavailable(route)) return body?.store?.ok === false ? null : "a readiness report that does not say the store is down";
  if (response.headers["content-type"] !== "application/problem+json; charset=utf-8") return "a 503 that is not problem+json";
  if (typeof body?.code !== "string" || !STORE_CODES.has(body.code)) return `a 503 of code ${String(body?.code)}`;
  if (body.code === "store_unavailable" && !/^\d+$/.test(String(response.headers["retry-after"]))) return "store_unavailable without Retry-After";
  return null;
}

function checkAnswer(label: string, route: RouteOptions, response: { statusCode: number; headers: Record<string, unknown>; body: string }) {
  expect.soft(wrongWith(route, response), `${label}: ${response.statusCode} ${response.body}`).toBeNull();
}

/** Calls every route as each credential and body it takes, checking each answer. */
async function callEveryRoute(fixture: Fixture): Promise<Call[]> {
  const calls: Call[] = [];
  for (const route of routesToCall(fixture.app)) {
    for (const { who, request } of requestsFor(fixture, route)) {
      const before = fixture.storeCalls();
      const response = await fixture.app.inject(request);
      checkAnswer(`${request.method} ${route.url} as ${who}`, route, response);
      let code: string | undefined;
      try {
        code = JSON.parse(response.body).code;
      } catch {
        code = undefined;
      }
      calls.push({ route: `${request.method} ${route.url}`, who, status: response.statusCode, code, touched: fixture.storeCalls() > before });
    }
  }
  return calls;
}

/** Asks `/readyz` until it answers 200 (each answer 200 or 503): the instance comes back by itself, without a restart. */
async function readyAgain(app: FastifyInstance): Promise<void> {
  const since = performance.now();
  for (;;) {
    const response = await app.inject({ method: "GET", url: "/readyz" });
    if (response.statusCode === 200) return;
    expect(response.statusCode, response.body).toBe(503);
    // A generous bound: a connection that broke under the instance is found out at its next use.
    expect(performance.now() - since, "ready again").toBeLessThan(10_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Per route: whether any call reached the store, and whether any answered 503 store_unavailable. */
function summarize(engine: string, calls: Call[]) {
  const routes = new Map<string, Call[]>();
  for (const call of calls) routes.set(call.route, [...(routes.get(call.route) ?? []), call]);
  const reached = [...routes].filter(([, each]) => each.some((call) => call.touched));
  const unavailable = reached.filter(([, each]) => each.some((call) => call.status === 503 && call.code === "store_unavailable"));
  const other = reached.filter(([, each]) => !each.some((call) => call.status === 503 && call.code === "store_unavailable"));
  console.log(
    `${engine}: ${routes.size} routes (${calls.length} calls); ${reached.length} reached the store, ${unavailable.length} of them answered 503 store_unavailable` +
      (other.length === 0 ? "" : `; the others: ${other.map(([route, each]) => `${route} (${each.map((call) => `${call.who} ${call.status} ${call.code ?? ""}`.trim()).join(", ")})`).join("; ")}`),
  );
  return { routes: routes.size, reached: reached.length, unavailable: unavailable.length, other: other.map(([route]) => route) };
}

/** The instance works again: a member redeems, the till takes the code, and a sign-in signed before the outage goes through. */
async function expectRecovered(fixture: Fixture): Promise<void> {
  const { app } = fixture;
  const redeemed = await app.inject({ method: "POST", url: `/v1/perks/${fixture.perkId}/redeem`, headers: { ...bearer(fixture.memberToken), "idempotency-key": randomUUID() } });
  const redemption = await expectStatus(redeemed, 201);
  await expectStatus(await app.inject({ method: "POST", url: "/v1/admin/redemptions/verify", headers: bearer(fixture.apiKey), payload: { code: redemption.code } }), 200);
  await expectStatus(await app.inject({ method: "POST", url: "/v1/auth/verify", payload: fixture.signIn }), 200);
}

// --- SQLite --------------------------------------------------------------------------------------

describe("SQLite", () => {
  let dir: string;
  let file: string;
  let db: SqliteDatabase;
  let fixture: Fixture;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "stampbook-outage-"));
    file = join(dir, "stampbook.db");
    // The store over a database handle this test holds, so it can close it under the instance.
    db = SqliteDatabase.open(file);
    const app = await build({ config: configOf(`sqlite:${file}`), store: createSqlStore(db), client: chain.publicClient as PublicClient, logger: false });
    fixture = await prepare(app);
  });
  afterAll(async () => {
    await fixture?.app.close();
    await db?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  // As root, file permissions cannot stand in for a failing disk, and a file truncated, deleted or
  // replaced under an open handle keeps working (SQLite reads its pages and WAL through the handle).
  // What it cannot read through is a database, WAL and shared-memory index that all read as garbage:
  // a disk returning nonsense. Put back, the same handle reads them again.
  it("every route answers without a 500 while the database's files read as garbage, most of them 503 store_unavailable; put back, it recovers by itself", async () => {
    const files = ["", "-wal", "-shm"].map((suffix) => ({ path: file + suffix, bytes: readFileSync(file + suffix) }));
    for (const { path, bytes } of files) writeFileSync(path, Buffer.alloc(Math.max(bytes.length, 4096), 7));
    try {
      const summary = summarize("SQLite, files unreadable", await callEveryRoute(fixture));
      expect(summary.routes).toBeGreaterThan(50);
      expect(summary.unavailable).toBeGreaterThanOrEqual(Math.ceil(summary.reached / 2));
    } finally {
      for (const { path, bytes } of files) writeFileSync(path, bytes);
    }
    await readyAgain(fixture.app);
    await expectRecovered(fixture);
  });

  // A handle closed under a request (an instance stopping while requests are in flight) fails every
  // statement differently (node:sqlite: ERR_INVALID_STATE). It never comes back: answers only.
  it("every route answers without a 500 once the database handle is closed, most of them 503 store_unavailable", async () => {
    await db.close();
    const summary = summarize("SQLite, handle closed", await callEveryRoute(fixture));
    expect(summary.routes).toBeGreaterThan(50);
    expect(summary.unavailable).toBeGreaterThanOrEqual(Math.ceil(summary.reached / 2));
    const ready = await fixture.app.inject({ method: "GET", url: "/readyz" });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().store.ok).toBe(false);
  });
});

// --- PostgreSQL ----------------------------------------------------------------------------------

describe.skipIf(postgresUrl === null)(`PostgreSQL (${POSTGRES_SKIPS})`, () => {
  let database: ThrowawayDatabase;
  let proxy: TcpProxy;
  let fixture: Fixture;
  let cutCalls: Call[] = [];
  let databaseUrl: string;
  const TIMEOUT_MS = 1_000;

  beforeAll(async () => {
    // A database of its own, so the instance starts empty; reached only through the proxy.
    database = await createThrowawayDatabase(postgresUrl!, { variable: "TEST_POSTGRES_URL", prefix: "stampbook_outage" });
    const target = new URL(database.url);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    target.hostname = "127.0.0.1";
    target.port = String(proxy.port);
    // As server/main.ts builds it: the instance opens its own store from DATABASE_URL.
    databaseUrl = target.toString();
    const app = await build({ config: configOf(databaseUrl, { DATABASE_TIMEOUT_MS: String(TIMEOUT_MS), DATABASE_POOL_SIZE: "4" }), client: chain.publicClient as PublicClient, logger: false });
    fixture = await prepare(app);
  });
  afterAll(async () => {
    proxy?.restore();
    await fixture?.app.close();
    await proxy?.close();
    await database?.drop();
  });

  it("every route answers without a 500 while the connection is cut, most of them 503 store_unavailable; the instance recovers by itself", async () => {
    proxy.cut();
    cutCalls = await callEveryRoute(fixture);
    const summary = summarize("PostgreSQL", cutCalls);
    expect(summary.routes).toBeGreaterThan(50);
    expect(summary.unavailable).toBeGreaterThanOrEqual(Math.ceil(summary.reached / 2));
    const ready = await fixture.app.inject({ method: "GET", url: "/readyz" });
    expect(ready.statusCode).toBe(503);

    proxy.restore();
    // No restart: broken connections leave the pool as they are found out, and new ones are made.
    await readyAgain(fixture.app);
    await expectRecovered(fixture);
  });

  it("a connection that silently stops answering ends in 503 store_unavailable within the timeout, not a hang", async () => {
    // A few routes that reached the store while it was cut, each as a credential that got there.
    // Reads only: what a blackhole held back goes through once it is restored, and a change might then land.
    const reached = cutCalls.filter((call) => call.touched && call.code === "store_unavailable" && call.route.startsWith("GET "));
    const chosen = [...new Map(reached.map((call) => [call.route, call])).values()].filter((_, i, all) => i % Math.max(1, Math.floor(all.length / 6)) === 0).slice(0, 6);
    expect(chosen.length).toBeGreaterThan(3);
    const byRoute = new Map(routesToCall(fixture.app).map((route) => [`${([] as string[]).concat(route.method)[0]} ${route.url}`, route]));
    proxy.blackhole();
    try {
      const answers = await Promise.all(
        chosen.map(async (call) => {
          const route = byRoute.get(call.route)!;
          const { request } = requestsFor(fixture, route).find((each) => each.who === call.who)!;
          const started = performance.now();
          const response = await fixture.app.inject(request);
          return { label: `${call.route} as ${call.who}`, route, response, elapsedMs: performance.now() - started };
        }),
      );
      for (const { label, route, response, elapsedMs } of answers) {
        checkAnswer(label, route, response);
        expect(response.statusCode, `${label}: ${response.body}`).toBe(503);
        expect(response.json().code, label).toBe("store_unavailable");
        // A generous bound: a few statements, each given up after the timeout; far below "hangs".
        expect(elapsedMs, label).toBeLessThan(15_000);
      }
    } finally {
      proxy.restore();
    }
    await readyAgain(fixture.app);
  });

  it("background rounds (pruning, claim sweeps and takeovers, the award queue) fail quietly through a cut, and the instance is ready again afterwards", async () => {
    // Another instance on the same database, its rounds every few milliseconds.
    const busy = { PRUNE_INTERVAL_MS: "20", CLAIM_SWEEP_MS: "20", AWARD_INTERVAL_MS: "20", LEASE_TTL_MS: "1000", DATABASE_TIMEOUT_MS: String(TIMEOUT_MS) };
    const app = await build({ config: configOf(databaseUrl, busy), client: chain.publicClient as PublicClient, logger: false });
    try {
      await app.ready();
      const asked = countStoreCalls(app);
      proxy.cut();
      try {
        // Rounds keep coming, and keep failing, while it is cut.
        const since = performance.now();
        while (asked() < 20) {
          expect(performance.now() - since, "rounds ran during the cut").toBeLessThan(10_000);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      } finally {
        proxy.restore();
      }
      await readyAgain(app);
    } finally {
      await app.close();
    }
  });
});
