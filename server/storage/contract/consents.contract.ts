/**
 * The store contract: members' profiles, brands' data requests and members' grants. A profile
 * is replaced whole; requests are listed live only, with brand names, and withdrawn only by their
 * brand; a grant is stored once per nonce and only while its request is live; revocation is the
 * member's alone and happens once; the access log is the member's, newest first, paged; erasure
 * deletes profile, grants and log, puts the pseudonym in the member's place in everything kept, and
 * ends the member's sessions issued before it.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { Address } from "viem";
import type { AccessLogEntry, Consent, DataRequest } from "../../member-data/types.ts";
import { perkKind } from "../../perks/kind.ts";
import type { Store } from "../store.ts";
import { freshStorePerTest, type StoreContract } from "./fixtures.ts";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 20);
const at = (ms: number) => new Date(T0 + ms).toISOString();
const member = (i: number) => `0x${(i + 1).toString(16).padStart(40, "0")}` as Address;

const request = (id: string, brandId = "brand-a", createdAt = at(0)): DataRequest => ({ id, brandId, fields: ["email", "birthday"], purpose: "to send you a birthday treat", retentionDays: 30, perkId: null, createdAt });

const consent = (id: string, over: Partial<Consent> = {}): Consent => ({
  id,
  member: member(1),
  brandId: "brand-a",
  requestId: "req-1",
  fields: ["email", "birthday"],
  purpose: "to send you a birthday treat",
  grantedAt: at(1),
  expiresAt: at(30 * DAY),
  revokedAt: null,
  nonce: `nonce-${id}`,
  message: `message ${id}`,
  signature: "0xabcd",
  ...over,
});

export const consentContract: StoreContract = (open) => {
  describe("members' data", () => {
    let store!: Store;
    freshStorePerTest(open, (opened) => ({ store } = opened));
    beforeEach(async () => {
      await store.createBrand({ id: "brand-a", name: "Brand A", createdAt: at(-DAY) });
      await store.createBrand({ id: "brand-b", name: "Brand B", createdAt: at(-DAY) });
    });

    it("keeps one profile per member, lowercased, replaced whole", async () => {
      expect(await store.getProfile(member(1))).toBeNull();
      const upper = member(1).toUpperCase().replace("0X", "0x") as Address;
      const full = { address: upper, email: "a@example.com", name: "Ada", birthday: { month: 2, day: 29 }, city: "Lyon", preferences: { newsletter: true, drink: "oat flat white" }, updatedAt: at(1) };
      expect(await store.putProfile(full)).toEqual({ ...full, address: member(1) });
      expect(await store.getProfile(member(1))).toEqual({ ...full, address: member(1) });
      const cleared = { address: member(1), email: null, name: null, birthday: null, city: null, preferences: {}, updatedAt: at(2) };
      await store.putProfile(cleared);
      expect(await store.getProfile(upper)).toEqual(cleared);
      expect(await store.getProfile(member(2))).toBeNull();
      await expect(store.putProfile({ ...cleared, birthday: { month: 13, day: 1 } })).rejects.toThrow(/birthday.month/);
      await expect(store.putProfile({ ...cleared, address: "0x12" as Address })).rejects.toThrow(/address/);
    });

    it("lists live requests oldest first with brand names; withdraws only on the brand named", async () => {
      await store.createDataRequest(request("req-2", "brand-a", at(2)));
      await store.createDataRequest({ ...request("req-1", "brand-b", at(1)), fields: ["city", "email"], perkId: "perk-9" });
      expect(await store.getDataRequest("req-1")).toEqual({ ...request("req-1", "brand-b", at(1)), fields: ["email", "city"], perkId: "perk-9" });
      expect((await store.listDataRequests()).map((r) => [r.id, r.brandName])).toEqual([["req-1", "Brand B"], ["req-2", "Brand A"]]);
      expect((await store.listDataRequests({ brandId: "brand-a" })).map((r) => r.id)).toEqual(["req-2"]);
      expect(await store.deleteDataRequest("brand-b", "req-2", at(3))).toBe(false);
      expect(await store.deleteDataRequest("brand-a", "req-2", at(3))).toBe(true);
      expect(await store.deleteDataRequest("brand-a", "req-2", at(4))).toBe(false);
      expect(await store.getDataRequest("req-2")).toBeNull();
      expect((await store.listDataRequests()).map((r) => r.id)).toEqual(["req-1"]);
      await expect(store.createDataRequest({ ...request("req-3"), fields: ["ssn" as never] })).rejects.toThrow(/fields/);
      await expect(store.createDataRequest({ ...request("req-3"), retentionDays: 3651 })).rejects.toThrow(/retentionDays/);
      await expect(store.createDataRequest(request("req-3", "ghost"))).rejects.toThrow();
    });

    it("stores a grant once per nonce, and only while its request is live", async () => {
      await store.createDataRequest(request("req-1"));
      const first = await store.createConsent(consent("c1"));
      expect(first).toEqual({ created: true, consent: consent("c1") });
      expect(await store.createConsent(consent("c2", { nonce: "nonce-c1" }))).toEqual({ created: false, reason: "nonce_used" });
      expect(await store.createConsent(consent("c3", { brandId: "brand-b" }))).toEqual({ created: false, reason: "request_gone" });
      expect(await store.findConsentByNonce("nonce-c1")).toEqual(consent("c1"));
      expect(await store.findConsentByNonce("nonce-c2")).toBeNull();
      await store.deleteDataRequest("brand-a", "req-1", at(5));
      expect(await store.createConsent(consent("c4"))).toEqual({ created: false, reason: "request_gone" });
      expect((await store.listConsents(member(1))).map((c) => c.id)).toEqual(["c1"]);
    });

    it("lists a member's grants newest first; revokes only the member's own, once", async () => {
      await store.createDataRequest(request("req-1"));
      await store.createConsent(consent("c1"));
      await store.createConsent(consent("c2", { grantedAt: at(2) }));
      await store.createConsent(consent("c3", { member: member(2) }));
      expect((await store.listConsents(member(1))).map((c) => c.id)).toEqual(["c2", "c1"]);
      expect(await store.revokeConsent(member(2), "c1", at(9))).toBeNull();
      expect(await store.revokeConsent(member(1), "c1", at(9))).toEqual(consent("c1", { revokedAt: at(9) }));
      expect(await store.revokeConsent(member(1), "c1", at(10))).toBeNull();
      expect((await store.listConsents(member(1))).map((c) => [c.id, c.revokedAt])).toEqual([["c2", null], ["c1", at(9)]]);
      expect((await store.listConsents(member(2))).map((c) => c.revokedAt)).toEqual([null]);
    });

    const entry = (id: string, over: Partial<AccessLogEntry> = {}): AccessLogEntry => ({
      id,
      member: member(1),
      brandId: "brand-a",
      consentId: "c1",
      fields: ["birthday"],
      purpose: "to send you a birthday treat",
      actor: "the brand's API key",
      at: at(5),
      ...over,
    });

    it("keeps each member's access log, newest first with brand names, a page at a time; a bad entry writes none", async () => {
      await store.logAccess([entry("a1"), entry("a2", { at: at(6), brandId: "brand-b" }), entry("a3", { at: at(7) }), entry("x", { member: member(2) })]);
      const first = await store.listAccessLog(member(1), { limit: 2 });
      expect(first.items.map((e) => [e.id, e.brandName])).toEqual([["a3", "Brand A"], ["a2", "Brand B"]]);
      const second = await store.listAccessLog(member(1), { limit: 2, cursor: first.nextCursor });
      expect(second).toEqual({ items: [{ ...entry("a1"), brandName: "Brand A" }], nextCursor: null });
      await expect(store.logAccess([entry("ok"), entry("bad", { fields: ["ssn" as never] })])).rejects.toThrow(/fields/);
      expect((await store.listAccessLog(member(1), { limit: 10 })).items.map((e) => e.id)).not.toContain("ok");
    });

    it("erases one member: deletes profile, grants and log, unlinks takes and journey records, ends older sessions", async () => {
      const [ada, bob] = [member(1), member(2)];
      const pseudonym = member(99);
      for (const who of [ada, bob]) await store.putProfile({ address: who, email: "x@example.com", name: null, birthday: null, city: null, preferences: {}, updatedAt: at(1) });
      await store.createDataRequest(request("req-1"));
      await store.createConsent(consent("c1"));
      await store.createConsent(consent("c2", { member: bob }));
      await store.logAccess([entry("a1"), entry("b1", { member: bob })]);
      const offer = { id: "p1", brandId: "brand-a", kind: "perk" as const, title: "Treat", description: "", rule: null, tokens: [], limits: { perMember: null, total: null }, startsAt: null, endsAt: null, reward: { type: "code" as const }, createdAt: at(0) };
      expect((await store.createOffer(offer, { offers: 10, tokens: 10 })).status).toBe("created");
      for (const [who, n] of [[ada, 1], [bob, 2]] as const) {
        expect((await store.take({ offerId: "p1", kind: "perk", member: who, idempotencyKey: `k${n}`, id: `t${n}`, code: `CODE-${n}`, policy: perkKind.takes, now: at(2) })).status).toBe("created");
      }
      await store.recordMembers([ada, bob], at(0));
      expect(await store.memberRecords(ada)).toEqual({ firstSignedInAt: at(0), events: [] });

      const counts = await store.eraseMember({ address: ada, pseudonym, now: at(10), sessionsExpireBy: at(10 + DAY) });
      expect(counts).toEqual({ profile: true, consents: 1, accessLog: 1, takesUnlinked: { perk: 1 }, journeyRecordsUnlinked: 1 });
      expect(await store.getProfile(ada)).toBeNull();
      expect((await store.memberRecords(ada)).firstSignedInAt).toBeNull();
      expect((await store.memberRecords(pseudonym)).firstSignedInAt).toBe(at(0));
      expect(await store.listConsents(ada)).toEqual([]);
      expect((await store.listAccessLog(ada)).items).toEqual([]);
      expect((await store.listTakes({ kind: "perk", member: ada, limit: 10 })).items).toEqual([]);
      expect((await store.listTakes({ kind: "perk", member: pseudonym, limit: 10 })).items.map((t) => [t.id, t.code])).toEqual([["t1", "CODE-1"]]);
      // Bob is untouched.
      expect(await store.getProfile(bob)).not.toBeNull();
      expect((await store.listConsents(bob)).map((c) => c.id)).toEqual(["c2"]);
      expect((await store.listAccessLog(bob)).items.map((e) => e.id)).toEqual(["b1"]);
      expect((await store.listTakes({ kind: "perk", member: bob, limit: 10 })).items.map((t) => t.id)).toEqual(["t2"]);
      // Sessions expiring by then were issued before: ended; later ones and other members' are not.
      expect(await store.isSessionRevoked("s1", { address: ada, expiresAt: at(10 + DAY) })).toBe(true);
      expect(await store.isSessionRevoked("s2", { address: ada, expiresAt: at(11 + DAY) })).toBe(false);
      expect(await store.isSessionRevoked("s3", { address: bob, expiresAt: at(DAY) })).toBe(false);
      await expect(store.eraseMember({ address: ada, pseudonym: ada, now: at(11), sessionsExpireBy: at(11) })).rejects.toThrow(/pseudonym/);
      // Pruned once nothing it ends can still be live.
      await store.pruneExpired(at(10 + DAY));
      expect(await store.isSessionRevoked("s1", { address: ada, expiresAt: at(10 + DAY) })).toBe(false);
    });
  });
};
