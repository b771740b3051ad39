import type { Client } from "../types/client.ts";
import type { ApiErrorType, HttpRequestErrorType } from "../errors/api.ts";
import { brandNotFound, type BrandNotFoundErrorType } from "../errors/brand.ts";
import type { NotSignedInErrorType } from "../errors/session.ts";
import type { MemberDrop } from "../protocol/drops.ts";
import { listingBrand } from "../utils/brand.ts";
import { apiRequest } from "../utils/http.ts";

export type GetDropsParameters = {
  /** Only this brand's drops (default: the client's brand); `null`: every brand's. */
  brand?: string | null;
};
export type GetDropsReturnType = MemberDrop[];
export type GetDropsErrorType = BrandNotFoundErrorType | ApiErrorType | HttpRequestErrorType | NotSignedInErrorType;

/**
 * The drops the signed-in member can see (`GET /v1/drops`), each with its `mode` (mint or voucher),
 * `status`, whether the member is `eligible` (and `reasons` why not) and how often they `claimed` it.
 * With `brand`, only that brand's; a brand that does not exist is a {@link BrandNotFoundError}.
 *
 * @example
 * const drops = await client.getDrops();
 * const open = drops.filter((d) => d.status === "open" && d.eligible);
 * if (open[0]) await client.claimDrop({ dropId: open[0].id, submit: open[0].mode === "voucher" });
 */
export async function getDrops(client: Client, parameters: GetDropsParameters = {}): Promise<GetDropsReturnType> {
  const brand = listingBrand(client, parameters.brand);
  try {
    const page = await apiRequest<{ items: MemberDrop[] }>(client, { method: "GET", path: "/v1/drops", query: { brand }, retry: true });
    return page.items;
  } catch (error) {
    throw brandNotFound(error, brand);
  }
}
