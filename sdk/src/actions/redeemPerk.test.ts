/** me(), perks(), redeem() and redemptions() against the real API and chain, including safe retries. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_TYPES } from "../../../test/support/chain.ts";
import { createStampbookClient } from "../client.ts";
import { ApiError, BrandNotFoundError, HttpRequestError, NotSignedInError } from "../index.ts";
import { fastOptions, startStack, type Stack } from "../../../test/support/sdk/stack.ts";
import { getPerks } from "./getPerks.ts";
import { redeemPerk } from "./redeemPerk.ts";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack?.close());

type Step = "ok" | "lose-response" | "503" | "slow" | "offline";

/**
 * A fetch that misbehaves on redeem requests, one planned step per attempt: "lose-response" lets the
 * server do the work and then fails like a dropped connection; "503" answers a problem without
 * reaching the server; "slow" lets the server answer but holds the answer past the client's timeout.
 */
function faultyFetch(plan: Step[]) {
  const keys: (string | null)[] = [];
  const statuses: number[] = [];
  const faulty: typeof fetch = async (input, init) => {
    if (!String(input).includes("/redeem")) return fetch(input, init);
    keys.push(new Headers(init?.headers).get("idempotency-key"));
    const step = plan.shift() ?? "ok";
    if (step === "offline") throw new TypeError("fetch failed");
    if (step === "503") {
      return new Response(JSON.stringify({ type: "urn:stampbook:problem:chain_unavailable", title: "The chain cannot be reached right now", status: 503, code: "chain_unavailable" }), {
        status: 503,
        headers: { "content-type": "application/problem+json" },
      });
    }
    const { signal, ...rest } = init ?? {};
    const response = await fetch(input, rest);
    statuses.push(response.status);
    if (step === "lose-response") throw new TypeError("fetch failed: socket hang up");
    if (step === "slow") {
      await new Promise((_, reject) => signal!.addEventListener("abort", () => reject(signal!.reason)));
    }
    return response;
  };
  return { fetch: faulty, keys, statuses };
}

async function member(extra: Record<string, unknown> = {}) {
  const provider = stack.provider();
  const client = createStampbookClient({ apiUrl: stack.apiUrl, wallet: provider, ...fastOptions(), ...extra });
  await client.signIn();
  return { client, address: provider.address };
}

const holdsStamp = () => ({ type: "holds", collection: stack.collection, tokenId: DEMO_TYPES.stamp.toString(), min: 1 });

describe("me", () => {
  it("returns the member's holdings read from the chain", async () => {
    const { client, address } = await member();
    await stack.chain.mint(address, DEMO_TYPES.gold);
    await stack.chain.mint(address, DEMO_TYPES.stamp, 2n);
    const me = await client.getMe();
    expect(me.address).toBe(address);
    expect(me.chainId).toBe(31337);
    expect(me.collections).toHaveLength(1);
    expect(me.collections[0]).toMatchObject({ address: stack.collection, brandId: stack.server.brand.id, available: true });
    const holdings = me.collections[0]!.holdings;
    expect(holdings.map((h) => [h.tokenId, h.kind, h.balance])).toEqual([
      ["1", "membership", "1"],
      ["3", "collectible", "2"],
    ]);
    expect(holdings[0]).toMatchObject({ active: true });
    expect(Date.parse(holdings[0]!.expiresAt!)).toBeGreaterThan(Date.now());
  });

  it("throws NotSignedInError without a session, before any request", async () => {
    let calls = 0;
    const client = createStampbookClient({ apiUrl: stack.apiUrl, ...fastOptions(), fetch: async () => (calls++, new Response()) });
    await expect(client.getMe()).rejects.toBeInstanceOf(NotSignedInError);
    await expect(client.getPerks()).rejects.toBeInstanceOf(NotSignedInError);
    await expect(client.redeemPerk({ perkId: "perk_x" })).rejects.toBeInstanceOf(NotSignedInError);
    expect(calls).toBe(0);
  });
});

describe("perks", () => {
  it("lists perks with eligible, reasons, requires and status", async () => {
    const gold = await stack.createPerk({ title: "Gold lounge", rule: { type: "member", collection: stack.collection, tokenId: "1" } });
    const stamp = await stack.createPerk({ title: "Stamp coffee", rule: holdsStamp() });
    const { client, address } = await member();
    await stack.chain.mint(address, DEMO_TYPES.stamp);
    const perks = await client.getPerks();
    const byId = new Map(perks.map((p) => [p.id, p]));
    expect(byId.get(stamp.id)).toMatchObject({ title: "Stamp coffee", eligible: true, reasons: [], checked: true, status: "open", limits: { perMember: null, total: null }, redeemed: 0, usedUp: false });
    expect(byId.get(stamp.id)!.requires).toBe("a Journey stamp");
    const lounge = byId.get(gold.id)!;
    expect(lounge).toMatchObject({ title: "Gold lounge", eligible: false, status: "open" });
    expect(lounge.requires).toContain("membership");
    expect(lounge.reasons).toHaveLength(1);
    expect(lounge.reasons[0]).toMatchObject({ tokenId: "1", collection: stack.collection });
    // The action form, with a brand filter.
    const sameBrand = await getPerks(client, { brand: stack.server.brand.id });
    expect(sameBrand.map((p) => p.id).sort()).toEqual(perks.map((p) => p.id).sort());
  });

  it("a brand that does not exist is a BrandNotFoundError, for perks and drops", async () => {
    const { client } = await member();
    await expect(client.getPerks({ brand: "brand_gone" })).rejects.toMatchObject({ name: "BrandNotFoundError", code: "brand_not_found", status: 404, brandId: "brand_gone" });
    await expect(client.getDrops({ brand: "brand_gone" })).rejects.toBeInstanceOf(BrandNotFoundError);
  });
});

describe("redeem", () => {
  it("redeems once and returns the redemption with its code; redemptions() lists it", async () => {
    const perk = await stack.createPerk({ rule: holdsStamp(), limits: { perMember: 1 } });
    const { client, address } = await member();
    await stack.chain.mint(address, DEMO_TYPES.stamp);
    const redemption = await client.redeemPerk({ perkId: perk.id });
    expect(redemption).toMatchObject({ perkId: perk.id, member: address, consumedAt: null });
    expect(redemption.code.length).toBeGreaterThan(4);
    const page = await client.getRedemptions();
    expect(page.items).toEqual([redemption]);
    expect(page.nextCursor).toBeNull();
    expect((await client.getPerks()).find((p) => p.id === perk.id)).toMatchObject({ redeemed: 1, usedUp: true });
  });

  it("passes refusals through with the server's code: not_eligible, member_limit_reached, perk_not_found", async () => {
    const perk = await stack.createPerk({ rule: holdsStamp(), limits: { perMember: 1 } });
    const { client, address } = await member();
    const notEligible = await client.redeemPerk({ perkId: perk.id }).catch((e) => e);
    expect(notEligible).toBeInstanceOf(ApiError);
    expect(notEligible).toMatchObject({ status: 403, code: "not_eligible" });
    await stack.chain.mint(address, DEMO_TYPES.stamp);
    await client.redeemPerk({ perkId: perk.id });
    await expect(client.redeemPerk({ perkId: perk.id })).rejects.toMatchObject({ name: "ApiError", status: 409, code: "member_limit_reached" });
    await expect(client.redeemPerk({ perkId: "perk_doesnotexist" })).rejects.toMatchObject({ status: 404, code: "perk_not_found" });
  });

  it("retries a lost response with the SAME Idempotency-Key and returns the one redemption made", async () => {
    const perk = await stack.createPerk({ rule: holdsStamp() });
    const faults = faultyFetch(["lose-response", "lose-response"]);
    const { client, address } = await member({ fetch: faults.fetch });
    await stack.chain.mint(address, DEMO_TYPES.stamp);
    const redemption = await client.redeemPerk({ perkId: perk.id });
    expect(faults.keys).toHaveLength(3);
    expect(new Set(faults.keys).size).toBe(1);
    expect(faults.statuses).toEqual([201, 200, 200]); // made once, then replayed
    const page = await client.getRedemptions();
    expect(page.items.filter((r) => r.perkId === perk.id)).toEqual([redemption]);
  });

  it("retries 5xx answers and timeouts with the same key", async () => {
    const perk = await stack.createPerk({ rule: holdsStamp() });
    const faults = faultyFetch(["503", "slow", "ok"]);
    const { client, address } = await member({ fetch: faults.fetch, requestTimeout: 300 });
    await stack.chain.mint(address, DEMO_TYPES.stamp);
    const redemption = await redeemPerk(client, { perkId: perk.id });
    expect(faults.keys).toHaveLength(3);
    expect(new Set(faults.keys).size).toBe(1);
    expect(faults.statuses).toEqual([201, 200]);
    expect((await client.getRedemptions()).items.filter((r) => r.perkId === perk.id)).toEqual([redemption]);
  });

  it("gives up after retryCount retries with HttpRequestError; the caller's own key then recovers the redemption", async () => {
    const perk = await stack.createPerk({ rule: holdsStamp() });
    const faults = faultyFetch(["lose-response", "offline", "offline"]);
    const { client, address } = await member({ fetch: faults.fetch, retryCount: 2 });
    await stack.chain.mint(address, DEMO_TYPES.stamp);
    const key = "order-42-redeem";
    const error = await client.redeemPerk({ perkId: perk.id, idempotencyKey: key }).catch((e) => e);
    expect(error).toBeInstanceOf(HttpRequestError);
    expect(error).toMatchObject({ code: "network_error", timedOut: false });
    expect(faults.keys).toEqual([key, key, key]);
    // Later (the network is back, or after a reload), the same key returns what was made.
    const redemption = await client.redeemPerk({ perkId: perk.id, idempotencyKey: key });
    expect(faults.statuses).toEqual([201, 200]);
    expect((await client.getRedemptions()).items.filter((r) => r.perkId === perk.id)).toEqual([redemption]);
  });

  it("does not retry 4xx answers", async () => {
    const faults = faultyFetch([]);
    const { client } = await member({ fetch: faults.fetch });
    await expect(client.redeemPerk({ perkId: "perk_missing" })).rejects.toMatchObject({ code: "perk_not_found" });
    expect(faults.keys).toHaveLength(1);
  });

  it("ends the session with reason expired when the server no longer knows it (401)", async () => {
    const { client } = await member();
    const token = client.session!.token;
    await fetch(`${stack.apiUrl}/v1/auth/logout`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
    const ended: unknown[] = [];
    client.on("sessionEnded", (e) => ended.push(e));
    await expect(client.getPerks()).rejects.toMatchObject({ status: 401, code: "session_expired" });
    expect(client.session).toBeNull();
    expect(ended).toEqual([{ reason: "expired", address: expect.any(String) }]);
    await expect(client.getPerks()).rejects.toBeInstanceOf(NotSignedInError);
  });
});

describe("redemptions", () => {
  it("pages newest first", async () => {
    const perk = await stack.createPerk({ rule: holdsStamp() });
    const { client, address } = await member();
    await stack.chain.mint(address, DEMO_TYPES.stamp);
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await client.redeemPerk({ perkId: perk.id }));
    const first = await client.getRedemptions({ limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const second = await client.getRedemptions({ limit: 2, cursor: first.nextCursor! });
    expect([...first.items, ...second.items].map((r) => r.id).sort()).toEqual(made.map((r) => r.id).sort());
    expect(second.nextCursor).toBeNull();
  });
});
