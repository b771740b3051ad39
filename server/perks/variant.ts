/** Perks: offers whose take yields a one-time code the member shows at a till. Nothing happens on chain. */
import type { OfferVariant } from "../offers/variant.ts";
import { newRedemptionCode } from "../storage/index.ts";

export const perkVariant: OfferVariant<void> = {
  kind: "perk",
  words: { noun: "perk", taken: "redeemed", takeNoun: "redemption", verb: "redeem", notFound: "perk_not_found", notStarted: "perk_not_started", ended: "perk_ended", takeNotFound: "redemption_not_found" },
  idPrefixes: { offer: "perk", take: "red" },
  ruleRequired: true,
  defaultLimits: { perMember: null, total: null },
  reward: async () => ({ type: "code" }),
  newCode: newRedemptionCode,
  precheck: async () => {},
  alsoRead: () => [],
  beforeTake: async () => {},
  deliver: async (take) => take,
  replay: async (take) => take,
};
