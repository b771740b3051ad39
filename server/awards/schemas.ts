/** Wire shapes of awards, as a brand sees them. */
import { Type, type Static } from "typebox";
import { getAddress } from "viem";
import { AddressSchema, IdSchema, Nullable, PageQueryFields, StringEnum, TimestampSchema, UintStringSchema } from "../schemas.ts";
import { AWARD_STATUSES, type Award } from "./types.ts";

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

export const AwardPageSchema = Type.Object({ items: Type.Array(AwardSchema), nextCursor: Nullable(Type.String()) });

export const AwardQuerySchema = Type.Object(
  {
    status: Type.Optional(StringEnum(AWARD_STATUSES)),
    member: Type.Optional(AddressSchema),
    journeyId: Type.Optional(IdSchema),
    ...PageQueryFields,
  },
  { additionalProperties: false },
);

export function awardView(award: Award): Static<typeof AwardSchema> {
  return {
    id: award.id,
    journeyId: award.journeyId,
    member: getAddress(award.member),
    collection: getAddress(award.collection),
    tokenId: award.tokenId,
    amount: award.amount,
    status: award.status,
    txHash: award.txHash,
    attempts: award.attempts,
    error: award.error,
    retryAt: award.status === "pending" ? award.notBefore : null,
    createdAt: award.createdAt,
    updatedAt: award.updatedAt,
  };
}
