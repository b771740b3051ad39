/** Errors of completing a journey step. */
import type { Reason as PerkReason } from "../protocol/offers.ts";
import { ApiError } from "./api.ts";
import { handlingOf, type CodesHandledAs } from "./codes.ts";

/** The problem codes with which the API refuses to complete a step (see `PROBLEM_HANDLING`). */
export type StepRefusalCode = CodesHandledAs<"stepRefused">;

/** Whether `error` is the API refusing a step (rather than a missing journey, an outage, …). */
export function isStepRefusal(error: unknown): error is ApiError {
  return error instanceof ApiError && handlingOf(error.code) === "stepRefused";
}

export type StepRefusedErrorType = StepRefusedError & { name: "StepRefusedError" };

/**
 * The API refused to complete a step. Still an {@link ApiError} (`status`, `problem`, `requestId`);
 * `code` is the problem's: "quiz_wrong" (the title says how many answers are wrong), "code_invalid",
 * "code_used", "step_locked" (ordered journey, an earlier step is not done), "journey_not_open",
 * "not_eligible" (a hold step; `reasons` say what is missing, in words) or "step_not_member_completable"
 * (event and referral steps complete on their own).
 *
 * @example
 * try {
 *   await client.completeStep({ journeyId: journey.id, stepId: step.id, answers });
 * } catch (error) {
 *   if (error instanceof StepRefusedError) show(error.reasons.map((r) => r.message).join(", ") || error.shortMessage);
 * }
 */
export class StepRefusedError extends ApiError {
  override name = "StepRefusedError";
  declare readonly code: StepRefusalCode;
  /** Why the member is not eligible (code "not_eligible"); empty otherwise. */
  readonly reasons: PerkReason[];

  constructor(error: ApiError) {
    super({ problem: error.problem, method: error.method, url: error.url, requestId: error.requestId });
    this.reasons = Array.isArray(error.problem.reasons) ? (error.problem.reasons as PerkReason[]) : [];
  }
}
