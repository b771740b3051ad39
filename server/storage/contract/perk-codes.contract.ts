/**
 * The store contract: What only perks' takes do: a redemption code, consumed once at a till of the brand's.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { StoreInputError } from "../errors.ts";
import type { Store } from "../store.ts";
import { ALICE, at, BOB, created, freshStorePerTest, HOUR, member, MINUTE, offerInput, policyOf, type StoreContract, storeFixtures, takeInput, tally, TX } from "./fixtures.ts";

export const perkCodeContract: StoreContract = (open) => {
  let store!: Store;
  freshStorePerTest(open, (opened) => ({ store } = opened));
  const { brands, createOffer, patchOffer, takeIds } = storeFixtures(() => store);

  describe("takes of perks: codes", () => {
    beforeEach(async () => {
      await brands();
      await createOffer(offerInput("perk"));
    });

    it("counts every redemption against the limits, consumed ones included", async () => {
      await patchOffer("offer-1", { limits: { perMember: 1, total: 2 }, updatedAt: at(0) });
      const r = created(await store.take(takeInput("perk", { member: member(1) })));
      await store.consumeCode("brand-a", r.code!, at(MINUTE));
      expect(await store.take(takeInput("perk", { member: member(1) }))).toEqual({ status: "member_limit_reached", limit: 1 });
      created(await store.take(takeInput("perk", { member: member(2) })));
      expect(await store.take(takeInput("perk", { member: member(3) }))).toEqual({ status: "total_limit_reached", limit: 2 });
      expect(await store.memberTakeCounts("perk", member(1), policyOf("perk").counted)).toEqual(new Map([["offer-1", 1]]));
    });

    it("rejects a duplicate code without recording anything, across brands too", async () => {
      await createOffer(offerInput("perk", { id: "perk-b", brandId: "brand-b" }));
      created(await store.take(takeInput("perk", { code: "SAME" })));
      await expect(store.take(takeInput("perk", { member: BOB, code: "SAME", idempotencyKey: "bob-key" }))).rejects.toThrow();
      await expect(store.take(takeInput("perk", { offerId: "perk-b", member: BOB, code: "SAME" }))).rejects.toThrow();
      expect((await store.listTakes({ kind: "perk", limit: 10 })).items).toHaveLength(1);
      expect(await store.findTake("perk", BOB, "bob-key")).toBeNull();
    });

    it("consumes a code once", async () => {
      const r = created(await store.take(takeInput("perk", { code: "ABCD-EFGH" })));
      const consumed = { ...r, consumedAt: at(HOUR), updatedAt: at(HOUR) };
      expect(await store.consumeCode("brand-a", "ABCD-EFGH", at(HOUR))).toEqual({ status: "consumed", take: consumed });
      expect(await store.consumeCode("brand-a", "ABCD-EFGH", at(2 * HOUR))).toEqual({ status: "already_consumed", take: consumed });
      expect(await store.getTake(r.id)).toEqual(consumed);
    });

    it("treats another brand's code and unknown codes as not found", async () => {
      const r = created(await store.take(takeInput("perk")));
      expect(await store.consumeCode("brand-b", r.code!, at(HOUR))).toEqual({ status: "not_found" });
      expect(await store.consumeCode("brand-a", "nope", at(HOUR))).toEqual({ status: "not_found" });
      expect(await store.getTake(r.id)).toEqual(r);
      expect((await store.consumeCode("brand-a", r.code!, at(HOUR))).status).toBe("consumed");
      await expect(store.consumeCode("brand-a", r.code!, "later")).rejects.toBeInstanceOf(StoreInputError);
    });

    it("still consumes codes of a deleted perk", async () => {
      const r = created(await store.take(takeInput("perk")));
      await store.deleteOffer("brand-a", "offer-1", at(2 * MINUTE));
      expect((await store.listTakes({ kind: "perk", limit: 10, offerId: "offer-1" })).items).toEqual([r]);
      expect((await store.consumeCode("brand-a", r.code!, at(HOUR))).status).toBe("consumed");
    });

    it("shows consumption on a replay", async () => {
      const first = created(await store.take(takeInput("perk", { idempotencyKey: "same" })));
      await store.consumeCode("brand-a", first.code!, at(2 * MINUTE));
      expect(await store.take(takeInput("perk", { idempotencyKey: "same", now: at(HOUR) }))).toEqual({
        status: "replayed",
        take: { ...first, consumedAt: at(2 * MINUTE), updatedAt: at(2 * MINUTE) },
      });
    });

    it("lets exactly one of many concurrent tills consume a code", async () => {
      const r = created(await store.take(takeInput("perk")));
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => store.consumeCode("brand-a", r.code!, at(i))));
      expect(tally(results)).toEqual({ consumed: 1, already_consumed: 49 });
    });

    it("filters by consumption", async () => {
      const a1 = created(await store.take(takeInput("perk", { now: at(1) })));
      const a2 = created(await store.take(takeInput("perk", { member: BOB, now: at(2) })));
      await store.consumeCode("brand-a", a2.code!, at(4));
      expect(await takeIds({ kind: "perk", consumed: true })).toEqual([a2.id]);
      expect(await takeIds({ kind: "perk", consumed: false })).toEqual([a1.id]);
      expect(await takeIds({ kind: "perk", brandId: "brand-a", consumed: true, member: BOB })).toEqual([a2.id]);
      expect(await takeIds({ kind: "perk", consumed: true, member: ALICE })).toEqual([]);
    });

    it("never records a transaction on a redeemed take, nor completes it", async () => {
      const r = created(await store.take(takeInput("perk")));
      expect(await store.recordTakeTx(r.id, { hash: TX, raw: "0x02" }, at(HOUR))).toBeNull();
      for (const status of ["minted", "issued", "failed", "expired"] as const) {
        expect(await store.completeTake(r.id, { status, now: at(HOUR) })).toBeNull();
      }
      expect(await store.getTake(r.id)).toEqual(r);
    });
  });
};
