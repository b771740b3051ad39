"use client";
/** The member's level with this brand, their points, and what the next level needs. */
import { useLevel } from "@stampbook/sdk/react";
import { explain } from "../lib/explain";
import { useStorefrontConfig } from "../lib/stampbook";

export function Standing() {
  const config = useStorefrontConfig();
  const level = useLevel({ brandId: config.brand });
  const standing = level.data?.standing;
  return (
    <section className="panel" aria-labelledby="standing-title">
      <h2 id="standing-title">Your level</h2>
      {level.isPending ? (
        <p className="muted">Reading your level…</p>
      ) : level.isError ? (
        <p className="status error">{explain(level.error)}</p>
      ) : !standing ? (
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
