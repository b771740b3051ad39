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
  lots?: readonly { units: bigint; sinceBlock: bigint; sinceTime: bigint }[];
};

/** Holdings keyed by {@link holdingKey}. A missing key means nothing is held. */
export type Holdings = ReadonlyMap<string, Holding>;

export function holdingKey(collection: Address, tokenId: bigint): string {
  return `${collection.toLowerCase()}:${tokenId}`;
}
