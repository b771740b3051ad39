import type { Client } from "../types/client.ts";
import type { ApiErrorType, HttpRequestErrorType } from "../errors/api.ts";
import type { NotSignedInErrorType } from "../errors/session.ts";
import type { Redemption } from "../protocol/perks.ts";
import { apiRequest, newIdempotencyKey } from "../utils/http.ts";

export type RedeemPerkParameters = {
  perkId: string;
  /**
   * The Idempotency-Key (default: a new random one). Pass your own, kept across reloads, to make a
   * redemption that may have happened before the page died come back instead of happening twice.
   */
  idempotencyKey?: string;
};
export type RedeemPerkReturnType = Redemption;
export type RedeemPerkErrorType = ApiErrorType | HttpRequestErrorType | NotSignedInErrorType;

/**
 * Redeems a perk once (`POST /v1/perks/:id/redeem`) and returns the redemption with its one-time
 * code. The server re-reads the member's holdings on chain. Network errors, timeouts and 5xx answers
 * are retried with the SAME Idempotency-Key, so a retry returns the redemption the first attempt
 * made rather than a second one. Refusals are {@link ApiError}s with the server's `code`
 * (`not_eligible`, `member_limit_reached`, `total_limit_reached`, `perk_ended`, …).
 *
 * @example
 * const redemption = await client.redeemPerk({ perkId: "perk_123" });
 * showQr(redemption.code);
 */
export async function redeemPerk(client: Client, parameters: RedeemPerkParameters): Promise<RedeemPerkReturnType> {
  return apiRequest<Redemption>(client, {
    method: "POST",
    path: `/v1/perks/${encodeURIComponent(parameters.perkId)}/redeem`,
    idempotencyKey: parameters.idempotencyKey ?? newIdempotencyKey(),
    retry: true,
  });
}
