import type { Client } from "../types/client.ts";
import type { ApiErrorType, HttpRequestErrorType } from "../errors/api.ts";
import type { NotSignedInErrorType } from "../errors/session.ts";
import type { RedemptionPage } from "../protocol/perks.ts";
import { apiRequest } from "../utils/http.ts";

export type GetRedemptionsParameters = {
  /** Page size, 1 to the server's maximum (default 20). */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
};
export type GetRedemptionsReturnType = RedemptionPage;
export type GetRedemptionsErrorType = ApiErrorType | HttpRequestErrorType | NotSignedInErrorType;

/**
 * The signed-in member's redemptions, newest first (`GET /v1/redemptions`), one page at a time.
 *
 * @example
 * let page = await client.getRedemptions({ limit: 10 });
 * while (page.nextCursor) page = await client.getRedemptions({ cursor: page.nextCursor });
 */
export async function getRedemptions(client: Client, parameters: GetRedemptionsParameters = {}): Promise<GetRedemptionsReturnType> {
  return apiRequest<RedemptionPage>(client, { method: "GET", path: "/v1/redemptions", query: { limit: parameters.limit, cursor: parameters.cursor }, retry: true });
}
