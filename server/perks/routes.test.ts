/**
 * Member perk routes end to end: a real (in-process) chain with the demo collection, the API built
 * by `build()`, and the brand API to create perks. Eligibility reasons are asserted exactly.
 *
 * Long because eligibility reasons are asserted exactly for every rule form, on one chain whose
 * holdings the cases share.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPublicClient, getAddress, http, type Address, type PublicClient, type WalletClient } from "viem";
import { DAY, DEMO_NAMES, DEMO_TYPES, startChain, type DemoChain } from "../../test/support/chain.ts";
import { bearer, startServer, type TestServer } from "../../test/support/server.ts";
import { createBrand, issueApiKey } from "../brands/accounts.ts";
import { expectProblem } from "../../test/support/problems.ts";

let chain: DemoChain;
let server: TestServer;
let C: Address;

const tokens = new Map<string, string>();

beforeAll(async () => {
  chain = await startChain();
  server = await startServer(chain);
  C = getAddress(chain.collection.address);
});
afterAll(async () => server?.close());

const wallet = (i: number): WalletClient => chain.members[i]!;
const addr = (i: number): Address => getAddress(chain.members[i]!.account.address);

/** A session token for member `i` on `s` (one sign-in per member and server). */
async function session(i: number, s: TestServer = server): Promise<string> {
  const key = `${i}@${s.brand.id}`;
  let token = tokens.get(key);
  if (token === undefined) {
    token = await s.signIn(wallet(i));
    tokens.set(key, token);
  }
  return token;
}

type PerkInput = { title?: string; rule: unknown; limits?: { perMember?: number | null; total?: number | null }; startsAt?: string | null; endsAt?: string | null };

async function createPerk(input: PerkInput, s: TestServer = server) {
  const response = await s.app.inject({
    method: "POST",
    url: "/v1/admin/perks",
    headers: bearer(s.apiKey),
    payload: { title: input.title ?? "A perk", ...input },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; brandId: string; rule: unknown; [k: string]: unknown };
}

async function listPerks(i: number, s: TestServer = server) {
  return s.app.inject({ method: "GET", url: "/v1/perks", headers: bearer(await session(i, s)) });
}

/** The member's view of one perk, from the list (not the single-perk route). */
async function listed(i: number, perkId: string) {
  const response = await listPerks(i);
  expect(response.statusCode, response.body).toBe(200);
  const item = response.json().items.find((p: { id: string }) => p.id === perkId);
  expect(item, `perk ${perkId} listed`).toBeDefined();
  return item as { eligible: boolean; reasons: unknown[]; status: string; checked: boolean; usedUp: boolean; redeemed: number };
}

async function getPerk(i: number, perkId: string, s: TestServer = server) {
  return s.app.inject({ method: "GET", url: `/v1/perks/${perkId}`, headers: bearer(await session(i, s)) });
}

async function redeem(i: number, perkId: string, key: string | undefined, s: TestServer = server) {
  const headers: Record<string, string> = bearer(await session(i, s));
  if (key !== undefined) headers["idempotency-key"] = key;
  return s.app.inject({ method: "POST", url: `/v1/perks/${perkId}/redeem`, headers });
}

let keyCounter = 0;
const newKey = () => `key-${Date.now()}-${++keyCounter}`;

const holds = (tokenId: bigint, min?: number) => ({ type: "holds", collection: C, tokenId: tokenId.toString(), ...(min === undefined ? {} : { min }) });
const member = (tokenId: bigint) => ({ type: "member", collection: C, tokenId: tokenId.toString() });

/** The demo type's name, as the test server names it. */
const nameOf = (tokenId: bigint) => DEMO_NAMES[(Object.keys(DEMO_TYPES) as (keyof typeof DEMO_TYPES)[]).find((k) => DEMO_TYPES[k] === tokenId)!];
const plural = (name: string) => (name.endsWith("s") ? `${name}es` : `${name}s`);
const holdsTooFew = (tokenId: bigint, have: number, need: number) => ({
  code: "holds_too_few",
  message: need === 1 ? `needs a ${nameOf(tokenId)}` : `needs ${need} ${plural(nameOf(tokenId))}, you have ${have}`,
  collection: C,
  tokenId: tokenId.toString(),
  have: String(have),
  need: String(need),
});
const membershipMissing = (tokenId: bigint) => ({
  code: "membership_missing",
  message: `needs a ${nameOf(tokenId)}`,
  collection: C,
  tokenId: tokenId.toString(),
});

const CODE_PATTERN = /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

// Member indexes, so tests do not step on each other's holdings.
const RULES = 0; // starts empty, gains tokens as the rule tests go
const HOLDER = 1; // holds 1 stamp
const NOBODY = 2; // never holds anything
const CACHED = 10; // 1 stamp, then gives it away
const PAGER = 11; // 1 stamp, redeems several times

describe("rules through the API", () => {
  it("holds >= N: reasons count what the member has, until they have enough", async () => {
    const perk = await createPerk({ rule: holds(DEMO_TYPES.stamp, 2) });
    expect(perk.rule).toEqual({ type: "holds", collection: C, tokenId: "3", min: 2 });

    let view = await listed(RULES, perk.id);
    expect(view).toMatchObject({ id: perk.id, status: "open", eligible: false });
    expect(view.reasons).toEqual([holdsTooFew(DEMO_TYPES.stamp, 0, 2)]);

    await chain.mint(addr(RULES), DEMO_TYPES.stamp, 1n);
    view = await listed(RULES, perk.id);
    expect(view.eligible).toBe(false);
    expect(view.reasons).toEqual([holdsTooFew(DEMO_TYPES.stamp, 1, 2)]);

    await chain.mint(addr(RULES), DEMO_TYPES.stamp, 1n);
    view = await listed(RULES, perk.id);
    expect(view).toMatchObject({ eligible: true, reasons: [] });
  });

  it("holds without min means at least 1", async () => {
    const perk = await createPerk({ rule: holds(DEMO_TYPES.coffee) });
    expect(perk.rule).toEqual({ type: "holds", collection: C, tokenId: "4", min: 1 });
    expect((await listed(NOBODY, perk.id)).reasons).toEqual([holdsTooFew(DEMO_TYPES.coffee, 0, 1)]);
  });

  it("active membership: missing, then held", async () => {
    const perk = await createPerk({ rule: member(DEMO_TYPES.gold) });
    let view = await listed(RULES, perk.id);
    expect(view).toMatchObject({ eligible: false, reasons: [membershipMissing(DEMO_TYPES.gold)] });

    await chain.mint(addr(RULES), DEMO_TYPES.gold);
    view = await listed(RULES, perk.id);
    expect(view).toMatchObject({ eligible: true, reasons: [] });
  });

  it("all: every failing branch is a reason; any: eligible when one branch holds", async () => {
    const all = await createPerk({ rule: { type: "all", rules: [holds(DEMO_TYPES.founder), member(DEMO_TYPES.lifetime)] } });
    const any = await createPerk({ rule: { type: "any", rules: [holds(DEMO_TYPES.founder), member(DEMO_TYPES.lifetime)] } });

    expect((await listed(NOBODY, all.id)).reasons).toEqual([holdsTooFew(DEMO_TYPES.founder, 0, 1), membershipMissing(DEMO_TYPES.lifetime)]);
    // The any's reasons are alternatives: tagged with the rule in words and which alternative each is.
    const anyOf = "a Founder badge or an active Lifetime membership";
    expect((await listed(NOBODY, any.id)).reasons).toEqual([{ ...holdsTooFew(DEMO_TYPES.founder, 0, 1), anyOf, option: "0" }, { ...membershipMissing(DEMO_TYPES.lifetime), anyOf, option: "1" }]);

    await chain.mint(addr(RULES), DEMO_TYPES.lifetime);
    const allView = await listed(RULES, all.id);
    expect(allView).toMatchObject({ eligible: false, reasons: [holdsTooFew(DEMO_TYPES.founder, 0, 1)] });
    expect(await listed(RULES, any.id)).toMatchObject({ eligible: true, reasons: [] });
  });

  it("not: eligible without the token, excluded with it", async () => {
    const perk = await createPerk({ rule: { type: "not", rule: holds(DEMO_TYPES.coffee) } });
    expect(await listed(NOBODY, perk.id)).toMatchObject({ eligible: true, reasons: [] });
    await chain.mint(addr(RULES), DEMO_TYPES.coffee);
    expect((await listed(RULES, perk.id)).reasons).toEqual([{ code: "excluded", message: "not for members with a Coffee coupon" }]);
  });

  it("nested all/any/not", async () => {
    // (gold member OR 5+ stamps) AND NOT a founder
    const rule = {
      type: "all",
      rules: [
        { type: "any", rules: [member(DEMO_TYPES.gold), holds(DEMO_TYPES.stamp, 5)] },
        { type: "not", rule: holds(DEMO_TYPES.founder) },
      ],
    };
    const perk = await createPerk({ rule });
    expect(perk.rule).toEqual({
      type: "all",
      rules: [
        { type: "any", rules: [member(DEMO_TYPES.gold), { ...holds(DEMO_TYPES.stamp), min: 5 }] },
        { type: "not", rule: { ...holds(DEMO_TYPES.founder), min: 1 } },
      ],
    });
    // NOBODY: the any fails (both reasons), the not holds.
    const anyOf = "an active Gold membership or 5 or more Journey stamps";
    expect((await listed(NOBODY, perk.id)).reasons).toEqual([{ ...membershipMissing(DEMO_TYPES.gold), anyOf, option: "0" }, { ...holdsTooFew(DEMO_TYPES.stamp, 0, 5), anyOf, option: "1" }]);
    // RULES has gold: eligible, until they become a founder.
    expect(await listed(RULES, perk.id)).toMatchObject({ eligible: true, reasons: [] });
    await chain.mint(addr(RULES), DEMO_TYPES.founder);
    expect((await listed(RULES, perk.id)).reasons).toEqual([{ code: "excluded", message: "not for members with a Founder badge" }]);
    // The single-perk route agrees with the list.
    const one = await getPerk(RULES, perk.id);
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({ id: perk.id, eligible: false, reasons: [{ code: "excluded" }] });
  });

  it("a min too large for a JS number survives the round trip and does not break listing", async () => {
    const perk = await createPerk({ rule: { ...holds(DEMO_TYPES.stamp), min: "100000000000000000000" } });
    expect(perk.rule).toEqual({ type: "holds", collection: C, tokenId: "3", min: "100000000000000000000" });
    const response = await listPerks(NOBODY);
    expect(response.statusCode, response.body).toBe(200);
    const view = response.json().items.find((p: { id: string }) => p.id === perk.id);
    expect(view.requires).toBe("100000000000000000000 or more Journey stamps");
    const detail = (await getPerk(NOBODY, perk.id)).json();
    expect(detail.rule).toEqual(perk.rule);
    expect(view.reasons).toEqual([
      { code: "holds_too_few", message: "needs 100000000000000000000 Journey stamps, you have 0", collection: C, tokenId: "3", have: "0", need: "100000000000000000000" },
    ]);
  });
});

describe("GET /v1/perks/:id", () => {
  it("returns the perk with the member's eligibility", async () => {
    const perk = await createPerk({ title: "Free refill", rule: holds(DEMO_TYPES.stamp) });
    await chain.mint(addr(HOLDER), DEMO_TYPES.stamp);
    const response = await getPerk(HOLDER, perk.id);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toEqual({
      id: perk.id,
      brandId: server.brand.id,
      title: "Free refill",
      description: "",
      requires: "a Journey stamp",
      rule: { type: "holds", collection: C, tokenId: "3", min: 1 },
      limits: { perMember: null, total: null },
      startsAt: null,
      endsAt: null,
      status: "open",
      eligible: true,
      reasons: [],
      vault: null,
      checked: true,
      usedUp: false,
      redeemed: 0,
      redeemable: true,
    });
  });

  it("404 perk_not_found for an unknown id", async () => {
    const body = expectProblem(await getPerk(HOLDER, "perk_doesnotexist"), 404, "perk_not_found");
    expect(body.instance).toBe("/v1/perks/perk_doesnotexist");
  });

  it("400 validation_failed for a malformed id", async () => {
    const token = await session(HOLDER);
    for (const id of ["bad.id", "a".repeat(65), "x%20y", "%F0%9F%98%80"]) {
      const response = await server.app.inject({ method: "GET", url: `/v1/perks/${id}`, headers: bearer(token) });
      expectProblem(response, 400, "validation_failed");
    }
  });
});

describe("POST /v1/perks/:id/redeem", () => {
  let perk: { id: string };
  let other: { id: string };

  beforeAll(async () => {
    perk = await createPerk({ title: "Redeemable", rule: holds(DEMO_TYPES.stamp) });
    other = await createPerk({ title: "Another", rule: holds(DEMO_TYPES.stamp) });
    // HOLDER already has a stamp from the single-perk tests when run in order; make it explicit.
    await chain.mint(addr(HOLDER), DEMO_TYPES.stamp);
  });

  it("201 with a code; the same Idempotency-Key gives 200 and the same redemption", async () => {
    const key = newKey();
    const first = await redeem(HOLDER, perk.id, key);
    expect(first.statusCode, first.body).toBe(201);
    const redemption = first.json();
    expect(redemption).toEqual({
      id: expect.any(String),
      perkId: perk.id,
      brandId: server.brand.id,
      member: addr(HOLDER),
      code: expect.stringMatching(CODE_PATTERN),
      createdAt: expect.stringMatching(ISO),
      consumedAt: null,
    });
    expect(redemption).not.toHaveProperty("idempotencyKey");

    const again = await redeem(HOLDER, perk.id, key);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(redemption);

    const rows = await server.store.listTakes({ kind: "perk", member: addr(HOLDER), offerId: perk.id, limit: 100 });
    expect(rows.items).toHaveLength(1);
    expect(rows.items[0]).toMatchObject({ id: redemption.id, code: redemption.code, idempotencyKey: key });
    // The replay did not count twice.
    expect(await listed(HOLDER, perk.id)).toMatchObject({ redeemed: 1, usedUp: false });
  });

  it("another member may use the same key: keys are per member", async () => {
    const key = newKey();
    await chain.mint(addr(PAGER), DEMO_TYPES.stamp);
    const a = await redeem(HOLDER, other.id, key);
    const b = await redeem(PAGER, other.id, key);
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    expect(a.json().id).not.toBe(b.json().id);
    expect(a.json().code).not.toBe(b.json().code);
  });

  it("403 not_eligible with reasons, and nothing is recorded", async () => {
    const body = expectProblem(await redeem(NOBODY, perk.id, newKey()), 403, "not_eligible");
    expect(body.reasons).toEqual([holdsTooFew(DEMO_TYPES.stamp, 0, 1)]);
    expect(body.detail).toBe("needs a Journey stamp");
    const mine = await server.app.inject({ method: "GET", url: "/v1/redemptions", headers: bearer(await session(NOBODY)) });
    expect(mine.statusCode).toBe(200);
    expect(mine.json()).toEqual({ items: [], nextCursor: null });
    expect((await server.store.listTakes({ kind: "perk", member: addr(NOBODY), limit: 100 })).items).toEqual([]);
  });

  it("404 perk_not_found for an unknown perk, 400 for a malformed id", async () => {
    expectProblem(await redeem(HOLDER, "perk_nope", newKey()), 404, "perk_not_found");
    expectProblem(await redeem(HOLDER, "bad.id", newKey()), 400, "validation_failed");
  });
});

describe("re-check at redemption time", () => {
  let cached: TestServer;
  beforeAll(async () => {
    cached = await startServer(chain, { ownershipCacheMs: 60_000 });
  });
  afterAll(async () => cached?.close());

  it("a listing may answer from cache; redemption reads the chain and refuses a token given away", async () => {
    await chain.mint(addr(CACHED), DEMO_TYPES.stamp);
    const perk = await createPerk({ rule: holds(DEMO_TYPES.stamp) }, cached);
    const first = await listPerks(CACHED, cached);
    expect(first.json().items.find((p: { id: string }) => p.id === perk.id)).toMatchObject({ eligible: true, reasons: [] });

    const from = wallet(CACHED);
    const hash = await chain.collection.write.safeTransferFrom([addr(CACHED), addr(NOBODY), DEMO_TYPES.stamp, 1n, "0x"], { account: from.account! });
    await chain.publicClient.waitForTransactionReceipt({ hash });
    expect(await chain.collection.read.balanceOf([addr(CACHED), DEMO_TYPES.stamp])).toBe(0n);

    // Within the cache window the list still shows the old answer, the very same JSON...
    const second = await listPerks(CACHED, cached);
    expect(second.json().items.find((p: { id: string }) => p.id === perk.id)).toMatchObject({ eligible: true });
    expect(second.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(second.body).toBe(first.body);
    // ...but redemption does not trust it.
    const body = expectProblem(await redeem(CACHED, perk.id, newKey(), cached), 403, "not_eligible");
    expect(body.reasons).toEqual([holdsTooFew(DEMO_TYPES.stamp, 0, 1)]);
    expect((await cached.store.listTakes({ kind: "perk", offerId: perk.id, limit: 100 })).items).toEqual([]);
    // Give it back so later tests are unaffected.
    const back = await chain.collection.write.safeTransferFrom([addr(NOBODY), addr(CACHED), DEMO_TYPES.stamp, 1n, "0x"], { account: wallet(NOBODY).account! });
    await chain.publicClient.waitForTransactionReceipt({ hash: back });
  });

  it("a brand's changes show in this instance's cached listing at once", async () => {
    const ids = async () => (await listPerks(CACHED, cached)).json().items.map((p: { id: string }) => p.id);
    const before = await ids();
    const added = await createPerk({ title: "Just added", rule: holds(DEMO_TYPES.stamp) }, cached);
    expect(await ids()).toEqual([added.id, ...before]);

    const renamed = await cached.app.inject({ method: "PATCH", url: `/v1/admin/perks/${added.id}`, headers: bearer(cached.apiKey), payload: { title: "Renamed" } });
    expect(renamed.statusCode).toBe(200);
    expect((await listPerks(CACHED, cached)).json().items[0]).toMatchObject({ id: added.id, title: "Renamed" });

    const deleted = await cached.app.inject({ method: "DELETE", url: `/v1/admin/perks/${added.id}`, headers: bearer(cached.apiKey) });
    expect(deleted.statusCode).toBe(204);
    expect(await ids()).toEqual(before);
  });
});

describe("replays answer from the record, not the chain", () => {
  it("a retry with the same key after the token is gone still gets the original redemption", async () => {
    const perk = await createPerk({ rule: holds(DEMO_TYPES.stamp) });
    const key = newKey();
    const first = await redeem(CACHED, perk.id, key);
    expect(first.statusCode, first.body).toBe(201);
    const gone = await chain.collection.write.safeTransferFrom([addr(CACHED), addr(NOBODY), DEMO_TYPES.stamp, 1n, "0x"], { account: wallet(CACHED).account! });
    await chain.publicClient.waitForTransactionReceipt({ hash: gone });
    const again = await redeem(CACHED, perk.id, key);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    // A new key is a new redemption, and that one is checked.
    expectProblem(await redeem(CACHED, perk.id, newKey()), 403, "not_eligible");
    const back = await chain.collection.write.safeTransferFrom([addr(NOBODY), addr(CACHED), DEMO_TYPES.stamp, 1n, "0x"], { account: wallet(NOBODY).account! });
    await chain.publicClient.waitForTransactionReceipt({ hash: back });
  });
});

describe("fail closed when the chain cannot be read", () => {
  let dead: TestServer;
  let perk: { id: string };
  beforeAll(async () => {
    const client = createPublicClient({ transport: http("http://127.0.0.1:9", { retryCount: 0 }) }) as PublicClient;
    dead = await startServer(chain, {}, { client });
    perk = await createPerk({ rule: holds(DEMO_TYPES.stamp) }, dead);
  });
  afterAll(async () => dead?.close());

  it("GET /v1/perks, GET /v1/perks/:id and redeem answer 503 chain_unavailable, nothing recorded", async () => {
    const list = expectProblem(await listPerks(HOLDER, dead), 503, "chain_unavailable");
    expect(list.detail).toBe("Ownership could not be checked; nothing was unlocked.");
    expectProblem(await getPerk(HOLDER, perk.id, dead), 503, "chain_unavailable");
    expectProblem(await redeem(HOLDER, perk.id, newKey(), dead), 503, "chain_unavailable");
    expect((await dead.store.listTakes({ kind: "perk", limit: 100 })).items).toEqual([]);
    const mine = await dead.app.inject({ method: "GET", url: "/v1/redemptions", headers: bearer(await session(HOLDER, dead)) });
    expect(mine.json()).toEqual({ items: [], nextCursor: null });
  });

  it("with the default client retries too", async () => {
    const client = createPublicClient({ transport: http("http://127.0.0.1:9") }) as PublicClient;
    const other = await startServer(chain, {}, { client });
    try {
      const p = await createPerk({ rule: holds(DEMO_TYPES.stamp) }, other);
      expectProblem(await redeem(HOLDER, p.id, newKey(), other), 503, "chain_unavailable");
      expect((await other.store.listTakes({ kind: "perk", limit: 100 })).items).toEqual([]);
    } finally {
      await other.close();
    }
  });
});

describe("one brand's holdings cannot be read", () => {
  // Served by the operator but no contract: reading it fails, as an unreachable collection would.
  const BROKEN = getAddress("0x000000000000000000000000000000000000dEaD");
  let mixed: TestServer;
  beforeAll(async () => {
    mixed = await startServer(chain, { collections: [BROKEN] });
  });
  afterAll(async () => mixed?.close());

  it("marks only that brand's perks unchecked (and not eligible); the others list as usual", async () => {
    await chain.mint(addr(HOLDER), DEMO_TYPES.stamp);
    const ours = await createPerk({ rule: holds(DEMO_TYPES.stamp) }, mixed);
    const brand = await createBrand(mixed.store, "Broken Collection Co");
    const { key } = await issueApiKey(mixed.store, brand.id, "tests");
    const created = await mixed.app.inject({
      method: "POST",
      url: "/v1/admin/perks",
      headers: bearer(key),
      payload: { title: "Unreadable", rule: { type: "holds", collection: BROKEN, tokenId: "1" } },
    });
    expect(created.statusCode, created.body).toBe(201);
    const theirs = created.json();

    const response = await listPerks(HOLDER, mixed);
    expect(response.statusCode, response.body).toBe(200);
    const items = response.json().items;
    expect(items.find((p: { id: string }) => p.id === ours.id)).toMatchObject({ checked: true, eligible: true, reasons: [] });
    expect(items.find((p: { id: string }) => p.id === theirs.id)).toMatchObject({
      checked: false,
      eligible: false,
      reasons: [{ code: "unavailable", message: "could not be checked right now; nothing is unlocked until it can be" }],
      usedUp: false,
      redeemed: 0,
    });
    // Redeeming it reads the chain, which fails: nothing is unlocked.
    expectProblem(await redeem(HOLDER, theirs.id, newKey(), mixed), 503, "chain_unavailable");
    expect((await mixed.store.listTakes({ kind: "perk", offerId: theirs.id, limit: 100 })).items).toEqual([]);
  });
});

describe("GET /v1/redemptions", () => {
  it("lists only the member's own, newest first, with paging", async () => {
    const perk = await createPerk({ rule: holds(DEMO_TYPES.stamp) });
    const codes: string[] = [];
    for (let n = 0; n < 5; n++) {
      const r = await redeem(PAGER, perk.id, newKey());
      expect(r.statusCode).toBe(201);
      codes.push(r.json().code);
    }
    const all = (await server.store.listTakes({ kind: "perk", member: addr(PAGER), limit: 100 })).items;
    // No per-member limit: never used up, however often.
    expect(await listed(PAGER, perk.id)).toMatchObject({ redeemed: 5, usedUp: false });
    const token = await session(PAGER);

    const seen: any[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/v1/redemptions?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const response = await server.app.inject({ method: "GET", url, headers: bearer(token) });
      expect(response.statusCode, response.body).toBe(200);
      const page = response.json();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null && pages < 50);

    expect(seen.map((r) => r.id)).toEqual(all.map((r) => r.id));
    expect(seen.every((r) => r.member === addr(PAGER))).toBe(true);
    expect(seen.every((r) => !("idempotencyKey" in r))).toBe(true);
    for (const code of codes) expect(seen.map((r) => r.code)).toContain(code);
    expect(pages).toBe(Math.ceil(all.length / 2));
    // Newest first.
    const created = seen.map((r) => r.createdAt);
    expect([...created].sort().reverse()).toEqual(created);
  });

  it("400 for a forged cursor or a bad limit", async () => {
    const token = await session(PAGER);
    const forged = Buffer.from(JSON.stringify(["not a time", "x"])).toString("base64url");
    for (const cursor of ["garbage", forged, ""]) {
      const response = await server.app.inject({ method: "GET", url: `/v1/redemptions?cursor=${cursor}`, headers: bearer(token) });
      expectProblem(response, 400, "bad_request");
    }
    for (const q of ["limit=0", "limit=101", "limit=abc", "unknown=1"]) {
      expectProblem(await server.app.inject({ method: "GET", url: `/v1/redemptions?${q}`, headers: bearer(token) }), 400, "validation_failed");
    }
  });
});

describe("listing one brand's offers (?brand=)", () => {
  it("a brand without live offers is an empty list; one that does not exist is 404 brand_not_found, for perks and drops alike", async () => {
    const perk = await createPerk({ title: "Only here", rule: { type: "holds", collection: C, tokenId: DEMO_TYPES.stamp.toString() } });
    const token = await session(0);
    const get = (url: string) => server.app.inject({ method: "GET", url, headers: bearer(token) });
    const mine = await get(`/v1/perks?brand=${server.brand.id}`);
    expect(mine.statusCode, mine.body).toBe(200);
    expect(mine.json().items.map((p: { id: string }) => p.id)).toContain(perk.id);
    const quiet = await createBrand(server.store, "Nothing on offer");
    for (const kind of ["perks", "drops"]) {
      const empty = await get(`/v1/${kind}?brand=${quiet.id}`);
      expect(empty.statusCode, empty.body).toBe(200);
      expect(empty.json()).toEqual({ items: [] });
      const unknown = expectProblem(await get(`/v1/${kind}?brand=brand_gone`), 404, "brand_not_found");
      expect(unknown).toMatchObject({ title: "No such brand", detail: "brand brand_gone" });
    }
  });

  it("documents the 404 in the OpenAPI responses", async () => {
    const doc = (await server.app.inject({ method: "GET", url: "/docs/json" })).json();
    for (const path of ["/v1/perks", "/v1/drops", "/v1/journeys"]) expect(Object.keys(doc.paths[path].get.responses)).toContain("404");
  });
});

describe("authentication", () => {
  it("401 unauthenticated without a session, 401 for a garbage or malformed bearer", async () => {
    for (const [method, url] of [
      ["GET", "/v1/perks"],
      ["GET", "/v1/perks/perk_x"],
      ["POST", "/v1/perks/perk_x/redeem"],
      ["GET", "/v1/redemptions"],
    ] as const) {
      const none = await server.app.inject({ method, url, headers: { "idempotency-key": "k" } });
      expect(expectProblem(none, 401, "unauthenticated").title).toBe("Sign in first");
      expectProblem(await server.app.inject({ method, url, headers: { ...bearer("sbs_garbage"), "idempotency-key": "k" } }), 401, "session_expired");
      expectProblem(await server.app.inject({ method, url, headers: { ...bearer("garbage"), "idempotency-key": "k" } }), 401, "session_expired");
      expectProblem(await server.app.inject({ method, url, headers: { authorization: "Bearer !!", "idempotency-key": "k" } }), 401, "unauthenticated");
      expectProblem(await server.app.inject({ method, url, headers: { authorization: "Basic abc", "idempotency-key": "k" } }), 401, "unauthenticated");
      // A brand API key is not a member session.
      expectProblem(await server.app.inject({ method, url, headers: { ...bearer(server.apiKey), "idempotency-key": "k" } }), 401, "session_expired");
    }
  });

  it("after logout the session no longer works", async () => {
    const token = await server.signIn(wallet(NOBODY));
    expect((await server.app.inject({ method: "GET", url: "/v1/perks", headers: bearer(token) })).statusCode).toBe(200);
    expect((await server.app.inject({ method: "POST", url: "/v1/auth/logout", headers: bearer(token) })).statusCode).toBe(204);
    expectProblem(await server.app.inject({ method: "GET", url: "/v1/perks", headers: bearer(token) }), 401, "session_expired");
  });
});

// Last: moving the chain's clock expires every 30-day membership in this file.
describe("expired membership", () => {
  it("after 31 days a gold membership is membership_expired with its expiry time", async () => {
    const perk = await createPerk({ rule: member(DEMO_TYPES.gold) });
    expect(await listed(RULES, perk.id)).toMatchObject({ eligible: true });
    const expiry = await chain.collection.read.expiresAt([addr(RULES), DEMO_TYPES.gold]);
    await chain.networkHelpers.time.increase(31 * DAY);
    const expiredAt = new Date(Number(expiry) * 1000).toISOString();
    const reason = { code: "membership_expired", message: `your Gold membership expired on ${expiredAt.slice(0, 10)}`, expiredAt, collection: C, tokenId: "1" };
    const view = await listed(RULES, perk.id);
    expect(view).toMatchObject({ eligible: false });
    expect(view.reasons).toEqual([reason]);
    const body = expectProblem(await redeem(RULES, perk.id, newKey()), 403, "not_eligible");
    expect(body.reasons).toEqual([reason]);
    // A lifetime membership never expires.
    const lifetime = await createPerk({ rule: member(DEMO_TYPES.lifetime) });
    expect(await listed(RULES, lifetime.id)).toMatchObject({ eligible: true, reasons: [] });
  });
});

describe("what a 503 tells the client", () => {
  it("names no internal host: the RPC's error stays in the log", async () => {
    const dead = await startServer(chain, {}, { client: createPublicClient({ transport: http("http://127.0.0.1:9", { retryCount: 0 }) }) });
    try {
      await createPerk({ rule: holds(DEMO_TYPES.stamp) }, dead);
      const token = await dead.signIn(wallet(NOBODY));
      const response = await dead.app.inject({ method: "GET", url: "/v1/perks", headers: bearer(token) });
      expect(response.statusCode).toBe(503);
      expect(response.body).not.toContain("127.0.0.1");
      expect(Object.keys(response.json()).sort()).toEqual(["code", "detail", "instance", "status", "title", "type"]);
    } finally {
      await dead.close();
    }
  });
});
