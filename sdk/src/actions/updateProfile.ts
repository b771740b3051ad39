import type { Client } from "../types/client.ts";
import type { ApiErrorType, HttpRequestErrorType } from "../errors/api.ts";
import type { NotSignedInErrorType } from "../errors/session.ts";
import type { Profile, ProfileInput } from "../protocol/data.ts";
import { apiRequest } from "../utils/http.ts";

/** The whole new profile: every key is required (null empties a field, `{}` clears the preferences). */
export type UpdateProfileParameters = ProfileInput;
export type UpdateProfileReturnType = Profile;
export type UpdateProfileErrorType = ApiErrorType | HttpRequestErrorType | NotSignedInErrorType;

/**
 * Replaces the signed-in member's whole profile (`PUT /v1/me/profile`) and returns it as saved. Pass
 * all five keys: a key left out is not "unchanged", the server refuses the profile. To change one
 * field, spread the current profile (only the five keys are sent, so `updatedAt` may come along).
 * Invalid values are an {@link ApiError} with code `validation_failed`. A lost answer is retried
 * (saving the same profile twice is saving it once).
 *
 * @example
 * const profile = await client.getProfile();
 * await client.updateProfile({ ...profile, city: "Lyon", preferences: { ...profile.preferences, newsletter: true } });
 * // as an action:
 * await updateProfile(client, { email: "ada@example.com", name: "Ada", birthday: { month: 12, day: 10 }, city: null, preferences: {} });
 */
export async function updateProfile(client: Client, parameters: UpdateProfileParameters): Promise<UpdateProfileReturnType> {
  const { email, name, birthday, city, preferences } = parameters;
  return apiRequest<Profile>(client, { method: "PUT", path: "/v1/me/profile", body: { email, name, birthday, city, preferences }, retry: true });
}
