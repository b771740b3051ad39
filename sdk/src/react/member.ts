/** The member: the `/v1/me` answer, with the session it is for (signed in or not, which address). */
import { queryOptions, type UseQueryResult } from "@tanstack/react-query";
import type { Address } from "viem";
import type { GetMeErrorType, GetMeReturnType } from "../actions/getMe.ts";
import type { Session } from "../protocol/auth.ts";
import type { StampbookClient } from "../types/client.ts";
import { useStampbook } from "./context.ts";
import { stampbookKeys } from "./keys.ts";
import { asMember, baseOptions, useStampbookQuery, type QueryParameter } from "./query.ts";

/**
 * `getMe` as query options, for `useQuery`, `queryClient.prefetchQuery` on a server, or `fetchQuery`.
 * `member` defaults to the client's session's address.
 *
 * @example
 * await queryClient.prefetchQuery(meQueryOptions(client)); // client: signed in for this request
 */
export function meQueryOptions(client: StampbookClient, member: Address | null = client.session?.address ?? null) {
  return queryOptions<GetMeReturnType, GetMeErrorType>({ ...baseOptions, queryKey: stampbookKeys.me(client.apiUrl, member), queryFn: asMember(client, member, () => client.getMe()) });
}

export type UseMemberParameters<TData = GetMeReturnType> = QueryParameter<GetMeReturnType, GetMeErrorType, TData>;

export type UseMemberReturnType<TData = GetMeReturnType> = UseQueryResult<TData, GetMeErrorType> & {
  /** The member's session, or null. */
  session: Session | null;
  /** The member's address, or undefined when nobody is signed in. */
  address: Address | undefined;
  isSignedIn: boolean;
  /** True on the first render in the browser while the stored session is read and checked. */
  isRestoring: boolean;
};

/**
 * The signed-in member (`/v1/me`: holdings, points and levels per brand) and their session. It
 * follows the client: signing in, signing out, a session the server ended, a wallet that changed
 * account. While nobody is signed in the query waits (`isPending`, not fetching).
 *
 * @example
 * const { isSignedIn, address, data: me } = useMember();
 * if (!isSignedIn) return createElement(SignInButton);
 * return createElement("p", null, `${address}: ${me?.loyalty[0]?.points ?? "…"} points`);
 */
export function useMember<TData = GetMeReturnType>(parameters: UseMemberParameters<TData> = {}): UseMemberReturnType<TData> {
  const { client, session, status, member } = useStampbook();
  const result = useStampbookQuery(meQueryOptions(client, member), parameters.query, true, member);
  return { ...result, session, address: session?.address, isSignedIn: session !== null, isRestoring: status === "restoring" };
}
