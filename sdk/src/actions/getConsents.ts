import type { Client } from "../types/client.ts";
import type { ApiErrorType, HttpRequestErrorType } from "../errors/api.ts";
import type { NotSignedInErrorType } from "../errors/session.ts";
import type { Consent } from "../protocol/data.ts";
import { apiRequest } from "../utils/http.ts";

export type GetConsentsReturnType = Consent[];
export type GetConsentsErrorType = ApiErrorType | HttpRequestErrorType | NotSignedInErrorType;

/**
 * The signed-in member's grants (`GET /v1/me/consents`), newest first: active, revoked and expired
 * ones, each with its `receipt` (the message exactly as signed and the signature; see `verifyReceipt`).
 *
 * @example
 * const active = (await client.getConsents()).filter((c) => c.status === "active");
 * for (const c of active) console.log(c.brandId, c.fields.join(", "), "until", c.expiresAt);
 */
export async function getConsents(client: Client): Promise<GetConsentsReturnType> {
  const answer = await apiRequest<{ items: Consent[] }>(client, { method: "GET", path: "/v1/me/consents", retry: true });
  return answer.items;
}
