/**
 * What token types a collection has (kind, soulbound, points, supply). A type's kind and flags never
 * change once created, but its points can (`setTokenTypeTerms`) and its supply grows, so every type is
 * read again once the cache is `ttlMs` old: what a caller sees is at most that stale. Reads of one
 * collection that overlap share one round of calls.
 */
import type { Address, PublicClient } from "viem";
import { stampbookCollectionAbi, tokenKindName, type TokenKind } from "../../contracts/bindings/index.ts";
import { chainUnavailable } from "./errors.ts";

export type TokenTypeInfo = {
  tokenId: bigint;
  kind: TokenKind;
  soulbound: boolean;
  consumable: boolean;
  points: bigint;
  uri: string;
  /** Seconds a membership lasts; 0: it never expires (and for every collectible). */
  duration: number;
  /** Cap on units ever minted; 0: no cap. */
  maxSupply: bigint;
  /** Units ever minted. */
  minted: bigint;
};

export type TokenTypeReader = {
  tokenTypes(collection: Address): Promise<TokenTypeInfo[]>;
  /**
   * One type, or null when the collection has none with this id. A miss reads the collection again
   * (at most once a second), so a type created a moment ago is found.
   */
  tokenType(collection: Address, tokenId: bigint): Promise<TokenTypeInfo | null>;
};

/** How often a miss may make `tokenType` read a collection again. */
const MISS_REFRESH_MS = 1_000;
const UINT256_MAX = 2n ** 256n - 1n;

export function createTokenTypeReader(client: PublicClient, options: { ttlMs: number }): TokenTypeReader {
  const known = new Map<string, { at: number; types: TokenTypeInfo[] }>();
  const loading = new Map<string, Promise<TokenTypeInfo[]>>();

  async function read(collection: Address): Promise<TokenTypeInfo[]> {
    try {
      const count = await client.readContract({ address: collection, abi: stampbookCollectionAbi, functionName: "tokenTypeCount" });
      const ids = Array.from({ length: Number(count) }, (_, i) => BigInt(i + 1));
      // Issued together, they travel as one JSON-RPC batch.
      const read = await Promise.all(ids.map((id) => client.readContract({ address: collection, abi: stampbookCollectionAbi, functionName: "tokenType", args: [id] })));
      return read.flatMap((t, i) => {
        const kind = tokenKindName(t.kind);
        if (kind === null) return [];
        return [{ tokenId: ids[i]!, kind, soulbound: t.soulbound, consumable: t.consumable, points: t.points, uri: t.uri, duration: t.duration, maxSupply: t.maxSupply, minted: t.minted }];
      });
    } catch (error) {
      throw chainUnavailable("The collection's token types could not be read.", error);
    }
  }

  /** The collection's types, read again if older than `maxAgeMs`. */
  function load(collection: Address, maxAgeMs: number): Promise<TokenTypeInfo[]> {
    const key = collection.toLowerCase();
    const cached = known.get(key);
    if (cached && Date.now() - cached.at < maxAgeMs) return Promise.resolve(cached.types);
    let pending = loading.get(key);
    if (pending === undefined) {
      const started = Date.now();
      pending = read(collection)
        .then((types) => {
          known.set(key, { at: started, types });
          return types;
        })
        .finally(() => loading.delete(key));
      loading.set(key, pending);
    }
    return pending;
  }

  return {
    tokenTypes: (collection) => load(collection, options.ttlMs),
    async tokenType(collection, tokenId) {
      if (tokenId < 1n || tokenId > UINT256_MAX) return null;
      const found = (await load(collection, options.ttlMs)).find((t) => t.tokenId === tokenId);
      if (found !== undefined) return found;
      return (await load(collection, Math.min(options.ttlMs, MISS_REFRESH_MS))).find((t) => t.tokenId === tokenId) ?? null;
    },
  };
}
