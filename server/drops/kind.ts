/** Drops as a kind of offer: a take (a claim) yields tokens the brand's minter mints, or signs a voucher for. */
import type { OfferKindSpec } from "../offers/kind.ts";
import { CLAIM_STATUSES } from "../../sdk/src/protocol/drops.ts";
import { claimView } from "./views.ts";

export const dropKind: OfferKindSpec = {
  kind: "drop",
  words: { noun: "drop", taken: "claimed", takeNoun: "claim", verb: "claim", notFound: "drop_not_found", notStarted: "drop_not_started", ended: "drop_ended", takeNotFound: "claim_not_found" },
  idPrefixes: { offer: "drop", take: "claim" },
  ruleRequired: false,
  defaultLimits: { perMember: 1, total: null },
  reward: "token",
  quota: { setting: "BRAND_MAX_DROPS" },
  /**
   * - `pending`: reserved, and counts; its mint may be under way (`txHash` once signed).
   * - `minted`: the mint succeeded, or the voucher was used on chain.
   * - `issued`: a signed voucher was handed out; it counts until it lapses unused.
   * - `failed`: nothing was minted (`error`); does not count, so the member may try again.
   * - `expired`: an issued voucher lapsed unused; does not count.
   */
  takes: { initial: "pending", counted: ["pending", "minted", "issued"], statuses: CLAIM_STATUSES },
  erasure: { unlinked: "claimsUnlinked" },
  stats: { perDay: "claims" },
  export: { field: "claims", view: claimView },
};
