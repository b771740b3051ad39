/**
 * The HTTP surface as a whole: every error is RFC 9457 problem+json with a stable code, framework
 * rejections are 4xx (never 5xx), plus rate limits, CORS, health, OpenAPI and request ids.
 *
 * Long because it checks the HTTP surface as a whole (problems, framework rejections, rate limits,
 * CORS, health, OpenAPI) on one running server.
 */
import { WEBHOOK_EVENT_TYPES } from "../sdk/src/protocol/webhooks.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPublicClient, getAddress, http, type PublicClient } from "viem";
import { DEMO_TYPES, startChain, type DemoChain } from "../test/support/chain.ts";
import { bearer, startServer, type TestServer } from "../test/support/server.ts";
import { expectProblem } from "../test/support/problems.ts";
import { seededRandom } from "../scripts/seeded-random.ts";

let chain: DemoChain;
let server: TestServer;
let token: string;

beforeAll(async () => {
  chain = await startChain();
  server = await startServer(chain);
  await chain.mint(getAddress(chain.members[0]!.account.address), DEMO_TYPES.stamp);
  token = await server.signIn(chain.members[0]!);
});
afterAll(async () => server?.close());

const PROBLEM = "application/problem+json; charset=utf-8";

type Reply = { statusCode: number; headers: Record<string, unknown>; body: string; json: () => any };

const deadClient = () => createPublicClient({ transport: http("http://127.0.0.1:9", { retryCount: 0 }) }) as PublicClient;

describe("problem+json for what the framework refuses", () => {
  it("malformed JSON: 400 bad_request", async () => {
    const response = await server.app.inject({
      method: "POST",
      url: "/v1/admin/perks",
      headers: { ...bearer(server.apiKey), "content-type": "application/json" },
      payload: '{"title": "x", ',
    });
    const body = expectProblem(response, 400, "bad_request");
    expect(body).toMatchObject({ title: "The body is not valid JSON", instance: "/v1/admin/perks" });
  });

  it("a JSON body with a __proto__ key: 400, not a polluted object", async () => {
    const response = await server.app.inject({
      method: "POST",
      url: "/v1/admin/perks",
      headers: { ...bearer(server.apiKey), "content-type": "application/json" },
      payload: '{"title":"x","rule":{},"__proto__":{"admin":true}}',
    });
    expectProblem(response, 400, "bad_request");
  });

  it("empty JSON body: 400 bad_request", async () => {
    const response = await server.app.inject({
      method: "POST",
      url: "/v1/admin/perks",
      headers: { ...bearer(server.apiKey), "content-type": "application/json" },
      payload: "",
    });
    expect(expectProblem(response, 400, "bad_request").title).toBe("The JSON body is empty");
  });

  it("no body where one is required: 400 validation_failed", async () => {
    const response = await server.app.inject({ method: "POST", url: "/v1/admin/perks", headers: bearer(server.apiKey) });
    expectProblem(response, 400, "validation_failed");
  });

  it("JSON that is not an object: 400 validation_failed", async () => {
    for (const payload of ["null", "42", '"text"', "true", "[]"]) {
      const response = await server.app.inject({
        method: "POST",
        url: "/v1/admin/redemptions/verify",
        headers: { ...bearer(server.apiKey), "content-type": "application/json" },
        payload,
      });
      expectProblem(response, 400, "validation_failed");
    }
  });

  it("wrong content type: 415 unsupported_media_type", async () => {
    for (const contentType of ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "application/octet-stream"]) {
      const response = await server.app.inject({
        method: "POST",
        url: "/v1/admin/perks",
        headers: { ...bearer(server.apiKey), "content-type": contentType },
        payload: "title=x",
      });
      expect(expectProblem(response, 415, "unsupported_media_type").title).toBe("Send application/json");
    }
  });

  it("text/plain is read as a string (Fastify's built-in parser), so an object body is 400 validation_failed", async () => {
    const response = await server.app.inject({
      method: "POST",
      url: "/v1/admin/perks",
      headers: { ...bearer(server.apiKey), "content-type": "text/plain" },
      payload: '{"title":"x"}',
    });
    expect(expectProblem(response, 400, "validation_failed").detail).toBe("body must be object");
  });

  it("a body over the limit: 413 payload_too_large", async () => {
    const small = await startServer(chain, { bodyLimitBytes: 1024 });
    try {
      const payload = JSON.stringify({ title: "x", description: "d".repeat(2000), rule: {} });
      const response = await small.app.inject({
        method: "POST",
        url: "/v1/admin/perks",
        headers: { ...bearer(small.apiKey), "content-type": "application/json" },
        payload,
      });
      expect(expectProblem(response, 413, "payload_too_large").title).toBe("The request body is too large");
      // Just under the limit is read (and then judged on its content).
      const fits = await small.app.inject({
        method: "POST",
        url: "/v1/admin/perks",
        headers: { ...bearer(small.apiKey), "content-type": "application/json" },
        payload: JSON.stringify({ title: "x", description: "d".repeat(900), rule: {} }),
      });
      expectProblem(fits, 400, "invalid_rule");
    } finally {
      await small.close();
    }
  });

  it("unknown route: 404 not_found", async () => {
    const body = expectProblem(await server.app.inject({ method: "GET", url: "/v1/nope?x=1" }), 404, "not_found");
    expect(body).toMatchObject({ title: "No such route", detail: "GET /v1/nope", instance: "/v1/nope?x=1" });
    expectProblem(await server.app.inject({ method: "POST", url: "/" }), 404, "not_found");
  });

  it("wrong method on a known path: 405 method_not_allowed with Allow", async () => {
    const del = await server.app.inject({ method: "DELETE", url: "/v1/perks" });
    const body = expectProblem(del, 405, "method_not_allowed");
    expect(body.detail).toBe("DELETE /v1/perks");
    expect(del.headers["allow"]).toBe("GET, HEAD");
    const put = await server.app.inject({ method: "PUT", url: "/v1/admin/perks/perk_1" });
    expectProblem(put, 405, "method_not_allowed");
    expect(put.headers["allow"]).toBe("PATCH, DELETE");
    const get = await server.app.inject({ method: "GET", url: "/v1/perks/perk_1/redeem" });
    expectProblem(get, 405, "method_not_allowed");
    expect(get.headers["allow"]).toBe("POST");
  });

  it("a querystring with an unknown field: 400 validation_failed, naming the querystring", async () => {
    const response = await server.app.inject({ method: "GET", url: "/v1/perks?colour=red", headers: bearer(token) });
    const body = expectProblem(response, 400, "validation_failed");
    expect(body.errors).toEqual([{ in: "querystring", path: "/", message: "must NOT have additional properties" }]);
  });

  it("a path parameter too long for the id schema: 400 validation_failed", async () => {
    const body = expectProblem(await server.app.inject({ method: "GET", url: `/v1/perks/${"a".repeat(65)}`, headers: bearer(token) }), 400, "validation_failed");
    expect(body.errors).toEqual([{ in: "params", path: "/id", message: "must NOT have more than 64 characters" }]);
    expectProblem(await server.app.inject({ method: "GET", url: `/v1/perks/${"a".repeat(100)}`, headers: bearer(token) }), 400, "validation_failed");
  });

  // The router answers these before any plugin runs; build() passes frameworkErrors so they are
  // problem+json like everything else.
  it("a path segment over the router's limit: 414 problem+json", async () => {
    const response = await server.app.inject({ method: "GET", url: `/v1/perks/${"a".repeat(101)}`, headers: bearer(token) });
    expectProblem(response, 414, "bad_request");
  });
  it("bad percent-encoding in a path parameter: 400 problem+json", async () => {
    const response = await server.app.inject({ method: "GET", url: "/v1/perks/%zz", headers: bearer(token) });
    expectProblem(response, 400, "bad_request");
  });

  it("a malformed header value: 400 or 401, never 500", async () => {
    const response = await server.app.inject({ method: "GET", url: "/v1/perks", headers: { authorization: "Bearer" } });
    expectProblem(response, 401, "unauthenticated");
  });
});

describe("rate limit on sign-in", () => {
  it("the 4th nonce in a minute with a limit of 3 is 429 rate_limited", async () => {
    const limited = await startServer(chain, { authRateLimitPerMinute: 3 });
    try {
      for (let i = 0; i < 3; i++) {
        const ok = await limited.app.inject({ method: "GET", url: "/v1/auth/nonce" });
        expect(ok.statusCode).toBe(200);
        expect(ok.headers["x-ratelimit-limit"]).toBe("3");
        expect(ok.headers["x-ratelimit-remaining"]).toBe(String(2 - i));
      }
      const refused = await limited.app.inject({ method: "GET", url: "/v1/auth/nonce" });
      const body = expectProblem(refused, 429, "rate_limited");
      expect(body.title).toBe("Too many requests");
      expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
      // Other routes are not limited.
      expect((await limited.app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe("CORS", () => {
  let cors: TestServer;
  beforeAll(async () => {
    cors = await startServer(chain, { corsOrigins: ["https://shop.example"] });
  });
  afterAll(async () => cors?.close());

  const preflight = (origin: string) =>
    cors.app.inject({
      method: "OPTIONS",
      url: "/v1/perks",
      headers: { origin, "access-control-request-method": "GET", "access-control-request-headers": "authorization" },
    });

  it("a configured origin gets allow-origin with credentials", async () => {
    const response = await preflight("https://shop.example");
    expect(response.statusCode).toBe(204);
    expect(response.headers["access-control-allow-origin"]).toBe("https://shop.example");
    expect(response.headers["access-control-allow-credentials"]).toBe("true");
    const simple = await cors.app.inject({ method: "GET", url: "/healthz", headers: { origin: "https://shop.example" } });
    expect(simple.headers["access-control-allow-origin"]).toBe("https://shop.example");
    expect(simple.headers["access-control-expose-headers"]).toBe("x-request-id");
  });

  it("an unconfigured origin does not", async () => {
    for (const origin of ["https://evil.example", "https://shop.example.evil.example", "http://shop.example", "null"]) {
      const response = await preflight(origin);
      expect(response.headers["access-control-allow-origin"]).toBeUndefined();
      const simple = await cors.app.inject({ method: "GET", url: "/healthz", headers: { origin } });
      expect(simple.headers["access-control-allow-origin"]).toBeUndefined();
    }
  });

  it("with no origins configured nobody gets allow-origin", async () => {
    const response = await server.app.inject({ method: "GET", url: "/healthz", headers: { origin: "https://shop.example" } });
    expect(response.headers["access-control-allow-origin"]).toBeUndefined();
  });
});

describe("health", () => {
  it("/healthz answers 200", async () => {
    const response = await server.app.inject({ method: "GET", url: "/healthz" });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ ok: true });
  });

  it("/readyz is 200 with the real chain", async () => {
    const response = await server.app.inject({ method: "GET", url: "/readyz" });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ ok: true, store: { ok: true }, chain: { ok: true } });
    // The chain index: at the head, and this instance follows the chain.
    await expect.poll(async () => (await server.app.inject({ method: "GET", url: "/readyz" })).json().index, { timeout: 10_000 }).toMatchObject({ ok: true, lagBlocks: 0, confirmations: 0, writer: true });
  });

  it("/readyz is 503 when the RPC is unreachable or serves another chain", async () => {
    const dead = await startServer(chain, {}, { client: deadClient() });
    const wrong = await startServer(chain, { chainId: 1 });
    try {
      const a = await dead.app.inject({ method: "GET", url: "/readyz" });
      expect(a.statusCode).toBe(503);
      expect(a.json()).toMatchObject({ ok: false, store: { ok: true }, chain: { ok: false, detail: "RPC unreachable" }, index: { ok: false } });
      const b = await wrong.app.inject({ method: "GET", url: "/readyz" });
      expect(b.statusCode).toBe(503);
      expect(b.json()).toMatchObject({ ok: false, store: { ok: true }, chain: { ok: false, detail: "RPC serves chain 31337, expected 1" }, index: { ok: false } });
      // Liveness does not depend on the chain.
      expect((await dead.app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
    } finally {
      await dead.close();
      await wrong.close();
    }
  });
});

describe("OpenAPI", () => {
  it("/docs/json is an OpenAPI 3 document listing the /v1 paths", async () => {
    const response = await server.app.inject({ method: "GET", url: "/docs/json" });
    expect(response.statusCode).toBe(200);
    const doc = response.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info).toMatchObject({ title: "Stampbook API", version: "1" });
    const paths = Object.keys(doc.paths);
    for (const path of [
      "/v1/auth/nonce",
      "/v1/auth/verify",
      "/v1/auth/logout",
      "/v1/me",
      "/v1/perks",
      "/v1/perks/{id}",
      "/v1/perks/{id}/redeem",
      "/v1/redemptions",
      "/v1/admin/perks",
      "/v1/admin/perks/{id}",
      "/v1/admin/redemptions",
      "/v1/admin/redemptions/verify",
      "/healthz",
      "/readyz",
    ]) {
      expect(paths).toContain(path);
    }
    expect(Object.keys(doc.paths["/v1/admin/perks/{id}"]).sort()).toEqual(["delete", "patch"]);
    expect(doc.paths["/v1/perks/{id}/redeem"].post.responses).toHaveProperty("201");
    expect(doc.components.securitySchemes).toHaveProperty("session");
    // The limits a brand sends are nullable integers (OpenAPI 3.1: a JSON Schema type array).
    expect(doc.openapi).toBe("3.1.0");
    const create = doc.paths["/v1/admin/perks"].post.requestBody.content["application/json"].schema;
    expect(create.properties.limits.properties.perMember).toMatchObject({ type: ["integer", "null"], minimum: 0 });
    // Every webhook event type is documented with its payload.
    expect(Object.keys(doc.webhooks).sort()).toEqual([...WEBHOOK_EVENT_TYPES].sort());
    const transferred = doc.webhooks["token.transferred"].post.requestBody.content["application/json"].schema;
    expect(transferred.properties.data.properties).toHaveProperty("reverted");
  });
});

describe("request ids", () => {
  it("echoes x-request-id, and makes one up otherwise, on success and on errors", async () => {
    const given = await server.app.inject({ method: "GET", url: "/healthz", headers: { "x-request-id": "req-123" } });
    expect(given.headers["x-request-id"]).toBe("req-123");
    const error = await server.app.inject({ method: "GET", url: "/v1/nope", headers: { "x-request-id": "req-456" } });
    expect(error.headers["x-request-id"]).toBe("req-456");
    const made = await server.app.inject({ method: "GET", url: "/healthz" });
    expect(made.headers["x-request-id"]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const unauthenticated = await server.app.inject({ method: "GET", url: "/v1/me", headers: { "x-request-id": "req-789" } });
    expect(unauthenticated.statusCode).toBe(401);
    expect(unauthenticated.headers["x-request-id"]).toBe("req-789");
  });
});

describe("fuzz", () => {
  /** Seeded, so a failure can be replayed. */
  const prng = seededRandom;

  const SEED = 20261122;

  it("200 random malformed requests: never a 5xx, every error is problem+json", async () => {
    const r = prng(SEED);
    const perk = (
      await server.app.inject({
        method: "POST",
        url: "/v1/admin/perks",
        headers: bearer(server.apiKey),
        payload: { title: "fuzz", rule: { type: "holds", collection: chain.collection.address, tokenId: "3" } },
      })
    ).json();

    const junkStrings = [
      "",
      " ",
      "a".repeat(300),
      "perk_1",
      perk.id,
      "%00",
      "%",
      "%zz",
      "..",
      "%2e%2e",
      "😀",
      "%F0%9F%98%80",
      "<script>",
      "'; DROP TABLE perks; --",
      "0x" + "f".repeat(40),
      "-1",
      "1e309",
      "null",
      "__proto__",
      "constructor",
    ];
    const randomString = () => (r.next() < 0.6 ? r.pick(junkStrings) : Array.from({ length: r.int(40) }, () => String.fromCharCode(32 + r.int(95))).join(""));
    const randomJson = (depth = 0): unknown => {
      switch (r.int(depth > 3 ? 6 : 9)) {
        case 0:
          return null;
        case 1:
          return r.next() < 0.5;
        case 2:
          return r.pick([0, -1, 1.5, 2 ** 53, 1e308, -0, 42]);
        case 3:
          return randomString();
        case 4:
          return r.pick(["holds", "member", "all", "any", "not", "AAAA-BBBB-CCCC", "2030-01-01T00:00:00Z"]);
        case 5:
          return BigInt(r.int(1000)).toString();
        case 6:
          return Array.from({ length: r.int(4) }, () => randomJson(depth + 1));
        default: {
          const keys = ["title", "rule", "type", "rules", "collection", "tokenId", "min", "limits", "perMember", "total", "startsAt", "endsAt", "code", "message", "signature", "description", "extra"];
          return Object.fromEntries(Array.from({ length: r.int(5) }, () => [r.pick(keys), randomJson(depth + 1)]));
        }
      }
    };
    const paths = [
      "/v1/perks",
      "/v1/perks/{id}",
      "/v1/perks/{id}/redeem",
      "/v1/redemptions",
      "/v1/me",
      "/v1/auth/nonce",
      "/v1/auth/verify",
      "/v1/auth/logout",
      "/v1/admin/perks",
      "/v1/admin/perks/{id}",
      "/v1/admin/redemptions",
      "/v1/admin/redemptions/verify",
      "/v1/{id}",
      "/v1/admin/{id}/{id}",
    ];
    const queries = ["", "?limit=abc", "?limit=-1", "?limit=1", "?cursor=xyz", "?cursor=", "?consumed=maybe", "?member=0x1", "?brand=a.b", "?a=1&a=2", "?limit=1&limit=2", "?%zz=1", "?perk[x]=1"];
    const contentTypes = [
      undefined,
      "application/json",
      "application/json; charset=utf-8",
      "application/json; charset=utf-16",
      "application/JSON",
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data",
      "application/octet-stream",
      "a/b/c",
      ";;;",
      "application/problem+json",
    ];
    const authorizations = [undefined, `Bearer ${token}`, `Bearer ${server.apiKey}`, "Bearer", "Bearer  x", "Basic Zm9vOmJhcg==", "Bearer sbs_" + "x".repeat(200), "Bearer sbk_nope", "bearer " + token, "Bearer " + token + "="];
    const bodies = () => {
      switch (r.int(6)) {
        case 0:
          return undefined;
        case 1:
          return JSON.stringify(randomJson()).slice(0, r.next() < 0.3 ? r.int(30) : undefined); // sometimes truncated
        case 2:
          return JSON.stringify(randomJson());
        case 3:
          return Buffer.from(Array.from({ length: r.int(200) }, () => r.int(256)));
        case 4:
          return "[".repeat(r.int(5000)) + "]".repeat(r.int(5000));
        default:
          return '{"__proto__":{"x":1},"constructor":{"prototype":{"y":1}}}';
      }
    };

    const failures: string[] = [];
    for (let n = 0; n < 200; n++) {
      const method = r.pick(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"] as const);
      // Well-formed percent-encoding and at most 100 characters a segment: see the known gap above.
      const url = r.pick(paths).replaceAll("{id}", () => encodeURIComponent(randomString()).slice(0, 100).replace(/%[0-9A-F]?$/, "") || "x") + r.pick(queries);
      const headers: Record<string, string> = {};
      const contentType = r.pick(contentTypes);
      if (contentType !== undefined) headers["content-type"] = contentType;
      const authorization = r.pick(authorizations);
      if (authorization !== undefined) headers["authorization"] = authorization;
      if (r.next() < 0.5) headers["idempotency-key"] = randomString().replace(/[^\x20-\x7e]/g, "?");
      if (r.next() < 0.3) headers["x-request-id"] = randomString().replace(/[^\x21-\x7e]/g, "") || "id";
      if (r.next() < 0.2) headers["cookie"] = `stampbook_session=${randomString().replace(/[^\x21-\x7e]/g, "").replace(/[;,]/g, "")}`;
      if (r.next() < 0.1) headers["origin"] = "https://evil.example";
      const payload = method === "GET" || method === "HEAD" ? undefined : bodies();

      const response = await server.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });
      const what = `#${n} ${method} ${url} ${JSON.stringify(headers).slice(0, 200)} -> ${response.statusCode} ${response.body.slice(0, 200)}`;
      if (response.statusCode >= 500) failures.push(what);
      expect(response.statusCode, what).toBeLessThan(500);
      if (response.statusCode >= 400 && method !== "HEAD") {
        expect(response.headers["content-type"], what).toBe(PROBLEM);
        const body = response.json();
        expect(body, what).toMatchObject({ status: response.statusCode, type: `urn:stampbook:problem:${body.code}` });
        expect(typeof body.title, what).toBe("string");
        expect(typeof body.code, what).toBe("string");
      }
    }
    expect(failures).toEqual([]);
    // The fuzzing touched nothing it should not have: the perk is intact.
    expect(await server.store.getOffer(perk.id)).toMatchObject({ title: "fuzz", limits: { perMember: null, total: null } });
  });
});
