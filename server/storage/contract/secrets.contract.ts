/**
 * The store contract: Named secrets: 32 random bytes made on first use, the same ever after, also under a race.
 */
import { describe, expect, it } from "vitest";
import { StoreInputError } from "../errors.ts";
import type { Store } from "../store.ts";
import { freshStorePerTest, type StoreContract } from "./fixtures.ts";

export const secretContract: StoreContract = (open) => {
  let store!: Store;
  freshStorePerTest(open, (opened) => ({ store } = opened));

  describe("secrets", () => {
    it("makes 32 random bytes on first use and returns the same ever after", async () => {
      const first = await store.secret("signing");
      expect(first).toBeInstanceOf(Uint8Array);
      expect(first).toHaveLength(32);
      expect(await store.secret("signing")).toEqual(first);
      const other = await store.secret("other");
      expect(other).toHaveLength(32);
      expect(Buffer.from(other).equals(Buffer.from(first))).toBe(false);
    });

    it("concurrent first uses agree on one secret", async () => {
      const all = await Promise.all(Array.from({ length: 20 }, () => store.secret("raced")));
      for (const secret of all) expect(secret).toEqual(all[0]);
    });

    it("refuses an empty name", async () => {
      await expect(store.secret("")).rejects.toBeInstanceOf(StoreInputError);
    });
  });
};
