/**
 * What the chain is asked about a member and what it answers, per token type. Rules (server/rules/)
 * build on these; the chain layer needs nothing from them but a list of token types to read.
 */
import type { Address } from "viem";

/** One token type of one collection. */
export type TokenRef = { collection: Address; tokenId: bigint };

/** What the chain says a member holds of one token type. */
export type Holding = {
  balance: bigint;
  expiresAt: bigint;
  /**
   * Since when the units are held (server/chain/index/types.ts `Lot`), oldest first: present when
   * the chain index answered. A read straight from the chain cannot say, and holding periods then
   * stay unchecked.
   */
  lots?: readonly HeldLot[];
};

/** Holdings keyed by {@link holdingKey}. A missing key means nothing is held. */
export type Holdings = ReadonlyMap<string, Holding>;

export function holdingKey(collection: Address, tokenId: bigint): string {
  return `${collection.toLowerCase()}:${tokenId}`;
}

// Cached listings hand in the same requirements array every time: its key is built once.
const requirementKeys = new WeakMap<readonly TokenRef[], string>();

/** A member's read of some token types, as a cache key: the same for the same types in any order. */
export function readKey(member: Address, requirements: readonly TokenRef[]): string {
  let key = requirementKeys.get(requirements);
  if (key === undefined) {
    key = requirements.map((r) => holdingKey(r.collection, r.tokenId)).sort().join(",");
    requirementKeys.set(requirements, key);
  }
  return `${member.toLowerCase()}|${key}`;
}

/** A lot of units held since one block (see server/chain/index/types.ts `Lot`). */
export type HeldLot = { units: bigint; sinceBlock: bigint; sinceTime: bigint };

/** Units held without a break since `cutoff` (unix seconds) or earlier: the oldest lots, up to the first younger one. */
export function unitsHeldSince(lots: readonly HeldLot[], cutoff: bigint): bigint {
  let units = 0n;
  for (const lot of lots) {
    if (lot.sinceTime > cutoff) break;
    units += lot.units;
  }
  return units;
}

/** The lot with which the holder reached `min` units, held without a break since then; null when they hold fewer. */
export function reachedAt(lots: readonly HeldLot[], min: bigint): HeldLot | null {
  let units = 0n;
  for (const lot of lots) {
    units += lot.units;
    if (units >= min) return lot;
  }
  return null;
}
