/** Perks as a kind of offer: a take (a redemption) yields a one-time code a till verifies. */
import type { OfferKindSpec } from "../offers/kind.ts";
import { redemptionView } from "./views.ts";

export const perkKind: OfferKindSpec = {
  kind: "perk",
  words: { noun: "perk", taken: "redeemed", takeNoun: "redemption", verb: "redeem", notFound: "perk_not_found", notStarted: "perk_not_started", ended: "perk_ended", takeNotFound: "redemption_not_found" },
  idPrefixes: { offer: "perk", take: "red" },
  ruleRequired: true,
  defaultLimits: { perMember: null, total: null },
  reward: "code",
  quota: { setting: "BRAND_MAX_PERKS" },
  // `redeemed`: the code was issued (`consumedAt` once a till used it); it always counts.
  takes: { initial: "redeemed", counted: ["redeemed"], statuses: ["redeemed"] },
  erasure: { unlinked: "redemptionsUnlinked" },
  stats: { perDay: "redemptions", busiest: { field: "busiestPerks", count: "redemptions" } },
  export: { field: "redemptions", view: redemptionView },
};
