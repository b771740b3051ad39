/**
 * What a kind of offer does at run time: what a new offer gives, and how a take is delivered. What
 * it is (its words, reward, quota, statuses, what erasure, statistics and export do with its takes)
 * is its declaration (kind.ts), which a variant carries. Everything else (rules, windows, limits,
 * the idempotent take, listing, the admin routes) is the one core in this folder.
 */
import type { Address } from "viem";
import type { OwnershipSnapshot } from "../chain/ownership.ts";
import type { LeafRule } from "../rules/grammar.ts";
import type { OfferKindSpec } from "./kind.ts";
import type { Offer, Reward, Take } from "./types.ts";
import type { Announce } from "../webhooks/types.ts";

export type { OfferVocabulary } from "./kind.ts";

export interface OfferVariant<RewardInput = unknown> {
  /** The kind's declaration. */
  spec: OfferKindSpec;
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
  /** The webhook messages a new take of `offer` sends, written with it; none when absent. */
  announceTake?(offer: Offer): Announce<Take>;
}
