import type { Client } from "../types/client.ts";
import type { ApiErrorType, HttpRequestErrorType } from "../errors/api.ts";
import type { NotSignedInErrorType } from "../errors/session.ts";
import type { Profile } from "../protocol/data.ts";
import { apiRequest } from "../utils/http.ts";

export type GetProfileReturnType = Profile;
export type GetProfileErrorType = ApiErrorType | HttpRequestErrorType | NotSignedInErrorType;

/**
 * The signed-in member's profile (`GET /v1/me/profile`): email, name, birthday, city and preferences,
 * each null (or `{}`) until filled in. It is the member's own; brands see parts of it only under a grant.
 *
 * @example
 * const profile = await client.getProfile();
 * if (profile.updatedAt === null) showProfileForm();
 */
export async function getProfile(client: Client): Promise<GetProfileReturnType> {
  return apiRequest<Profile>(client, { method: "GET", path: "/v1/me/profile", retry: true });
}
