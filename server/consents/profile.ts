/**
 * A member's profile: email, name, birthday (month and day), city and preferences. It is the
 * member's own, kept once for every brand; brands see parts of it only under a grant.
 */
import { Type, type Static } from "typebox";
import type { Address } from "viem";
import { Problem } from "../errors.ts";
import { Nullable, TimestampSchema } from "../../sdk/src/protocol/common.ts";
import { toTimestamp, type Store } from "../storage/index.ts";
import type { MemberProfile } from "./types.ts";

/** At most this many preferences, keys this long, string values this long. */
export const MAX_PREFERENCES = 20;

const BirthdaySchema = Type.Object({ month: Type.Integer({ minimum: 1, maximum: 12 }), day: Type.Integer({ minimum: 1, maximum: 31 }) }, { additionalProperties: false });

export const ProfileBody = Type.Object(
  {
    email: Nullable(Type.String({ format: "email", maxLength: 254 })),
    name: Nullable(Type.String({ minLength: 1, maxLength: 100 })),
    birthday: Type.Union([BirthdaySchema, Type.Null()]),
    city: Nullable(Type.String({ minLength: 1, maxLength: 100 })),
    preferences: Type.Record(Type.String({ pattern: "^[a-z][a-z0-9_.-]{0,39}$" }), Type.Union([Type.String({ maxLength: 200 }), Type.Boolean()]), {
      maxProperties: MAX_PREFERENCES,
      description: `Up to ${MAX_PREFERENCES} preferences: lowercase keys of up to 40 characters, each a string (up to 200 characters) or a boolean`,
    }),
  },
  { additionalProperties: false },
);
export type ProfileInput = Static<typeof ProfileBody>;

export const ProfileSchema = Type.Object({
  email: Nullable(Type.String()),
  name: Nullable(Type.String()),
  birthday: Type.Union([Type.Object({ month: Type.Integer(), day: Type.Integer() }), Type.Null()]),
  city: Nullable(Type.String()),
  preferences: Type.Record(Type.String(), Type.Union([Type.String(), Type.Boolean()])),
  updatedAt: Nullable(TimestampSchema),
});
export type ProfileView = Static<typeof ProfileSchema>;

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
