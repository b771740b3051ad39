import type { Client } from "../types/client.ts";
import type { ApiErrorType, HttpRequestErrorType } from "../errors/api.ts";
import type { NotSignedInErrorType } from "../errors/session.ts";
import type { Entitlement } from "../protocol/entitlements.ts";
import { apiRequest } from "../utils/http.ts";

export type GetEntitlementParameters = {
  /** The brand whose view of the member it states; default: the brand that registered this page's origin. */
  brand?: string;
};
export type GetEntitlementReturnType = Entitlement;
export type GetEntitlementErrorType = ApiErrorType | HttpRequestErrorType | NotSignedInErrorType;

/**
 * The member's entitlement with a brand (`GET /v1/me/entitlement`): a short-lived signed token
 * (`token`, valid until `expiresAt`) stating their level, points, memberships, holdings and the perks
 * they may redeem now, for the brand's own server to verify offline (`@stampbook/sdk/server`). Its
 * audience is this page's origin, which the brand must have registered (else an ApiError
 * `origin_not_registered`). Hand it to the brand's server with {@link startServerSession}.
 *
 * @example
 * const { token, expiresAt } = await client.getEntitlement();
 */
export async function getEntitlement(client: Client, parameters: GetEntitlementParameters = {}): Promise<GetEntitlementReturnType> {
  return apiRequest<Entitlement>(client, { method: "GET", path: "/v1/me/entitlement", query: { brand: parameters.brand }, retry: true });
}
