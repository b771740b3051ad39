/**
 * Offers as a member sees them: eligibility with reasons, from cached holdings (the rules module's
 * cached read, server/rules/eligibility.ts). Each brand's holdings are read on their own (its
 * offers' token types, in bounded calls), so one brand whose read fails or is slow marks only its own
 * entries unavailable; the listing goes on.
 *
 * A listing is a pure function of a offerList (the live offers), the member's holdings snapshots, their
 * take counts and the time; while all of them stand still (the caches hold, no window opens or
 * closes) a repeated listing is the same array, so callers may reuse what they derive from it.
 */
import { getAddress, type Address } from "viem";
import { ANYONE, describeRule, judge, parseRule, planEligibility, sameReading, UNCHECKED, vaultWords, type BrandTerms, type EligibilityPlan, type EligibilityReading, type Reason, type Rule, type RuleOutcome, type Rules } from "../rules/index.ts";
import { chainUnavailable } from "../chain/errors.ts";
import { Problem } from "../errors.ts";
import { toTimestamp } from "../storage/time.ts";
import type { Offer } from "./types.ts";
import { offerStatus, type OfferStatus } from "./window.ts";

export type MemberOffer = {
  offer: Offer;
  /** The rule in words. */
  requires: string;
  status: OfferStatus;
  /** Whether the member holds what the offer requires (false while it cannot be checked). */
  eligible: boolean;
  reasons: Reason[];
  /** Unlocked by a vault that delegates to the member, not their own holdings: which, and what of it, in words. */
  vault: { address: Address; counted: string } | null;
  /** False when the member's holdings in this brand's collections could not be read just now. */
  checked: boolean;
  /** The member's takes that count against the limits. */
  taken: number;
  /** The member has taken it as often as the per-member limit allows. */
  usedUp: boolean;
  /** What a take gives, by name and picture, when it gives tokens (a drop); null otherwise. */
  item: ItemWords | null;
};

export type ItemWords = { name: string; image: string | null };

const MAX_RULE_MEMO = 1_000;
const MAX_MEMBER_MEMOS = 10_000;

/** One brand's offers in a offerList (their indices) and the plan that reads and judges their rules together. */
type BrandGroup = { indices: number[]; plan: EligibilityPlan };

type Listing = { items: readonly MemberOffer[]; from: number; until: number };
type Memo = { readings: readonly EligibilityReading[]; counts: ReadonlyMap<string, number>; outcomes: RuleOutcome[]; listing: Listing | null };

/** Live offers with their rules parsed, grouped by brand, and the instants (ms, ascending) at which some offer opens or ends. */
export type OfferList = {
  offers: Offer[];
  rules: (Rule | null)[];
  descriptions: string[];
  /** Per offer: what a take gives, in words (token rewards only). */
  items: (ItemWords | null)[];
  groups: BrandGroup[];
  /** Per brand id: its token types' names (a vault's holdings are worded with them). */
  names: ReadonlyMap<string, BrandTerms["names"]>;
  boundaries: number[];
  loadedAt: number;
  /** Per member: the last listing and what it was made from. */
  memos: Map<string, Memo>;
};

const failed = (r: EligibilityReading): boolean => r.snapshot !== null && "failed" in r.snapshot;

export type ListingOptions = {
  /** Reads members' holdings and grants from the caches (a failed or slow read is reported there). */
  eligibility: Pick<Rules, "read">;
  /** How long one brand's read may take before its entries are shown unavailable (it goes on, and fills the cache). */
  readTimeoutMs: number;
  now: () => Date;
};

export function createListing(options: ListingOptions) {
  const { eligibility, now } = options;
  // Rules are stored as JSON; parsing once per distinct rule keeps listing cheap.
  const ruleMemo = new Map<string, Rule>();

  function ruleOf(offer: Offer): Rule | null {
    if (offer.rule === null) return null;
    const key = JSON.stringify(offer.rule);
    let rule = ruleMemo.get(key);
    if (rule === undefined) {
      rule = parseRule(offer.rule);
      if (ruleMemo.size >= MAX_RULE_MEMO) ruleMemo.clear();
      ruleMemo.set(key, rule);
    }
    return rule;
  }

  /**
   * `terms` per brand id; a brand missing from it (its terms could not be read) gets plain words, and
   * its points and level rules show as unavailable.
   */
  function offerListOf(offers: Offer[], terms: ReadonlyMap<string, BrandTerms> = new Map()): OfferList {
    const rules = offers.map(ruleOf);
    const byBrand = new Map<string, number[]>();
    offers.forEach((offer, i) => byBrand.set(offer.brandId, [...(byBrand.get(offer.brandId) ?? []), i]));
    const groups = [...byBrand].map(([brandId, indices]): BrandGroup => ({ indices, plan: planEligibility(brandId, indices.map((i) => rules[i]!), terms.get(brandId) ?? null) }));
    const descriptions = offers.map((offer, i) => {
      const rule = rules[i]!;
      if (rule === null) return ANYONE;
      const brandTerms = terms.get(offer.brandId);
      return describeRule(rule, brandTerms ? { names: brandTerms.names, levels: brandTerms.levels, requests: brandTerms.requests } : {});
    });
    const items = offers.map((offer): ItemWords | null => {
      if (offer.reward.type !== "token") return null;
      const label = terms.get(offer.brandId)?.names.label(offer.reward.collection, BigInt(offer.reward.tokenId));
      return { name: label?.name ?? "Collectible", image: label?.image ?? null };
    });
    const boundaries = offers.flatMap((o) => [o.startsAt, o.endsAt]).filter((t) => t !== null).map((t) => Date.parse(t)).sort((a, b) => a - b);
    const names = new Map([...terms].map(([brandId, t]) => [brandId, t.names]));
    return { offers, rules, descriptions, items, groups, names, boundaries, loadedAt: Date.now(), memos: new Map() };
  }

  function evaluate(offerList: OfferList, readings: readonly EligibilityReading[]): RuleOutcome[] {
    const outcomes: RuleOutcome[] = new Array(offerList.offers.length);
    // Rules that read nothing on chain (consent rules alone) are judged at the server's time.
    const seconds = BigInt(Math.floor(now().getTime() / 1000));
    offerList.groups.forEach((group, g) => {
      const judged = judge(group.plan, readings[g]!, seconds);
      group.indices.forEach((i, j) => (outcomes[i] = judged[j]!));
    });
    return outcomes;
  }

  function items(offerList: OfferList, outcomes: RuleOutcome[], counts: ReadonlyMap<string, number>, at: number): MemberOffer[] {
    const stamp = toTimestamp(at);
    return offerList.offers.map((offer, i) => {
      const taken = counts.get(offer.id) ?? 0;
      const outcome = outcomes[i]!;
      return {
        offer,
        requires: offerList.descriptions[i]!,
        status: offerStatus(offer, stamp),
        eligible: outcome.eligible,
        reasons: outcome.reasons,
        vault: outcome.vault === undefined ? null : { address: getAddress(outcome.vault.address), counted: vaultWords(outcome.vault, offerList.names.get(offer.brandId)) },
        checked: outcome !== UNCHECKED,
        taken,
        usedUp: offer.limits.perMember !== null && taken >= offer.limits.perMember,
        item: offerList.items[i]!,
      };
    });
  }

  return {
    offerListOf,
    ruleOf,

    /**
     * The offerList's offers for `member`. Throws the first brand's read error when every brand that
     * needed a read failed: then the chain itself is down, and that deserves a 503, not a page of
     * unavailable entries.
     */
    async list(offerList: OfferList, member: Address, counts: ReadonlyMap<string, number>): Promise<readonly MemberOffer[]> {
      const mode = { fresh: false, timeoutMs: options.readTimeoutMs } as const;
      const readings = await Promise.all(offerList.groups.map((group) => eligibility.read(member, group.plan, mode)));
      const reads = readings.filter((r) => r.snapshot !== null);
      if (reads.length > 0 && reads.every(failed)) {
        const error = (reads[0]!.snapshot as { failed: unknown }).failed;
        // A read that timed out is no Problem of its own: still a 503, never a 500.
        throw error instanceof Problem ? error : chainUnavailable("Holdings could not be checked just now; nothing was unlocked.", error);
      }

      const key = member.toLowerCase();
      let memo = offerList.memos.get(key);
      const at = now().getTime();
      if (memo !== undefined && memo.readings.every((r, i) => sameReading(r, readings[i]!))) {
        const { listing } = memo;
        if (memo.counts === counts && listing !== null && listing.from <= at && at < listing.until) return listing.items;
      } else {
        if (offerList.memos.size >= MAX_MEMBER_MEMOS) offerList.memos.clear();
        memo = { readings, counts, outcomes: evaluate(offerList, readings), listing: null };
        offerList.memos.set(key, memo);
      }
      memo.counts = counts;
      const listed = items(offerList, memo.outcomes, counts, at);
      // A failed read is tried again next time: only listings made of good reads are reused.
      const unread = readings.some((r, g) => failed(r) || (offerList.groups[g]!.plan.grants && r.grants === undefined));
      memo.listing = unread ? null : { items: listed, ...steadyInterval(offerList.boundaries, at) };
      return listed;
    },
  };
}

/** The interval around `at` that no boundary splits: [last boundary <= at, next boundary > at). */
function steadyInterval(boundaries: readonly number[], at: number): { from: number; until: number } {
  const next = boundaries.findIndex((t) => t > at);
  const last = next === -1 ? boundaries.length - 1 : next - 1;
  return { from: last >= 0 ? boundaries[last]! : -Infinity, until: next === -1 ? Infinity : boundaries[next]! };
}
