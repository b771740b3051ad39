/**
 * What token types are called, for every text a member reads ("needs a Gold membership"): the
 * brand's name for a type, else its kind in words, never its id. Listings word many rules at once,
 * so names are read per collection (one store query and the chain catalog's cached read for all
 * the collections that need it) and kept for `ttlMs`: a listing asks from memory.
 */
import type { Address } from "viem";
import type { TokenKind } from "../../contracts/bindings/index.ts";
import type { TokenTypeReader, TokenTypeInfo } from "../chain/token-types.ts";
import type { Store } from "../storage/index.ts";
import type { TokenMetadata } from "./types.ts";
import { imageOf } from "./urls.ts";
import { nameOf } from "./views.ts";

export type TokenLabel = { name: string; description: string; kind: TokenKind; image: string | null; points: bigint };

/** A synchronous view of every named token type, for wording rules; built once per catalog refresh. */
export type TokenNames = { label(collection: Address, tokenId: bigint): TokenLabel | undefined };

export type NameBook = {
  /**
   * Names of the given collections' types (metadata from the store, kind/points from the chain
   * catalog), cached. Never rejects: a collection that cannot be read just now keeps the labels it
   * had (or has none, and its types get no label) and is read again within a second.
   */
  names(collections: readonly Address[]): Promise<TokenNames>;
  /** Drops the cache (a brand changed metadata); also wired to the invalidation bus. */
  forget(): void;
};

type Labels = ReadonlyMap<string, TokenLabel>;

/** How soon a collection that could not be read is tried again (at most `ttlMs`). */
const RETRY_MS = 1_000;

const NO_LABELS: Labels = new Map();

export function createNameBook(deps: { store: Store; tokenTypes: TokenTypeReader; publicUrl: URL; ttlMs: number }): NameBook {
  const { store, tokenTypes, publicUrl, ttlMs } = deps;
  const cache = new Map<string, { expiresAt: number; labels: Labels }>();
  const loading = new Map<string, Promise<Labels>>();
  // Counts forgets: what was read before one is handed to its callers, never cached.
  let generation = 0;

  function labelsOf(types: readonly TokenTypeInfo[], metadata: readonly TokenMetadata[]): Labels {
    const byId = new Map(metadata.map((m) => [m.tokenId, m]));
    return new Map(
      types.map((t) => {
        const m = byId.get(t.tokenId.toString());
        return [t.tokenId.toString(), { name: nameOf(t.kind, m), description: m?.description ?? "", kind: t.kind, image: imageOf(publicUrl, m), points: t.points }];
      }),
    );
  }

  /** Reads the collections' labels: one store query for all of them, the chain catalog for each. */
  function load(keys: string[]): Map<string, Promise<Labels>> {
    const started = generation;
    const read = (async () => {
      const [metadata, types] = await Promise.all([
        store.listTokenMetadata(keys as Address[]).catch(() => null),
        Promise.allSettled(keys.map((key) => tokenTypes.tokenTypes(key as Address))),
      ]);
      const now = Date.now();
      return new Map(
        keys.map((key, i): [string, Labels] => {
          const result = types[i]!;
          const cached = cache.get(key);
          if (metadata === null || result.status === "rejected") {
            const labels = cached?.labels ?? NO_LABELS;
            if (started === generation) cache.set(key, { expiresAt: now + Math.min(ttlMs, RETRY_MS), labels });
            return [key, labels];
          }
          const labels = labelsOf(result.value, metadata.filter((m) => m.collection === key));
          if (started === generation) cache.set(key, { expiresAt: now + ttlMs, labels });
          return [key, labels];
        }),
      );
    })();
    return new Map(
      keys.map((key) => {
        const one = read.then((all) => all.get(key)!);
        loading.set(key, one);
        void one.finally(() => {
          if (loading.get(key) === one) loading.delete(key);
        });
        return [key, one];
      }),
    );
  }

  return {
    async names(collections) {
      const keys = [...new Set(collections.map((c) => c.toLowerCase()))];
      const now = Date.now();
      const found = new Map<string, Labels>();
      const waiting: Promise<void>[] = [];
      const toLoad: string[] = [];
      for (const key of keys) {
        const cached = cache.get(key);
        if (cached !== undefined && now < cached.expiresAt) found.set(key, cached.labels);
        else if (loading.has(key)) waiting.push(loading.get(key)!.then((labels) => void found.set(key, labels)));
        else toLoad.push(key);
      }
      if (toLoad.length > 0) for (const [key, labels] of load(toLoad)) waiting.push(labels.then((l) => void found.set(key, l)));
      await Promise.all(waiting);
      return {
        label(collection, tokenId) {
          const key = collection.toLowerCase();
          return (found.get(key) ?? cache.get(key)?.labels)?.get(tokenId.toString());
        },
      };
    },
    forget() {
      generation++;
      cache.clear();
      loading.clear();
    },
  };
}
