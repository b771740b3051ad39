/**
 * The store contract: Collections a brand registers, once per signed nonce.
 */
import type { Address } from "viem";
import { beforeEach, describe, expect, it } from "vitest";
import type { RegisterCollectionInput } from "../../brands/types.ts";
import { StoreInputError } from "../errors.ts";
import type { Store } from "../store.ts";
import { ALICE, alice, at, BOB, COLLECTION, collection, freshStorePerTest, HOUR, MINUTE, OTHER_COLLECTION, registration, type StoreContract, storeFixtures, tally } from "./fixtures.ts";

export const collectionContract: StoreContract = (open) => {
  let store!: Store;
  freshStorePerTest(open, (opened) => ({ store } = opened));
  const { brands } = storeFixtures(() => store);

  describe("collections", () => {
    beforeEach(brands);

    it("registers a collection to a brand, addresses lowercased", async () => {
      const result = await store.registerCollection(registration({ collection: COLLECTION, admin: ALICE, now: at(MINUTE) }));
      const record = { collection, brandId: "brand-a", admin: alice, registeredAt: at(MINUTE) };
      expect(result).toEqual({ status: "registered", collection: record });
      expect(await store.listCollections({ brandId: "brand-a" })).toEqual([record]);
    });

    it("answers the owner already_registered and another brand taken (naming the owner), changing nothing", async () => {
      const first = await store.registerCollection(registration({ now: at(MINUTE) }));
      const record = { collection, brandId: "brand-a", admin: alice, registeredAt: at(MINUTE) };
      expect(first).toEqual({ status: "registered", collection: record });
      // A new signature by the same brand, even with another admin and the address in another case.
      expect(await store.registerCollection(registration({ collection, admin: BOB, now: at(HOUR) }))).toEqual({
        status: "already_registered",
        collection: record,
      });
      expect(await store.registerCollection(registration({ brandId: "brand-b", admin: BOB, now: at(HOUR) }))).toEqual({
        status: "taken",
        brandId: "brand-a",
      });
      expect(await store.listCollections()).toEqual([record]);
    });

    it("answers replayed to a used nonce, for any brand, whatever the nonce's first outcome was", async () => {
      expect((await store.registerCollection(registration({ nonce: "n1" }))).status).toBe("registered");
      expect(await store.registerCollection(registration({ nonce: "n1" }))).toEqual({ status: "replayed" });
      expect(await store.registerCollection(registration({ nonce: "n1", brandId: "brand-b", collection: OTHER_COLLECTION }))).toEqual({
        status: "replayed",
      });
      // Nothing was registered by the replays.
      expect(await store.listCollections({ brandId: "brand-b" })).toEqual([]);

      // A nonce whose registration was already_registered or taken is used up all the same.
      expect((await store.registerCollection(registration({ nonce: "n2" }))).status).toBe("already_registered");
      expect(await store.registerCollection(registration({ nonce: "n2" }))).toEqual({ status: "replayed" });
      expect((await store.registerCollection(registration({ nonce: "n3", brandId: "brand-b" }))).status).toBe("taken");
      expect(await store.registerCollection(registration({ nonce: "n3", brandId: "brand-b", collection: OTHER_COLLECTION }))).toEqual({
        status: "replayed",
      });
      expect(await store.listCollections({ brandId: "brand-b" })).toEqual([]);
    });

    it("keeps registration nonces apart from sign-in nonces of the same text", async () => {
      expect(await store.useNonce("shared-text", at(HOUR))).toBe(true);
      expect((await store.registerCollection(registration({ nonce: "shared-text" }))).status).toBe("registered");
      expect((await store.registerCollection(registration({ nonce: "other-text", collection: OTHER_COLLECTION }))).status).toBe("registered");
      expect(await store.useNonce("other-text", at(HOUR))).toBe(true);
      // Each is still used in its own namespace.
      expect(await store.useNonce("shared-text", at(HOUR))).toBe(false);
      expect(await store.registerCollection(registration({ nonce: "other-text" }))).toEqual({ status: "replayed" });
    });

    it("lists collections oldest first, one brand's or every brand's", async () => {
      const c = (n: number): Address => `0x${n.toString(16).padStart(40, "c")}`;
      await store.registerCollection(registration({ collection: c(1), now: at(3) }));
      await store.registerCollection(registration({ collection: c(2), brandId: "brand-b", now: at(1) }));
      await store.registerCollection(registration({ collection: c(3), now: at(2) }));
      expect((await store.listCollections()).map((x) => x.collection)).toEqual([c(2), c(3), c(1)]);
      expect((await store.listCollections({ brandId: "brand-a" })).map((x) => x.collection)).toEqual([c(3), c(1)]);
      expect(await store.listCollections({ brandId: "brand-b" })).toEqual([
        { collection: c(2), brandId: "brand-b", admin: alice, registeredAt: at(1) },
      ]);
      expect(await store.listCollections({ brandId: "nobody" })).toEqual([]);
    });

    it("refuses an unknown brand, registering nothing", async () => {
      await expect(store.registerCollection(registration({ brandId: "ghost", nonce: "ghost-nonce" }))).rejects.toThrow();
      expect(await store.listCollections()).toEqual([]);
    });

    it("refuses malformed registrations", async () => {
      const bad: Partial<RegisterCollectionInput>[] = [
        { collection: "0xnot-an-address" as Address },
        { admin: "admin" as Address },
        { nonce: "" },
        { nonce: "n".repeat(257) },
        { brandId: "" },
        { nonceExpiresAt: "soon" },
        { now: "2025-06-01" },
      ];
      for (const overrides of bad) {
        await expect(store.registerCollection(registration(overrides)), JSON.stringify(overrides)).rejects.toBeInstanceOf(StoreInputError);
      }
      expect(await store.listCollections()).toEqual([]);
    });

    it("lets exactly one of two brands racing for a collection register it", async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.registerCollection(registration({ brandId: i % 2 === 0 ? "brand-a" : "brand-b", nonce: `race-${i}` }))),
      );
      const registered = results.filter((r) => r.status === "registered");
      expect(registered).toHaveLength(1);
      const owner = (await store.listCollections())[0]?.brandId;
      expect(owner).toBeDefined();
      for (const r of results) {
        if (r.status === "taken") expect(r.brandId).toBe(owner);
        else expect(r.status === "registered" || r.status === "already_registered").toBe(true);
      }
      expect(tally(results)).toEqual({ registered: 1, already_registered: 9, taken: 10 });
    });
  });
};
