/**
 * The store contract: Entitlement signing keys: generations in order, one winner when instances
 * rotate at once, and keys older than the kept generations forgotten.
 */
import { describe, expect, it } from "vitest";
import type { EntitlementKey } from "../../entitlements/types.ts";
import { StoreInputError } from "../errors.ts";
import type { Store } from "../store.ts";
import { freshStorePerTest, type StoreContract } from "./fixtures.ts";

const keyOf = (generation: number, suffix = ""): EntitlementKey => ({
  generation,
  kid: `kid-${generation}${suffix}`,
  publicJwk: JSON.stringify({ kty: "EC", crv: "P-256", x: `x${generation}`, y: `y${generation}` }),
  sealedPrivateKey: `v1.sealed-${generation}${suffix}`,
  createdAt: new Date(Date.UTC(2026, 0, generation)).toISOString(),
});

export const entitlementKeyContract: StoreContract = (open) => {
  let store!: Store;
  freshStorePerTest(open, (opened) => ({ store } = opened));

  describe("entitlement keys", () => {
    it("has none at first, then lists the newest first", async () => {
      expect(await store.listEntitlementKeys(2)).toEqual([]);
      expect(await store.addEntitlementKey(keyOf(1), 2)).toBe(true);
      expect(await store.addEntitlementKey(keyOf(2), 2)).toBe(true);
      expect(await store.listEntitlementKeys(2)).toEqual([keyOf(2), keyOf(1)]);
      expect(await store.listEntitlementKeys(1)).toEqual([keyOf(2)]);
    });

    it("refuses a generation that exists: the first rotation wins and nothing changes", async () => {
      await store.addEntitlementKey(keyOf(1), 2);
      expect(await store.addEntitlementKey(keyOf(1, "-late"), 2)).toBe(false);
      expect(await store.listEntitlementKeys(5)).toEqual([keyOf(1)]);
    });

    it("agrees on one key when many instances rotate at once", async () => {
      await store.addEntitlementKey(keyOf(1), 2);
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.addEntitlementKey(keyOf(2, `-${i}`), 2)));
      expect(results.filter(Boolean)).toHaveLength(1);
      const [newest] = await store.listEntitlementKeys(1);
      expect(newest!.kid).toBe(`kid-2-${results.indexOf(true)}`);
    });

    it("forgets keys older than the kept generations", async () => {
      for (const generation of [1, 2, 3, 4]) await store.addEntitlementKey(keyOf(generation), 2);
      expect((await store.listEntitlementKeys(10)).map((k) => k.generation)).toEqual([4, 3]);
    });

    it("refuses malformed input", async () => {
      await expect(store.addEntitlementKey({ ...keyOf(1), generation: 0 }, 2)).rejects.toBeInstanceOf(StoreInputError);
      await expect(store.addEntitlementKey({ ...keyOf(1), createdAt: "yesterday" }, 2)).rejects.toBeInstanceOf(StoreInputError);
      await expect(store.listEntitlementKeys(0)).rejects.toBeInstanceOf(StoreInputError);
    });
  });
};
