/**
 * Token kinds and constants of `IStampbookCollection`, as TypeScript sees them. The numbers are the
 * Solidity `Kind` enum's; `None` marks an id that was never created.
 */

/** `IStampbookCollection.Kind` by name. */
export const TOKEN_KIND = { none: 0, membership: 1, collectible: 2 } as const;

/** What a created token type is. */
export type TokenKind = "membership" | "collectible";

/** The kind's name for the enum value the contract returns, or null for `None` and unknown values. */
export function tokenKindName(value: number): TokenKind | null {
  if (value === TOKEN_KIND.membership) return "membership";
  if (value === TOKEN_KIND.collectible) return "collectible";
  return null;
}

/** The expiry `holdingsOf` reports for a membership that never expires (`type(uint64).max`). */
export const NEVER_EXPIRES = 2n ** 64n - 1n;
