/**
 * What token types a collection has (kind, soulbound, points). Type settings never change once
 * created, so they are cached; only the count is re-read, and only after `ttlMs`.
 */
import type { Address, PublicClient } from "viem";
import { stampbookCollectionAbi } from "../../contracts/bindings/index.ts";
import { Problem } from "../errors.ts";

export type TokenTypeInfo = { tokenId: bigint; kind: "membership" | "collectible"; soulbound: boolean; consumable: boolean; points: bigint; uri: string };

export type CollectionCatalog = { tokenTypes(collection: Address): Promise<TokenTypeInfo[]> };

const KINDS = { 1: "membership", 2: "collectible" } as const;

export function createCollectionCatalog(client: PublicClient, options: { ttlMs: number }): CollectionCatalog {
  const known = new Map<string, { at: number; types: TokenTypeInfo[] }>();

  return {
    async tokenTypes(collection) {
      const key = collection.toLowerCase();
      const cached = known.get(key);
      if (cached && Date.now() - cached.at < options.ttlMs) return cached.types;
      try {
        const count = await client.readContract({ address: collection, abi: stampbookCollectionAbi, functionName: "tokenTypeCount" });
        const types = [...(cached?.types ?? [])];
        for (let id = BigInt(types.length) + 1n; id <= count; id++) {
          const t = await client.readContract({ address: collection, abi: stampbookCollectionAbi, functionName: "tokenType", args: [id] });
          const kind = KINDS[t.kind as 1 | 2];
          if (kind === undefined) continue;
          types.push({ tokenId: id, kind, soulbound: t.soulbound, consumable: t.consumable, points: t.points, uri: t.uri });
        }
        known.set(key, { at: Date.now(), types });
        return types;
      } catch (error) {
        throw new Problem(503, "chain_unavailable", "The chain cannot be read right now", "The collection's token types could not be read.").withCause(error);
      }
    },
  };
}
