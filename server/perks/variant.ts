/** Perks: offers whose take yields a one-time code the member shows at a till. Nothing happens on chain. */
import type { OfferVariant } from "../offers/variant.ts";
import { newRedemptionCode } from "../storage/index.ts";
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
};
