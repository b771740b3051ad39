"use client";
/** The member's level with this brand, their points, and what the next level needs. */
import { useQuery } from "@tanstack/react-query";
import { explain } from "../lib/explain";
import { memberKey } from "../lib/session";
import { useStampbook } from "../lib/stampbook";

export function Standing({ address }: { address: string }) {
  const { client, config } = useStampbook();
  const me = useQuery({ queryKey: memberKey(address, "me"), queryFn: () => client.getMe() });
  const standing = me.data?.loyalty.find((l) => l.brandId === config.brand);
  return (
    <section className="panel" aria-labelledby="standing-title">
      <h2 id="standing-title">Your level</h2>
      {me.isPending ? (
        <p className="muted">Reading your level…</p>
      ) : me.isError ? (
        <p className="status error">{explain(me.error)}</p>
      ) : standing === undefined ? (
        <p className="muted">Your level cannot be read just now.</p>
      ) : (
        <>
          <p className="level-line">
            <span id="level-name" className="level-name">{standing.level?.name ?? "No level yet"}</span>
            <span id="points" className="points">{standing.points} points</span>
          </p>
          <p id="next-level" className="muted">{standing.next ? `${standing.next.pointsToGo} points to ${standing.next.name}` : "You have the highest level."}</p>
        </>
      )}
    </section>
  );
}
