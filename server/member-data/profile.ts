/**
 * A member's profile: email, name, birthday (month and day), city and preferences. It is the
 * member's own, kept once for every brand; brands see parts of it only under a grant.
 */
import type { Address } from "viem";
import { Problem } from "../errors.ts";
import { toTimestamp, type Store } from "../storage/index.ts";
import type { MemberProfile } from "./types.ts";
import { type ProfileInput, type ProfileView } from "../../sdk/src/protocol/data.ts";

// February has 29: a birthday is a day of any year.
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function profileView(profile: MemberProfile | null): ProfileView {
  if (profile === null) return { email: null, name: null, birthday: null, city: null, preferences: {}, updatedAt: null };
  const { email, name, birthday, city, preferences, updatedAt } = profile;
  return { email, name, birthday, city, preferences, updatedAt };
}

export type Profiles = {
  get(member: Address): Promise<ProfileView>;
  /** Replaces the member's whole profile. */
  put(member: Address, input: ProfileInput): Promise<ProfileView>;
};

export function createProfiles(deps: { store: Store; now: () => Date }): Profiles {
  return {
    async get(member) {
      return profileView(await deps.store.getProfile(member));
    },
    async put(member, input) {
      const { birthday } = input;
      if (birthday !== null && birthday.day > DAYS_IN_MONTH[birthday.month - 1]!) {
        throw new Problem(400, "validation_failed", "The profile is not valid", `Month ${birthday.month} has no day ${birthday.day}.`);
      }
      const saved = await deps.store.putProfile({ address: member, ...input, updatedAt: toTimestamp(deps.now()) });
      return profileView(saved);
    },
  };
}
