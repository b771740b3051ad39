/**
 * What every hook shares: the `query` / `mutation` pass-through of TanStack options (as wagmi takes
 * them), the rule that a member's query runs only for that member, and a mutation that refreshes what
 * it changed before it settles.
 */
import { useMutation, useQuery, useQueryClient, type QueryKey, type UseMutationOptions, type UseMutationResult, type UseQueryOptions, type UseQueryResult } from "@tanstack/react-query";
import type { Address } from "viem";
import { NotSignedInError } from "../errors/session.ts";
import type { StampbookClient } from "../types/client.ts";
import { useStampbook } from "./context.ts";
import { stampbookKeys, type MemberArea } from "./keys.ts";

/** TanStack Query options a query hook passes on (initialData, staleTime, select, enabled, ...). */
export type QueryParameter<TQueryFnData, TError, TData = TQueryFnData> = {
  query?: Omit<UseQueryOptions<TQueryFnData, TError, TData, QueryKey>, "queryKey" | "queryFn" | "enabled"> & { enabled?: boolean };
};

/** TanStack Query options a mutation hook passes on (onSuccess, onError, retry, ...). */
export type MutationParameter<TData, TError, TVariables> = {
  mutation?: Omit<UseMutationOptions<TData, TError, TVariables>, "mutationFn">;
};

/**
 * The query options every factory shares. `retry: false` because the SDK already retries what is
 * worth retrying (network errors, 5xx, 503 after its Retry-After); TanStack's retries on top would
 * only hold a refusal such as `brand_not_found` back for seconds.
 */
export const baseOptions = { retry: false } as const;

/**
 * Runs `fetch` only while the client's session is `member`'s: a fetch started for one account must
 * not fill that account's cache with another's answer.
 */
export function asMember<T>(client: StampbookClient, member: Address | null, fetch: () => Promise<T>): () => Promise<T> {
  return () => (client.session?.address === member ? fetch() : Promise.reject(new NotSignedInError()));
}

/** A query with the hook's pass-through; a member's query waits (disabled) while nobody is signed in. */
export function useStampbookQuery<TQueryFnData, TError, TData = TQueryFnData>(
  options: UseQueryOptions<TQueryFnData, TError, TQueryFnData, QueryKey>,
  query: QueryParameter<TQueryFnData, TError, TData>["query"],
  memberOnly: boolean,
  member: Address | null,
): UseQueryResult<TData, TError> {
  return useQuery({ ...options, ...query, queryKey: options.queryKey, queryFn: options.queryFn, enabled: (!memberOnly || member !== null) && query?.enabled !== false } as UseQueryOptions<
    TQueryFnData,
    TError,
    TData,
    QueryKey
  >);
}

/**
 * A mutation on the client that, once it succeeded, refreshes the member's `areas` (refetching the
 * ones on screen) before it settles, so `isPending` covers the fresh data too; then the caller's
 * own `onSuccess` runs.
 */
export function useStampbookMutation<TData, TError, TVariables>(
  run: (client: StampbookClient, variables: TVariables) => Promise<TData>,
  areas: readonly MemberArea[],
  mutation: MutationParameter<TData, TError, TVariables>["mutation"],
): UseMutationResult<TData, TError, TVariables> {
  const { client } = useStampbook();
  const queryClient = useQueryClient();
  return useMutation<TData, TError, TVariables>({
    ...mutation,
    mutationFn: (variables) => run(client, variables),
    async onSuccess(...args) {
      const member = client.session?.address ?? null;
      if (member) await Promise.all(areas.map((area) => queryClient.invalidateQueries({ queryKey: [...stampbookKeys.member(client.apiUrl, member), area] })));
      return mutation?.onSuccess?.(...args);
    },
  });
}
