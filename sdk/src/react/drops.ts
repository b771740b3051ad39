/** Drops: the member's drops and claiming one. */
import { queryOptions, type UseMutationResult, type UseQueryResult } from "@tanstack/react-query";
import type { Address } from "viem";
import type { ClaimDropErrorType, ClaimDropParameters, ClaimDropReturnType } from "../actions/claimDrop.ts";
import type { GetDropsErrorType, GetDropsParameters, GetDropsReturnType } from "../actions/getDrops.ts";
import type { StampbookClient } from "../types/client.ts";
import { listingBrand } from "../utils/brand.ts";
import { useStampbook } from "./context.ts";
import { stampbookKeys } from "./keys.ts";
import { asMember, baseOptions, useStampbookMutation, useStampbookQuery, type MutationParameter, type QueryParameter } from "./query.ts";

/** `getDrops` as query options (`member` defaults to the client's session's address). */
export function dropsQueryOptions(client: StampbookClient, parameters: GetDropsParameters = {}, member: Address | null = client.session?.address ?? null) {
  return queryOptions<GetDropsReturnType, GetDropsErrorType>({
    ...baseOptions,
    queryKey: stampbookKeys.drops(client.apiUrl, member, { ...parameters, brand: listingBrand(client, parameters.brand) ?? null }),
    queryFn: asMember(client, member, () => client.getDrops(parameters)),
  });
}

export type UseDropsParameters<TData = GetDropsReturnType> = GetDropsParameters & QueryParameter<GetDropsReturnType, GetDropsErrorType, TData>;

/**
 * The drops the member can see, with what they already claimed.
 *
 * @example
 * const { data: drops } = useDrops();
 */
export function useDrops<TData = GetDropsReturnType>({ query, ...parameters }: UseDropsParameters<TData> = {}): UseQueryResult<TData, GetDropsErrorType> {
  const { client, member } = useStampbook();
  return useStampbookQuery(dropsQueryOptions(client, parameters, member), query, true, member);
}

export type UseClaimDropParameters = MutationParameter<ClaimDropReturnType, ClaimDropErrorType, ClaimDropParameters>;

/**
 * Claims a drop; then refreshes the drops, the member (holdings and points), the perks (which
 * holdings unlock) and the journeys (whose hold steps read them) before it settles.
 *
 * @example
 * const claim = useClaimDrop();
 * createElement("button", { onClick: () => claim.mutate({ dropId: drop.id }) }, "Claim");
 */
export function useClaimDrop(parameters: UseClaimDropParameters = {}): UseMutationResult<ClaimDropReturnType, ClaimDropErrorType, ClaimDropParameters> {
  return useStampbookMutation((client, variables: ClaimDropParameters) => client.claimDrop(variables), ["drops", "me", "perks", "journeys"], parameters.mutation);
}
