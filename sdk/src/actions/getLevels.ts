import type { Client } from "../types/client.ts";
import type { ApiErrorType, HttpRequestErrorType } from "../errors/api.ts";
import { StampbookError } from "../errors/base.ts";
import { brandNotFound, type BrandNotFoundErrorType } from "../errors/brand.ts";
import type { Level } from "../protocol/levels.ts";
import { apiRequest } from "../utils/http.ts";

export type GetLevelsParameters = {
  /** The brand (default: the client's brand). */
  brandId?: string;
};
export type GetLevelsReturnType = Level[];
export type GetLevelsErrorType = BrandNotFoundErrorType | ApiErrorType | HttpRequestErrorType;

/**
 * A brand's levels (`GET /v1/brands/:brandId/levels`), lowest first: named thresholds of points. Public:
 * no sign-in needed, so a storefront can show them to visitors. A brand that does not exist is a
 * {@link BrandNotFoundError}.
 *
 * @example
 * const levels = await client.getLevels(); // the client's brand; or getLevels({ brandId })
 * console.log(levels.map((l) => `${l.name}: ${l.minPoints} points`).join(", "));
 */
export async function getLevels(client: Client, parameters: GetLevelsParameters = {}): Promise<GetLevelsReturnType> {
  const brandId = parameters.brandId ?? client.brand;
  if (brandId === undefined) throw new StampbookError("Which brand's levels? Pass { brandId }, or create the client with { brand }.", { code: "brand_required" });
  try {
    const answer = await apiRequest<{ levels: Level[] }>(client, { method: "GET", path: `/v1/brands/${encodeURIComponent(brandId)}/levels`, auth: false, retry: true });
    return answer.levels;
  } catch (error) {
    throw brandNotFound(error, brandId);
  }
}
