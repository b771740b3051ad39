/**
 * What of a vault's holdings counts for a wallet it delegates to: the token types its delegations
 * cover (the whole vault, one collection, or some units of one token type), and no more units than
 * an ERC-1155 delegation grants. Units counted are the vault's oldest (their holding period is the
 * vault's). Pure: no I/O.
 */
import { getAddress } from "viem";
import type { Delegation } from "../chain/index/types.ts";
import { holdingKey, type Holding, type Holdings, type TokenRef } from "../chain/holdings.ts";
import type { TokenWords } from "./grammar.ts";

/** How many units of a token type the delegations let count: 0 for none, 2^256-1 for all. */
export function delegatedUnits(delegations: readonly Delegation[], ref: TokenRef): bigint {
  const collection = ref.collection.toLowerCase();
  let units = 0n;
  for (const d of delegations) {
    const covers = d.kind === "all" || (d.contract?.toLowerCase() === collection && (d.kind === "contract" || d.tokenId === ref.tokenId));
    if (covers && d.amount > units) units = d.amount;
  }
  return units;
}

/** The token types of `requirements` the delegations cover, in order. */
export function delegatedRequirements<T extends TokenRef>(requirements: readonly T[], delegations: readonly Delegation[]): T[] {
  return requirements.filter((ref) => delegatedUnits(delegations, ref) > 0n);
}

/** Whether the delegations cover every unit of every token type in `refs` (a vault's points then count). */
export function coversWhole(refs: readonly TokenRef[], delegations: readonly Delegation[]): boolean {
  const ALL = 2n ** 256n - 1n;
  return refs.every((ref) => delegatedUnits(delegations, ref) === ALL);
}

/** The vault's holdings as they count for its delegate: only covered types, capped at the delegated units (its oldest). */
export function delegatedHoldings(holdings: Holdings, requirements: readonly TokenRef[], delegations: readonly Delegation[]): Holdings {
  const counted = new Map<string, Holding>();
  for (const ref of requirements) {
    const key = holdingKey(ref.collection, ref.tokenId);
    const holding = holdings.get(key);
    const units = delegatedUnits(delegations, ref);
    if (holding === undefined || units === 0n) continue;
    if (holding.balance <= units) {
      counted.set(key, holding);
      continue;
    }
    let left = units;
    const lots = holding.lots?.flatMap((lot) => {
      const take = lot.units < left ? lot.units : left;
      left -= take;
      return take === 0n ? [] : [{ ...lot, units: take }];
    });
    counted.set(key, { ...holding, balance: units, ...(lots === undefined ? {} : { lots }) });
  }
  return counted;
}

/** The vault that unlocked something, in words: "your vault …0aA9's Gold membership". */
export function vaultWords(vault: { address: string; tokens: readonly TokenRef[] }, names: TokenWords | undefined): string {
  const held = [...new Set(vault.tokens.map((ref) => names?.label(ref.collection, ref.tokenId)?.name ?? `token ${ref.tokenId}`))];
  const what = held.length === 0 ? "holdings" : held.length === 1 ? held[0]! : `${held.slice(0, -1).join(", ")} and ${held.at(-1)}`;
  // The address's last four, as wallets show it ("…0aA9"): enough for a member to recognise their
  // own, and no "0x…" string for a member who never learned what one is.
  return `your vault …${getAddress(vault.address).slice(-4)}'s ${what}`;
}
