/**
 * Brand routes end to end: API keys, perk CRUD with rule validation, brand isolation, the
 * redemption list and code verification at the till.
 *
 * Long because a brand's perk administration is checked against one server with two brands, so
 * isolation is tested beside every route.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAddress, type Address, type WalletClient } from "viem";
import { normalizeRedemptionCode } from "../storage/index.ts";
import { DEMO_TYPES, startChain, type DemoChain } from "../../test/support/chain.ts";
import { bearer, startServer, type TestServer } from "../../test/support/server.ts";
import { createBrand, issueApiKey } from "../brands/accounts.ts";
import { expectProblem } from "../../test/support/problems.ts";

let chain: DemoChain;
let server: TestServer;
let C: Address; // the demo collection
let D: Address; // a second collection the server also serves
const NOT_SERVED = getAddress("0x00000000000000000000000000000000deadbeef");

beforeAll(async () => {
  chain = await startChain();
  const second = await chain.viem.deployContract("StampbookCollection", [
    "Second",
    "TWO",
    chain.brand.account.address,
    chain.brand.account.address,
    "ipfs://second/collection.json",
    0n,
  ]);
  C = getAddress(chain.collection.address);
  D = getAddress(second.address);
  server = await startServer(chain, { collections: [C, D] });
  // Members 0..3 hold a stamp each, so they can redeem `holds stamp` perks.
  for (let i = 0; i < 4; i++) await chain.mint(addr(i), DEMO_TYPES.stamp);
});
afterAll(async () => server?.close());

const wallet = (i: number): WalletClient => chain.members[i]!;
const addr = (i: number): Address => getAddress(chain.members[i]!.account.address);
const sessions = new Map<number, string>();
async function session(i: number): Promise<string> {
  if (!sessions.has(i)) sessions.set(i, await server.signIn(wallet(i)));
  return sessions.get(i)!;
}

const holds = (tokenId: bigint, collection: Address = C) => ({ type: "holds", collection, tokenId: tokenId.toString() });
// A getter, so tables built while vitest collects tests read C once the chain is up.
const stampRule = { type: "holds", get collection() { return C; }, tokenId: DEMO_TYPES.stamp.toString() };

function admin(method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: unknown, key: string = server.apiKey) {
  return server.app.inject({ method, url, headers: bearer(key), ...(payload === undefined ? {} : { payload: payload as object }) });
}

async function createPerk(body: Record<string, unknown>, key: string = server.apiKey) {
  const response = await admin("POST", "/v1/admin/perks", { title: "Perk", rule: stampRule, ...body }, key);
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

let keyCounter = 0;
async function redeem(i: number, perkId: string) {
  const response = await server.app.inject({
    method: "POST",
    url: `/v1/perks/${perkId}/redeem`,
    headers: { ...bearer(await session(i)), "idempotency-key": `admin-test-${++keyCounter}` },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; code: string; createdAt: string; [k: string]: unknown };
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe("API key authentication", () => {
  it("401 unauthenticated without a key, with a session token, with an unknown or revoked key", async () => {
    const url = "/v1/admin/perks";
    const none = expectProblem(await server.app.inject({ method: "GET", url }), 401, "unauthenticated");
    expect(none.title).toBe("A brand API key is required");
    const session = await session0();
    expect(expectProblem(await admin("GET", url, undefined, session), 401, "unauthenticated").title).toBe("A brand API key is required");
    expect(expectProblem(await admin("GET", url, undefined, "sk_live_abc"), 401, "unauthenticated").title).toBe("A brand API key is required");
    expect(expectProblem(await admin("GET", url, undefined, "sbk_unknownkey"), 401, "unauthenticated").title).toBe("The API key is unknown or revoked");
    expectProblem(await server.app.inject({ method: "GET", url, headers: { authorization: `Basic ${server.apiKey}` } }), 401, "unauthenticated");
    expectProblem(await server.app.inject({ method: "GET", url, headers: { authorization: `Bearer ${server.apiKey} extra` } }), 401, "unauthenticated");

    const brand = await createBrand(server.store, "Revoked Co");
    const issued = await issueApiKey(server.store, brand.id, "till");
    expect((await admin("GET", url, undefined, issued.key)).statusCode).toBe(200);
    expect(await server.store.revokeApiKey(brand.id, issued.id, new Date().toISOString())).toBe(true);
    expect(expectProblem(await admin("GET", url, undefined, issued.key), 401, "unauthenticated").title).toBe("The API key is unknown or revoked");
  });

  it("every admin route requires the key", async () => {
    for (const [method, url] of [
      ["GET", "/v1/admin/perks"],
      ["POST", "/v1/admin/perks"],
      ["PATCH", "/v1/admin/perks/perk_x"],
      ["DELETE", "/v1/admin/perks/perk_x"],
      ["GET", "/v1/admin/redemptions"],
      ["POST", "/v1/admin/redemptions/verify"],
    ] as const) {
      const payload = method === "POST" && url.endsWith("verify") ? { code: "AAAA-BBBB-CCCC" } : method === "GET" || method === "DELETE" ? undefined : { title: "t", rule: stampRule };
      const response = await server.app.inject({ method, url, ...(payload ? { payload } : {}) });
      expectProblem(response, 401, "unauthenticated");
    }
  });
});

async function session0() {
  return session(0);
}

describe("POST /v1/admin/perks", () => {
  it("201 with the canonical rule and the collections derived from it", async () => {
    const response = await admin("POST", "/v1/admin/perks", {
      title: "Gold or founder",
      description: "Members only",
      rule: {
        type: "any",
        rules: [
          { type: "member", collection: C.toLowerCase(), tokenId: 1 },
          { type: "holds", collection: D.toLowerCase(), tokenId: "5", min: 2 },
          { type: "holds", collection: C, tokenId: "3" },
        ],
      },
      limits: { perMember: 1 },
      startsAt: "2030-01-01T12:00:00+02:00",
      endsAt: "2030-02-01T00:00:00Z",
    });
    expect(response.statusCode, response.body).toBe(201);
    const perk = response.json();
    expect(perk).toEqual({
      id: expect.stringMatching(/^perk_[0-9a-f]{32}$/),
      brandId: server.brand.id,
      title: "Gold or founder",
      description: "Members only",
      collections: [C, D],
      rule: {
        type: "any",
        rules: [
          { type: "member", collection: C, tokenId: "1" },
          { type: "holds", collection: D, tokenId: "5", min: 2 },
          { type: "holds", collection: C, tokenId: "3", min: 1 },
        ],
      },
      limits: { perMember: 1, total: null },
      startsAt: "2030-01-01T10:00:00.000Z",
      endsAt: "2030-02-01T00:00:00.000Z",
      yields: "code",
      createdAt: expect.stringMatching(ISO),
      updatedAt: perk.createdAt,
    });
    // What the store kept is what the API answered; it keeps the token types the rule reads.
    const stored = await server.store.getOffer(perk.id);
    expect(stored).toMatchObject({
      kind: "perk",
      tokens: [`${C.toLowerCase()}:1`, `${D.toLowerCase()}:5`, `${C.toLowerCase()}:3`],
      rule: perk.rule,
      limits: perk.limits,
      reward: { type: "code" },
    });
    const list = (await admin("GET", "/v1/admin/perks")).json();
    expect(list.items.find((p: { id: string }) => p.id === perk.id)).toEqual(perk);
  });

  it("defaults: empty description, no limits, no window", async () => {
    const perk = await createPerk({ title: "Minimal" });
    expect(perk).toMatchObject({ description: "", limits: { perMember: null, total: null }, startsAt: null, endsAt: null, collections: [C] });
  });

  const invalidRules: [string, unknown, string, string][] = [
    ["not an object", "gold", "rule", "rule: must be an object"],
    // A perk always has a rule: null would open it to any signed-in member.
    ["null", null, "rule", "a rule is required"],
    ["an array", [stampRule], "rule", "rule: must be an object"],
    ["unknown type", { type: "owns" }, "rule.type", 'rule.type: type must be one of "holds", "member", "points", "level", "consent", "all", "any", "not"'],
    ["bad address", { type: "holds", collection: "0x1234", tokenId: "1" }, "rule.collection", "rule.collection: must be a 0x address"],
    ["negative token id", { type: "holds", collection: "C", tokenId: "-1" }, "rule.tokenId", "rule.tokenId: must be a non-negative integer"],
    ["min 0", { type: "holds", collection: "C", tokenId: "1", min: 0 }, "rule.min", "rule.min: must be at least 1"],
    ["fractional min", { type: "holds", collection: "C", tokenId: "1", min: 1.5 }, "rule.min", "rule.min: must be a non-negative integer"],
    ["uint256 overflow", { type: "holds", collection: "C", tokenId: (2n ** 256n).toString() }, "rule.tokenId", "rule.tokenId: must fit in uint256"],
    ["unknown field", { type: "member", collection: "C", tokenId: "1", min: 2 }, "rule", 'rule: unknown field "min"'],
    ["empty all", { type: "all", rules: [] }, "rule.rules", "rule.rules: must be a non-empty array"],
    ["nested bad leaf", { type: "all", rules: [{ type: "holds", collection: "C", tokenId: "1" }, { type: "any", rules: [{ type: "member", collection: "C" }] }] }, "rule.rules[1].rules[0].tokenId", "rule.rules[1].rules[0].tokenId: must be a non-negative integer"],
    ["not without rule", { type: "not" }, "rule.rule", "rule.rule: must be an object"],
  ];
  for (const [name, rule, path, detail] of invalidRules) {
    it(`400 invalid_rule: ${name}`, async () => {
      const withC = JSON.parse(JSON.stringify(rule ?? null).replaceAll('"C"', JSON.stringify(C)));
      const body = expectProblem(await admin("POST", "/v1/admin/perks", { title: "Bad", rule: withC }), 400, "invalid_rule");
      expect(body).toMatchObject({ title: "The rule is not valid", path, detail });
    });
  }

  it("400 invalid_rule for rules nested too deep or with too many requirements", async () => {
    let deep: unknown = stampRule;
    for (let i = 0; i < 5; i++) deep = { type: "not", rule: deep };
    expect((await admin("POST", "/v1/admin/perks", { title: "Deep", rule: deep })).statusCode).toBe(201); // 6 levels: allowed
    const tooDeep = expectProblem(await admin("POST", "/v1/admin/perks", { title: "Deeper", rule: { type: "not", rule: deep } }), 400, "invalid_rule");
    expect(tooDeep.path).toBe(`rule${".rule".repeat(6)}`);

    const many = { type: "any", rules: Array.from({ length: 33 }, (_, i) => holds(BigInt(i + 1))) };
    const tooMany = expectProblem(await admin("POST", "/v1/admin/perks", { title: "Many", rule: many }), 400, "invalid_rule");
    expect(tooMany.path).toBe("rule.rules[32]");
    expect((await admin("POST", "/v1/admin/perks", { title: "Many", rule: { ...many, rules: many.rules.slice(0, 32) } })).statusCode).toBe(201);
  });

  it("400 invalid_rule for a collection this server does not serve", async () => {
    const body = expectProblem(
      await admin("POST", "/v1/admin/perks", { title: "Elsewhere", rule: { type: "all", rules: [stampRule, holds(1n, NOT_SERVED)] } }),
      400,
      "invalid_rule",
    );
    expect(body).toMatchObject({ title: "The rule reads a collection this server does not serve", path: "rule" });
    // The detail names the collection (its letter case is not part of the contract).
    expect(body.detail.toLowerCase()).toBe(`unknown collection ${NOT_SERVED.toLowerCase()}`);
  });

  it("400 invalid_rule, as for a journey's hold step: an unserved collection, a level the brand lacks, another brand's data request", async () => {
    const other = await createBrand(server.store, "Requests Elsewhere");
    const otherKey = (await issueApiKey(server.store, other.id, "tests")).key;
    const published = await admin("POST", "/v1/admin/data-requests", { fields: ["email"], purpose: "their newsletter", retentionDays: 5 }, otherKey);
    expect(published.statusCode, published.body).toBe(201);
    const theirs = published.json().id as string;
    const refusals: [unknown, string, string][] = [
      [holds(1n, NOT_SERVED), "The rule reads a collection this server does not serve", `unknown collection ${NOT_SERVED}`],
      [{ type: "level", min: "diamond" }, "The rule names a level the brand does not have", 'unknown level "diamond"'],
      [{ type: "consent", request: theirs }, "The rule names a data request the brand does not have", `unknown data request "${theirs}"`],
    ];
    const perk = await createPerk({});
    for (const [rule, title, detail] of refusals) {
      expect(expectProblem(await admin("POST", "/v1/admin/perks", { title: "Bad", rule }), 400, "invalid_rule")).toMatchObject({ path: "rule", title, detail });
      expect(expectProblem(await admin("PATCH", `/v1/admin/perks/${perk.id}`, { rule }), 400, "invalid_rule")).toMatchObject({ path: "rule", title, detail });
      // What a journey's hold step would refuse too.
      const steps = [{ id: "hold", title: "Hold", kind: "hold", rule }];
      const journey = await admin("POST", "/v1/admin/journeys", { title: "Bad", stamp: { collection: C, tokenId: DEMO_TYPES.stamp.toString() }, steps });
      expect(expectProblem(journey, 400, "invalid_rule")).toMatchObject({ path: "steps[0].rule", title, detail });
    }
  });

  const invalidBodies: [string, unknown, string?][] = [
    ["no rule", { title: "x" }],
    ["no title", { rule: stampRule }],
    ["empty title", { title: "", rule: stampRule }],
    ["title too long", { title: "t".repeat(201), rule: stampRule }],
    ["description too long", { title: "x", description: "d".repeat(4001), rule: stampRule }],
    ["unknown field", { title: "x", rule: stampRule, price: 5 }],
    ["unknown limits field", { title: "x", rule: stampRule, limits: { perMemeber: 1 } }],
    ["negative limit", { title: "x", rule: stampRule, limits: { perMember: -1 } }],
    ["fractional limit", { title: "x", rule: stampRule, limits: { total: 1.5 } }],
    ["limit beyond 2^53", { title: "x", rule: stampRule, limits: { total: 2 ** 60 } }],
    ["limits not an object", { title: "x", rule: stampRule, limits: 5 }],
    ["not a date", { title: "x", rule: stampRule, startsAt: "tomorrow" }],
    ["impossible date", { title: "x", rule: stampRule, startsAt: "2030-02-30T00:00:00Z" }],
    ["date without offset", { title: "x", rule: stampRule, endsAt: "2030-01-01T00:00:00" }],
    ["leap second", { title: "x", rule: stampRule, endsAt: "2030-12-31T23:59:60Z" }, "endsAt must be an RFC 3339 date-time"],
    ["a number for a date", { title: "x", rule: stampRule, startsAt: 1893456000 }],
    ["date only", { title: "x", rule: stampRule, endsAt: "2030-01-01" }],
    ["endsAt = startsAt", { title: "x", rule: stampRule, startsAt: "2030-01-01T00:00:00Z", endsAt: "2030-01-01T00:00:00.000Z" }, "endsAt must be after startsAt"],
    // 01:00+02:00 is 23:00Z the day before: compared as instants, not as text.
    ["endsAt < startsAt", { title: "x", rule: stampRule, startsAt: "2030-01-02T00:00:00Z", endsAt: "2030-01-02T01:00:00+02:00" }, "endsAt must be after startsAt"],
    ["an array body", [{ title: "x", rule: stampRule }]],
    // JSON bodies are typed: nothing is coerced into the schema's type.
    ["a number for the title", { title: 5, rule: stampRule }],
    ["an array for the title", { title: ["x"], rule: stampRule }],
    ["null for the description", { title: "x", description: null, rule: stampRule }],
    ["a string for a limit", { title: "x", rule: stampRule, limits: { perMember: "1" } }],
  ];
  for (const [name, payload, detail] of invalidBodies) {
    it(`400 validation_failed: ${name}`, async () => {
      const body = expectProblem(await admin("POST", "/v1/admin/perks", payload), 400, "validation_failed");
      if (detail !== undefined) expect(body.detail).toBe(detail);
    });
  }

  it("accepts the boundaries: a 200-character title, limits of 0, a window one millisecond long", async () => {
    const perk = await createPerk({ title: "t".repeat(200), limits: { perMember: 0, total: 0 }, startsAt: "2030-01-01T00:00:00.000Z", endsAt: "2030-01-01T00:00:00.001Z" });
    expect(perk).toMatchObject({ limits: { perMember: 0, total: 0 }, startsAt: "2030-01-01T00:00:00.000Z", endsAt: "2030-01-01T00:00:00.001Z" });
    // A per-member limit of 0: every member has used it up before taking it once.
    const view = await server.app.inject({ method: "GET", url: `/v1/perks/${perk.id}`, headers: bearer(await session(0)) });
    expect(view.json()).toMatchObject({ id: perk.id, status: "upcoming", checked: true, usedUp: true, redeemed: 0 });
  });

  it("null limits mean no cap (not 0), and the perk can be redeemed", async () => {
    const perk = await createPerk({ limits: { perMember: null, total: null }, startsAt: null, endsAt: null });
    expect(perk).toMatchObject({ limits: { perMember: null, total: null }, startsAt: null, endsAt: null });
    expect((await server.store.getOffer(perk.id))!.limits).toEqual({ perMember: null, total: null });
    await redeem(0, perk.id);
    await redeem(0, perk.id);
  });

  it("nothing is stored for a refused perk", async () => {
    const before = (await admin("GET", "/v1/admin/perks")).json().items.length;
    await admin("POST", "/v1/admin/perks", { title: "x", rule: holds(1n, NOT_SERVED) });
    await admin("POST", "/v1/admin/perks", { title: "x", rule: stampRule, startsAt: "2030-01-02T00:00:00Z", endsAt: "2030-01-01T00:00:00Z" });
    expect((await admin("GET", "/v1/admin/perks")).json().items).toHaveLength(before);
  });
});

describe("PATCH /v1/admin/perks/:id", () => {
  it("changes only the fields sent", async () => {
    const perk = await createPerk({ title: "Before", description: "Kept", limits: { perMember: 2, total: 10 }, startsAt: "2030-01-01T00:00:00Z" });
    await new Promise((r) => setTimeout(r, 5));
    const response = await admin("PATCH", `/v1/admin/perks/${perk.id}`, { title: "After" });
    expect(response.statusCode, response.body).toBe(200);
    const updated = response.json();
    expect(updated).toEqual({ ...perk, title: "After", updatedAt: expect.stringMatching(ISO) });
    expect(updated.updatedAt > perk.updatedAt).toBe(true);

    // limits merge field by field; null clears a field.
    const limited = (await admin("PATCH", `/v1/admin/perks/${perk.id}`, { limits: { total: null } })).json();
    expect(limited.limits).toEqual({ perMember: 2, total: null });
    const cleared = (await admin("PATCH", `/v1/admin/perks/${perk.id}`, { startsAt: null, description: "" })).json();
    expect(cleared).toMatchObject({ title: "After", description: "", startsAt: null, limits: { perMember: 2, total: null } });
  });

  it("a rule change re-derives the collections", async () => {
    const perk = await createPerk({ rule: stampRule });
    expect(perk.collections).toEqual([C]);
    const both = (await admin("PATCH", `/v1/admin/perks/${perk.id}`, { rule: { type: "all", rules: [holds(1n, D), stampRule] } })).json();
    expect(both.collections).toEqual([D, C]);
    expect(both.rule).toEqual({ type: "all", rules: [{ ...holds(1n, D), min: 1 }, { ...stampRule, min: 1 }] });
    const onlyD = (await admin("PATCH", `/v1/admin/perks/${perk.id}`, { rule: { type: "member", collection: D.toLowerCase(), tokenId: "2" } })).json();
    expect(onlyD).toMatchObject({ collections: [D], rule: { type: "member", collection: D, tokenId: "2" } });
    expect((await server.store.getOffer(perk.id))!.tokens).toEqual([`${D.toLowerCase()}:2`]);
  });

  it("400 for an invalid patch, and the perk is unchanged", async () => {
    const perk = await createPerk({ startsAt: "2030-01-10T00:00:00Z" });
    const url = `/v1/admin/perks/${perk.id}`;
    expectProblem(await admin("PATCH", url, {}), 400, "validation_failed");
    expectProblem(await admin("PATCH", url, { title: "" }), 400, "validation_failed");
    expectProblem(await admin("PATCH", url, { id: "perk_other" }), 400, "validation_failed");
    expectProblem(await admin("PATCH", url, { limits: { perMemeber: 1 } }), 400, "validation_failed");
    expect(expectProblem(await admin("PATCH", url, { rule: { type: "holds" } }), 400, "invalid_rule").path).toBe("rule.collection");
    // A perk always has a rule: null does not open it to everyone.
    expect(expectProblem(await admin("PATCH", url, { rule: null }), 400, "invalid_rule").path).toBe("rule");
    expect(expectProblem(await admin("PATCH", url, { rule: holds(1n, NOT_SERVED) }), 400, "invalid_rule").path).toBe("rule");
    // The new end is checked against the stored start.
    expect(expectProblem(await admin("PATCH", url, { endsAt: "2030-01-09T00:00:00Z" }), 400, "validation_failed").detail).toBe("endsAt must be after startsAt");
    expect(expectProblem(await admin("PATCH", url, { startsAt: "2030-01-10T00:00:00Z", endsAt: "2030-01-10T00:00:00Z" }), 400, "validation_failed").detail).toBe(
      "endsAt must be after startsAt",
    );
    const current = (await admin("GET", "/v1/admin/perks")).json().items.find((p: { id: string }) => p.id === perk.id);
    expect(current).toEqual(perk);
    // Moving both ends together is fine.
    const moved = await admin("PATCH", url, { startsAt: "2029-12-01T00:00:00Z", endsAt: "2030-01-09T00:00:00Z" });
    expect(moved.json()).toMatchObject({ startsAt: "2029-12-01T00:00:00.000Z", endsAt: "2030-01-09T00:00:00.000Z" });
  });

  it("404 perk_not_found for an unknown, deleted or another brand's perk; 400 for a malformed id", async () => {
    expectProblem(await admin("PATCH", "/v1/admin/perks/perk_nope", { title: "x" }), 404, "perk_not_found");
    const perk = await createPerk({});
    expect((await admin("DELETE", `/v1/admin/perks/${perk.id}`)).statusCode).toBe(204);
    expectProblem(await admin("PATCH", `/v1/admin/perks/${perk.id}`, { title: "x" }), 404, "perk_not_found");
    expectProblem(await admin("PATCH", "/v1/admin/perks/bad.id", { title: "x" }), 400, "validation_failed");
  });
});

describe("DELETE /v1/admin/perks/:id", () => {
  it("204; members no longer see it; its redemptions stay listed and their codes stay valid", async () => {
    const perk = await createPerk({ title: "Doomed" });
    const redemption = await redeem(0, perk.id);
    const token = await session(0);

    const del = await admin("DELETE", `/v1/admin/perks/${perk.id}`);
    expect(del.statusCode).toBe(204);
    expect(del.body).toBe("");

    const list = await server.app.inject({ method: "GET", url: "/v1/perks", headers: bearer(token) });
    expect(list.json().items.map((p: { id: string }) => p.id)).not.toContain(perk.id);
    expectProblem(await server.app.inject({ method: "GET", url: `/v1/perks/${perk.id}`, headers: bearer(token) }), 404, "perk_not_found");
    expect((await admin("GET", "/v1/admin/perks")).json().items.map((p: { id: string }) => p.id)).not.toContain(perk.id);

    const mine = (await server.app.inject({ method: "GET", url: "/v1/redemptions?limit=100", headers: bearer(token) })).json();
    expect(mine.items.map((r: { id: string }) => r.id)).toContain(redemption.id);
    const brandSide = (await admin("GET", `/v1/admin/redemptions?perk=${perk.id}`)).json();
    expect(brandSide.items).toEqual([redemption]);

    const verified = await admin("POST", "/v1/admin/redemptions/verify", { code: redemption.code });
    expect(verified.statusCode).toBe(200);

    expectProblem(await admin("DELETE", `/v1/admin/perks/${perk.id}`), 404, "perk_not_found");
    expectProblem(await admin("DELETE", "/v1/admin/perks/perk_nope"), 404, "perk_not_found");
  });
});

describe("brand isolation", () => {
  let other: { key: string; brandId: string };
  let perk: { id: string; [k: string]: unknown };
  let redemption: { id: string; code: string };

  beforeAll(async () => {
    const brand = await createBrand(server.store, "Other Brand");
    other = { key: (await issueApiKey(server.store, brand.id, "tests")).key, brandId: brand.id };
    perk = await createPerk({ title: "First brand's" });
    redemption = await redeem(1, perk.id);
  });

  it("another brand cannot see, change or delete the first brand's perks", async () => {
    const theirs = (await admin("GET", "/v1/admin/perks", undefined, other.key)).json();
    expect(theirs.items).toEqual([]);
    expectProblem(await admin("PATCH", `/v1/admin/perks/${perk.id}`, { title: "Hijacked" }, other.key), 404, "perk_not_found");
    expectProblem(await admin("DELETE", `/v1/admin/perks/${perk.id}`, undefined, other.key), 404, "perk_not_found");
    expect(await server.store.getOffer(perk.id)).toMatchObject({ title: "First brand's" });

    const own = await createPerk({ title: "Second brand's" }, other.key);
    expect(own.brandId).toBe(other.brandId);
    expect((await admin("GET", "/v1/admin/perks", undefined, other.key)).json().items.map((p: { id: string }) => p.id)).toEqual([own.id]);
    expect((await admin("GET", "/v1/admin/perks")).json().items.map((p: { id: string }) => p.id)).not.toContain(own.id);
    // Members can filter the catalogue by brand.
    const token = await session(1);
    const filtered = (await server.app.inject({ method: "GET", url: `/v1/perks?brand=${other.brandId}`, headers: bearer(token) })).json();
    expect(filtered.items.map((p: { id: string }) => p.id)).toEqual([own.id]);
  });

  it("another brand cannot list or verify the first brand's codes", async () => {
    expect((await admin("GET", "/v1/admin/redemptions", undefined, other.key)).json()).toEqual({ items: [], nextCursor: null });
    expect((await admin("GET", `/v1/admin/redemptions?perk=${perk.id}`, undefined, other.key)).json()).toEqual({ items: [], nextCursor: null });
    expect((await admin("GET", `/v1/admin/redemptions?member=${addr(1)}`, undefined, other.key)).json().items).toEqual([]);
    expectProblem(await admin("POST", "/v1/admin/redemptions/verify", { code: redemption.code }, other.key), 404, "redemption_not_found");
    // The failed attempt did not consume it.
    const ok = await admin("POST", "/v1/admin/redemptions/verify", { code: redemption.code });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().consumedAt).toMatch(ISO);
  });
});

describe("GET /v1/admin/redemptions", () => {
  let key: string;
  let p1: { id: string };
  let p2: { id: string };
  const made: { id: string; code: string; perkId: string; member: string }[] = [];

  beforeAll(async () => {
    const brand = await createBrand(server.store, "Listing Brand");
    key = (await issueApiKey(server.store, brand.id, "tests")).key;
    p1 = await createPerk({ title: "P1" }, key);
    p2 = await createPerk({ title: "P2" }, key);
    for (const [i, p] of [[2, p1], [2, p1], [2, p2], [3, p1], [3, p2]] as const) made.push((await redeem(i, p.id)) as never);
    expect((await admin("POST", "/v1/admin/redemptions/verify", { code: made[0]!.code }, key)).statusCode).toBe(200);
    expect((await admin("POST", "/v1/admin/redemptions/verify", { code: made[3]!.code }, key)).statusCode).toBe(200);
  });

  const ids = (response: { json: () => any }) => response.json().items.map((r: { id: string }) => r.id).sort();
  const idsOf = (pick: (r: (typeof made)[number], i: number) => boolean) => made.filter(pick).map((r) => r.id).sort();

  it("lists the brand's redemptions, newest first", async () => {
    const response = await admin("GET", "/v1/admin/redemptions", undefined, key);
    expect(response.statusCode).toBe(200);
    const page = response.json();
    expect(page.nextCursor).toBeNull();
    expect(page.items).toHaveLength(5);
    const created = page.items.map((r: { createdAt: string }) => r.createdAt);
    expect([...created].sort().reverse()).toEqual(created);
    expect(page.items.every((r: object) => !("idempotencyKey" in r))).toBe(true);
    expect(page.items.find((r: { id: string }) => r.id === made[0]!.id).consumedAt).toMatch(ISO);
  });

  it("filters by perk, member (any case) and consumed, combined with AND", async () => {
    expect(ids(await admin("GET", `/v1/admin/redemptions?perk=${p1.id}`, undefined, key))).toEqual(idsOf((r) => r.perkId === p1.id));
    expect(ids(await admin("GET", `/v1/admin/redemptions?member=${addr(2)}`, undefined, key))).toEqual(idsOf((r) => r.member === addr(2)));
    expect(ids(await admin("GET", `/v1/admin/redemptions?member=${addr(2).toLowerCase()}`, undefined, key))).toEqual(idsOf((r) => r.member === addr(2)));
    expect(ids(await admin("GET", "/v1/admin/redemptions?consumed=true", undefined, key))).toEqual([made[0]!.id, made[3]!.id].sort());
    expect(ids(await admin("GET", "/v1/admin/redemptions?consumed=false", undefined, key))).toEqual(idsOf((_, i) => i !== 0 && i !== 3));
    expect(ids(await admin("GET", `/v1/admin/redemptions?perk=${p1.id}&member=${addr(3)}`, undefined, key))).toEqual([made[3]!.id]);
    expect(ids(await admin("GET", `/v1/admin/redemptions?perk=${p2.id}&consumed=true`, undefined, key))).toEqual([]);
    expect(ids(await admin("GET", "/v1/admin/redemptions?perk=perk_unknown", undefined, key))).toEqual([]);
  });

  it("pages with limit and cursor", async () => {
    const all = (await admin("GET", "/v1/admin/redemptions", undefined, key)).json().items;
    const seen: unknown[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/v1/admin/redemptions?limit=2${cursor ? `&cursor=${cursor}` : ""}`;
      const page = (await admin("GET", url, undefined, key)).json();
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(all);
    // Filters and paging together.
    const first = (await admin("GET", `/v1/admin/redemptions?perk=${p1.id}&limit=1`, undefined, key)).json();
    expect(first.items).toHaveLength(1);
    const rest = (await admin("GET", `/v1/admin/redemptions?perk=${p1.id}&limit=10&cursor=${first.nextCursor}`, undefined, key)).json();
    expect([...first.items, ...rest.items].map((r: { id: string }) => r.id).sort()).toEqual(idsOf((r) => r.perkId === p1.id));
  });

  it("400 for bad filters, limits and cursors", async () => {
    for (const q of ["member=0x123", "member=bob", "consumed=maybe", "limit=0", "limit=101", "perk=bad.id", "brand=x"]) {
      expectProblem(await admin("GET", `/v1/admin/redemptions?${q}`, undefined, key), 400, "validation_failed");
    }
    for (const cursor of ["garbage", Buffer.from('["2030-01-01T00:00:00Z","x"]').toString("base64url")]) {
      expectProblem(await admin("GET", `/v1/admin/redemptions?cursor=${cursor}`, undefined, key), 400, "bad_request");
    }
  });
});

describe("POST /v1/admin/redemptions/verify", () => {
  let perk: { id: string };
  beforeAll(async () => {
    perk = await createPerk({ title: "At the till" });
  });

  it("consumes a code once: 200 with consumedAt, then 409 redemption_already_consumed", async () => {
    const redemption = await redeem(0, perk.id);
    const first = await admin("POST", "/v1/admin/redemptions/verify", { code: redemption.code });
    expect(first.statusCode).toBe(200);
    // The till also sees what the code is for and who shows it (this brand has no levels).
    const { perk: what, standing, ...consumed } = first.json();
    expect(what).toEqual({ id: perk.id, title: "At the till" });
    expect(standing).toEqual({ level: null, points: expect.stringMatching(/^[1-9][0-9]*$/) });
    expect(consumed).toEqual({ ...redemption, consumedAt: expect.stringMatching(ISO) });

    const second = await admin("POST", "/v1/admin/redemptions/verify", { code: redemption.code });
    const body = expectProblem(second, 409, "redemption_already_consumed");
    expect(body.detail).toBe(`used at ${consumed.consumedAt}`);
    expect(body.redemption).toEqual(consumed);
    expect(body).toMatchObject({ consumedAt: consumed.consumedAt, perk: { id: perk.id, title: "At the till" } });

    // The member sees it used.
    const mine = (await server.app.inject({ method: "GET", url: "/v1/redemptions?limit=100", headers: bearer(await session(0)) })).json();
    expect(mine.items.find((r: { id: string }) => r.id === redemption.id)).toEqual(consumed);
  });

  it("accepts the code as a person types it: lowercase, without hyphens, O for 0 and I/L for 1", async () => {
    const redemption = await redeem(0, perk.id);
    const typed = redemption.code.toLowerCase().replaceAll("-", "").replaceAll("0", "o").replaceAll("1", "l");
    expect(normalizeRedemptionCode(typed)).toBe(redemption.code);
    const response = await admin("POST", "/v1/admin/redemptions/verify", { code: typed });
    expect(response.statusCode).toBe(200);
    expect(response.json().id).toBe(redemption.id);
    const spaced = redemption.code.replaceAll("-", " ");
    expectProblem(await admin("POST", "/v1/admin/redemptions/verify", { code: spaced }), 409, "redemption_already_consumed");
  });

  it("404 redemption_not_found for an unknown or garbage code; 400 for a malformed body", async () => {
    for (const code of ["ZZZZ-ZZZZ-ZZZZ", "not a code", "!!!!", "UUUU-UUUU-UUUU", "ABCD-EFGH-JKM"]) {
      expectProblem(await admin("POST", "/v1/admin/redemptions/verify", { code }), 404, "redemption_not_found");
    }
    for (const payload of [{}, { code: "" }, { code: "A".repeat(65) }, { code: "AAAA-AAAA-AAAA", extra: 1 }, { code: { nested: true } }]) {
      expectProblem(await admin("POST", "/v1/admin/redemptions/verify", payload), 400, "validation_failed");
    }
  });

  it("20 concurrent verifications of one code: exactly one 200", async () => {
    const redemption = await redeem(1, perk.id);
    const responses = await Promise.all(Array.from({ length: 20 }, () => admin("POST", "/v1/admin/redemptions/verify", { code: redemption.code })));
    expect(responses.filter((r) => r.statusCode === 200)).toHaveLength(1);
    const conflicts = responses.filter((r) => r.statusCode === 409);
    expect(conflicts).toHaveLength(19);
    expect(conflicts.every((r) => r.json().code === "redemption_already_consumed")).toBe(true);
    const winner = responses.find((r) => r.statusCode === 200)!.json();
    expect(conflicts.every((r) => r.json().redemption.consumedAt === winner.consumedAt)).toBe(true);
  });
});

describe("per-brand bounds", () => {
  let bounded: TestServer;
  beforeAll(async () => {
    bounded = await startServer(chain, { brandMaxOffers: { perk: 2, drop: 100 }, brandMaxTokenTypes: 3 });
  });
  afterAll(async () => bounded?.close());

  const call = (key: string, method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: unknown) =>
    bounded.app.inject({ method, url, headers: bearer(key), ...(payload === undefined ? {} : { payload: payload as object }) });
  async function newBrandKey(name: string) {
    const brand = await createBrand(bounded.store, name);
    return (await issueApiKey(bounded.store, brand.id, "tests")).key;
  }

  it("409 quota_exceeded past BRAND_MAX_PERKS live perks; a deleted perk frees its place", async () => {
    const key = await newBrandKey("Two Perks Co");
    const first = await call(key, "POST", "/v1/admin/perks", { title: "One", rule: stampRule });
    expect(first.statusCode, first.body).toBe(201);
    expect((await call(key, "POST", "/v1/admin/perks", { title: "Two", rule: stampRule })).statusCode).toBe(201);
    const third = expectProblem(await call(key, "POST", "/v1/admin/perks", { title: "Three", rule: stampRule }), 409, "quota_exceeded");
    expect(third).toMatchObject({ quota: "perks", limit: 2 });
    expect(third.detail).toContain("BRAND_MAX_PERKS");
    expect((await call(key, "GET", "/v1/admin/perks")).json().items).toHaveLength(2);
    // Another brand's bounds are its own.
    expect((await call(bounded.apiKey, "POST", "/v1/admin/perks", { title: "Elsewhere", rule: stampRule })).statusCode).toBe(201);
    expect((await call(key, "DELETE", `/v1/admin/perks/${first.json().id}`)).statusCode).toBe(204);
    expect((await call(key, "POST", "/v1/admin/perks", { title: "Three", rule: stampRule })).statusCode).toBe(201);
  });

  it("409 quota_exceeded when the brand's rules together would read more than BRAND_MAX_TOKEN_TYPES token types", async () => {
    const key = await newBrandKey("Three Tokens Co");
    const four = { type: "all", rules: [stampRule, holds(1n), holds(2n), holds(4n)] };
    const three = { type: "all", rules: [stampRule, holds(1n), holds(2n)] };
    const tooMany = expectProblem(await call(key, "POST", "/v1/admin/perks", { title: "Four", rule: four }), 409, "quota_exceeded");
    expect(tooMany).toMatchObject({ quota: "token_types", limit: 3 });
    expect(tooMany.detail).toContain("BRAND_MAX_TOKEN_TYPES");

    const perk = await call(key, "POST", "/v1/admin/perks", { title: "Stamp", rule: stampRule });
    expect(perk.statusCode, perk.body).toBe(201);
    const url = `/v1/admin/perks/${perk.json().id}`;
    expect(expectProblem(await call(key, "PATCH", url, { rule: four }), 409, "quota_exceeded")).toMatchObject({ quota: "token_types", limit: 3 });
    expect((await call(key, "GET", "/v1/admin/perks")).json().items[0].rule).toEqual({ ...stampRule, collection: C, min: 1 });
    const changed = await call(key, "PATCH", url, { rule: three });
    expect(changed.statusCode, changed.body).toBe(200);
    // Token types are counted across the brand's perks, once each: a second perk over the same three fits.
    expect((await call(key, "POST", "/v1/admin/perks", { title: "Same three", rule: three })).statusCode).toBe(201);
  });
});
