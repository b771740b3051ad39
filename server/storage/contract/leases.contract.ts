/**
 * The store contract: Leases: one holder at a time per name, until it expires or its holder lets go.
 */
import { describe, expect, it } from "vitest";
import { StoreInputError } from "../errors.ts";
import type { Store } from "../store.ts";
import { at, freshStorePerTest, MINUTE, type StoreContract } from "./fixtures.ts";

export const leaseContract: StoreContract = (open) => {
  let store!: Store;
  freshStorePerTest(open, (opened) => ({ store } = opened));

  describe("leases", () => {
    it("one holder at a time, until the lease expires or its holder lets go", async () => {
      expect(await store.acquireLease("sweep", "a", at(MINUTE), at(0))).toBe(true);
      expect(await store.acquireLease("sweep", "b", at(MINUTE), at(30_000))).toBe(false);
      // The holder renews its own lease.
      expect(await store.acquireLease("sweep", "a", at(2 * MINUTE), at(30_000))).toBe(true);
      expect(await store.acquireLease("sweep", "b", at(3 * MINUTE), at(MINUTE + 30_000))).toBe(false);
      // Expired: anyone may take it.
      expect(await store.acquireLease("sweep", "b", at(3 * MINUTE), at(2 * MINUTE))).toBe(true);
      expect(await store.acquireLease("sweep", "a", at(4 * MINUTE), at(2 * MINUTE))).toBe(false);
      // Another holder's release changes nothing; the holder's frees it at once.
      await store.releaseLease("sweep", "a");
      expect(await store.acquireLease("sweep", "a", at(4 * MINUTE), at(2 * MINUTE))).toBe(false);
      await store.releaseLease("sweep", "b");
      expect(await store.acquireLease("sweep", "a", at(4 * MINUTE), at(2 * MINUTE))).toBe(true);
      // Leases are by name.
      expect(await store.acquireLease("prune", "b", at(4 * MINUTE), at(2 * MINUTE))).toBe(true);
    });

    it("many holders racing for a free lease: exactly one gets it", async () => {
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => store.acquireLease("race", `h${i}`, at(MINUTE), at(0))));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it("refuses empty names and holders and malformed timestamps", async () => {
      await expect(store.acquireLease("", "a", at(MINUTE), at(0))).rejects.toBeInstanceOf(StoreInputError);
      await expect(store.acquireLease("x", "", at(MINUTE), at(0))).rejects.toBeInstanceOf(StoreInputError);
      await expect(store.acquireLease("x", "a", "soon", at(0))).rejects.toBeInstanceOf(StoreInputError);
    });
  });
};
