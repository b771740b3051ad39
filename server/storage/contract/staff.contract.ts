/**
 * The store contract: brand staff lists, one role per (brand, address), given and taken away
 * only on the brand it names; and the staff console's reads: activity per UTC day over the window,
 * the busiest perks, the most recently seen members, an offer's title once deleted.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { Address } from "viem";
import { dropKind } from "../../drops/kind.ts";
import type { NewOffer, OfferKind } from "../../offers/types.ts";
import { perkKind } from "../../perks/kind.ts";
import type { ActivityKind } from "../../staff/types.ts";
import type { Store } from "../store.ts";
import { freshStorePerTest, type StoreContract } from "./fixtures.ts";

/** How the console counts each kind: every kind its counted takes, perks ranked too. */
const KINDS: ActivityKind[] = [
  { kind: "perk", counted: perkKind.takes.counted, ranked: true },
  { kind: "drop", counted: dropKind.takes.counted, ranked: false },
];

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 20);
const at = (ms: number) => new Date(T0 + ms).toISOString();
const member = (i: number) => `0x${(i + 1).toString(16).padStart(40, "0")}` as Address;
const OWNER = `0x${"aa".repeat(20)}` as Address;
const C = `0x${"c1".repeat(20)}` as Address;
const ROOMY = { offers: 1_000, tokens: 1_000 };

function offer(id: string, kind: OfferKind, brandId = "brand-a", title = `Offer ${id}`): NewOffer {
  return {
    id,
    brandId,
    kind,
    title,
    description: "",
    rule: null,
    tokens: [],
    limits: { perMember: null, total: null },
    startsAt: null,
    endsAt: null,
    reward: kind === "perk" ? { type: "code" } : { type: "token", collection: C, tokenId: "1", amount: "1", mode: "mint" },
    createdAt: at(-30 * DAY),
  };
}

export const staffContract: StoreContract = (open) => {
  describe("brand staff", () => {
    let store!: Store;
    freshStorePerTest(open, (opened) => ({ store } = opened));
    beforeEach(async () => {
      await store.createBrand({ id: "brand-a", name: "Brand A", createdAt: at(-40 * DAY) });
      await store.createBrand({ id: "brand-b", name: "Brand B", createdAt: at(-40 * DAY) });
    });

    describe("the staff list", () => {
      it("gives a role once per brand and address, lowercased; the same role again changes nothing, another replaces it", async () => {
        const upper = member(1).toUpperCase().replace("0X", "0x") as Address;
        const first = await store.putStaff({ brandId: "brand-a", address: upper, role: "till", addedBy: OWNER, addedAt: at(1) });
        expect(first).toEqual({ created: true, member: { brandId: "brand-a", address: member(1), role: "till", addedBy: OWNER, addedAt: at(1) } });
        expect(await store.putStaff({ brandId: "brand-a", address: member(1), role: "till", addedBy: member(9), addedAt: at(2) })).toEqual({ created: false, member: first.member });
        const changed = await store.putStaff({ brandId: "brand-a", address: member(1), role: "manager", addedBy: member(9), addedAt: at(3) });
        expect(changed).toEqual({ created: false, member: { brandId: "brand-a", address: member(1), role: "manager", addedBy: member(9), addedAt: at(3) } });
        expect(await store.getStaffRole("brand-a", upper)).toBe("manager");
        expect(await store.getStaffRole("brand-b", member(1))).toBeNull();
      });

      it("lists a brand's staff only, oldest first; removes only on the brand named", async () => {
        await store.putStaff({ brandId: "brand-a", address: member(2), role: "manager", addedBy: OWNER, addedAt: at(5) });
        await store.putStaff({ brandId: "brand-a", address: member(1), role: "till", addedBy: OWNER, addedAt: at(4) });
        await store.putStaff({ brandId: "brand-b", address: member(3), role: "till", addedBy: OWNER, addedAt: at(1) });
        expect((await store.listStaff("brand-a")).map((s) => [s.address, s.role])).toEqual([[member(1), "till"], [member(2), "manager"]]);
        expect(await store.removeStaff("brand-b", member(1))).toBe(false);
        expect(await store.removeStaff("brand-a", member(1))).toBe(true);
        expect(await store.removeStaff("brand-a", member(1))).toBe(false);
        expect((await store.listStaff("brand-a")).map((s) => s.address)).toEqual([member(2)]);
        expect(await store.listStaff("nobody")).toEqual([]);
      });

      it("refuses owner as a listed role, bad addresses, and brands that do not exist", async () => {
        const base = { brandId: "brand-a", address: member(1), role: "till" as const, addedBy: OWNER, addedAt: at(1) };
        await expect(store.putStaff({ ...base, role: "owner" as never })).rejects.toThrow(/role/);
        await expect(store.putStaff({ ...base, address: "0x123" as Address })).rejects.toThrow(/address/);
        await expect(store.putStaff({ ...base, addedAt: "yesterday" })).rejects.toThrow(/addedAt/);
        await expect(store.putStaff({ ...base, brandId: "ghost" })).rejects.toThrow();
        expect(await store.listStaff("ghost")).toEqual([]);
      });
    });

    describe("what the console reads", () => {
      let seq = 0;
      async function take(offerId: string, kind: OfferKind, who: number, when: number) {
        seq++;
        const result = await store.take({ offerId, kind, member: member(who), idempotencyKey: `k-${seq}`, id: `t-${seq}`, code: kind === "perk" ? `CODE-${seq}` : null, policy: (kind === "perk" ? perkKind : dropKind).takes, now: at(when) });
        if (result.status !== "created") throw new Error(JSON.stringify(result));
        return result.take;
      }
      async function settle(id: string, status: "minted" | "issued" | "failed" | "expired", when: number) {
        await store.completeTake(id, { status, ...(status === "failed" ? { error: { code: "mint_failed", message: "reverted" } } : {}), now: at(when) });
      }

      it("counts a brand's counted redemptions and claims per UTC day from `since`, its busiest perks, and members", async () => {
        for (const o of [offer("p1", "perk", "brand-a", "Espresso"), offer("p2", "perk", "brand-a", "Croissant"), offer("p3", "perk"), offer("d1", "drop"), offer("pb", "perk", "brand-b")]) {
          expect((await store.createOffer(o, ROOMY)).status).toBe("created");
        }
        // Before the window: not counted.
        await take("p1", "perk", 1, -3 * DAY);
        // Day 0 (2026-11-20): two redemptions of p1, one of p2, a claim, a failed claim (not counted).
        await take("p1", "perk", 1, 10);
        await take("p1", "perk", 2, DAY - 1);
        await take("p2", "perk", 3, 20);
        await take("d1", "drop", 1, 30);
        await settle((await take("d1", "drop", 4, 40)).id, "failed", 50);
        // Day 2: one of p2, one of p3, a minted claim; and another brand's.
        await take("p2", "perk", 1, 2 * DAY);
        await take("p3", "perk", 1, 2 * DAY + 5);
        await settle((await take("d1", "drop", 2, 2 * DAY + 6)).id, "minted", 2 * DAY + 7);
        await take("pb", "perk", 9, 2 * DAY + 8);
        // A deleted perk keeps its redemptions and its title.
        expect(await store.deleteOffer("brand-a", "p3", at(2 * DAY + 9))).toBe(true);
        for (let i = 1; i <= 3; i++) await store.recordSignIn({ member: member(i), invitation: null, now: at(i) });

        const activity = await store.brandActivity("brand-a", at(0), 2, KINDS);
        expect(activity.days).toEqual([
          { date: "2026-11-20", takes: { perk: 3, drop: 1 } },
          { date: "2026-11-22", takes: { perk: 2, drop: 1 } },
        ]);
        expect(activity.busiest).toEqual({
          perk: [
            { id: "p1", title: "Espresso", takes: 2 },
            { id: "p2", title: "Croissant", takes: 2 },
          ],
        });
        // Member 4 only failed to claim: still active (they came); member 9 is another brand's.
        expect(activity).toMatchObject({ signedIn: 3, active: 4 });
        expect((await store.brandActivity("brand-a", at(2 * DAY), 5, KINDS)).busiest).toEqual({
          perk: [
            { id: "p2", title: "Croissant", takes: 1 },
            { id: "p3", title: "Offer p3", takes: 1 },
          ],
        });
        expect(await store.brandActivity("brand-b", at(3 * DAY), 5, KINDS)).toEqual({ signedIn: 3, active: 0, days: [], busiest: { perk: [] } });
        expect(await store.offerTitle("p3")).toBe("Offer p3");
        expect(await store.offerTitle("nope")).toBeNull();
        await expect(store.brandActivity("brand-a", "today", 5, KINDS)).rejects.toThrow(/since/);
        await expect(store.brandActivity("brand-a", at(0), 5, [{ kind: "perk'--", counted: ["redeemed"], ranked: false }])).rejects.toThrow(/kind/);
      });

      it("lists the most recently first-seen members first, and counts them all", async () => {
        for (const [i, when] of [[1, 30], [2, 10], [3, 20], [4, 20]] as const) await store.recordSignIn({ member: member(i), invitation: null, now: at(when) });
        // Signing in again does not make a member newer.
        await store.recordSignIn({ member: member(2), invitation: null, now: at(99) });
        expect(await store.recentMembers(3)).toEqual({ addresses: [member(1), member(4), member(3)], total: 4 });
        expect(await store.recentMembers(500)).toEqual({ addresses: [member(1), member(4), member(3), member(2)], total: 4 });
        await expect(store.recentMembers(0)).rejects.toThrow(/limit/);
      });
    });
  });
};
