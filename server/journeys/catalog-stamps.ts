/**
 * Stamps by the brand's names and pictures (the name book) and the chain's points. The journeys
 * service only sees the {@link StampBook} seam.
 */
import type { NameBook } from "../catalog/names.ts";
import type { CollectionCatalog } from "../chain/collections.ts";
import type { StampBook } from "./service.ts";

export function createCatalogStamps(catalog: Pick<CollectionCatalog, "tokenType">, names?: NameBook): StampBook {
  return {
    async describe(collection, tokenId, amount) {
      const [type, book] = await Promise.all([catalog.tokenType(collection, tokenId), names?.names([collection])]);
      const label = book?.label(collection, tokenId);
      return {
        name: label?.name ?? (type?.kind === "membership" ? "Membership" : "Collectible"),
        image: label?.image ?? null,
        points: (label?.points ?? type?.points ?? 0n) * amount,
      };
    },
    async isCollectible(collection, tokenId) {
      return (await catalog.tokenType(collection, tokenId))?.kind === "collectible";
    },
  };
}
