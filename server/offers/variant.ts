/**
 * What makes one kind of offer different from another: the words and codes it answers with, what a
 * new offer gives, and how a take is delivered. Everything else (rules, windows, limits, the
 * idempotent take, listing, the admin routes) is the one core in this folder. A new kind of take is
 * a new variant, not a new copy.
 */
import type { Address } from "viem";
import type { ProblemCode } from "../errors.ts";
import type { OwnershipSnapshot } from "../chain/ownership.ts";
import type { LeafRule } from "../rules/grammar.ts";
import type { Offer, OfferKind, OfferLimits, Reward, Take } from "./types.ts";

export interface OfferVocabulary {
  /** "perk", "drop": in problem titles. */
  noun: string;
  /** "redeemed", "claimed": in problem titles. */
  taken: string;
  /** "redemption", "claim": what one take is called. */
  takeNoun: string;
  /** "redeem", "claim": the verb in the take's path, `POST /v1/{noun}s/:id/{verb}`. */
  verb: string;
  notFound: ProblemCode;
  notStarted: ProblemCode;
  ended: ProblemCode;
  takeNotFound: ProblemCode;
}

export interface OfferVariant<RewardInput = unknown> {
  kind: OfferKind;
  words: OfferVocabulary;
  /** Ids of new offers and takes start with these, e.g. `perk_…`, `red_…`. */
  idPrefixes: { offer: string; take: string };
  /** Whether a new offer must name a rule (false: a missing rule means any signed-in member). */
  ruleRequired: boolean;
  /** Limits a new offer gets where the brand names none. */
  defaultLimits: OfferLimits;
  /** The reward of a new offer of `brandId`, from the request's kind-specific fields; throws a Problem. */
  reward(brandId: string, input: RewardInput): Promise<Reward>;
  /** A new take's one-time code (code rewards), or null. */
  newCode(): string | null;
  /** Refusals that need no chain read, before anything is read (e.g. no minter). */
  precheck(offer: Offer): Promise<void>;
  /** Token types a take reads fresh beside the rule's own (a drop's own token). */
  alsoRead(offer: Offer): LeafRule[];
  /** After the member was found eligible, before the store reserves the take. */
  beforeTake(member: Address, offer: Offer, snapshot: OwnershipSnapshot): Promise<void>;
  /** Delivers a take the store just created; returns it as it stands, or throws a Problem carrying it. */
  deliver(take: Take, offer: Offer, snapshot: OwnershipSnapshot): Promise<Take>;
  /** A take answered again (same idempotency key): as it stands now, or the Problem it failed with. */
  replay(take: Take): Promise<Take>;
}
