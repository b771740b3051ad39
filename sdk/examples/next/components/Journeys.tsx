"use client";
/** The brand's journeys: each one's steps, which are done, and the stamp it ends with. */
import { useJourneys } from "@stampbook/sdk/react";
import { explain } from "../lib/explain";
import { useStorefrontConfig } from "../lib/stampbook";

export function Journeys() {
  const config = useStorefrontConfig();
  const journeys = useJourneys();
  const ours = (journeys.data ?? []).filter((j) => j.brandId === config.brand && j.status === "open");
  return (
    <section className="panel" id="journeys" aria-labelledby="journeys-title">
      <h2 id="journeys-title">Your journeys</h2>
      {journeys.isPending ? <p className="muted">Reading your journeys…</p> : journeys.isError ? <p className="status error">{explain(journeys.error)}</p> : null}
      <ul className="cards">
        {ours.map((journey) => {
          const done = journey.steps.filter((s) => s.done).length;
          return (
            <li key={journey.id} className="card journey">
              <h3>{journey.title}</h3>
              <p className="muted">
                {journey.completed ? `Done: the ${journey.stamp.name} is yours.` : `${done} of ${journey.steps.length} steps · ends with the ${journey.stamp.name} (${journey.stamp.points} points)`}
              </p>
              <ol className="steps">
                {journey.steps.map((step) => (
                  <li key={step.id} className={step.done ? "step done" : "step"}>
                    {step.title}
                  </li>
                ))}
              </ol>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
