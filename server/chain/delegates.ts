/**
 * Whose vaults count for a member: the delegations to the wallet they signed in with, through the
 * Delegate Registry (delegate.xyz v2). The index says which vaults delegated (it follows the
 * registry's events); for anything that grants something, each of those delegations is confirmed
 * on chain at the head (`checkDelegateFor…`), so a revocation counts from its block, whatever the
 * index has applied. A delegation that cannot be confirmed counts for nothing: the member's own
 * holdings still do.
 *
 * Display reads reuse the index's answer for a second at most, and reads of one member at the same
 * time share one query.
 */
import type { Address, Hex, PublicClient } from "viem";
import { DELEGATE_REGISTRY_ADDRESS, delegateRegistryAbi } from "../../contracts/bindings/index.ts";
import type { ChainIndexStore, Delegation } from "./index/types.ts";

/** One vault that counts for a member, and what of it counts. */
export type VaultGrant = { vault: Address; delegations: readonly Delegation[] };

export type DelegateReader = {
  /** The vaults that count for `member`: from the index (`fresh`: each delegation confirmed at the head). */
  vaultsOf(member: Address, options: { fresh: boolean }): Promise<readonly VaultGrant[]>;
};

const NO_RIGHTS: Hex = `0x${"0".repeat(64)}`;
const MAX_CACHED = 10_000;

export function createDelegateReader(options: {
  store: Pick<ChainIndexStore, "delegationsTo">;
  client: Pick<PublicClient, "readContract">;
  cacheMs: number;
  onUnconfirmed?: (delegation: Delegation, error: unknown) => void;
}): DelegateReader {
  const cache = new Map<string, { at: number; grants: Promise<readonly VaultGrant[]> }>();

  /** What the registry says at the head for one delegation: its amount now (0 when it is gone). */
  async function confirmed(d: Delegation): Promise<bigint> {
    const registry = { address: DELEGATE_REGISTRY_ADDRESS, abi: delegateRegistryAbi } as const;
    if (d.kind === "all") return (await options.client.readContract({ ...registry, functionName: "checkDelegateForAll", args: [d.delegate, d.vault, NO_RIGHTS] })) ? d.amount : 0n;
    if (d.kind === "contract") {
      return (await options.client.readContract({ ...registry, functionName: "checkDelegateForContract", args: [d.delegate, d.vault, d.contract!, NO_RIGHTS] })) ? d.amount : 0n;
    }
    return options.client.readContract({ ...registry, functionName: "checkDelegateForERC1155", args: [d.delegate, d.vault, d.contract!, d.tokenId!, NO_RIGHTS] });
  }

  async function fromIndex(member: Address, fresh: boolean): Promise<readonly VaultGrant[]> {
    let delegations = await options.store.delegationsTo(member);
    if (fresh && delegations.length > 0) {
      const amounts = await Promise.all(
        delegations.map((d) =>
          confirmed(d).catch((error: unknown) => {
            options.onUnconfirmed?.(d, error);
            return 0n;
          }),
        ),
      );
      delegations = delegations.flatMap((d, i) => {
        const amount = amounts[i]!;
        // An ERC-1155 delegation counts for what the registry says now, never more than the index saw.
        return amount === 0n ? [] : [{ ...d, amount: amount < d.amount ? amount : d.amount }];
      });
    }
    const byVault = new Map<string, Delegation[]>();
    for (const d of delegations) {
      if (d.vault.toLowerCase() === member.toLowerCase()) continue;
      byVault.set(d.vault.toLowerCase(), [...(byVault.get(d.vault.toLowerCase()) ?? []), d]);
    }
    return [...byVault].map(([vault, list]) => ({ vault: vault as Address, delegations: list }));
  }

  // Display reads of one member at once (a listing reads each brand on its own) share one query.
  const inFlight = new Map<string, Promise<readonly VaultGrant[]>>();

  return {
    vaultsOf(member, { fresh }) {
      if (fresh) return fromIndex(member, true);
      const key = member.toLowerCase();
      const hit = cache.get(key);
      if (hit !== undefined && Date.now() - hit.at < options.cacheMs) return hit.grants;
      let grants = inFlight.get(key);
      if (grants === undefined) {
        grants = fromIndex(member, false);
        inFlight.set(key, grants);
        void grants.then(
          () => inFlight.delete(key),
          () => inFlight.delete(key),
        );
      }
      if (options.cacheMs > 0) {
        if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
        cache.set(key, { at: Date.now(), grants });
        grants.catch(() => cache.delete(key));
      }
      return grants;
    },
  };
}
