/** Errors about a brand a call names. */
import { ApiError } from "./api.ts";
import { handlingOf } from "./codes.ts";

export type BrandNotFoundErrorType = BrandNotFoundError & { name: "BrandNotFoundError" };

/**
 * The brand a call names does not exist (the API's 404 `brand_not_found`): a mistyped id, or a brand
 * the deployment no longer has. Still an {@link ApiError} (`status`, `problem`, `requestId`). A brand
 * that exists but offers nothing right now is an empty list, not this.
 *
 * @example
 * try {
 *   await client.getPerks({ brand: brandId });
 * } catch (error) {
 *   if (error instanceof BrandNotFoundError) showMissingBrand(error.brandId);
 * }
 */
export class BrandNotFoundError extends ApiError {
  override name = "BrandNotFoundError";
  declare readonly code: "brand_not_found";
  /** The id the call named. */
  readonly brandId: string;

  constructor(error: ApiError, brandId: string) {
    super({ problem: error.problem, method: error.method, url: error.url, requestId: error.requestId });
    this.brandId = brandId;
  }
}

/** `error` as a {@link BrandNotFoundError} when the API said the brand `brandId` does not exist; otherwise `error` itself. */
export function brandNotFound(error: unknown, brandId: string | undefined): unknown {
  return brandId !== undefined && error instanceof ApiError && handlingOf(error.code) === "brandNotFound" ? new BrandNotFoundError(error, brandId) : error;
}
