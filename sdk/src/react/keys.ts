/**
 * Query keys, as data: `["stampbook", { apiUrl, member }, area, parameters]`; listings name the
 * brand they were asked for in their parameters (a brand-scoped client's own brand when it named none). The scope comes first
 * so that one prefix names everything of one member of one API (what signing out forgets) and a
 * second account never reads the first's cache; public data has `member: null`. TanStack matches
 * keys by prefix and objects partly, so `["stampbook", { apiUrl }]` names everything of one API.
 */
import type { Address } from "viem";
import type { GetDataRequestsParameters } from "../actions/getDataRequests.ts";
import type { GetDropsParameters } from "../actions/getDrops.ts";
import type { GetJourneysParameters } from "../actions/getJourneys.ts";
import type { GetPerksParameters } from "../actions/getPerks.ts";
import type { GetRedemptionsParameters } from "../actions/getRedemptions.ts";

/** Whose data a key holds: an API's, for one member or (null) for anyone. */
export type StampbookScope = { apiUrl: string; member: Address | null };

/** The member-only areas, as mutations name what they change. */
export type MemberArea = "me" | "perks" | "redemptions" | "drops" | "journeys" | "profile" | "consents";

const scoped = (apiUrl: string, member: Address | null) => ["stampbook", { apiUrl, member } satisfies StampbookScope] as const;

/**
 * @example
 * queryClient.invalidateQueries({ queryKey: stampbookKeys.perks(client.apiUrl, address) }); // every brand's
 * queryClient.getQueryData(stampbookKeys.me(client.apiUrl, address));
 */
export const stampbookKeys = {
  /** Everything cached from this API. */
  all: (apiUrl: string) => ["stampbook", { apiUrl }] as const,
  /** Everything of one member (null: the public data). */
  member: scoped,
  me: (apiUrl: string, member: Address | null) => [...scoped(apiUrl, member), "me"] as const,
  perks: (apiUrl: string, member: Address | null, parameters: GetPerksParameters = {}) => [...scoped(apiUrl, member), "perks", parameters] as const,
  redemptions: (apiUrl: string, member: Address | null, parameters: GetRedemptionsParameters = {}) => [...scoped(apiUrl, member), "redemptions", parameters] as const,
  drops: (apiUrl: string, member: Address | null, parameters: GetDropsParameters = {}) => [...scoped(apiUrl, member), "drops", parameters] as const,
  journeys: (apiUrl: string, member: Address | null, parameters: GetJourneysParameters = {}) => [...scoped(apiUrl, member), "journeys", parameters] as const,
  profile: (apiUrl: string, member: Address | null) => [...scoped(apiUrl, member), "profile"] as const,
  consents: (apiUrl: string, member: Address | null) => [...scoped(apiUrl, member), "consents"] as const,
  /** Public: a brand's levels. */
  levels: (apiUrl: string, brandId: string) => [...scoped(apiUrl, null), "levels", { brandId }] as const,
  /** Public: live data requests (one brand's, or every brand's: `brand: null`). */
  dataRequests: (apiUrl: string, parameters: GetDataRequestsParameters = {}) => [...scoped(apiUrl, null), "dataRequests", parameters] as const,
};
