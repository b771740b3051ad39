/**
 * The store contract: Each brand's minter: its address and sealed key.
 */
import type { Address } from "viem";
import { beforeEach, describe, expect, it } from "vitest";
import type { BrandMinter } from "../../brands/types.ts";
import { StoreInputError } from "../errors.ts";
import type { Store } from "../store.ts";
import { at, freshStorePerTest, HOUR, minterInput, type StoreContract, storeFixtures } from "./fixtures.ts";

export const minterContract: StoreContract = (open) => {
  let store!: Store;
  freshStorePerTest(open, (opened) => ({ store } = opened));
  const { brands } = storeFixtures(() => store);

  describe("minters", () => {
    beforeEach(brands);

    it("sets a brand's minter and reads it back, its address lowercased", async () => {
      const minter = await store.setMinter(minterInput());
      const expected: BrandMinter = { ...minterInput(), address: "0x1111111111111111111111111111111111111abc" };
      expect(minter).toEqual(expected);
      expect(await store.getMinter("brand-a")).toEqual(expected);
    });

    it("replaces a brand's minter when set again", async () => {
      await store.setMinter(minterInput());
      const next = minterInput({ address: `0x${"2".repeat(40)}`, sealedKey: "v1.another", source: "supplied", createdAt: at(HOUR) });
      expect(await store.setMinter(next)).toEqual(next);
      expect(await store.getMinter("brand-a")).toEqual(next);
    });

    it("has no minter for a brand that set none, and keeps brands apart", async () => {
      expect(await store.getMinter("brand-a")).toBeNull();
      await store.setMinter(minterInput());
      expect(await store.getMinter("brand-b")).toBeNull();
      expect(await store.getMinter("nobody")).toBeNull();
    });

    it("refuses a minter for an unknown brand, and malformed minters", async () => {
      await expect(store.setMinter(minterInput({ brandId: "ghost" }))).rejects.toThrow();
      const bad: Partial<BrandMinter>[] = [
        { address: "0x1234" as Address },
        { sealedKey: "" },
        { source: "stolen" as BrandMinter["source"] },
        { createdAt: "now" },
        { brandId: "" },
      ];
      for (const overrides of bad) {
        await expect(store.setMinter(minterInput(overrides)), JSON.stringify(overrides)).rejects.toBeInstanceOf(StoreInputError);
      }
      expect(await store.getMinter("brand-a")).toBeNull();
      expect(await store.getMinter("ghost")).toBeNull();
    });
  });
};
