/**
 * Offers as a member sees them: eligibility with reasons, from cached holdings. Each brand's
 * holdings are read on their own (its offers' token types, in bounded calls), so one brand whose
 * read fails or is slow marks only its own entries unavailable; the listing goes on.
 *
 * A listing is a pure function of a catalog (the live offers), the member's holdings snapshots, their
 * take counts and the time; while all of them stand still (the caches hold, no window opens or
 * closes) a repeated listing is the same array, so callers may reuse what they derive from it.
 */
import type { Address } from "viem";
import type { OwnershipReader, OwnershipSnapshot } from "../chain/ownership.ts";
import { toTimestamp } from "../storage/time.ts";
import { consentsIn, describeRule, evaluateRule, needsStanding, parseRule, requirementsOf, type LeafRule, type Reason, type Rule, type Holdings, type RuleContext, type RuleOutcome } from "./rules.ts";
import type { BrandTerms } from "./terms.ts";
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

const ANYONE = "any signed-in member";
const UNCHECKED: RuleOutcome = {
  eligible: false,
  reasons: [{ code: "unavailable", message: "could not be checked right now; nothing is unlocked until it can be" }],
};
const OPEN: RuleOutcome = { eligible: true, reasons: [] };
const NO_HOLDINGS: Holdings = new Map();
const MAX_RULE_MEMO = 1_000;
const MAX_MEMBER_MEMOS = 10_000;

/**
 * One brand's offers in a catalog and the token types they read together. When a rule reads points,
 * the brand's every token type is read too (`standing`), and the read's points are the member's.
 */
type BrandGroup = { brandId: string; indices: number[]; requirements: LeafRule[]; terms: BrandTerms | null; standing: boolean; consents: boolean };

type Listing = { items: readonly MemberOffer[]; from: number; until: number };
type Memo = { snapshots: readonly ReadResult[]; grants: Grants; counts: ReadonlyMap<string, number>; outcomes: RuleOutcome[]; listing: Listing | null };

/** The data requests the member has an active grant of; undefined when they could not be read (consent rules fail closed). */
type Grants = ReadonlySet<string> | undefined;

/** Live offers with their rules parsed, grouped by brand, and the instants (ms, ascending) at which some offer opens or ends. */
export type Catalog = {
  offers: Offer[];
  rules: (Rule | null)[];
  /** Whether some rule reads the member's grants (consent rules). */
  consents: boolean;
  descriptions: string[];
  /** Per offer: what a take gives, in words (token rewards only). */
  items: (ItemWords | null)[];
  groups: BrandGroup[];
  boundaries: number[];
  loadedAt: number;
  /** Per member: the last listing and what it was made from. */
  memos: Map<string, Memo>;
};

/** A brand group's read: its snapshot, null when it reads nothing, or the error that stopped it. */
type ReadResult = OwnershipSnapshot | null | { failed: unknown };

const failed = (r: ReadResult): r is { failed: unknown } => r !== null && "failed" in r;

export type ListingOptions = {
  ownership: OwnershipReader;
  /** How long one brand's read may take before its entries are shown unavailable (it goes on, and fills the cache). */
  readTimeoutMs: number;
  now: () => Date;
  /** Told about each brand whose read failed or timed out. */
  onUnavailable?: (brandId: string, error: unknown) => void;
  /** The data requests a member has an active grant of (cached by the implementation); without it consent rules never unlock. */
  grantsOf?: (member: Address) => Promise<ReadonlySet<string>>;
};

export function createListing(options: ListingOptions) {
  const { ownership, now } = options;
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
  function catalogOf(offers: Offer[], terms: ReadonlyMap<string, BrandTerms> = new Map()): Catalog {
    const rules = offers.map(ruleOf);
    const byBrand = new Map<string, number[]>();
    offers.forEach((offer, i) => byBrand.set(offer.brandId, [...(byBrand.get(offer.brandId) ?? []), i]));
    const groups = [...byBrand].map(([brandId, indices]): BrandGroup => {
      const own = indices.flatMap((i) => (rules[i] === null ? [] : [rules[i]!]));
      const brandTerms = terms.get(brandId) ?? null;
      const standing = brandTerms !== null && own.some(needsStanding);
      const requirements = requirementsOf(...own);
      const consents = own.some((rule) => consentsIn(rule).length > 0);
      return { brandId, indices, requirements: standing ? mergeRequirements(requirements, brandTerms.standing) : requirements, terms: brandTerms, standing, consents };
    });
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
    return { offers, rules, consents: groups.some((g) => g.consents), descriptions, items, groups, boundaries, loadedAt: Date.now(), memos: new Map() };
  }

  async function readGrants(catalog: Catalog, member: Address): Promise<Grants> {
    if (!catalog.consents || options.grantsOf === undefined) return undefined;
    try {
      return await options.grantsOf(member);
    } catch (error) {
      options.onUnavailable?.("grants", error);
      return undefined;
    }
  }

  async function readGroup(member: Address, group: BrandGroup): Promise<ReadResult> {
    if (group.requirements.length === 0) return null;
    // A cache hit needs no timer: the common case stays cheap.
    const hit = ownership.cached(member, group.requirements);
    if (hit !== undefined) return hit;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`holdings read took longer than ${options.readTimeoutMs} ms`)), options.readTimeoutMs);
    });
    try {
      return await Promise.race([ownership.readCached(member, group.requirements), timeout]);
    } catch (error) {
      options.onUnavailable?.(group.brandId, error);
      return { failed: error };
    } finally {
      clearTimeout(timer);
    }
  }

  function evaluate(catalog: Catalog, snapshots: readonly ReadResult[], grants: Grants): RuleOutcome[] {
    const outcomes: RuleOutcome[] = new Array(catalog.offers.length);
    catalog.groups.forEach((group, g) => {
      const read = snapshots[g]!;
      const context: RuleContext = group.terms === null ? {} : { names: group.terms.names, levels: group.terms.levels, requests: group.terms.requests, ...(group.standing && read !== null && !failed(read) ? { points: read.points } : {}) };
      if (group.consents && grants !== undefined) context.grants = grants;
      // Rules that read nothing on chain (consent rules alone) are judged with no holdings.
      const snapshot: { holdings: Holdings; now: bigint } | null | { failed: unknown } =
        read === null && group.requirements.length === 0 ? { holdings: NO_HOLDINGS, now: BigInt(Math.floor(now().getTime() / 1000)) } : read;
      for (const i of group.indices) {
        const rule = catalog.rules[i]!;
        outcomes[i] = rule === null ? OPEN : snapshot === null || "failed" in snapshot ? UNCHECKED : evaluateRule(rule, snapshot.holdings, snapshot.now, context);
      }
    });
    return outcomes;
  }

  function items(catalog: Catalog, outcomes: RuleOutcome[], counts: ReadonlyMap<string, number>, at: number): MemberOffer[] {
    const stamp = toTimestamp(at);
    return catalog.offers.map((offer, i) => {
      const taken = counts.get(offer.id) ?? 0;
      const outcome = outcomes[i]!;
      return {
        offer,
        requires: catalog.descriptions[i]!,
        status: offerStatus(offer, stamp),
        eligible: outcome.eligible,
        reasons: outcome.reasons,
        checked: outcome !== UNCHECKED,
        taken,
        usedUp: offer.limits.perMember !== null && taken >= offer.limits.perMember,
        item: catalog.items[i]!,
      };
    });
  }

  return {
    catalogOf,
    ruleOf,

    /**
     * The catalog's offers for `member`. Throws the first brand's read error when every brand that
     * needed a read failed: then the chain itself is down, and that deserves a 503, not a page of
     * unavailable entries.
     */
    async list(catalog: Catalog, member: Address, counts: ReadonlyMap<string, number>): Promise<readonly MemberOffer[]> {
      const [snapshots, grants] = await Promise.all([Promise.all(catalog.groups.map((group) => readGroup(member, group))), readGrants(catalog, member)]);
      const reads = snapshots.filter((s) => s !== null);
      if (reads.length > 0 && reads.every(failed)) throw (reads[0] as { failed: unknown }).failed;

      const key = member.toLowerCase();
      let memo = catalog.memos.get(key);
      const at = now().getTime();
      if (memo !== undefined && memo.grants === grants && memo.snapshots.every((s, i) => s === snapshots[i])) {
        const { listing } = memo;
        if (memo.counts === counts && listing !== null && listing.from <= at && at < listing.until) return listing.items;
      } else {
        if (catalog.memos.size >= MAX_MEMBER_MEMOS) catalog.memos.clear();
        memo = { snapshots, grants, counts, outcomes: evaluate(catalog, snapshots, grants), listing: null };
        catalog.memos.set(key, memo);
      }
      memo.counts = counts;
      const listed = items(catalog, memo.outcomes, counts, at);
      // A failed read is tried again next time: only listings made of good reads are reused.
      memo.listing = snapshots.some(failed) || (catalog.consents && grants === undefined) ? null : { items: listed, ...steadyInterval(catalog.boundaries, at) };
      return listed;
    },
  };
}

/** `own` then the standing types it lacks, each once: the chain adds up points per type it is asked for. */
export function mergeRequirements(own: readonly LeafRule[], standing: readonly LeafRule[]): LeafRule[] {
  const keys = new Set(own.map((r) => `${r.collection.toLowerCase()}:${r.tokenId}`));
  return [...own, ...standing.filter((r) => !keys.has(`${r.collection.toLowerCase()}:${r.tokenId}`))];
}

/** The interval around `at` that no boundary splits: [last boundary <= at, next boundary > at). */
function steadyInterval(boundaries: readonly number[], at: number): { from: number; until: number } {
  const next = boundaries.findIndex((t) => t > at);
  const last = next === -1 ? boundaries.length - 1 : next - 1;
  return { from: last >= 0 ? boundaries[last]! : -Infinity, until: next === -1 ? Infinity : boundaries[next]! };
}
