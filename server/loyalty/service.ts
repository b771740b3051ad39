/** Brands' levels: a brand replaces its own; anyone reads a brand's. */
import { Problem } from "../errors.ts";
import type { Store } from "../storage/index.ts";
import { toTimestamp } from "../storage/time.ts";
import type { LevelBook } from "./levels.ts";
import type { Level } from "./types.ts";
import { levelListError } from "../../sdk/src/protocol/level-list.ts";

export type Levels = {
  /** Replaces the brand's levels (checked: unique keys, strictly increasing thresholds). */
  replace(brandId: string, levels: readonly Level[]): Promise<Level[]>;
  /** The brand's levels, lowest first. */
  of(brandId: string): Promise<Level[]>;
  /** A brand's levels for anyone; 404 brand_not_found for a brand that does not exist. */
  ofPublic(brandId: string): Promise<Level[]>;
};

/**
 * @param deps.book the cache listings read; told to forget a brand's levels when it replaces them (this instance).
 * @param deps.onChange told too, to tell the other instances.
 */
export function createLevels(deps: { store: Store; book: LevelBook; onChange?: (brandId: string) => void; now?: () => Date }): Levels {
  const { store, book } = deps;
  return {
    async replace(brandId, levels) {
      const error = levelListError(levels);
      if (error !== null) {
        const path = `/levels${error.path}`;
        throw new Problem(400, "validation_failed", "The request is not valid", `body${path.replaceAll("/", ".")} ${error.message}`, { errors: [{ in: "body", path, message: error.message }] });
      }
      const stored = await store.setLevels(brandId, levels, toTimestamp(deps.now?.() ?? new Date()));
      book.forget(brandId);
      deps.onChange?.(brandId);
      return stored;
    },
    of: (brandId) => store.getLevels(brandId),
    async ofPublic(brandId) {
      const levels = await book.levels(brandId);
      // Brands with levels answer from memory; only an empty answer asks whether the brand exists.
      if (levels.length === 0 && (await store.getBrand(brandId)) === null) throw new Problem(404, "brand_not_found", "No such brand", `brand ${brandId}`);
      return levels;
    },
  };
}
