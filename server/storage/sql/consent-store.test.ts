/**
 * Members' profiles, brands' data requests and members' grants on SQLite and PostgreSQL: a profile
 * is replaced whole; requests are listed live only, with brand names, and withdrawn only by their
 * brand; a grant is stored once per nonce and only while its request is live; revocation is the
 * member's alone and happens once.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Address } from "viem";
import { freshSchema, postgresForTests } from "../../../test/support/services.ts";
import type { Consent, DataRequest } from "../../consents/types.ts";
import { PostgresStore } from "../postgres/postgres-store.ts";
import { SqliteStore } from "../sqlite/sqlite-store.ts";
import type { Store } from "../store.ts";

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

function describeConsentStore(name: string, open: () => Store | Promise<Store>) {
  describe(name, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
      await store.createBrand({ id: "brand-a", name: "Brand A", createdAt: at(-DAY) });
      await store.createBrand({ id: "brand-b", name: "Brand B", createdAt: at(-DAY) });
    });
    afterEach(async () => store?.close());

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
  });
}

describeConsentStore("consent store on SQLite", () => SqliteStore.open(":memory:"));

const url = postgresForTests("the consent store on PostgreSQL");
if (url === null) {
  it.skip("consent store on PostgreSQL (PostgreSQL not reachable): is skipped because PostgreSQL is not reachable at TEST_POSTGRES_URL (under CI=true the run fails instead)", () => {});
} else {
  describeConsentStore("consent store on PostgreSQL", () => PostgresStore.connect(url, { schema: freshSchema(), poolSize: 4 }));
}
