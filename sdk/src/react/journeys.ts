/** Journeys: the member's journeys and completing a step. */
import { queryOptions, type UseMutationResult, type UseQueryResult } from "@tanstack/react-query";
import type { Address } from "viem";
import type { CompleteStepErrorType, CompleteStepParameters, CompleteStepReturnType } from "../actions/completeStep.ts";
import type { GetJourneysErrorType, GetJourneysParameters, GetJourneysReturnType } from "../actions/getJourneys.ts";
import { listingBrand } from "../utils/brand.ts";
import type { StampbookClient } from "../types/client.ts";
import { useStampbook } from "./context.ts";
import { stampbookKeys } from "./keys.ts";
import { asMember, baseOptions, useStampbookMutation, useStampbookQuery, type MutationParameter, type QueryParameter } from "./query.ts";

/** `getJourneys` as query options (`member` defaults to the client's session's address). */
export function journeysQueryOptions(client: StampbookClient, parameters: GetJourneysParameters = {}, member: Address | null = client.session?.address ?? null) {
  return queryOptions<GetJourneysReturnType, GetJourneysErrorType>({
    ...baseOptions,
    queryKey: stampbookKeys.journeys(client.apiUrl, member, { brand: listingBrand(client, parameters.brand) ?? null }),
    queryFn: asMember(client, member, () => client.getJourneys(parameters)),
  });
}

export type UseJourneysParameters<TData = GetJourneysReturnType> = GetJourneysParameters & QueryParameter<GetJourneysReturnType, GetJourneysErrorType, TData>;

/**
 * The member's journeys, each step `done` or `available`, and each award's status.
 *
 * @example
 * const { data: journeys } = useJourneys();
 */
export function useJourneys<TData = GetJourneysReturnType>({ query, ...parameters }: UseJourneysParameters<TData> = {}): UseQueryResult<TData, GetJourneysErrorType> {
  const { client, member } = useStampbook();
  return useStampbookQuery(journeysQueryOptions(client, parameters, member), query, true, member);
}

export type UseCompleteStepParameters = MutationParameter<CompleteStepReturnType, CompleteStepErrorType, CompleteStepParameters>;

/**
 * Completes a journey step; then refreshes the journeys, the member (points, level), the perks and
 * the drops (a level or a stamp may unlock one). A refusal is a `StepRefusedError` with its reason.
 *
 * @example
 * const step = useCompleteStep();
 * step.mutate({ journeyId, stepId, input: { code: "BEANS-2026" } });
 */
export function useCompleteStep(parameters: UseCompleteStepParameters = {}): UseMutationResult<CompleteStepReturnType, CompleteStepErrorType, CompleteStepParameters> {
  return useStampbookMutation((client, variables: CompleteStepParameters) => client.completeStep(variables), ["journeys", "me", "perks", "drops"], parameters.mutation);
}
