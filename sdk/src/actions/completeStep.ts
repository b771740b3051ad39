import type { Client } from "../types/client.ts";
import type { ApiErrorType, HttpRequestErrorType } from "../errors/api.ts";
import { isStepRefusal, StepRefusedError, type StepRefusedErrorType } from "../errors/journey.ts";
import type { NotSignedInErrorType } from "../errors/session.ts";
import type { MemberJourney, MemberJourneyStep } from "../protocol/journeys.ts";
import { apiRequest } from "../utils/http.ts";

/** What completing a step takes: a quiz the index of the chosen answer per question, a code step the code, a hold step nothing. */
export type StepInput = { answers: number[] } | { code: string } | Record<string, never>;

export type CompleteStepParameters = {
  journeyId: string;
  stepId: string;
  /** Default `{}` (a hold step). */
  input?: StepInput;
};
export type CompleteStepReturnType = { step: MemberJourneyStep; journey: MemberJourney };
export type CompleteStepErrorType = StepRefusedErrorType | ApiErrorType | HttpRequestErrorType | NotSignedInErrorType;

/**
 * Completes one step of a journey for the signed-in member (`POST /v1/journeys/:id/steps/:stepId/complete`)
 * and returns the step and the journey as they are now; completing the last step queues the stamp
 * (`journey.award`). Completing a step already done answers the same state, so network errors,
 * timeouts and 5xx answers are retried. Refusals are {@link StepRefusedError}s (an `ApiError` with
 * the problem's `code` and, for a hold step not met, `reasons` in words).
 *
 * @example
 * const { journey } = await client.completeStep({ journeyId: "jrn_1", stepId: "quiz", input: { answers: [0, 2] } });
 * await client.completeStep({ journeyId: "jrn_1", stepId: "visit", input: { code: "K7QP-3XMD" } });
 * await client.completeStep({ journeyId: "jrn_1", stepId: "hold" }); // checked against the chain now
 * if (journey.completed) console.log("stamp on its way:", journey.award?.status);
 */
export async function completeStep(client: Client, parameters: CompleteStepParameters): Promise<CompleteStepReturnType> {
  const { journeyId, stepId, input = {} } = parameters;
  try {
    return await apiRequest<CompleteStepReturnType>(client, {
      method: "POST",
      path: `/v1/journeys/${encodeURIComponent(journeyId)}/steps/${encodeURIComponent(stepId)}/complete`,
      body: input,
      retry: true,
    });
  } catch (error) {
    throw isStepRefusal(error) ? new StepRefusedError(error) : error;
  }
}
