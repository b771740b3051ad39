/**
 * What anyone may know of a brand: its id and its name (storefronts and the till show them). Nothing
 * else: its collections, minter and staff stay behind its credentials.
 */
import { Problem } from "../errors.ts";
import type { Store } from "../storage/index.ts";

export type PublicBrands = {
  /** The brand's id and name; 404 brand_not_found for an id no brand has. */
  get(brandId: string): Promise<{ id: string; name: string }>;
};

export function createPublicBrands(store: Pick<Store, "getBrand">): PublicBrands {
  return {
    async get(brandId) {
      const brand = await store.getBrand(brandId);
      if (brand === null) throw new Problem(404, "brand_not_found", "No such brand", `brand ${brandId}`);
      return { id: brand.id, name: brand.name };
    },
  };
}
