"use client";
/**
 * The brand's perks for this member: the ones they can redeem first, each locked one with what it
 * needs in words. Redeeming shows a one-time code to show at the counter.
 */
import type { MemberPerk } from "@stampbook/sdk";
import { usePerks, useRedeemPerk } from "@stampbook/sdk/react";
import { explain } from "../lib/explain";
import { useStorefrontConfig } from "../lib/stampbook";

export function Perks() {
  const config = useStorefrontConfig();
  const perks = usePerks({ brand: config.brand });
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
          <PerkCard key={perk.id} perk={perk} />
        ))}
      </ul>
    </section>
  );
}

function PerkCard({ perk }: { perk: MemberPerk }) {
  // Refreshes the perks (limits used) and the member (points) once redeemed.
  const redeem = useRedeemPerk();
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
        <button type="button" className="primary" disabled={redeem.isPending} onClick={() => redeem.mutate({ perkId: perk.id })}>
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
