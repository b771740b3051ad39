/**
 * Delegations as the index keeps them: every Delegate Registry event becomes one record (who, to
 * whom, for what, how much, where in the chain), and the delegations in force are the last record
 * of each delegation. Kept as records rather than as a current state so that a rollback only deletes
 * the records of the abandoned blocks, as it does for holdings' changes. Pure: no I/O.
 */
import type { Address, Hex } from "viem";
import type { Delegation, IndexEvent } from "../../chain/index/types.ts";

const UINT256_MAX = 2n ** 256n - 1n;
const NO_RIGHTS: Hex = `0x${"0".repeat(64)}`;

/** One registry event: a delegation set to `amount` (0: off) at a place in the chain. */
export type DelegationRecord = Omit<Delegation, "sinceBlock"> & { rights: Hex; blockNumber: bigint; logIndex: number };

/** The records of the registry's events among `events` (others are skipped). */
export function delegationRecordsOf(events: readonly IndexEvent[]): DelegationRecord[] {
  const records: DelegationRecord[] = [];
  for (const event of events) {
    const a = event.args;
    const common = { vault: a.from as Address, delegate: a.to as Address, rights: a.rights as Hex, blockNumber: event.blockNumber, logIndex: event.logIndex };
    const on = (enable: string | string[] | undefined) => (enable === "true" ? UINT256_MAX : 0n);
    if (event.name === "DelegateAll") records.push({ ...common, kind: "all", contract: null, tokenId: null, amount: on(a.enable) });
    else if (event.name === "DelegateContract") records.push({ ...common, kind: "contract", contract: a.contract_ as Address, tokenId: null, amount: on(a.enable) });
    else if (event.name === "DelegateERC1155") {
      records.push({ ...common, kind: "erc1155", contract: a.contract_ as Address, tokenId: BigInt(a.tokenId as string), amount: BigInt(a.amount as string) });
    }
  }
  return records;
}

/**
 * The delegations `records` (chain order) leave in force: the last record of each delegation, when
 * it grants something without rights (a delegation for named rights is for another purpose).
 */
export function delegationsInForce(records: readonly DelegationRecord[]): Delegation[] {
  const last = new Map<string, DelegationRecord>();
  for (const r of records) last.set([r.vault, r.delegate, r.kind, r.contract ?? "", r.tokenId ?? "", r.rights].join("|").toLowerCase(), r);
  const delegations: Delegation[] = [];
  for (const r of last.values()) {
    if (r.amount === 0n || r.rights.toLowerCase() !== NO_RIGHTS) continue;
    delegations.push({ vault: r.vault, delegate: r.delegate, kind: r.kind, contract: r.contract, tokenId: r.tokenId, amount: r.amount, sinceBlock: r.blockNumber });
  }
  return delegations;
}
