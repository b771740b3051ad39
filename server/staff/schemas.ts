/** Wire shapes of the staff API: sign-in, the staff list, the console's overview and rule preview. */
import { Type, type Static } from "typebox";
import { getAddress } from "viem";
import { OFFER_KINDS } from "../offer-kinds.ts";
import { AddressSchema, StringEnum, TimestampSchema } from "../schemas.ts";
import { LISTED_ROLES, type StaffMember } from "./types.ts";

export const StaffRoleSchema = StringEnum(["owner", "manager", "till"] as const);

export const StaffMeSchema = Type.Object({
  brandId: Type.String(),
  brandName: Type.String(),
  address: AddressSchema,
  role: StaffRoleSchema,
});

export const StaffSignInBody = Type.Object(
  {
    message: Type.String({ minLength: 1, maxLength: 8192, description: "The EIP-4361 message exactly as signed, built from GET /v1/auth/nonce" }),
    signature: Type.String({ pattern: "^0x[0-9a-fA-F]*$", maxLength: 65_536, description: "Hex signature (65 bytes for plain wallets; longer for contract wallets)" }),
    brandId: Type.String({ minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9_-]+$", description: "The brand to act for" }),
  },
  { additionalProperties: false },
);

export const StaffSessionSchema = Type.Object({
  token: Type.String({ description: "Bearer token (sbt_…) for non-browser clients; browsers also get the httpOnly stampbook_staff cookie" }),
  ...StaffMeSchema.properties,
  expiresAt: TimestampSchema,
});

export const StaffMemberSchema = Type.Object({
  address: AddressSchema,
  role: StringEnum(LISTED_ROLES),
  addedBy: AddressSchema,
  addedAt: TimestampSchema,
});

export const StaffPutBody = Type.Object({ role: StringEnum(LISTED_ROLES) }, { additionalProperties: false });

export const StatsQuery = Type.Object({ days: Type.Optional(Type.Integer({ minimum: 1, maximum: 90, default: 30, description: "Whole UTC days, today included" })) }, { additionalProperties: false });

/** Each kind's counted takes per day (`redemptions`, `claims`) and, for a kind that ranks them, its busiest offers (`busiestPerks`). */
export const StatsSchema = Type.Object({
  members: Type.Object({
    signedIn: Type.Integer({ minimum: 0, description: "Addresses that ever signed in to this deployment" }),
    active: Type.Integer({ minimum: 0, description: `Members with a ${OFFER_KINDS.map((k) => k.words.takeNoun).join(" or ")} of this brand in the window` }),
  }),
  days: Type.Array(
    Type.Object({ date: Type.String({ description: "YYYY-MM-DD (UTC)" }), ...Object.fromEntries(OFFER_KINDS.map((k) => [k.stats.perDay, Type.Integer({ minimum: 0 })])) }),
    { description: `Every day of the window, oldest first; ${OFFER_KINDS.map((k) => k.stats.perDay).join(" and ")} that count against limits` },
  ),
  ...Object.fromEntries(
    OFFER_KINDS.flatMap(({ words, stats: { busiest } }) =>
      busiest === undefined
        ? []
        : [[busiest.field, Type.Array(Type.Object({ id: Type.String(), title: Type.String(), [busiest.count]: Type.Integer({ minimum: 0 }) }), { description: `At most 5, most ${words.taken} in the window first` })]],
    ),
  ),
});

export const PreviewBody = Type.Object({ rule: Type.Unknown({ description: `A rule as ${OFFER_KINDS.map((k) => `${k.words.noun}s`).join(" and ")} take it; null: any signed-in member` }) }, { additionalProperties: false });

export const PreviewSchema = Type.Object({
  requires: Type.String({ description: "The rule in the brand's words" }),
  qualifying: Type.Integer({ minimum: 0, description: "Members checked who meet the rule now" }),
  checked: Type.Integer({ minimum: 0, description: "Members whose holdings were read (the most recently first seen, up to 500)" }),
  of: Type.Integer({ minimum: 0, description: "Members who ever signed in" }),
});

export function staffMemberView(member: StaffMember): Static<typeof StaffMemberSchema> {
  return { address: getAddress(member.address), role: member.role, addedBy: getAddress(member.addedBy), addedAt: member.addedAt };
}
