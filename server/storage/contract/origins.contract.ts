/**
 * The store contract: the origins brands register for their storefronts and apps.
 */
import { describe, expect, it } from "vitest";
import { StoreInputError } from "../errors.ts";
import type { Store } from "../store.ts";
import { at, freshStorePerTest, MINUTE, type StoreContract } from "./fixtures.ts";

export const originContract: StoreContract = (open) => {
  let store!: Store;
  freshStorePerTest(open, (opened) => ({ store } = opened));
  const brand = (id: string) => store.createBrand({ id, name: id, createdAt: at(0) });

  describe("brand origins", () => {
    it("registers an origin for one brand at a time, and lists them oldest first", async () => {
      await brand("brand-a");
      await brand("brand-b");
      const shop = { origin: "https://shop.example", brandId: "brand-a", createdAt: at(MINUTE) };
      expect(await store.addOrigin(shop)).toEqual({ status: "added", origin: shop });
      expect(await store.addOrigin({ ...shop, createdAt: at(2 * MINUTE) })).toEqual({ status: "already_added", origin: shop });
      expect(await store.addOrigin({ ...shop, brandId: "brand-b" })).toEqual({ status: "taken" });
      const app = { origin: "http://localhost:5173", brandId: "brand-a", createdAt: at(3 * MINUTE) };
      const theirs = { origin: "https://b.example", brandId: "brand-b", createdAt: at(2 * MINUTE) };
      await store.addOrigin(app);
      await store.addOrigin(theirs);
      expect(await store.listOrigins({ brandId: "brand-a" })).toEqual([shop, app]);
      expect(await store.listOrigins()).toEqual([shop, theirs, app]);
    });

    it("removes only the brand's own origin", async () => {
      await brand("brand-a");
      await brand("brand-b");
      await store.addOrigin({ origin: "https://shop.example", brandId: "brand-a", createdAt: at(0) });
      expect(await store.removeOrigin("brand-b", "https://shop.example")).toBe(false);
      expect(await store.removeOrigin("brand-a", "https://shop.example")).toBe(true);
      expect(await store.removeOrigin("brand-a", "https://shop.example")).toBe(false);
      expect(await store.listOrigins()).toEqual([]);
      // Free again: another brand may take it.
      expect((await store.addOrigin({ origin: "https://shop.example", brandId: "brand-b", createdAt: at(MINUTE) })).status).toBe("added");
    });

    it("refuses what is not a serialized origin, and an unknown brand", async () => {
      await brand("brand-a");
      for (const origin of ["https://shop.example/", "https://Shop.example", "https://shop.example:443", "ftp://shop.example", "https://shop.example/path", "https://user@shop.example", ""]) {
        await expect(store.addOrigin({ origin, brandId: "brand-a", createdAt: at(0) }), origin).rejects.toBeInstanceOf(StoreInputError);
      }
      await expect(store.addOrigin({ origin: "https://shop.example", brandId: "nobody", createdAt: at(0) })).rejects.toThrow();
      expect(await store.listOrigins()).toEqual([]);
    });
  });
};
