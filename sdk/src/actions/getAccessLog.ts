import type { Client } from "../types/client.ts";
import type { ApiErrorType, HttpRequestErrorType } from "../errors/api.ts";
import type { NotSignedInErrorType } from "../errors/session.ts";
import type { AccessLogPage } from "../protocol/data.ts";
import { apiRequest } from "../utils/http.ts";

export type GetAccessLogParameters = {
  /** Page size, 1 to the server's maximum (100, also the default). */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
};
export type GetAccessLogReturnType = AccessLogPage;
export type GetAccessLogErrorType = ApiErrorType | HttpRequestErrorType | NotSignedInErrorType;

/**
 * Every brand read of the signed-in member's data (`GET /v1/me/access-log`), newest first, one page
 * at a time: which brand, who there (`actor`, in words), which fields, under which grant and purpose, when.
 *
 * @example
 * let page = await client.getAccessLog({ limit: 50 });
 * for (const e of page.items) console.log(`${e.at}: ${e.brandName} (${e.actor}) read your ${e.fields.join(", ")}`);
 * if (page.nextCursor) page = await client.getAccessLog({ cursor: page.nextCursor });
 */
export async function getAccessLog(client: Client, parameters: GetAccessLogParameters = {}): Promise<GetAccessLogReturnType> {
  return apiRequest<AccessLogPage>(client, { method: "GET", path: "/v1/me/access-log", query: { limit: parameters.limit, cursor: parameters.cursor }, retry: true });
}
