/**
 * Stamps by the brand's names and pictures (the name book) and the chain's points. The journeys
 * service only sees the {@link StampBook} seam.
 */
import type { NameBook } from "../catalog/names.ts";
import type { TokenTypeReader } from "../chain/token-types.ts";
import type { StampBook } from "./service.ts";

export function createCatalogStamps(tokenTypes: Pick<TokenTypeReader, "tokenType">, names?: NameBook): StampBook {
  return {
    async describe(collection, tokenId, amount) {
      const [type, book] = await Promise.all([tokenTypes.tokenType(collection, tokenId), names?.names([collection])]);
      const label = book?.label(collection, tokenId);
      return {
        name: label?.name ?? (type?.kind === "membership" ? "Membership" : "Collectible"),
        image: label?.image ?? null,
        points: (label?.points ?? type?.points ?? 0n) * amount,
      };
    },
    async isCollectible(collection, tokenId) {
      return (await tokenTypes.tokenType(collection, tokenId))?.kind === "collectible";
    },
  };
}
