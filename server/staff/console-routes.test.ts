/**
 * What the staff console reads, on a real chain: the overview (members, redemptions and claims per
 * UTC day, busiest perks), a rule's preview (its words and how many signed-in members meet it, read
 * fresh), and the brand's redemptions and claims as CSV (every page, the JSON list's filters, nothing
 * a spreadsheet would run as a formula).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPublicClient, custom, getAddress, type Address, type PublicClient, type WalletClient } from "viem";
import { createBrand, issueApiKey } from "../brands/accounts.ts";
import { newRedemptionCode, toTimestamp } from "../storage/index.ts";
import { DEMO_TYPES, startChain, type DemoChain } from "../../test/support/chain.ts";
import { expectProblem } from "../../test/support/problems.ts";
import { bearer, startServer, type TestServer } from "../../test/support/server.ts";
import { viaInject } from "../../test/support/siwe.ts";
import { staffSignIn } from "../../test/support/staff.ts";
import { dropKind } from "../drops/kind.ts";
import { perkKind } from "../perks/kind.ts";

let chain: DemoChain;
let server: TestServer;
let manager: string;
let C: Address;
const address = (wallet: WalletClient) => getAddress(wallet.account!.address);
const member = (i: number) => chain.members[i]!;
const perks: Record<string, string> = {};

beforeAll(async () => {
  chain = await startChain();
  server = await startServer(chain);
  C = getAddress(chain.collection.address);
  manager = (await staffSignIn(viaInject(server.app), chain.brand, server.brand.id)).token;
  expect((await get("PUT", "/v1/admin/levels", { levels: [{ key: "green", name: "Green", minPoints: 0 }, { key: "silver", name: "Silver", minPoints: 100 }] })).statusCode).toBe(200);
  // Member 0: a stamp (10 points); 1: two stamps; 2: the lifetime membership (500 points, Silver); 3: nothing.
  await chain.mint(address(member(0)), DEMO_TYPES.stamp);
  await chain.mint(address(member(1)), DEMO_TYPES.stamp, 2n);
  await chain.mint(address(member(2)), DEMO_TYPES.lifetime);
  for (let i = 0; i < 4; i++) await server.signIn(member(i));
});
afterAll(async () => server?.close());

function get(method: "GET" | "POST" | "PUT", url: string, payload?: unknown, token = manager) {
  return server.app.inject({ method, url, headers: bearer(token), ...(payload === undefined ? {} : { payload: payload as object }) });
}
const stamp = (min = 1) => ({ type: "holds", collection: C, tokenId: DEMO_TYPES.stamp.toString(), min });

async function perk(title: string) {
  const response = await get("POST", "/v1/admin/perks", { title, rule: stamp() });
  expect(response.statusCode, response.body).toBe(201);
  return (perks[title] = response.json().id as string);
}
async function redeem(i: number, perkId: string) {
  const response = await server.app.inject({
    method: "POST",
    url: `/v1/perks/${perkId}/redeem`,
    headers: { ...bearer(await server.signIn(member(i))), "idempotency-key": crypto.randomUUID() },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

describe("GET /v1/admin/stats", () => {
  beforeAll(async () => {
    const espresso = await perk("Espresso");
    const croissant = await perk("Croissant");
    await redeem(0, espresso);
    await redeem(1, espresso);
    await redeem(0, croissant);
  });

  it("gives every UTC day of the window, today last, with today's redemptions; the busiest perks; who signed in and who came", async () => {
    const response = await get("GET", "/v1/admin/stats");
    expect(response.statusCode, response.body).toBe(200);
    const stats = response.json();
    expect(stats.days).toHaveLength(30);
    const today = new Date().toISOString().slice(0, 10);
    expect(stats.days.at(-1)).toEqual({ date: today, redemptions: 3, claims: 0 });
    expect(stats.days.slice(0, -1).every((d: { redemptions: number; claims: number }) => d.redemptions === 0 && d.claims === 0)).toBe(true);
    expect(new Set(stats.days.map((d: { date: string }) => d.date)).size).toBe(30);
    expect(stats.busiestPerks).toEqual([
      { id: perks.Espresso, title: "Espresso", redemptions: 2 },
      { id: perks.Croissant, title: "Croissant", redemptions: 1 },
    ]);
    expect(stats.members).toEqual({ signedIn: 4, active: 2 });
    expect((await get("GET", "/v1/admin/stats?days=1")).json().days).toEqual([{ date: today, redemptions: 3, claims: 0 }]);
  });

  it("is the brand's own: another brand sees its members signed in, and none of this brand's activity", async () => {
    const other = await createBrand(server.store, "Quiet Brand");
    const key = (await issueApiKey(server.store, other.id, "tests")).key;
    const stats = (await get("GET", "/v1/admin/stats?days=7", undefined, key)).json();
    expect(stats.members).toEqual({ signedIn: 4, active: 0 });
    expect(stats.busiestPerks).toEqual([]);
    expect(stats.days.every((d: { redemptions: number }) => d.redemptions === 0)).toBe(true);
  });

  it("takes 1 to 90 days: anything else is 400", async () => {
    for (const days of ["0", "91", "x", "1.5"]) expectProblem(await get("GET", `/v1/admin/stats?days=${days}`), 400, "validation_failed");
    expectProblem(await get("GET", "/v1/admin/stats?other=1"), 400, "validation_failed");
  });
});

describe("POST /v1/admin/rules/preview", () => {
  const preview = (rule: unknown, token = manager) => get("POST", "/v1/admin/rules/preview", { rule }, token);

  it.each([
    ["one stamp", () => stamp(), "a Journey stamp", 2],
    ["two stamps", () => stamp(2), "2 or more Journey stamps", 1],
    ["a level", () => ({ type: "level", min: "silver" }), "the Silver level or higher", 1],
    ["points", () => ({ type: "points", min: 15 }), "15 points or more", 2],
    ["not a stamp", () => ({ type: "not", rule: stamp() }), "not a Journey stamp", 2],
    ["any of", () => ({ type: "any", rules: [stamp(2), { type: "member", collection: C, tokenId: DEMO_TYPES.lifetime.toString() }] }), "2 or more Journey stamps or an active Lifetime membership", 2],
  ])("words %s as the brand does and counts who meets it now", async (_what, rule, requires, qualifying) => {
    const response = await preview(rule());
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ requires, qualifying, checked: 4, of: 4 });
  });

  it("a null rule is any signed-in member", async () => {
    expect((await preview(null)).json()).toEqual({ requires: "any signed-in member", qualifying: 4, checked: 4, of: 4 });
  });

  it("refuses what offers refuse: 400 invalid_rule for bad grammar, an unserved collection, an unknown level", async () => {
    expectProblem(await preview({ type: "nope" }), 400, "invalid_rule");
    expectProblem(await preview({ ...stamp(), collection: "0x00000000000000000000000000000000deadbeef" }), 400, "invalid_rule");
    expect(expectProblem(await preview({ type: "level", min: "gold" }), 400, "invalid_rule").detail).toMatch(/unknown level "gold"/);
    expectProblem(await get("POST", "/v1/admin/rules/preview", {}), 400, "validation_failed");
    expectProblem(await get("POST", "/v1/admin/rules/preview", { rule: stamp(), extra: 1 }), 400, "validation_failed");
  });

  it("is 503 chain_unavailable when no member's holdings can be read", async () => {
    const dead = createPublicClient({ chain: chain.publicClient.chain, transport: custom({ request: async () => Promise.reject(new Error("connect ECONNREFUSED")) }, { retryCount: 0 }) }) as PublicClient;
    const offline = await startServer(chain, {}, { client: dead });
    try {
      await offline.store.recordSignIn({ member: address(member(0)), invitation: null, now: toTimestamp() });
      const response = await offline.app.inject({ method: "POST", url: "/v1/admin/rules/preview", headers: bearer(offline.apiKey), payload: { rule: stamp() } });
      expectProblem(response, 503, "chain_unavailable");
    } finally {
      await offline.close();
    }
  });
});

describe("CSV exports", () => {
  let many: string;
  const csv = (url: string, token = manager) => get("GET", url, undefined, token);
  const lines = (body: string) => body.split("\r\n").slice(0, -1);

  beforeAll(async () => {
    many = await perk("Bulk");
    // More than one page (100), written straight to the store: the export is what is read here.
    for (let i = 0; i < 205; i++) {
      const result = await server.store.take({ offerId: many, kind: "perk", member: address(member(3)), idempotencyKey: `bulk-${i}`, id: `red_bulk${String(i).padStart(3, "0")}`, code: newRedemptionCode(), policy: perkKind.takes, now: toTimestamp() });
      expect(result.status).toBe("created");
    }
  });

  it("GET /v1/admin/redemptions.csv: every page, newest first, the columns of the JSON list's items", async () => {
    const response = await csv("/v1/admin/redemptions.csv");
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers["content-type"]).toBe("text/csv; charset=utf-8");
    expect(response.headers["content-disposition"]).toBe('attachment; filename="redemptions.csv"');
    const rows = lines(response.body);
    expect(rows[0]).toBe("id,perkId,perkTitle,brandId,member,code,createdAt,consumedAt");
    expect(rows).toHaveLength(1 + 205 + 3);
    // The same order and content as paging through the JSON list.
    const json = [];
    for (let cursor: string | null = null; ; ) {
      const page: { items: Record<string, string | null>[]; nextCursor: string | null } = (await csv(`/v1/admin/redemptions?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`)).json();
      json.push(...page.items);
      if ((cursor = page.nextCursor) === null) break;
    }
    const titles = new Map<string, string>(((await csv("/v1/admin/perks")).json().items as { id: string; title: string }[]).map((p) => [p.id, p.title]));
    expect(rows.slice(1)).toEqual(json.map((r) => [r.id, r.perkId, titles.get(r.perkId!), r.brandId, r.member, r.code, r.createdAt, r.consumedAt ?? ""].join(",")));
  });

  it("takes the JSON list's filters, and refuses paging and unknown ones", async () => {
    const { code } = await redeem(1, perks.Croissant!);
    expect((await get("POST", "/v1/admin/redemptions/verify", { code })).statusCode).toBe(200);
    expect(lines((await csv(`/v1/admin/redemptions.csv?perk=${perks.Croissant}`)).body)).toHaveLength(1 + 2);
    const consumed = lines((await csv("/v1/admin/redemptions.csv?consumed=true")).body);
    expect(consumed).toHaveLength(2);
    expect(consumed[1]).toContain(code);
    expect(lines((await csv(`/v1/admin/redemptions.csv?member=${address(member(1))}&perk=${perks.Espresso}`)).body)).toHaveLength(2);
    for (const query of ["limit=5", "cursor=abc", "member=0x12", "perk=a%20b", "consumed=maybe"]) expectProblem(await csv(`/v1/admin/redemptions.csv?${query}`), 400, "validation_failed");
    // Another brand's export holds none of these.
    const other = await createBrand(server.store, "CSV Brand");
    const key = (await issueApiKey(server.store, other.id, "tests")).key;
    expect((await csv("/v1/admin/redemptions.csv", key)).body).toBe("id,perkId,perkTitle,brandId,member,code,createdAt,consumedAt\r\n");
  });

  it("GET /v1/admin/claims.csv: an object's fields as columns, and a cell that would run as a formula defused", async () => {
    const now = toTimestamp();
    const drop = await server.store.createOffer(
      { id: "drop_csv", brandId: server.brand.id, kind: "drop", title: "Stamp", description: "", rule: null, tokens: [], limits: { perMember: null, total: null }, startsAt: null, endsAt: null, reward: { type: "token", collection: C, tokenId: "3", amount: "1", mode: "mint" }, createdAt: now },
      { offers: 100, tokens: 100 },
    );
    expect(drop.status).toBe("created");
    const taken = await server.store.take({ offerId: "drop_csv", kind: "drop", member: address(member(0)), idempotencyKey: "csv-claim", id: "claim_csv", code: null, policy: dropKind.takes, now });
    expect(taken.status).toBe("created");
    await server.store.completeTake("claim_csv", { status: "failed", error: { code: "mint_failed", message: '=HYPERLINK("http://evil.example","click")' }, now });

    const response = await csv("/v1/admin/claims.csv?status=failed");
    expect(response.statusCode, response.body).toBe(200);
    const [header, row, ...rest] = lines(response.body);
    expect(rest).toEqual([]);
    expect(header).toBe(
      "id,dropId,dropTitle,brandId,member,collection,tokenId,amount,mode,status,txHash,voucher.chainId,voucher.collection,voucher.to,voucher.id,voucher.amount,voucher.validAfter,voucher.validUntil,voucher.uid,voucher.price,voucher.signature,voucher.r,voucher.vs,error.code,error.message,createdAt,updatedAt",
    );
    // No transaction, no voucher (13 empty cells), then the error: its message defused and quoted.
    expect(row).toContain(`,failed${",".repeat(14)}mint_failed,"'=HYPERLINK(""http://evil.example"",""click"")",`);
    expect(row!.startsWith("claim_csv,drop_csv,Stamp,")).toBe(true);
  });
});
