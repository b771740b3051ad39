import type { Client } from "../types/client.ts";
import type { ApiErrorType, HttpRequestErrorType } from "../errors/api.ts";
import { brandNotFound, type BrandNotFoundErrorType } from "../errors/brand.ts";
import type { NotSignedInErrorType } from "../errors/session.ts";
import type { MemberJourney } from "../protocol/journeys.ts";
import { listingBrand } from "../utils/brand.ts";
import { apiRequest } from "../utils/http.ts";

export type GetJourneysParameters = {
  /** Only this brand's journeys (default: the client's brand); `null`: every brand's. */
  brand?: string | null;
};
export type GetJourneysReturnType = MemberJourney[];
export type GetJourneysErrorType = BrandNotFoundErrorType | ApiErrorType | HttpRequestErrorType | NotSignedInErrorType;

/**
 * The journeys the signed-in member can see (`GET /v1/journeys`): each with its `status`, the stamp
 * it awards (name, picture, points), its steps with the member's progress (`done`, `available`; quiz
 * questions without answers, what a hold step requires in words, the member's invitation for a
 * referral step), whether the member `completed` it and where the stamp's `award` is.
 *
 * @example
 * const journeys = await client.getJourneys();
 * for (const j of journeys) console.log(j.title, `${j.steps.filter((s) => s.done).length}/${j.steps.length}`, j.stamp.name);
 */
export async function getJourneys(client: Client, parameters: GetJourneysParameters = {}): Promise<GetJourneysReturnType> {
  const brand = listingBrand(client, parameters.brand);
  try {
    const page = await apiRequest<{ items: MemberJourney[] }>(client, { method: "GET", path: "/v1/journeys", query: { brand }, retry: true });
    return page.items;
  } catch (error) {
    throw brandNotFound(error, brand);
  }
}
