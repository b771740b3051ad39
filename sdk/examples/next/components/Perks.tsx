"use client";
/**
 * The brand's perks for this member: the ones they can redeem first, each locked one with what it
 * needs in words. Redeeming shows a one-time code to show at the counter.
 */
import type { MemberPerk, Redemption } from "@stampbook/sdk";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { explain } from "../lib/explain";
import { memberKey } from "../lib/session";
import { useStampbook } from "../lib/stampbook";

export function Perks({ address }: { address: string }) {
  const { client, config } = useStampbook();
  const perks = useQuery({ queryKey: memberKey(address, "perks"), queryFn: () => client.getPerks({ brand: config.brand }) });
  const open = (perks.data ?? []).filter((p) => p.status === "open").toSorted((a, b) => Number(b.eligible && !b.usedUp) - Number(a.eligible && !a.usedUp));
  return (
    <section className="panel" id="perks" aria-labelledby="perks-title">
      <div className="row">
        <h2 id="perks-title">Your perks</h2>
        <button type="button" onClick={() => void perks.refetch()} disabled={perks.isFetching}>
          Refresh
        </button>
      </div>
      {perks.isPending ? <p className="muted">Reading your perks…</p> : perks.isError ? <p className="status error">{explain(perks.error)}</p> : null}
      <ul className="cards">
        {open.map((perk) => (
          <PerkCard key={perk.id} perk={perk} address={address} />
        ))}
      </ul>
    </section>
  );
}

function PerkCard({ perk, address }: { perk: MemberPerk; address: string }) {
  const { client } = useStampbook();
  const queryClient = useQueryClient();
  const redeem = useMutation({
    mutationFn: (): Promise<Redemption> => client.redeemPerk({ perkId: perk.id }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: memberKey(address, "perks") }),
  });
  const redeemable = perk.eligible && !perk.usedUp;
  return (
    <li className={redeemable ? "card" : "card locked"} data-perk-id={perk.id}>
      <h3>{perk.title}</h3>
      <p>{perk.description}</p>
      {redeem.data ? (
        <p className="code-box" role="status">
          Show this code at the counter: <strong className="code">{redeem.data.code}</strong>
        </p>
      ) : redeemable ? (
        <button type="button" className="primary" disabled={redeem.isPending} onClick={() => redeem.mutate()}>
          {redeem.isPending ? "Redeeming…" : "Redeem"}
        </button>
      ) : perk.usedUp ? (
        <span className="badge">Redeemed</span>
      ) : (
        <p className="needs">Needs {perk.requires}</p>
      )}
      {redeem.isError ? <p className="status error">{explain(redeem.error)}</p> : null}
    </li>
  );
}
