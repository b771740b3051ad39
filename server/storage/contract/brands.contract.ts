/**
 * The store contract: Brands and their API keys.
 */
import { describe, expect, it } from "vitest";
import { StoreInputError } from "../errors.ts";
import { sha256Hex } from "../hash.ts";
import type { Store } from "../store.ts";
import { at, freshStorePerTest, MINUTE, type StoreContract, storeFixtures } from "./fixtures.ts";

export const brandContract: StoreContract = (open) => {
  let store!: Store;
  freshStorePerTest(open, (opened) => ({ store } = opened));
  const { brands } = storeFixtures(() => store);

  describe("brands and API keys", () => {
    it("creates and reads brands", async () => {
      expect(await store.createBrand({ id: "brand-a", name: "Brand A", createdAt: at(0) })).toEqual({
        id: "brand-a",
        name: "Brand A",
        createdAt: at(0),
      });
      expect(await store.getBrand("brand-a")).toEqual({ id: "brand-a", name: "Brand A", createdAt: at(0) });
      expect(await store.getBrand("nope")).toBeNull();
      await expect(store.createBrand({ id: "brand-a", name: "Again", createdAt: at(0) })).rejects.toThrow();
    });

    it("refuses malformed brands", async () => {
      await expect(store.createBrand({ id: "", name: "X", createdAt: at(0) })).rejects.toBeInstanceOf(StoreInputError);
      await expect(store.createBrand({ id: "x", name: 5 as unknown as string, createdAt: at(0) })).rejects.toBeInstanceOf(StoreInputError);
      await expect(store.createBrand({ id: "x", name: "X", createdAt: "today" })).rejects.toBeInstanceOf(StoreInputError);
      expect(await store.listBrands()).toEqual([]);
    });

    it("lists every brand, oldest first", async () => {
      expect(await store.listBrands()).toEqual([]);
      await store.createBrand({ id: "brand-z", name: "Z", createdAt: at(2) });
      await store.createBrand({ id: "brand-m", name: "M", createdAt: at(1) });
      await store.createBrand({ id: "brand-a", name: "A", createdAt: at(1) });
      expect(await store.listBrands()).toEqual([
        { id: "brand-a", name: "A", createdAt: at(1) },
        { id: "brand-m", name: "M", createdAt: at(1) },
        { id: "brand-z", name: "Z", createdAt: at(2) },
      ]);
    });

    it("finds a brand by API key hash until the key is revoked", async () => {
      await brands();
      const keyHash = sha256Hex("sk_live_a");
      const key = await store.createApiKey({ id: "key-1", brandId: "brand-a", keyHash, label: "till", createdAt: at(0) });
      expect(key).toEqual({ id: "key-1", brandId: "brand-a", label: "till", createdAt: at(0), revokedAt: null });
      expect(await store.findBrandByApiKeyHash(keyHash)).toEqual({ id: "brand-a", name: "Brand A", createdAt: at(0) });
      expect(await store.findBrandByApiKeyHash(sha256Hex("sk_live_unknown"))).toBeNull();

      expect(await store.revokeApiKey("brand-a", "key-1", at(MINUTE))).toBe(true);
      expect(await store.findBrandByApiKeyHash(keyHash)).toBeNull();
      expect(await store.revokeApiKey("brand-a", "key-1", at(2 * MINUTE))).toBe(false);
      expect(await store.listApiKeys("brand-a")).toEqual([{ ...key, revokedAt: at(MINUTE) }]);
    });

    it("lists a brand's keys without their hashes, and only its own", async () => {
      await brands();
      await store.createApiKey({ id: "k1", brandId: "brand-a", keyHash: sha256Hex("1"), label: "one", createdAt: at(0) });
      await store.createApiKey({ id: "k2", brandId: "brand-a", keyHash: sha256Hex("2"), label: "two", createdAt: at(1) });
      await store.createApiKey({ id: "k3", brandId: "brand-b", keyHash: sha256Hex("3"), label: "b", createdAt: at(0) });
      const keys = await store.listApiKeys("brand-a");
      expect(keys.map((k) => k.id)).toEqual(["k1", "k2"]);
      for (const k of keys) expect(Object.keys(k).sort()).toEqual(["brandId", "createdAt", "id", "label", "revokedAt"]);
    });

    it("does not let brand B revoke brand A's key", async () => {
      await brands();
      const keyHash = sha256Hex("sk_a");
      await store.createApiKey({ id: "key-a", brandId: "brand-a", keyHash, label: "", createdAt: at(0) });
      expect(await store.revokeApiKey("brand-b", "key-a", at(MINUTE))).toBe(false);
      expect((await store.findBrandByApiKeyHash(keyHash))?.id).toBe("brand-a");
    });

    it("refuses keys for unknown brands, raw keys and duplicate hashes", async () => {
      await brands();
      const keyHash = sha256Hex("k");
      await expect(store.createApiKey({ id: "k0", brandId: "ghost", keyHash, label: "", createdAt: at(0) })).rejects.toThrow();
      await expect(
        store.createApiKey({ id: "k1", brandId: "brand-a", keyHash: "sk_live_plaintext", label: "", createdAt: at(0) }),
      ).rejects.toBeInstanceOf(StoreInputError);
      await store.createApiKey({ id: "k2", brandId: "brand-a", keyHash, label: "", createdAt: at(0) });
      await expect(store.createApiKey({ id: "k3", brandId: "brand-b", keyHash, label: "", createdAt: at(0) })).rejects.toThrow();
    });
  });
};
