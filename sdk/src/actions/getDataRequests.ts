import type { Client } from "../types/client.ts";
import type { ApiErrorType, HttpRequestErrorType } from "../errors/api.ts";
import type { ListedDataRequest as DataRequest } from "../protocol/data.ts";
import { apiRequest } from "../utils/http.ts";

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
export async function getDataRequests(client: Client): Promise<GetDataRequestsReturnType> {
  const answer = await apiRequest<{ items: DataRequest[] }>(client, { method: "GET", path: "/v1/data-requests", auth: false, retry: true });
  return answer.items;
}
