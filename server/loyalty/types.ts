/** Loyalty: points from the brand's token types a member holds, and the brand's named levels over them. */

/** A level a brand defines: members with at least `minPoints` points of the brand reach it. */
export type Level = {
  /** Stable, lowercase: `a-z`, `0-9` and `-`, 1-32 characters (rules name levels by it). */
  key: string;
  /** What members read, e.g. "Gold". */
  name: string;
  /** A whole number, 0 to {@link MAX_LEVEL_POINTS}. */
  minPoints: number;
};

/** At most this many levels per brand, the largest threshold, the longest name: the wire protocol's. */
export { MAX_LEVEL_NAME_LENGTH, MAX_LEVEL_POINTS, MAX_LEVELS } from "../../sdk/src/protocol/levels.ts";
export { LEVEL_KEY_PATTERN } from "../../sdk/src/protocol/level-list.ts";
