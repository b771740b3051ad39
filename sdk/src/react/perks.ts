/** Perks: the member's perks, their redemptions, and redeeming one. */
import { queryOptions, type UseMutationResult, type UseQueryResult } from "@tanstack/react-query";
import type { Address } from "viem";
import type { GetPerksErrorType, GetPerksParameters, GetPerksReturnType } from "../actions/getPerks.ts";
import type { GetRedemptionsErrorType, GetRedemptionsParameters, GetRedemptionsReturnType } from "../actions/getRedemptions.ts";
import type { RedeemPerkErrorType, RedeemPerkParameters, RedeemPerkReturnType } from "../actions/redeemPerk.ts";
import type { StampbookClient } from "../types/client.ts";
import { listingBrand } from "../utils/brand.ts";
import { useStampbook } from "./context.ts";
import { stampbookKeys } from "./keys.ts";
import { asMember, baseOptions, useStampbookMutation, useStampbookQuery, type MutationParameter, type QueryParameter } from "./query.ts";

/**
 * `getPerks` as query options (`member` defaults to the client's session's address).
 *
 * @example
 * await queryClient.prefetchQuery(perksQueryOptions(client, { brand: "acme" }));
 */
export function perksQueryOptions(client: StampbookClient, parameters: GetPerksParameters = {}, member: Address | null = client.session?.address ?? null) {
  return queryOptions<GetPerksReturnType, GetPerksErrorType>({
    ...baseOptions,
    queryKey: stampbookKeys.perks(client.apiUrl, member, { ...parameters, brand: listingBrand(client, parameters.brand) ?? null }),
    queryFn: asMember(client, member, () => client.getPerks(parameters)),
  });
}

export type UsePerksParameters<TData = GetPerksReturnType> = GetPerksParameters & QueryParameter<GetPerksReturnType, GetPerksErrorType, TData>;

/**
 * The perks the member can see, each `eligible` or with the `reasons` why not.
 *
 * @example
 * const { data: perks, error, isPending } = usePerks({ brand: "acme" });
 * if (error?.name === "BrandNotFoundError") return createElement("p", null, "No such shop");
 */
export function usePerks<TData = GetPerksReturnType>({ query, ...parameters }: UsePerksParameters<TData> = {}): UseQueryResult<TData, GetPerksErrorType> {
  const { client, member } = useStampbook();
  return useStampbookQuery(perksQueryOptions(client, parameters, member), query, true, member);
}

/** `getRedemptions` (one page) as query options. */
export function redemptionsQueryOptions(client: StampbookClient, parameters: GetRedemptionsParameters = {}, member: Address | null = client.session?.address ?? null) {
  return queryOptions<GetRedemptionsReturnType, GetRedemptionsErrorType>({
    ...baseOptions,
    queryKey: stampbookKeys.redemptions(client.apiUrl, member, parameters),
    queryFn: asMember(client, member, () => client.getRedemptions(parameters)),
  });
}

export type UseRedemptionsParameters<TData = GetRedemptionsReturnType> = GetRedemptionsParameters & QueryParameter<GetRedemptionsReturnType, GetRedemptionsErrorType, TData>;

/**
 * The member's redemptions, newest first, one page (`{ items, nextCursor }`).
 *
 * @example
 * const { data } = useRedemptions({ limit: 10 });
 */
export function useRedemptions<TData = GetRedemptionsReturnType>({ query, ...parameters }: UseRedemptionsParameters<TData> = {}): UseQueryResult<TData, GetRedemptionsErrorType> {
  const { client, member } = useStampbook();
  return useStampbookQuery(redemptionsQueryOptions(client, parameters, member), query, true, member);
}

export type UseRedeemPerkParameters = MutationParameter<RedeemPerkReturnType, RedeemPerkErrorType, RedeemPerkParameters>;

/**
 * Redeems a perk; then refreshes the perks (limits used), the member (points) and the redemptions
 * before it settles. A refusal is an `ApiError` with the server's `code` (`not_eligible`, ...).
 *
 * @example
 * const redeem = useRedeemPerk();
 * createElement("button", { onClick: () => redeem.mutate({ perkId: perk.id }) }, "Redeem");
 * if (redeem.data) showQr(redeem.data.code);
 */
export function useRedeemPerk(parameters: UseRedeemPerkParameters = {}): UseMutationResult<RedeemPerkReturnType, RedeemPerkErrorType, RedeemPerkParameters> {
  return useStampbookMutation((client, variables: RedeemPerkParameters) => client.redeemPerk(variables), ["perks", "me", "redemptions"], parameters.mutation);
}
