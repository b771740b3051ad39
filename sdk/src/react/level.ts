/**
 * Levels: a brand's levels (public) and the member's standing among them. The standing is read from
 * `/v1/me` (the query `useMember` shares), so whatever refreshes the member refreshes the level too.
 */
import { queryOptions, type UseQueryResult } from "@tanstack/react-query";
import { useMemo } from "react";
import type { GetLevelsErrorType, GetLevelsParameters, GetLevelsReturnType } from "../actions/getLevels.ts";
import type { GetMeErrorType } from "../actions/getMe.ts";
import type { Level } from "../protocol/levels.ts";
import type { LoyaltyStanding } from "../protocol/members.ts";
import type { StampbookClient } from "../types/client.ts";
import { useStampbook } from "./context.ts";
import { stampbookKeys } from "./keys.ts";
import { meQueryOptions } from "./member.ts";
import { baseOptions, useStampbookQuery, type QueryParameter } from "./query.ts";

/** `getLevels` as query options: public, the same for every member. */
export function levelsQueryOptions(client: StampbookClient, parameters: GetLevelsParameters = {}) {
  const brandId = parameters.brandId ?? client.brand ?? "";
  return queryOptions<GetLevelsReturnType, GetLevelsErrorType>({ ...baseOptions, queryKey: stampbookKeys.levels(client.apiUrl, brandId), queryFn: () => client.getLevels(parameters) });
}

export type UseLevelsParameters<TData = GetLevelsReturnType> = GetLevelsParameters & QueryParameter<GetLevelsReturnType, GetLevelsErrorType, TData>;

/**
 * A brand's levels, lowest first; no sign-in needed.
 *
 * @example
 * const { data: levels } = useLevels({ brandId });
 */
export function useLevels<TData = GetLevelsReturnType>({ query, ...parameters }: UseLevelsParameters<TData> = {}): UseQueryResult<TData, GetLevelsErrorType> {
  const { client, member } = useStampbook();
  return useStampbookQuery(levelsQueryOptions(client, parameters), query, false, member);
}

export type MemberLevel = {
  /** The brand's levels, lowest first. */
  levels: Level[];
  /** The member's points, level and next level with the brand; null while its collections cannot be read. */
  standing: LoyaltyStanding | null;
};

export type UseLevelErrorType = GetLevelsErrorType | GetMeErrorType;

/** The two queries' states as one: pending until both answered, the first error if any. */
export type UseLevelReturnType = Pick<UseQueryResult<MemberLevel, UseLevelErrorType>, "data" | "error" | "status" | "isPending" | "isSuccess" | "isError" | "isFetching"> & {
  refetch(): Promise<void>;
};

/**
 * The member's level with a brand: their points, level and what the next one needs, with the
 * brand's levels (prefetch `meQueryOptions` and `levelsQueryOptions` to render it on a server).
 *
 * @example
 * const { data } = useLevel({ brandId });
 * const label = data?.standing?.level?.name ?? "No level yet";
 */
export function useLevel(parameters: GetLevelsParameters = {}): UseLevelReturnType {
  const { client, member } = useStampbook();
  const me = useStampbookQuery(meQueryOptions(client, member), undefined, true, member);
  const levels = useStampbookQuery(levelsQueryOptions(client, parameters), undefined, false, member);
  const data = useMemo(
    () => (levels.data && me.data ? { levels: levels.data, standing: me.data.loyalty.find((entry) => entry.brandId === parameters.brandId) ?? null } : undefined),
    [levels.data, me.data, parameters.brandId],
  );
  const error = levels.error ?? me.error;
  const status = error ? "error" : data ? "success" : "pending";
  return {
    data,
    error,
    status,
    isPending: status === "pending",
    isSuccess: status === "success",
    isError: status === "error",
    isFetching: levels.isFetching || me.isFetching,
    refetch: () => Promise.all([levels.refetch(), me.refetch()]).then(() => {}),
  } as UseLevelReturnType;
}
