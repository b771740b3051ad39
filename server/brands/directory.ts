/**
 * Which collections this deployment serves, and which brand owns each. A collection is served when
 * a brand registered it (it then owns it: only its drops mint there) or when the operator listed it
 * in COLLECTIONS (readable by every brand's rules, owned by none until a brand registers it).
 */
import type { Address } from "viem";
import type { Store } from "../storage/index.ts";
import type { BrandCollection } from "./types.ts";

export type ServedCollection = { collection: Address; brandId: string | null };

export type CollectionDirectory = {
  /** Every served collection, lowercase. */
  served(): Promise<ReadonlySet<string>>;
  /** Every served collection with its owner (null: listed by the operator, owned by no brand). */
  list(): Promise<ServedCollection[]>;
  /** The brand that owns `collection`, or null. */
  ownerOf(collection: Address): Promise<string | null>;
  /** Registrations changed on this instance: read them again now, and tell `onChange`. */
  changed(): void;
  /** Registrations changed on another instance: read them again now (nobody is told). */
  forget(): void;
};

/**
 * @param options.ttlMs how long the registrations may be reused; another instance's registration
 *   shows within this long, or at once when `onChange` tells it and it calls `forget`.
 * @param options.onChange told after each registration this instance made (app.ts tells the other instances).
 */
export function createCollectionDirectory(options: { store: Store; configured: readonly Address[]; ttlMs: number; onChange?: () => void }): CollectionDirectory {
  let cache: { at: number; owners: Map<string, string | null>; served: ReadonlySet<string>; list: ServedCollection[] } | null = null;
  // Counts forgets: registrations read from the store before one must not be cached.
  let generation = 0;

  async function load() {
    if (cache !== null && Date.now() - cache.at < options.ttlMs) return cache;
    const loading = generation;
    const registered: BrandCollection[] = await options.store.listCollections();
    const owners = new Map<string, string | null>(options.configured.map((c) => [c.toLowerCase(), null]));
    for (const r of registered) owners.set(r.collection.toLowerCase(), r.brandId);
    const loaded = { at: Date.now(), owners, served: new Set(owners.keys()), list: [...owners].map(([collection, brandId]) => ({ collection: collection as Address, brandId })) };
    if (loading === generation) cache = loaded;
    return loaded;
  }

  function forget(): void {
    generation++;
    cache = null;
  }

  return {
    async served() {
      return (await load()).served;
    },
    async list() {
      return (await load()).list;
    },
    async ownerOf(collection) {
      return (await load()).owners.get(collection.toLowerCase()) ?? null;
    },
    changed() {
      forget();
      options.onChange?.();
    },
    forget,
  };
}
