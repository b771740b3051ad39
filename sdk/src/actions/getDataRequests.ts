import type { Client } from "../types/client.ts";
import type { ApiErrorType, HttpRequestErrorType } from "../errors/api.ts";
import type { ListedDataRequest as DataRequest } from "../protocol/data.ts";
import { listingBrand } from "../utils/brand.ts";
import { apiRequest } from "../utils/http.ts";

export type GetDataRequestsParameters = {
  /** Only this brand's requests (default: the client's brand); `null`: every brand's. */
  brand?: string | null;
};
export type GetDataRequestsReturnType = DataRequest[];
export type GetDataRequestsErrorType = ApiErrorType | HttpRequestErrorType;

/**
 * Every brand's live data requests (`GET /v1/data-requests`): which fields, why, for how many days,
 * and the perk a grant unlocks. Public: no sign-in needed. Grant one with `grantConsent({ requestId: request.id })`.
 *
 * @example
 * for (const request of await client.getDataRequests()) {
 *   console.log(`${request.brandName} asks for your ${request.fields.join(", ")} (${request.purpose}), kept ${request.retentionDays} days`);
 * }
 */
export async function getDataRequests(client: Client, parameters: GetDataRequestsParameters = {}): Promise<GetDataRequestsReturnType> {
  const brand = listingBrand(client, parameters.brand);
  const answer = await apiRequest<{ items: DataRequest[] }>(client, { method: "GET", path: "/v1/data-requests", auth: false, retry: true });
  // The list is public and short: a brand's storefront shows its own brand's only.
  return brand === undefined ? answer.items : answer.items.filter((request) => request.brandId === brand);
}
