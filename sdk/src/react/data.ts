/** The member's data: their profile, brands' data requests, the member's consents and granting or revoking one. */
import { queryOptions, useQueryClient, type UseMutationResult, type UseQueryResult } from "@tanstack/react-query";
import type { Address } from "viem";
import type { GetConsentsErrorType, GetConsentsReturnType } from "../actions/getConsents.ts";
import type { GetDataRequestsErrorType, GetDataRequestsParameters, GetDataRequestsReturnType } from "../actions/getDataRequests.ts";
import { listingBrand } from "../utils/brand.ts";
import type { GetProfileErrorType, GetProfileReturnType } from "../actions/getProfile.ts";
import type { GrantConsentErrorType, GrantConsentParameters, GrantConsentReturnType } from "../actions/grantConsent.ts";
import type { RevokeConsentErrorType, RevokeConsentParameters, RevokeConsentReturnType } from "../actions/revokeConsent.ts";
import type { UpdateProfileErrorType, UpdateProfileParameters, UpdateProfileReturnType } from "../actions/updateProfile.ts";
import type { StampbookClient } from "../types/client.ts";
import { useStampbook } from "./context.ts";
import { stampbookKeys } from "./keys.ts";
import { asMember, baseOptions, useStampbookMutation, useStampbookQuery, type MutationParameter, type QueryParameter } from "./query.ts";

/** `getProfile` as query options (`member` defaults to the client's session's address). */
export function profileQueryOptions(client: StampbookClient, member: Address | null = client.session?.address ?? null) {
  return queryOptions<GetProfileReturnType, GetProfileErrorType>({ ...baseOptions, queryKey: stampbookKeys.profile(client.apiUrl, member), queryFn: asMember(client, member, () => client.getProfile()) });
}

/**
 * The member's own profile (every field nullable).
 *
 * @example
 * const { data: profile } = useProfile();
 */
export function useProfile<TData = GetProfileReturnType>(parameters: QueryParameter<GetProfileReturnType, GetProfileErrorType, TData> = {}): UseQueryResult<TData, GetProfileErrorType> {
  const { client, member } = useStampbook();
  return useStampbookQuery(profileQueryOptions(client, member), parameters.query, true, member);
}

/**
 * Replaces the member's whole profile; the answer becomes the cached profile.
 *
 * @example
 * const update = useUpdateProfile();
 * update.mutate({ ...profile, city: "Lyon" });
 */
export function useUpdateProfile(
  parameters: MutationParameter<UpdateProfileReturnType, UpdateProfileErrorType, UpdateProfileParameters> = {},
): UseMutationResult<UpdateProfileReturnType, UpdateProfileErrorType, UpdateProfileParameters> {
  const queryClient = useQueryClient();
  return useStampbookMutation(
    async (client, variables: UpdateProfileParameters) => {
      const profile = await client.updateProfile(variables);
      queryClient.setQueryData(stampbookKeys.profile(client.apiUrl, client.session?.address ?? null), profile);
      return profile;
    },
    [],
    parameters.mutation,
  );
}

/** `getDataRequests` as query options: public, the same for every member. */
export function dataRequestsQueryOptions(client: StampbookClient, parameters: GetDataRequestsParameters = {}) {
  return queryOptions<GetDataRequestsReturnType, GetDataRequestsErrorType>({
    ...baseOptions,
    queryKey: stampbookKeys.dataRequests(client.apiUrl, { brand: listingBrand(client, parameters.brand) ?? null }),
    queryFn: () => client.getDataRequests(parameters),
  });
}

/**
 * The brand's live data requests (every brand's from a client without one, or with `brand: null`):
 * what a brand asks to read, why, for how long; no sign-in needed.
 *
 * @example
 * const { data: requests } = useDataRequests();
 */
export function useDataRequests<TData = GetDataRequestsReturnType>({
  query,
  ...parameters
}: GetDataRequestsParameters & QueryParameter<GetDataRequestsReturnType, GetDataRequestsErrorType, TData> = {}): UseQueryResult<TData, GetDataRequestsErrorType> {
  const { client, member } = useStampbook();
  return useStampbookQuery(dataRequestsQueryOptions(client, parameters), query, false, member);
}

/** `getConsents` as query options (`member` defaults to the client's session's address). */
export function consentsQueryOptions(client: StampbookClient, member: Address | null = client.session?.address ?? null) {
  return queryOptions<GetConsentsReturnType, GetConsentsErrorType>({ ...baseOptions, queryKey: stampbookKeys.consents(client.apiUrl, member), queryFn: asMember(client, member, () => client.getConsents()) });
}

/**
 * The member's grants, newest first, each `active`, `revoked` or `expired` with its receipt.
 *
 * @example
 * const { data: consents } = useConsents();
 */
export function useConsents<TData = GetConsentsReturnType>(parameters: QueryParameter<GetConsentsReturnType, GetConsentsErrorType, TData> = {}): UseQueryResult<TData, GetConsentsErrorType> {
  const { client, member } = useStampbook();
  return useStampbookQuery(consentsQueryOptions(client, member), parameters.query, true, member);
}

/**
 * Grants a brand's data request with the member's signature; then refreshes the consents, the
 * perks and the drops (a consent rule may unlock one).
 *
 * @example
 * const grant = useGrantConsent();
 * grant.mutate({ requestId: request.id });
 */
export function useGrantConsent(
  parameters: MutationParameter<GrantConsentReturnType, GrantConsentErrorType, GrantConsentParameters> = {},
): UseMutationResult<GrantConsentReturnType, GrantConsentErrorType, GrantConsentParameters> {
  return useStampbookMutation((client, variables: GrantConsentParameters) => client.grantConsent(variables), ["consents", "perks", "drops"], parameters.mutation);
}

/**
 * Revokes one of the member's grants at once; then refreshes the consents, the perks and the drops.
 *
 * @example
 * const revoke = useRevokeConsent();
 * revoke.mutate({ consentId: consent.id });
 */
export function useRevokeConsent(
  parameters: MutationParameter<RevokeConsentReturnType, RevokeConsentErrorType, RevokeConsentParameters> = {},
): UseMutationResult<RevokeConsentReturnType, RevokeConsentErrorType, RevokeConsentParameters> {
  return useStampbookMutation((client, variables: RevokeConsentParameters) => client.revokeConsent(variables), ["consents", "perks", "drops"], parameters.mutation);
}
