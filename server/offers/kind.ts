/**
 * A kind of offer, declared as data in its own folder (`server/perks/kind.ts`, `server/drops/kind.ts`)
 * and listed once in `server/offer-kinds.ts`. The offers core, storage, erasure, the staff
 * statistics and the member's data export read a kind's declaration and loop over the registered
 * kinds; none of them names a kind. What a take does at run time is the kind's variant (variant.ts).
 */
import type { ProblemCode } from "../errors.ts";
import type { OfferLimits, Reward, Take, TakePolicy, TakeStatus } from "./types.ts";

export interface OfferVocabulary {
  /** "perk", "drop": in problem titles and paths (`/v1/{noun}s`). */
  noun: string;
  /** "redeemed", "claimed": in problem titles. */
  taken: string;
  /** "redemption", "claim": what one take is called (`/v1/{takeNoun}s`). */
  takeNoun: string;
  /** "redeem", "claim": the verb in the take's path, `POST /v1/{noun}s/:id/{verb}`. */
  verb: string;
  notFound: ProblemCode;
  notStarted: ProblemCode;
  ended: ProblemCode;
  takeNotFound: ProblemCode;
}

export interface OfferKindSpec {
  /** Stored with each offer and take, e.g. "perk". */
  kind: string;
  /** Labels: the words and codes the kind answers with. */
  words: OfferVocabulary;
  /** Ids of new offers and takes start with these, e.g. `perk_…`, `red_…`. */
  idPrefixes: { offer: string; take: string };
  /** Whether a new offer must name a rule (false: a missing rule means any signed-in member). */
  ruleRequired: boolean;
  /** Limits a new offer gets where the brand names none. */
  defaultLimits: OfferLimits;
  /** What its offers yield: a one-time code, or tokens (the shapes the store keeps, see types.ts). */
  reward: Reward["type"];
  /**
   * The brand's bound on its live offers of this kind: the setting that holds it (named in the
   * quota_exceeded problem) and its key in the configuration's `brandMaxOffers`.
   */
  quota: { setting: string };
  /**
   * Its takes: the status a new one starts in, the statuses that count against an offer's limits
   * (and in the statistics), and every status it can be in.
   */
  takes: TakePolicy & { statuses: readonly TakeStatus[] };
  /** Erasure unlinks the member's takes of this kind; the answer counts them under this field. */
  erasure: { unlinked: string };
  /** The staff overview counts counted takes per day under `perDay`; `busiest` ranks the brand's offers of this kind by them. */
  stats: { perDay: string; busiest?: { field: string; count: string } };
  /** The member's data export lists every take of this kind under `field`, each as `view` shows it. */
  export: { field: string; view(take: Take): Record<string, unknown> };
}
