/**
 * What token types a collection has (kind, soulbound, points). Type settings never change once
 * created, so they are cached; only the count is re-read, and only after `ttlMs`.
 */
import type { Address, PublicClient } from "viem";
import { stampbookCollectionAbi, tokenKindName, type TokenKind } from "../../contracts/bindings/index.ts";
import { chainUnavailable } from "./errors.ts";

export type TokenTypeInfo = { tokenId: bigint; kind: TokenKind; soulbound: boolean; consumable: boolean; points: bigint; uri: string };

export type CollectionCatalog = { tokenTypes(collection: Address): Promise<TokenTypeInfo[]> };

export function createCollectionCatalog(client: PublicClient, options: { ttlMs: number }): CollectionCatalog {
  const known = new Map<string, { at: number; count: bigint; types: TokenTypeInfo[] }>();

  return {
    async tokenTypes(collection) {
      const key = collection.toLowerCase();
      const cached = known.get(key);
      if (cached && Date.now() - cached.at < options.ttlMs) return cached.types;
      try {
        const count = await client.readContract({ address: collection, abi: stampbookCollectionAbi, functionName: "tokenTypeCount" });
        const from = (cached?.count ?? 0n) + 1n;
        const ids = Array.from({ length: Number(count >= from ? count - from + 1n : 0n) }, (_, i) => from + BigInt(i));
        // Issued together, they travel as one JSON-RPC batch.
        const read = await Promise.all(ids.map((id) => client.readContract({ address: collection, abi: stampbookCollectionAbi, functionName: "tokenType", args: [id] })));
        const types = [...(cached?.types ?? [])];
        read.forEach((t, i) => {
          const kind = tokenKindName(t.kind);
          if (kind !== null) types.push({ tokenId: ids[i]!, kind, soulbound: t.soulbound, consumable: t.consumable, points: t.points, uri: t.uri });
        });
        known.set(key, { at: Date.now(), count: count > (cached?.count ?? 0n) ? count : (cached?.count ?? 0n), types });
        return types;
      } catch (error) {
        throw chainUnavailable("The collection's token types could not be read.", error);
      }
    },
  };
}
