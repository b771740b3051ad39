import type { Client } from "../types/client.ts";
import type { ApiErrorType, HttpRequestErrorType } from "../errors/api.ts";
import type { NotSignedInErrorType } from "../errors/session.ts";
import type { Claim } from "../protocol/drops.ts";
import { apiRequest } from "../utils/http.ts";

export type GetClaimParameters = { claimId: string };
export type GetClaimReturnType = Claim;
export type GetClaimErrorType = ApiErrorType | HttpRequestErrorType | NotSignedInErrorType;

/**
 * One of the member's claims as it is now (`GET /v1/claims/:id`): "pending", "minted" (with
 * `txHash`) or "failed".
 *
 * @example
 * const claim = await client.getClaim({ claimId: "clm_123" });
 * if (claim.status === "minted") console.log(claim.txHash);
 */
export async function getClaim(client: Client, parameters: GetClaimParameters): Promise<GetClaimReturnType> {
  return apiRequest<Claim>(client, { method: "GET", path: `/v1/claims/${encodeURIComponent(parameters.claimId)}`, retry: true });
}
