/** A brand's list of levels, as the API and the store hold it to: the one check both apply. */
import { MAX_LEVEL_NAME_LENGTH, MAX_LEVEL_POINTS, MAX_LEVELS, type Level } from "./levels.ts";

/** A level's key: lowercase `a-z`, `0-9` and `-`, 1-32 characters (rules name levels by it). */
export const LEVEL_KEY_PATTERN = /^[a-z0-9-]{1,32}$/;

/** What is wrong with a list of levels: where (`/2/minPoints`) and why. */
export type LevelListError = { path: string; message: string };

/**
 * The first thing wrong with `levels` as a brand's levels, or null: at most {@link MAX_LEVELS},
 * keys of `a-z0-9-` (1-32) and unique, names of 1-40 characters that are not blank, thresholds whole
 * numbers 0..1e15 and strictly increasing. The store and the routes both hold lists to this.
 */
export function levelListError(levels: readonly Level[]): LevelListError | null {
  if (!Array.isArray(levels)) return { path: "", message: "expected a list of levels" };
  if (levels.length > MAX_LEVELS) return { path: "", message: `at most ${MAX_LEVELS} levels` };
  const keys = new Set<string>();
  let previous = -1;
  for (const [i, level] of levels.entries()) {
    if (typeof level !== "object" || level === null) return { path: `/${i}`, message: "expected {key, name, minPoints}" };
    const { key, name, minPoints } = level;
    if (typeof key !== "string" || !LEVEL_KEY_PATTERN.test(key)) return { path: `/${i}/key`, message: "expected 1-32 characters of a-z, 0-9 and -" };
    if (keys.has(key)) return { path: `/${i}/key`, message: `"${key}" is used twice: keys must be unique` };
    keys.add(key);
    if (typeof name !== "string" || name.length === 0 || name.length > MAX_LEVEL_NAME_LENGTH || name.trim() === "") {
      return { path: `/${i}/name`, message: `expected 1-${MAX_LEVEL_NAME_LENGTH} characters, not all blank` };
    }
    if (typeof minPoints !== "number" || !Number.isSafeInteger(minPoints) || minPoints < 0 || minPoints > MAX_LEVEL_POINTS) {
      return { path: `/${i}/minPoints`, message: `expected a whole number from 0 to ${MAX_LEVEL_POINTS}` };
    }
    if (minPoints <= previous) return { path: `/${i}/minPoints`, message: `must be more than the previous level's ${previous}: thresholds strictly increase` };
    previous = minPoints;
  }
  return null;
}
