/**
 * The store contract: Offers of each kind: created, read, listed, changed and deleted within a brand.
 *
 * Offers behave the same for both kinds (perks and drops) except for what they yield, so this is
 * written once and run for each kind.
 */
import type { Address } from "viem";
import { beforeEach, describe, expect, it } from "vitest";
import type { NewOffer, Offer, OfferKind, OfferPatch, Reward } from "../../offers/types.ts";
import { StoreInputError } from "../errors.ts";
import type { Store } from "../store.ts";
import { at, COLLECTION, collection, freshStorePerTest, holding, HOUR, KINDS, MINUTE, offerInput, OTHER_COLLECTION, otherKind, rewardFor, ROOMY, type StoreContract, storeFixtures, T0 } from "./fixtures.ts";

export const offerContract: StoreContract = (open) => {
  let store!: Store;
  freshStorePerTest(open, (opened) => ({ store } = opened));
  const { brands, createOffer, patchOffer } = storeFixtures(() => store);

  for (const kind of KINDS) {
    describe(`offers of kind ${kind}`, () => {
      beforeEach(brands);

      it("creates an offer and reads it back (addresses and tokens lowercased and de-duplicated, rule as JSON)", async () => {
        const input = offerInput(kind, {
          rule: { type: "all", rules: [{ type: "holds", collection: COLLECTION, tokenId: "7" }, { not: null }], note: "ü €", n: 1.5 },
          tokens: [`${COLLECTION}:7`, holding(collection, 7), `${OTHER_COLLECTION}:8`],
          limits: { perMember: 1, total: 100 },
          startsAt: at(0),
          endsAt: at(HOUR),
        });
        const result = await store.createOffer(input, ROOMY);
        const expected: Offer = { ...input, tokens: [holding(collection, 7), holding(OTHER_COLLECTION, 8)], updatedAt: input.createdAt };
        expect(result).toEqual({ status: "created", offer: expected });
        expect(await store.getOffer("offer-1")).toEqual(expected);
        expect(await store.getOffer("missing")).toBeNull();
      });

      it("keeps a null rule and no tokens: any signed-in member", async () => {
        const open = await createOffer(offerInput(kind, { rule: null, tokens: [] }));
        expect(open.rule).toBeNull();
        expect(open.tokens).toEqual([]);
        expect(await store.getOffer("offer-1")).toEqual(open);
      });

      it("stores any JSON value as the rule", async () => {
        for (const [i, rule] of [null, 0, "text", [1, [2]], { deep: { deeper: [true] } }].entries()) {
          const offer = await createOffer(offerInput(kind, { id: `o${i}`, rule }));
          expect(offer.rule).toEqual(rule);
          expect((await store.getOffer(`o${i}`))?.rule).toEqual(rule);
        }
      });

      it("hands back the rule as it will read it back, not the caller's object", async () => {
        const rule = { type: "holds", when: new Date(T0), skip: undefined };
        const offer = await createOffer(offerInput(kind, { rule }));
        expect(offer.rule).toEqual({ type: "holds", when: at(0) });
        expect((await store.getOffer("offer-1"))?.rule).toEqual(offer.rule);
      });

      it("refuses malformed offers, writing nothing", async () => {
        const bad: Partial<NewOffer>[] = [
          { kind: "Not a kind!" as OfferKind },
          { kind: undefined },
          { reward: undefined },
          { reward: null as unknown as Reward },
          { reward: { type: "cash" } as unknown as Reward },
          { reward: { type: "token", collection: "0xnot-an-address" as Address, tokenId: "1", amount: "1", mode: "mint" } },
          { reward: { type: "token", collection, tokenId: "-1", amount: "1", mode: "mint" } },
          { reward: { type: "token", collection, tokenId: "01", amount: "1", mode: "mint" } },
          { reward: { type: "token", collection, tokenId: 3 as unknown as string, amount: "1", mode: "mint" } },
          { reward: { type: "token", collection, tokenId: (2n ** 256n).toString(), amount: "1", mode: "mint" } },
          { reward: { type: "token", collection, tokenId: "1", amount: "0", mode: "mint" } },
          { reward: { type: "token", collection, tokenId: "1", amount: "1", mode: "airdrop" as "mint" } },
          { tokens: "0xabc:1" as unknown as string[] },
          { tokens: ["0xnot-an-address:1"] },
          { tokens: [collection] },
          { tokens: [`${collection}:01`] },
          { tokens: [`${collection}:-1`] },
          { tokens: [`${collection}:1`, 1 as unknown as string] },
          { limits: { perMember: -1, total: null } },
          { limits: { perMember: 1.5, total: null } },
          { limits: { perMember: null, total: Number.NaN } },
          { limits: { perMember: null } as unknown as NewOffer["limits"] },
          { limits: null as unknown as NewOffer["limits"] },
          { rule: undefined },
          { rule: 10n },
          { startsAt: at(HOUR), endsAt: at(HOUR) },
          { startsAt: at(HOUR), endsAt: at(0) },
          { startsAt: "2025-06-01" },
          { endsAt: "later" },
          { createdAt: "2025-06-01T12:00:00Z" },
          { id: "" },
          { id: "x".repeat(257) },
          { brandId: "" },
          { title: 5 as unknown as string },
          { description: null as unknown as string },
        ];
        for (const overrides of bad) {
          await expect(store.createOffer(offerInput(kind, overrides), ROOMY), String(Object.keys(overrides))).rejects.toBeInstanceOf(StoreInputError);
        }
        await expect(store.createOffer(offerInput(kind, { brandId: "ghost" }), ROOMY)).rejects.toThrow();
        expect(await store.listOffers()).toEqual([]);
      });

      it("refuses a duplicate id, whatever its kind", async () => {
        await createOffer(offerInput(kind));
        await expect(store.createOffer(offerInput(otherKind(kind)), ROOMY)).rejects.toThrow();
        await expect(store.createOffer(offerInput(kind, { brandId: "brand-b" }), ROOMY)).rejects.toThrow();
        expect((await store.listOffers()).map((o) => `${o.id}/${o.kind}/${o.brandId}`)).toEqual([`offer-1/${kind}/brand-a`]);
      });

      it("lists live offers newest first, by kind and by brand", async () => {
        await createOffer(offerInput(kind, { id: "a1", createdAt: at(1) }));
        await createOffer(offerInput(kind, { id: "a2", createdAt: at(3) }));
        await createOffer(offerInput(kind, { id: "b1", brandId: "brand-b", createdAt: at(2) }));
        await createOffer(offerInput(otherKind(kind), { id: "x1", createdAt: at(4) }));
        expect((await store.listOffers({ kind })).map((o) => o.id)).toEqual(["a2", "b1", "a1"]);
        expect((await store.listOffers({ kind, brandId: "brand-a" })).map((o) => o.id)).toEqual(["a2", "a1"]);
        expect((await store.listOffers({ kind, brandId: "brand-b" })).map((o) => o.id)).toEqual(["b1"]);
        expect((await store.listOffers({ kind: otherKind(kind) })).map((o) => o.id)).toEqual(["x1"]);
        expect((await store.listOffers()).map((o) => o.id)).toEqual(["x1", "a2", "b1", "a1"]);
        expect((await store.listOffers({ brandId: "brand-a" })).map((o) => o.id)).toEqual(["x1", "a2", "a1"]);
        expect(await store.listOffers({ kind, brandId: "nobody" })).toEqual([]);
        for (const offer of await store.listOffers({ kind })) expect(offer).toEqual(await store.getOffer(offer.id));
      });

      it("updates only the given fields, merging limits", async () => {
        const original = await createOffer(offerInput(kind, { limits: { perMember: 1, total: 10 } }));
        const first = await store.updateOffer("brand-a", "offer-1", { title: "Two of them", limits: { total: 20 }, updatedAt: at(MINUTE) }, ROOMY);
        const expected: Offer = { ...original, title: "Two of them", limits: { perMember: 1, total: 20 }, updatedAt: at(MINUTE) };
        expect(first).toEqual({ status: "updated", offer: expected });
        expect(await store.getOffer("offer-1")).toEqual(expected);

        const again = await patchOffer("offer-1", {
          description: "",
          rule: { type: "any", rules: [] },
          tokens: [`${OTHER_COLLECTION.toUpperCase().replace("0X", "0x")}:2`, `${OTHER_COLLECTION}:2`],
          limits: { perMember: null },
          startsAt: at(0),
          endsAt: at(HOUR),
          updatedAt: at(2 * MINUTE),
        });
        const expectedAgain: Offer = {
          ...expected,
          description: "",
          rule: { type: "any", rules: [] },
          tokens: [holding(OTHER_COLLECTION, 2)],
          limits: { perMember: null, total: 20 },
          startsAt: at(0),
          endsAt: at(HOUR),
          updatedAt: at(2 * MINUTE),
        };
        expect(again).toEqual(expectedAgain);
        expect(await store.getOffer("offer-1")).toEqual(expectedAgain);

        const cleared = await patchOffer("offer-1", { startsAt: null, rule: null, updatedAt: at(3 * MINUTE) });
        expect(cleared).toEqual({ ...expectedAgain, startsAt: null, rule: null, updatedAt: at(3 * MINUTE) });
        expect(await store.getOffer("offer-1")).toEqual(cleared);
        // A new rule alone leaves the tokens as they were: the caller sends both when both change.
        expect(cleared.tokens).toEqual([holding(OTHER_COLLECTION, 2)]);
      });

      it("never changes an offer's kind or reward through a patch", async () => {
        const original = await createOffer(offerInput(kind));
        const sneaky = {
          title: "Renamed",
          kind: otherKind(kind),
          reward: rewardFor(otherKind(kind)),
          brandId: "brand-b",
          createdAt: at(HOUR),
          updatedAt: at(MINUTE),
        } as OfferPatch;
        const result = await patchOffer("offer-1", sneaky);
        expect(result).toEqual({ ...original, title: "Renamed", updatedAt: at(MINUTE) });
        expect(await store.getOffer("offer-1")).toEqual(result);
        expect((await store.listOffers({ kind: otherKind(kind) })).map((o) => o.id)).toEqual([]);
      });

      it("refuses an update that would leave an empty window or malformed fields, changing nothing", async () => {
        const offer = await createOffer(offerInput(kind, { startsAt: at(0), endsAt: at(HOUR) }));
        const bad: OfferPatch[] = [
          { endsAt: at(0), updatedAt: at(1) },
          { startsAt: at(HOUR), updatedAt: at(1) },
          { startsAt: at(2 * HOUR), endsAt: at(HOUR), updatedAt: at(1) },
          { startsAt: "soon", updatedAt: at(1) },
          { limits: { total: -5 }, updatedAt: at(1) },
          { limits: { perMember: 0.5 }, updatedAt: at(1) },
          { limits: null as unknown as OfferPatch["limits"], updatedAt: at(1) },
          { tokens: ["nope"], updatedAt: at(1) },
          { rule: 1n, updatedAt: at(1) },
          { title: 7 as unknown as string, updatedAt: at(1) },
          { title: "ok", updatedAt: "now" },
        ];
        for (const patch of bad) {
          await expect(store.updateOffer("brand-a", "offer-1", patch, ROOMY), String(Object.keys(patch))).rejects.toBeInstanceOf(StoreInputError);
        }
        expect(await store.getOffer("offer-1")).toEqual(offer);
      });

      it("soft-deletes an offer", async () => {
        await createOffer(offerInput(kind));
        await createOffer(offerInput(kind, { id: "offer-2" }));
        expect(await store.deleteOffer("brand-a", "offer-1", at(MINUTE))).toBe(true);
        expect(await store.getOffer("offer-1")).toBeNull();
        expect((await store.listOffers({ kind })).map((o) => o.id)).toEqual(["offer-2"]);
        expect((await store.listOffers()).map((o) => o.id)).toEqual(["offer-2"]);
        expect(await store.deleteOffer("brand-a", "offer-1", at(MINUTE))).toBe(false);
        expect(await store.updateOffer("brand-a", "offer-1", { title: "back?", updatedAt: at(2 * MINUTE) }, ROOMY)).toEqual({ status: "not_found" });
        expect(await store.deleteOffer("brand-a", "missing", at(MINUTE))).toBe(false);
        await expect(store.deleteOffer("brand-a", "offer-2", "now")).rejects.toBeInstanceOf(StoreInputError);
        expect(await store.getOffer("offer-2")).not.toBeNull();
      });

      it("keeps brand B away from brand A's offers", async () => {
        const offer = await createOffer(offerInput(kind));
        expect(await store.updateOffer("brand-b", "offer-1", { title: "hijacked", updatedAt: at(MINUTE) }, ROOMY)).toEqual({ status: "not_found" });
        expect(await store.deleteOffer("brand-b", "offer-1", at(MINUTE))).toBe(false);
        expect(await store.listOffers({ kind, brandId: "brand-b" })).toEqual([]);
        expect(await store.getOffer("offer-1")).toEqual(offer);
      });

      it("answers not_found for an update of a missing offer", async () => {
        expect(await store.updateOffer("brand-a", "missing", { title: "x", updatedAt: at(MINUTE) }, ROOMY)).toEqual({ status: "not_found" });
      });
    });
  }
};
