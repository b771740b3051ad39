/** Awards as the wire shows them (the shape is the protocol's). */
import type { Static } from "typebox";
import { getAddress } from "viem";
import type { AwardSchema } from "../../sdk/src/protocol/awards.ts";
import type { Award } from "./types.ts";

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
