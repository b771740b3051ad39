/** Wire shapes every kind of offer shares: rules, limits, reasons, the admin request bodies, the member listing's fields. */
import { Type, type Static, type TProperties } from "typebox";
import { AddressSchema, Nullable, StringEnum, TimestampSchema } from "./common.ts";

/**
 * Why a member is not eligible: "holds_too_few", "membership_missing", "membership_expired",
 * "held_too_briefly" (held, but not yet for the rule's holding period: `heldSince`, `eligibleAt`), "excluded",
 * "points_too_few", "level_too_low", "consent_missing" (share what a data request asks: `request` is its
 * id), or "unavailable" (their holdings or grants could not be read just now).
 */
export const REASON_CODES = ["holds_too_few", "membership_missing", "membership_expired", "held_too_briefly", "points_too_few", "level_too_low", "consent_missing", "excluded", "unavailable"] as const;

/** Why a member is not eligible for an offer. */
export const ReasonSchema = Type.Object({
  code: StringEnum(REASON_CODES, { description: "holds_too_few, membership_missing, membership_expired, held_too_briefly, points_too_few, level_too_low, consent_missing, excluded, or unavailable (could not be checked just now)" }),
  message: Type.String(),
  collection: Type.Optional(AddressSchema),
  tokenId: Type.Optional(Type.String()),
  have: Type.Optional(Type.String()),
  need: Type.Optional(Type.String()),
  expiredAt: Type.Optional(TimestampSchema),
  heldSince: Type.Optional(TimestampSchema),
  eligibleAt: Type.Optional(TimestampSchema),
  level: Type.Optional(Type.String({ description: "The level key a level rule names" })),
  request: Type.Optional(Type.String({ description: "The data request a consent rule names: grant it to unlock" })),
  anyOf: Type.Optional(Type.String({ description: "Set on the reasons of an either/or rule (its words, the same on each): meeting any one alternative unlocks. Absent: the reason must be met." })),
  option: Type.Optional(Type.String({ description: "Which alternative of `anyOf` the reason belongs to (\"0\", \"1\"; \"1.0\" for an either/or inside the second): the reasons of one alternative must all be met" })),
});

export const RuleSchema = Type.Unknown({
  description:
    'A rule: {"type":"holds","collection","tokenId","min","heldFor"?} | {"type":"member","collection","tokenId","heldFor"?} (heldFor: seconds held without a break, by chain time) | {"type":"points","min"} | {"type":"level","min":"<level key>"} | {"type":"consent","request":"<data request id>"} | {"type":"all"|"any","rules":[…]} | {"type":"not","rule":{…}}',
});

export const LimitsSchema = Type.Object(
  {
    perMember: Nullable(Type.Integer({ minimum: 0 })),
    total: Nullable(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);

/**
 * A cap as a request sends it: a whole number or null ("no cap"). Written as `nullable` rather than a
 * union with null: the app validates with `coerceTypes`, and in an `anyOf` the integer branch would
 * coerce null to 0 first, turning "no cap" into "never".
 */
const RequestLimit = Type.Unsafe<number | null>({ type: "integer", nullable: true, minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

/** The fields a brand sets on every kind of offer. */
const OfferFields = {
  title: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.String({ maxLength: 4000 }),
  rule: RuleSchema,
  // Spelled out: Type.Partial(LimitsSchema) drops additionalProperties, so a typo ("perMemeber")
  // would pass and silently leave the offer uncapped.
  limits: Type.Object({ perMember: Type.Optional(RequestLimit), total: Type.Optional(RequestLimit) }, { additionalProperties: false }),
  startsAt: Type.Union([TimestampSchema, Type.Null()]),
  endsAt: Type.Union([TimestampSchema, Type.Null()]),
};

/** A create request: the shared fields (title required; rule required when `ruleRequired`) and the kind's own. */
export function createOfferBody<P extends TProperties>(kindFields: P, options: { ruleRequired: boolean }) {
  return Type.Object(
    {
      title: OfferFields.title,
      description: Type.Optional(OfferFields.description),
      rule: options.ruleRequired ? OfferFields.rule : Type.Optional(OfferFields.rule),
      limits: Type.Optional(OfferFields.limits),
      startsAt: Type.Optional(OfferFields.startsAt),
      endsAt: Type.Optional(OfferFields.endsAt),
      ...kindFields,
    },
    { additionalProperties: false },
  );
}

/** A change request: any of the shared fields, at least one. What an offer gives never changes. */
export const UpdateOfferBody = Type.Object(
  {
    title: Type.Optional(OfferFields.title),
    description: Type.Optional(OfferFields.description),
    rule: Type.Optional(OfferFields.rule),
    limits: Type.Optional(OfferFields.limits),
    startsAt: Type.Optional(OfferFields.startsAt),
    endsAt: Type.Optional(OfferFields.endsAt),
  },
  { additionalProperties: false, minProperties: 1 },
);

/** What a member's listing shows of every kind of offer. */
export const MemberOfferFields = {
  id: Type.String(),
  brandId: Type.String(),
  title: Type.String(),
  description: Type.String(),
  requires: Type.String({ description: 'The rule in words, e.g. "an active membership of token 1", or "any signed-in member"' }),
  limits: LimitsSchema,
  startsAt: Nullable(TimestampSchema),
  endsAt: Nullable(TimestampSchema),
  status: StringEnum(["upcoming", "open", "ended"] as const),
  eligible: Type.Boolean({ description: "Whether the member holds what it requires (false while it cannot be checked)" }),
  reasons: Type.Array(ReasonSchema),
  /** Set when the member's own holdings do not unlock it and a vault delegating to them does; null otherwise. */
  vault: Type.Optional(
    Nullable(
      Type.Object(
        {
          address: AddressSchema,
          counted: Type.String({ description: 'What of the vault counted, in words, e.g. "your vault …0aA9\'s Gold membership" (the vault\'s last four characters, as wallets show them)' }),
        },
        { additionalProperties: false, description: "A wallet that delegated to the member's through the Delegate Registry" },
      ),
    ),
  ),
  checked: Type.Boolean({ description: "False when the member's holdings for this brand could not be read just now: nothing unlocks until they can be" }),
  usedUp: Type.Boolean({ description: "The member has taken it as often as the per-member limit allows" }),
};

/** Why a member is not eligible for a perk, a drop or a hold step. */
export type Reason = Static<typeof ReasonSchema>;
export type ReasonCode = (typeof REASON_CODES)[number];
export type Limits = Static<typeof LimitsSchema>;
export type UpdateOfferRequest = Static<typeof UpdateOfferBody>;
