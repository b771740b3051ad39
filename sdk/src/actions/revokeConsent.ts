import type { Client } from "../types/client.ts";
import type { ApiErrorType, HttpRequestErrorType } from "../errors/api.ts";
import type { NotSignedInErrorType } from "../errors/session.ts";
import { apiRequest } from "../utils/http.ts";

export type RevokeConsentParameters = { consentId: string };
export type RevokeConsentReturnType = void;
export type RevokeConsentErrorType = ApiErrorType | HttpRequestErrorType | NotSignedInErrorType;

/**
 * Revokes one of the signed-in member's grants (`DELETE /v1/me/consents/:id`), at once: the brand
 * reads nothing more under it. Revoking a revoked grant changes nothing, so a lost answer is retried.
 * Someone else's grant, or none, is an {@link ApiError} with code `consent_not_found`.
 *
 * @example
 * await client.revokeConsent({ consentId: consent.id });
 * // as an action: await revokeConsent(client, { consentId: consent.id });
 */
export async function revokeConsent(client: Client, parameters: RevokeConsentParameters): Promise<RevokeConsentReturnType> {
  await apiRequest<undefined>(client, { method: "DELETE", path: `/v1/me/consents/${encodeURIComponent(parameters.consentId)}`, retry: true });
}
