/**
 * The store contract: A brand's quotas of offers and of the tokens they name, checked as offers are created and changed.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { OfferQuota } from "../../offers/types.ts";
import type { Store } from "../store.ts";
import { at, collection, freshStorePerTest, holding, KINDS, MINUTE, offerInput, otherKind, type StoreContract, storeFixtures, tally, updated } from "./fixtures.ts";

export const offerQuotaContract: StoreContract = (open) => {
  let store!: Store;
  freshStorePerTest(open, (opened) => ({ store } = opened));
  const { brands, createOffer } = storeFixtures(() => store);

  describe("offer quotas", () => {
    beforeEach(brands);

    for (const kind of KINDS) {
      describe(`creating a ${kind}`, () => {
        it("quota.offers bounds the brand's live offers of that kind; the other kind and other brands count apart", async () => {
          const quota: OfferQuota = { offers: 2, tokens: 100 };
          await createOffer(offerInput(kind, { id: "o1" }), quota);
          await createOffer(offerInput(kind, { id: "o2" }), quota);
          expect(await store.createOffer(offerInput(kind, { id: "o3" }), quota)).toEqual({ status: "quota_exceeded", quota: "offers", limit: 2 });
          expect(await store.getOffer("o3")).toBeNull();
          expect((await store.listOffers({ kind })).map((o) => o.id)).toEqual(["o2", "o1"]);

          // The other kind and brand B have their own counts.
          await createOffer(offerInput(otherKind(kind), { id: "x1" }), quota);
          await createOffer(offerInput(otherKind(kind), { id: "x2" }), quota);
          await createOffer(offerInput(kind, { id: "b1", brandId: "brand-b" }), quota);
          await createOffer(offerInput(kind, { id: "b2", brandId: "brand-b" }), quota);

          // Deleting one frees a place.
          expect(await store.deleteOffer("brand-a", "o1", at(MINUTE))).toBe(true);
          await createOffer(offerInput(kind, { id: "o3" }), quota);
          expect(await store.createOffer(offerInput(kind, { id: "o4" }), quota)).toEqual({ status: "quota_exceeded", quota: "offers", limit: 2 });
          expect((await store.listOffers({ kind, brandId: "brand-a" })).map((o) => o.id)).toEqual(["o3", "o2"]);
        });

        it("quota.offers of 0 refuses every offer", async () => {
          expect(await store.createOffer(offerInput(kind), { offers: 0, tokens: 100 })).toEqual({ status: "quota_exceeded", quota: "offers", limit: 0 });
          expect(await store.listOffers()).toEqual([]);
        });

        it("quota.tokens bounds the distinct holding keys all the brand's live offers read, both kinds together", async () => {
          const quota: OfferQuota = { offers: 100, tokens: 3 };
          const k = (n: number) => holding(collection, n);
          await createOffer(offerInput(kind, { id: "o1", tokens: [k(1), k(2)] }), quota);
          await createOffer(offerInput(otherKind(kind), { id: "x1", tokens: [k(2), k(3)] }), quota);
          // Keys another offer already reads cost nothing, in any case.
          await createOffer(offerInput(kind, { id: "o2", tokens: [k(1).toUpperCase().replace("0X", "0x"), k(3)] }), quota);
          // No keys at all: nothing to count.
          await createOffer(offerInput(kind, { id: "o3", rule: null, tokens: [] }), quota);
          // A fourth key is one too many, whatever kind asks.
          expect(await store.createOffer(offerInput(kind, { id: "o4", tokens: [k(4)] }), quota)).toEqual({ status: "quota_exceeded", quota: "tokens", limit: 3 });
          expect(await store.createOffer(offerInput(otherKind(kind), { id: "x2", tokens: [k(1), k(4)] }), quota)).toEqual({
            status: "quota_exceeded",
            quota: "tokens",
            limit: 3,
          });
          expect(await store.getOffer("o4")).toBeNull();
          expect(await store.getOffer("x2")).toBeNull();
          // Brand B has its own keys.
          await createOffer(offerInput(kind, { id: "b1", brandId: "brand-b", tokens: [k(4), k(5), k(6)] }), quota);

          // Deleted offers free their keys; x1's are still read by o1 and o2.
          await store.deleteOffer("brand-a", "x1", at(MINUTE));
          expect((await store.createOffer(offerInput(kind, { id: "o4", tokens: [k(4)] }), quota)).status).toBe("quota_exceeded");
          await store.deleteOffer("brand-a", "o1", at(MINUTE));
          // Only o2 reads 1 and 3 now; key 2 is free.
          expect((await store.createOffer(offerInput(kind, { id: "o4", tokens: [k(4)] }), quota)).status).toBe("created");
        });

        it("quota.tokens of 0 still lets through offers that read no tokens", async () => {
          const quota: OfferQuota = { offers: 100, tokens: 0 };
          expect((await store.createOffer(offerInput(kind, { rule: null, tokens: [] }), quota)).status).toBe("created");
          expect(await store.createOffer(offerInput(kind, { id: "offer-2" }), quota)).toEqual({ status: "quota_exceeded", quota: "tokens", limit: 0 });
        });

        it("concurrent creates at the bound: exactly the allowed number succeed", async () => {
          const byOffers = await Promise.all(
            Array.from({ length: 30 }, (_, i) => store.createOffer(offerInput(kind, { id: `o${i}`, tokens: [] }), { offers: 5, tokens: 100 })),
          );
          expect(tally(byOffers)).toEqual({ created: 5, quota_exceeded: 25 });
          expect(await store.listOffers({ kind })).toHaveLength(5);

          const byTokens = await Promise.all(
            Array.from({ length: 30 }, (_, i) =>
              store.createOffer(offerInput(kind, { id: `t${i}`, brandId: "brand-b", tokens: [holding(collection, i)] }), { offers: 100, tokens: 7 }),
            ),
          );
          expect(tally(byTokens)).toEqual({ created: 7, quota_exceeded: 23 });
          const tokens = (await store.listOffers({ brandId: "brand-b" })).flatMap((o) => o.tokens);
          expect(new Set(tokens).size).toBe(7);
        });
      });

      describe(`updating a ${kind}`, () => {
        it("checks new tokens leaving out the offer's own current ones, and changes nothing when over", async () => {
          const quota: OfferQuota = { offers: 100, tokens: 3 };
          const k = (n: number) => holding(collection, n);
          const a = await createOffer(offerInput(kind, { id: "a", tokens: [k(1), k(2), k(3)] }), quota);
          // At the bound: swapping one of its own keys for a new one is fine.
          const swapped = updated(await store.updateOffer("brand-a", "a", { tokens: [k(1), k(2), k(4)], updatedAt: at(MINUTE) }, quota));
          expect(swapped.tokens).toEqual([k(1), k(2), k(4)]);

          // Another offer, of the other kind, reads key 1 (already counted: it costs nothing).
          await createOffer(offerInput(otherKind(kind), { id: "x", tokens: [k(1)] }), quota);
          // a's new keys 2, 5 and 6 with x's 1 would make four.
          const over = await store.updateOffer("brand-a", "a", { title: "not applied", tokens: [k(2), k(5), k(6)], updatedAt: at(2 * MINUTE) }, quota);
          expect(over).toEqual({ status: "quota_exceeded", quota: "tokens", limit: 3 });
          expect(await store.getOffer("a")).toEqual({ ...a, tokens: [k(1), k(2), k(4)], updatedAt: at(MINUTE) });
          // Reading x's key costs nothing: 1, 5 and 6 make three.
          expect(updated(await store.updateOffer("brand-a", "a", { tokens: [k(1), k(5), k(6)], updatedAt: at(3 * MINUTE) }, quota)).tokens).toEqual([k(1), k(5), k(6)]);
          // And a's old keys 2 and 4 are free again for a new offer.
          expect((await store.createOffer(offerInput(kind, { id: "b", tokens: [k(2)] }), quota)).status).toBe("quota_exceeded");
          await store.updateOffer("brand-a", "a", { tokens: [k(1)], updatedAt: at(4 * MINUTE) }, quota);
          expect((await store.createOffer(offerInput(kind, { id: "b", tokens: [k(2), k(4)] }), quota)).status).toBe("created");
        });

        it("does not check a patch that leaves the tokens alone, and lets one over a lowered bound read fewer, never more", async () => {
          await createOffer(offerInput(kind, { tokens: [holding(collection, 1), holding(collection, 2)] }));
          const result = updated(await store.updateOffer("brand-a", "offer-1", { title: "Renamed", rule: { type: "any" }, updatedAt: at(MINUTE) }, { offers: 0, tokens: 0 }));
          expect(result.title).toBe("Renamed");
          expect(result.tokens).toEqual([holding(collection, 1), holding(collection, 2)]);
          // Over the bound, a change may not read more token types than before, but it may read fewer.
          expect(await store.updateOffer("brand-a", "offer-1", { tokens: [3, 4, 5].map((id) => holding(collection, id)), updatedAt: at(2 * MINUTE) }, { offers: 0, tokens: 0 })).toEqual({
            status: "quota_exceeded",
            quota: "tokens",
            limit: 0,
          });
          expect(await store.getOffer("offer-1")).toEqual(result);
          const trimmed = updated(await store.updateOffer("brand-a", "offer-1", { tokens: [holding(collection, 3)], updatedAt: at(3 * MINUTE) }, { offers: 0, tokens: 0 }));
          expect(trimmed.tokens).toEqual([holding(collection, 3)]);
        });
      });
    }
  });
};
