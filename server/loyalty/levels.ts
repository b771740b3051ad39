/**
 * Levels: a brand's named point thresholds ("Gold from 150 points"). `standingOf` says where a
 * member's points put them; the level book keeps each brand's levels for listings to read from memory.
 */
import type { Store } from "../storage/index.ts";
import type { Level } from "./types.ts";

export type { Level } from "./types.ts";

export type LevelRef = { key: string; name: string; minPoints: number };

export type Standing = {
  /** The member's points with the brand, as a decimal string. */
  points: string;
  /** The highest level the points reach, or null (below the first). */
  level: LevelRef | null;
  /** The next level up and how many points it still needs, or null (at the top, or no levels). */
  next: (LevelRef & { pointsToGo: string }) | null;
};

/** Where `points` put a member among `levels` (in any order). */
export function standingOf(points: bigint, levels: readonly Level[]): Standing {
  const sorted = [...levels].sort((x, y) => x.minPoints - y.minPoints);
  let level: LevelRef | null = null;
  let next: Standing["next"] = null;
  for (const { key, name, minPoints } of sorted) {
    if (BigInt(minPoints) <= points) level = { key, name, minPoints };
    else {
      next = { key, name, minPoints, pointsToGo: (BigInt(minPoints) - points).toString() };
      break;
    }
  }
  return { points: points.toString(), level, next };
}

export type LevelBook = {
  /** The brand's levels, lowest first (empty: none), from memory while fresh. */
  levels(brandId: string): Promise<Level[]>;
  /** Drops what is cached (one brand's, or all): a brand changed its levels. Also wired to the invalidation bus. */
  forget(brandId?: string): void;
};

/** Each brand's levels, cached for `ttlMs`; reads of one brand that overlap share one store query. */
export function createLevelBook(deps: { store: Store; ttlMs: number }): LevelBook {
  const cache = new Map<string, { at: number; levels: Level[] }>();
  const loading = new Map<string, Promise<Level[]>>();
  // Counts forgets: levels read before one are handed to their callers, never cached.
  let generation = 0;

  return {
    levels(brandId) {
      const cached = cache.get(brandId);
      if (cached !== undefined && Date.now() - cached.at < deps.ttlMs) return Promise.resolve(cached.levels);
      const pending = loading.get(brandId);
      if (pending !== undefined) return pending;
      const started = generation;
      const at = Date.now();
      const read = deps.store.getLevels(brandId).then((read) => {
        // Shared by every caller: frozen, so none can change another's.
        const levels = Object.freeze(read.map((level) => Object.freeze(level))) as Level[];
        if (started === generation) cache.set(brandId, { at, levels });
        return levels;
      });
      loading.set(brandId, read);
      void read.then(
        () => loading.get(brandId) === read && loading.delete(brandId),
        () => loading.get(brandId) === read && loading.delete(brandId),
      );
      return read;
    },
    forget(brandId) {
      generation++;
      if (brandId === undefined) {
        cache.clear();
        loading.clear();
      } else {
        cache.delete(brandId);
        loading.delete(brandId);
      }
    },
  };
}
