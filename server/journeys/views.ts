/** Journeys as a brand sees them on the wire (the shapes are the protocol's). */
import type { Static } from "typebox";
import { getAddress } from "viem";
import type { AdminJourneySchema, AdminStepSchema } from "../../sdk/src/protocol/journeys.ts";
import { sharedCodeWarning, type GuessLimits } from "./code-strength.ts";
import type { Journey, JourneyProgress } from "./types.ts";

/** @param limits the deployment's guessing limits, which a shared code's warning speaks of. */
export function adminJourneyView(journey: Journey, limits: GuessLimits): Static<typeof AdminJourneySchema> {
  const warnings = journey.steps.flatMap((step) => {
    const message = step.kind === "code" && step.mode === "shared" ? sharedCodeWarning(step.code, limits) : null;
    return message === null ? [] : [{ stepId: step.id, code: "shared_code_guessable" as const, message }];
  });
  return {
    ...journey,
    stamp: { ...journey.stamp, collection: getAddress(journey.stamp.collection) },
    steps: journey.steps as Static<typeof AdminStepSchema>[],
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

export function progressView(item: JourneyProgress) {
  return { ...item, member: getAddress(item.member) };
}
