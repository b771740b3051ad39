/** Perks: offers whose take yields a one-time code the member shows at a till. Nothing happens on chain. */
import type { OfferVariant } from "../offers/variant.ts";
import { newRedemptionCode } from "../storage/index.ts";
import { webhookMessage } from "../webhooks/messages.ts";
import { perkKind } from "./kind.ts";

export const perkVariant: OfferVariant<void> = {
  spec: perkKind,
  reward: async () => ({ type: "code" }),
  newCode: newRedemptionCode,
  precheck: async () => {},
  alsoRead: () => [],
  beforeTake: async () => {},
  deliver: async (take) => take,
  replay: async (take) => take,
  announceTake: (offer) => (take) => [
    webhookMessage(
      take.brandId,
      "redemption.created",
      { redemptionId: take.id, perk: { id: offer.id, title: offer.title }, member: { address: take.member }, vault: take.vault, code: take.code, createdAt: take.createdAt },
      take.createdAt,
    ),
  ],
};
