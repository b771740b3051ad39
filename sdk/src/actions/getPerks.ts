import type { Client } from "../types/client.ts";
import type { ApiErrorType, HttpRequestErrorType } from "../errors/api.ts";
import { brandNotFound, type BrandNotFoundErrorType } from "../errors/brand.ts";
import type { NotSignedInErrorType } from "../errors/session.ts";
import type { MemberPerk } from "../protocol/perks.ts";
import { listingBrand } from "../utils/brand.ts";
import { apiRequest } from "../utils/http.ts";

export type GetPerksParameters = {
  /** Only this brand's perks (default: the client's brand); `null`: every brand's. */
  brand?: string | null;
};
export type GetPerksReturnType = MemberPerk[];
export type GetPerksErrorType = BrandNotFoundErrorType | ApiErrorType | HttpRequestErrorType | NotSignedInErrorType;

/**
 * The perks the signed-in member can see (`GET /v1/perks`), each with `status` (upcoming, open,
 * ended), whether the member is `eligible`, the `reasons` why not, and what it `requires` in words.
 * With `brand`, only that brand's; a brand that does not exist is a {@link BrandNotFoundError}.
 *
 * @example
 * const perks = await client.getPerks();
 * for (const perk of perks) console.log(perk.title, perk.eligible ? "unlocked" : perk.reasons.map((r) => r.message));
 */
export async function getPerks(client: Client, parameters: GetPerksParameters = {}): Promise<GetPerksReturnType> {
  const brand = listingBrand(client, parameters.brand);
  try {
    const page = await apiRequest<{ items: MemberPerk[] }>(client, { method: "GET", path: "/v1/perks", query: { brand }, retry: true });
    return page.items;
  } catch (error) {
    throw brandNotFound(error, brand);
  }
}
