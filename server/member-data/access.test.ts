/**
 * What a brand sees of a member, and what the member sees of that: a brand reads only fields under
 * an active grant of its own (403 consent_required / consent_revoked otherwise, never another
 * brand's grants), every read lands in the member's access log; a consent rule unlocks a perk only
 * while the grant is active, re-checked at redemption; the export holds everything kept; erasure
 * needs a fresh signature by the member, deletes profile, grants and log, unlinks what the brand
 * keeps and ends every session.
 */
import { randomUUID } from "node:crypto";
import { getAddress, type WalletClient } from "viem";
import { createSiweMessage } from "viem/siwe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChain, type DemoChain } from "../../test/support/chain.ts";
import { expectProblem } from "../../test/support/problems.ts";
import { bearer, startServer, type TestServer } from "../../test/support/server.ts";
import { createBrand, issueApiKey } from "../brands/accounts.ts";
import { ERASURE_STATEMENT } from "../../sdk/src/protocol/statements.ts";

let chain: DemoChain;
let server: TestServer;
let otherKey: string;

beforeAll(async () => {
  chain = await startChain();
  server = await startServer(chain);
  const other = await createBrand(server.store, "Other Bakery");
  otherKey = (await issueApiKey(server.store, other.id, "tests")).key;
});
afterAll(async () => server?.close());

const inject = (method: "GET" | "PUT" | "POST" | "DELETE" | "PATCH", url: string, headers: Record<string, string> = {}, payload?: object) =>
  server.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });

async function ok(response: Awaited<ReturnType<typeof inject>>, status = 200) {
  expect(response.statusCode, response.body).toBe(status);
  return status === 204 ? null : response.json();
}

async function publish(body: object, key = server.apiKey): Promise<{ id: string }> {
  return ok(await inject("POST", "/v1/admin/data-requests", bearer(key), body), 201);
}

async function grant(token: string, wallet: WalletClient, requestId: string): Promise<{ id: string; receipt: { message: string } }> {
  const template = await ok(await inject("GET", `/v1/consents/template?request=${requestId}`, bearer(token)));
  const signature = await wallet.signMessage({ account: wallet.account!, message: template.message });
  return ok(await inject("POST", "/v1/consents", bearer(token), { message: template.message, signature }), 201);
}

const PROFILE = { email: "ada@example.com", name: "Ada", birthday: { month: 5, day: 17 }, city: "Lyon", preferences: { milk: "oat" } };
const profileOf = (address: string, key = server.apiKey) => inject("GET", `/v1/admin/members/${address}/profile`, bearer(key));
const log = async (token: string) => (await ok(await inject("GET", "/v1/me/access-log", bearer(token)))).items as { brandName: string; fields: string[]; consentId: string; purpose: string; actor: string }[];

describe("a brand reading a member's data", () => {
  it("sees only fields under an active grant of its own, each with grant and purpose; every read is logged for the member", async () => {
    const member = chain.members[0]!;
    const token = await server.signIn(member);
    await ok(await inject("PUT", "/v1/me/profile", bearer(token), PROFILE));
    const address = getAddress(member.account!.address);

    const none = expectProblem(await profileOf(address), 403, "consent_required");
    expect(none.detail).toMatch(/not granted/);
    expect(await log(token)).toEqual([]);

    const birthday = await publish({ fields: ["birthday"], purpose: "to send you a birthday treat", retentionDays: 30 });
    const contact = await publish({ fields: ["email", "name"], purpose: "to tell you about tastings", retentionDays: 90 });
    const granted = await grant(token, member, birthday.id);
    const seen = await ok(await profileOf(address));
    expect(seen).toEqual({ address, fields: [{ field: "birthday", value: { month: 5, day: 17 }, grantId: granted.id, purpose: "to send you a birthday treat", expiresAt: expect.any(String) }] });
    expect(JSON.stringify(seen)).not.toContain("ada@example.com");

    const second = await grant(token, member, contact.id);
    const both = await ok(await profileOf(address.toLowerCase()));
    expect(both.fields.map((f: { field: string; grantId: string }) => [f.field, f.grantId])).toEqual([
      ["email", second.id],
      ["name", second.id],
      ["birthday", granted.id],
    ]);

    // Two reads that returned data: one entry per grant used, newest first.
    const entries = await log(token);
    expect(entries).toHaveLength(3);
    expect([entries[2]!.consentId, entries[2]!.fields]).toEqual([granted.id, ["birthday"]]);
    expect(entries.slice(0, 2).map((e) => [e.consentId, e.fields]).sort()).toEqual([
      [granted.id, ["birthday"]],
      [second.id, ["email", "name"]],
    ].sort());
    expect(entries.every((e) => e.brandName === "Demo Coffee Club" && e.actor === "the brand's API key")).toBe(true);
    expect(entries.map((e) => e.purpose)).toContain("to tell you about tastings");
  });

  it("never sees another brand's grants, and a member's grants never show in another member's log", async () => {
    const member = chain.members[1]!;
    const token = await server.signIn(member);
    await ok(await inject("PUT", "/v1/me/profile", bearer(token), PROFILE));
    const request = await publish({ fields: ["email"], purpose: "to send receipts", retentionDays: 7 });
    await grant(token, member, request.id);
    expect((await ok(await profileOf(member.account!.address))).fields).toHaveLength(1);
    expectProblem(await profileOf(member.account!.address, otherKey), 403, "consent_required");
    expect((await log(token)).every((e) => e.brandName === "Demo Coffee Club")).toBe(true);
    const stranger = await server.signIn(chain.members[2]!);
    expect(await log(stranger)).toEqual([]);
  });

  it("after a revocation: 403 consent_revoked at once, and nothing logged; bad addresses are 400", async () => {
    const member = chain.members[2]!;
    const token = await server.signIn(member);
    await ok(await inject("PUT", "/v1/me/profile", bearer(token), PROFILE));
    const request = await publish({ fields: ["city"], purpose: "to find your nearest store", retentionDays: 10 });
    const granted = await grant(token, member, request.id);
    expect((await ok(await profileOf(member.account!.address))).fields[0].value).toBe("Lyon");
    const before = (await log(token)).length;
    await ok(await inject("DELETE", `/v1/me/consents/${granted.id}`, bearer(token)), 204);
    const revoked = expectProblem(await profileOf(member.account!.address), 403, "consent_revoked");
    expect(revoked.detail).toContain(granted.id);
    expect(await log(token)).toHaveLength(before);
    expectProblem(await profileOf("0x1234"), 400, "validation_failed");
    expectProblem(await inject("GET", `/v1/admin/members/${member.account!.address}/profile`), 401, "unauthenticated");
    expectProblem(await inject("GET", `/v1/admin/members/${member.account!.address}/profile`, bearer(token)), 401, "unauthenticated");
  });
});

describe("a grant past its retention", () => {
  it("is read as none: 403 consent_required naming the expiry, and a consent perk locks", async () => {
    const member = chain.members[8]!;
    const token = await server.signIn(member);
    const address = getAddress(member.account!.address);
    const request = await publish({ fields: ["city"], purpose: "to pick your store", retentionDays: 1 });
    const perk = await ok(await inject("POST", "/v1/admin/perks", bearer(server.apiKey), { title: "Local treat", rule: { type: "consent", request: request.id } }), 201);
    const past = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
    // A grant signed two days ago for one day: as the store holds it once the day has passed.
    await server.store.createConsent({ id: randomUUID(), member: address, brandId: server.brand.id, requestId: request.id, fields: ["city"], purpose: "to pick your store", grantedAt: past(2), expiresAt: past(1), revokedAt: null, nonce: randomUUID(), message: "signed two days ago", signature: "0x00" });
    const expired = expectProblem(await profileOf(address), 403, "consent_required");
    expect(expired.detail).toMatch(/expired on/);
    const listed = ((await ok(await inject("GET", "/v1/perks", bearer(token)))).items as { id: string; eligible: boolean }[]).find((p) => p.id === perk.id)!;
    expect(listed.eligible).toBe(false);
    expect((await ok(await inject("GET", "/v1/me/consents", bearer(token)))).items[0].status).toBe("expired");
  });
});

describe("a consent rule", () => {
  it("unlocks a perk only while the grant is active, in words, re-checked at redemption", async () => {
    const member = chain.members[3]!;
    const token = await server.signIn(member);
    const request = await publish({ fields: ["birthday"], purpose: "to send you a birthday treat", retentionDays: 30 });
    const perk = await ok(await inject("POST", "/v1/admin/perks", bearer(server.apiKey), { title: "Birthday treat", rule: { type: "consent", request: request.id } }), 201);
    const listed = async () => ((await ok(await inject("GET", "/v1/perks", bearer(token)))).items as { id: string; eligible: boolean; requires: string; reasons: { code: string; message: string }[] }[]).find((p) => p.id === perk.id)!;

    const locked = await listed();
    expect(locked).toMatchObject({ eligible: false, requires: "sharing your birthday (to send you a birthday treat)" });
    expect(locked.reasons).toEqual([{ code: "consent_missing", message: "needs your birthday shared (to send you a birthday treat)", request: request.id }]);
    expectProblem(await inject("POST", `/v1/perks/${perk.id}/redeem`, { ...bearer(token), "idempotency-key": randomUUID() }), 403, "not_eligible");

    const granted = await grant(token, member, request.id);
    expect((await listed()).eligible).toBe(true);
    const redeemed = await ok(await inject("POST", `/v1/perks/${perk.id}/redeem`, { ...bearer(token), "idempotency-key": randomUUID() }), 201);
    expect(redeemed.code).toBeTruthy();

    await ok(await inject("DELETE", `/v1/me/consents/${granted.id}`, bearer(token)), 204);
    expect((await listed()).eligible).toBe(false);
    expectProblem(await inject("POST", `/v1/perks/${perk.id}/redeem`, { ...bearer(token), "idempotency-key": randomUUID() }), 403, "not_eligible");
  });

  it("may only name the brand's own live data requests", async () => {
    const theirs = await publish({ fields: ["email"], purpose: "their newsletter", retentionDays: 5 }, otherKey);
    for (const request of [theirs.id, "no-such-request"]) {
      const body = expectProblem(await inject("POST", "/v1/admin/perks", bearer(server.apiKey), { title: "Sneaky", rule: { type: "consent", request } }), 400, "invalid_rule");
      expect(body.detail).toContain(request);
      expectProblem(await inject("POST", "/v1/admin/rules/preview", bearer(server.apiKey), { rule: { type: "consent", request } }), 400, "invalid_rule");
    }
    expectProblem(await inject("POST", "/v1/admin/perks", bearer(server.apiKey), { title: "Bad", rule: { type: "consent", request: "a b" } }), 400, "invalid_rule");
  });
});

describe("export and erasure", () => {
  async function erasureMessage(wallet: WalletClient, statement = ERASURE_STATEMENT) {
    const nonce = await ok(await inject("GET", "/v1/auth/nonce"));
    return createSiweMessage({ address: wallet.account!.address, chainId: nonce.chainId, domain: nonce.domain, uri: nonce.uri, nonce: nonce.nonce, version: "1", issuedAt: new Date(nonce.issuedAt), statement });
  }

  it("the export holds the profile, grants with receipts, the access log, redemptions and journey progress", async () => {
    const member = chain.members[4]!;
    const token = await server.signIn(member);
    await ok(await inject("PUT", "/v1/me/profile", bearer(token), PROFILE));
    const request = await publish({ fields: ["name"], purpose: "to greet you by name", retentionDays: 3 });
    const granted = await grant(token, member, request.id);
    await ok(await profileOf(member.account!.address));
    const perk = await ok(await inject("POST", "/v1/admin/perks", bearer(server.apiKey), { title: "Named cup", rule: { type: "consent", request: request.id } }), 201);
    const redemption = await ok(await inject("POST", `/v1/perks/${perk.id}/redeem`, { ...bearer(token), "idempotency-key": randomUUID() }), 201);
    // What the brand reports the member did is kept about them too.
    const occurredAt = new Date(Date.now() - 60_000).toISOString();
    const event = await inject("POST", "/v1/admin/events", { ...bearer(server.apiKey), "idempotency-key": randomUUID() }, { type: "purchase", member: member.account!.address, properties: { sku: "latte" }, occurredAt });
    expect(event.statusCode, event.body).toBeLessThan(300);

    const response = await inject("GET", "/v1/me/export", bearer(token));
    const exported = await ok(response);
    expect(response.headers["content-disposition"]).toContain("attachment");
    expect(exported).toMatchObject({ address: getAddress(member.account!.address), profile: PROFILE });
    expect(exported.consents).toEqual([expect.objectContaining({ id: granted.id, status: "active", receipt: granted.receipt })]);
    expect(exported.accessLog).toEqual([expect.objectContaining({ consentId: granted.id, fields: ["name"] })]);
    expect(exported.redemptions).toEqual([expect.objectContaining({ id: redemption.id, code: redemption.code })]);
    expect(exported.claims).toEqual([]);
    expect(exported.journeys).toEqual({ steps: [], invitations: [], awards: [], events: [{ brandId: server.brand.id, brandName: "Demo Coffee Club", type: "purchase", properties: { sku: "latte" }, occurredAt }] });
    expect(Date.parse(exported.firstSignedInAt)).toBeLessThanOrEqual(Date.now());
    expectProblem(await inject("GET", "/v1/me/export"), 401, "unauthenticated");
  });

  it("erasure needs a fresh signature by the member, with the exact statement, once", async () => {
    const [member, other] = [chain.members[5]!, chain.members[6]!];
    const token = await server.signIn(member);
    await ok(await inject("PUT", "/v1/me/profile", bearer(token), PROFILE));
    const signed = async (wallet: WalletClient, message: string) => ({ message, signature: await wallet.signMessage({ account: wallet.account!, message }) });

    expectProblem(await inject("DELETE", "/v1/me", bearer(token), await signed(member, await erasureMessage(member, "Erase me"))), 400, "erasure_invalid");
    expectProblem(await inject("DELETE", "/v1/me", bearer(token), await signed(other, await erasureMessage(other))), 403, "erasure_invalid");
    const forged = await signed(other, await erasureMessage(member));
    expectProblem(await inject("DELETE", "/v1/me", bearer(token), forged), 401, "siwe_bad_signature");
    expectProblem(await inject("DELETE", "/v1/me", {}, await signed(member, await erasureMessage(member))), 401, "unauthenticated");
    // Nothing was erased by any of those.
    expect((await ok(await inject("GET", "/v1/me/profile", bearer(token)))).email).toBe(PROFILE.email);

    const good = await signed(member, await erasureMessage(member));
    const erased = await ok(await inject("DELETE", "/v1/me", bearer(token), good));
    expect(erased.erased).toMatchObject({ profile: true });
    // The session ended with it; the same signed message cannot be used again (its nonce is spent).
    expectProblem(await inject("GET", "/v1/me/profile", bearer(token)), 401, "session_expired");
    const again = await server.signIn(member);
    expectProblem(await inject("DELETE", "/v1/me", bearer(again), good), 401, "siwe_nonce_invalid");
  });

  it("erases profile, grants and log, unlinks redemptions (codes still honoured at the till), ends every session", async () => {
    const member = chain.members[7]!;
    const address = member.account!.address;
    const [token, secondDevice] = [await server.signIn(member), await server.signIn(member)];
    await ok(await inject("PUT", "/v1/me/profile", bearer(token), PROFILE));
    const request = await publish({ fields: ["email"], purpose: "to send receipts", retentionDays: 3 });
    await grant(token, member, request.id);
    await ok(await profileOf(address));
    const perk = await ok(await inject("POST", "/v1/admin/perks", bearer(server.apiKey), { title: "Receipt perk", rule: { type: "consent", request: request.id } }), 201);
    const redemption = await ok(await inject("POST", `/v1/perks/${perk.id}/redeem`, { ...bearer(token), "idempotency-key": randomUUID() }), 201);

    const message = await erasureMessage(member);
    const erased = await ok(await inject("DELETE", "/v1/me", bearer(token), { message, signature: await member.signMessage({ account: member.account!, message }) }));
    expect(erased.erased).toEqual({ profile: true, consents: 1, accessLog: 1, redemptionsUnlinked: 1, claimsUnlinked: 0, journeyRecordsUnlinked: 1 });

    for (const t of [token, secondDevice]) expectProblem(await inject("GET", "/v1/me/consents", bearer(t)), 401, "session_expired");
    expectProblem(await profileOf(address), 403, "consent_required");
    const fresh = await server.signIn(member);
    const exported = await ok(await inject("GET", "/v1/me/export", bearer(fresh)));
    expect(exported).toMatchObject({ profile: { email: null, name: null, birthday: null, city: null, preferences: {} }, consents: [], accessLog: [], redemptions: [], claims: [] });

    // The brand keeps the redemption, no longer linked to the address; its code still works once.
    const kept = (await ok(await inject("GET", "/v1/admin/redemptions?limit=100", bearer(server.apiKey)))).items.find((r: { id: string }) => r.id === redemption.id);
    expect(kept.member.toLowerCase()).not.toBe(address.toLowerCase());
    expect(JSON.stringify(await server.store.listTakes({ kind: "perk", member: address, limit: 10 }))).not.toContain(redemption.id);
    const verified = await ok(await inject("POST", "/v1/admin/redemptions/verify", bearer(server.apiKey), { code: redemption.code }));
    expect(verified.id).toBe(redemption.id);
  });
});
