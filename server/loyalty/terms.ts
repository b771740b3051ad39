/**
 * A brand's terms for its rules (server/rules/terms.ts): names of its token types, its levels, its
 * data requests, and
 * every token type of its collections, whose points the chain adds up with the member's holdings.
 */
import type { Address } from "viem";
import type { CollectionDirectory } from "../brands/directory.ts";
import type { NameBook } from "../catalog/names.ts";
import type { TokenTypeReader } from "../chain/token-types.ts";
import type { TermsOf } from "../rules/terms.ts";
import type { RequestBook } from "../member-data/requests.ts";
import type { LevelBook } from "./levels.ts";

export function createBrandTerms(deps: { directory: CollectionDirectory; names: NameBook; levels: LevelBook; tokenTypes: TokenTypeReader; requests: RequestBook }): TermsOf {
  return async (brandId) => {
    const collections = (await deps.directory.list()).filter((c) => c.brandId === brandId).map((c) => c.collection as Address);
    // Throws (chain unavailable) when a collection's types cannot be read: points would be short.
    const [names, levels, types, requests] = await Promise.all([
      deps.names.names(collections),
      deps.levels.levels(brandId),
      Promise.all(collections.map((collection) => deps.tokenTypes.tokenTypes(collection))),
      deps.requests.wordsOf(brandId),
    ]);
    const standing = collections.flatMap((collection, i) => types[i]!.map((t) => ({ type: "member" as const, collection, tokenId: t.tokenId })));
    return { names, levels, standing, requests };
  };
}
