import type { Client } from "../types/client.ts";
import type { ApiErrorType, HttpRequestErrorType } from "../errors/api.ts";
import type { NotSignedInErrorType } from "../errors/session.ts";
import type { Me } from "../protocol/members.ts";
import { apiRequest } from "../utils/http.ts";

export type GetMeReturnType = Me;
export type GetMeErrorType = ApiErrorType | HttpRequestErrorType | NotSignedInErrorType;

/**
 * The signed-in member (`GET /v1/me`): address, chain, and holdings in the brand's collections
 * (balances, memberships with `active` and `expiresAt`), read fresh from the chain.
 *
 * @example
 * const me = await client.getMe();
 * const gold = me.collections[0]?.holdings.find((h) => h.tokenId === "1" && h.active);
 */
export async function getMe(client: Client): Promise<GetMeReturnType> {
  return apiRequest<Me>(client, { method: "GET", path: "/v1/me", retry: true });
}
