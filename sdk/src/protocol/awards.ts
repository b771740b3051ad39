/** Wire shapes of awards, as a brand sees them. */
import { Type, type Static } from "typebox";
import { AddressSchema, IdSchema, Nullable, PageQueryFields, pageOf, StringEnum, TimestampSchema, UintStringSchema } from "./common.ts";

/** Where a journey's stamp is on its way to the member's wallet. */
export const AWARD_STATUSES = ["pending", "sending", "awarded", "failed"] as const;
export type AwardStatus = (typeof AWARD_STATUSES)[number];

export const AwardSchema = Type.Object({
  id: Type.String(),
  journeyId: Type.String({ description: "What earned it" }),
  member: AddressSchema,
  collection: AddressSchema,
  tokenId: UintStringSchema,
  amount: UintStringSchema,
  status: StringEnum(AWARD_STATUSES),
  txHash: Nullable(Type.String({ description: "The airdrop that may award it (sending), did (awarded), or last reverted (failed)" })),
  attempts: Type.Integer({ minimum: 0, description: "Sends that failed for a reason of this award's own" }),
  error: Nullable(Type.String({ description: "Why the last send failed or could not go out" })),
  retryAt: Nullable(TimestampSchema),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});

export const AwardPageSchema = pageOf(AwardSchema);

export const AwardQuerySchema = Type.Object(
  {
    status: Type.Optional(StringEnum(AWARD_STATUSES)),
    member: Type.Optional(AddressSchema),
    journeyId: Type.Optional(IdSchema),
    ...PageQueryFields,
  },
  { additionalProperties: false },
);

export type AwardView = Static<typeof AwardSchema>;
export type AwardPage = Static<typeof AwardPageSchema>;
