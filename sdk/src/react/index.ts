/**
 * `@stampbook/sdk/react`: React hooks over a Stampbook client, on TanStack Query as wagmi is. The app
 * provides `<QueryClientProvider>`, then `<StampbookProvider client>`; each hook is an action by its
 * name (`usePerks` for `getPerks`) returning TanStack's result, and each query has an options
 * factory (`perksQueryOptions`) for prefetching on a server. The core arrives through the provider,
 * so this entry imports only its types (and two error classes).
 */
export { StampbookProvider, type StampbookProviderProps } from "./StampbookProvider.ts";
export { useStampbookClient, type SessionStatus } from "./context.ts";
export { ProviderNotFoundError, type ProviderNotFoundErrorType } from "./errors.ts";
export { stampbookKeys, type MemberArea, type StampbookScope } from "./keys.ts";
export type { MutationParameter, QueryParameter } from "./query.ts";

export { meQueryOptions, useMember, type UseMemberParameters, type UseMemberReturnType } from "./member.ts";
export { useSignIn, useSignOut, type UseSignInParameters, type UseSignOutParameters } from "./session.ts";
export {
  perksQueryOptions,
  redemptionsQueryOptions,
  usePerks,
  useRedeemPerk,
  useRedemptions,
  type UsePerksParameters,
  type UseRedeemPerkParameters,
  type UseRedemptionsParameters,
} from "./perks.ts";
export { dropsQueryOptions, useClaimDrop, useDrops, type UseClaimDropParameters, type UseDropsParameters } from "./drops.ts";
export { journeysQueryOptions, useCompleteStep, useJourneys, type UseCompleteStepParameters, type UseJourneysParameters } from "./journeys.ts";
export { levelsQueryOptions, useLevel, useLevels, type MemberLevel, type UseLevelErrorType, type UseLevelReturnType, type UseLevelsParameters } from "./level.ts";
export {
  consentsQueryOptions,
  dataRequestsQueryOptions,
  profileQueryOptions,
  useConsents,
  useDataRequests,
  useGrantConsent,
  useProfile,
  useRevokeConsent,
  useUpdateProfile,
} from "./data.ts";
