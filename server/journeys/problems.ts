/** The problems journeys answer with: one stable code each. */
import { Problem, type ProblemCode } from "../errors.ts";
import type { CompleteStepResult } from "./types.ts";

function problem(status: number, code: ProblemCode, title: string, detail?: string, extensions?: Record<string, unknown>): Problem {
  return new Problem(status, code, title, detail, extensions);
}

/** A journey definition that breaks a rule; `path` names the field, e.g. `steps[2].questions[0].answer`. */
export const invalidJourney = (path: string, detail: string) => problem(400, "invalid_journey", "The journey is not valid", `${path}: ${detail}`, { path });

export const journeyNotFound = (id?: string) => problem(404, "journey_not_found", "No such journey", id === undefined ? undefined : `journey ${id}`);

export const stepNotFound = (journeyId: string, stepId: string) => problem(404, "step_not_found", "No such step", `journey ${journeyId} has no step ${stepId}`);

export const journeyHasProgress = () =>
  problem(409, "journey_has_progress", "Members have progress on this journey", "Its steps, order and stamp are fixed now; title, description and window may still change.");

export const notMemberCompletable = (kind: string) =>
  problem(409, "step_not_member_completable", "This step completes by itself", kind === "event" ? "It counts when the brand reports the event." : "It counts when a friend signs in with your invitation.");

export const quizWrong = (wrong: number, of: number) =>
  problem(422, "quiz_wrong", `${wrong} of ${of} answer${of === 1 ? " is" : "s are"} wrong`, "Try again.", { wrong });

export const idempotencyKeyReused = () =>
  problem(409, "idempotency_key_reused", "This Idempotency-Key came with a different event", "Use a new key for each new event; a retry must send the same body.");

export const eventKeyRequired = () =>
  new Problem(400, "idempotency_key_required", "Send an Idempotency-Key header (or idempotencyKey in the body)", "1 to 255 visible ASCII characters, new for each new event.");

type Refusal = Exclude<CompleteStepResult, { status: "completed" | "already_done" }>;

/** The store's refusal of a completion, as the problem the member sees. */
export function completionRefused(result: Refusal, journeyId: string, stepId: string, window: { startsAt: string | null; endsAt: string | null }): Problem {
  switch (result.status) {
    case "journey_not_found":
      return journeyNotFound(journeyId);
    case "step_not_found":
      return stepNotFound(journeyId, stepId);
    case "not_started":
      return problem(409, "journey_not_open", "The journey is not open yet", `opens at ${window.startsAt}`);
    case "ended":
      return problem(409, "journey_not_open", "The journey has ended", `ended at ${window.endsAt}`);
    case "step_locked":
      return problem(409, "step_locked", "Complete the earlier steps first", `step ${result.waitingFor} comes first`, { waitingFor: result.waitingFor });
    case "code_invalid":
      return problem(422, "code_invalid", "That code is not valid for this step", "Check the code and try again.");
    case "code_used":
      return problem(409, "code_used", "That code has been used already", "Each code counts once.");
  }
}
