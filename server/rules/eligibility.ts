/**
 * May this member have it? One answer for perks, drops, journeys' hold steps and the console's
 * preview, in three steps:
 *
 * - plan: what a brand's rules need read (their token types, the caller's own, every type of the
 *   brand's when a rule reads points) and the brand's terms to judge and word them with;
 * - read: the member's holdings and grants, `fresh` (for anything that grants something) or from
 *   the short caches (for display; a slow or failed read shows as unchecked, nothing unlocks);
 * - judge: the grammar's evaluation, with points only from a read that covered all the brand's
 *   types, and grants only of the brand's own live data requests.
 *
 * `check` does all three. A listing keeps its plans with its catalog and judges again only when a
 * read changed, so it calls `read` and {@link judge} itself.
 */
import type { Address } from "viem";
import type { TokenRef } from "../chain/holdings.ts";
import type { OwnershipReader, OwnershipSnapshot } from "../chain/ownership.ts";
import { consentsIn, evaluateRule, needsHoldingPeriods, needsStanding, requirementsOf, type Holdings, type Rule, type RuleContext, type RuleOutcome } from "./grammar.ts";
import type { BrandTerms, TermsOf } from "./terms.ts";

/** What a brand's rules need read, worked out once per set of rules (a listing keeps it with its catalog). */
export type EligibilityPlan = {
  brandId: string;
  /** null: open to any signed-in member. */
  rules: readonly (Rule | null)[];
  /** The brand's terms; null when not needed or not readable (plain words; points and grants count as unread). */
  terms: BrandTerms | null;
  /** The token types to read, each once. The same array for the plan's life: the holdings cache keys on it. */
  requirements: readonly TokenRef[];
  /** Some rule reads points, and the read covers every token type of the brand's. */
  standing: boolean;
  /** Some rule reads the member's grants. */
  grants: boolean;
  /** Some rule asks how long something has been held: a fresh read asks the index for its lots. */
  holdingPeriods: boolean;
};

/** A read for a plan. `snapshot`: null when nothing on chain was needed; `failed` only from a cached read. `grants`: undefined when not needed or not readable. */
export type EligibilityReading = { snapshot: OwnershipSnapshot | null | { failed: unknown }; grants: ReadonlySet<string> | undefined };

/** A fresh read: the chain was read (a failure throws), so there is always a snapshot. */
export type FreshReading = { snapshot: OwnershipSnapshot; grants: ReadonlySet<string> | undefined };

/** Fresh from the chain and the store (a failure throws a 503), or from the caches with a bound on how long a read may take. */
export type ReadMode = { fresh: true } | { fresh: false; timeoutMs: number };

type ReadingOf<M extends ReadMode> = M extends { fresh: true } ? FreshReading : EligibilityReading;

/** An outcome for a rule whose holdings could not be read just now. */
export const UNCHECKED: RuleOutcome = {
  eligible: false,
  reasons: [{ code: "unavailable", message: "could not be checked right now; nothing is unlocked until it can be" }],
};
const OPEN: RuleOutcome = { eligible: true, reasons: [] };
const NO_HOLDINGS: Holdings = new Map();

/** `own` then the token types of `more` it lacks, each once: the chain adds up points per type it is asked for. */
export function mergeRequirements<T extends TokenRef>(own: readonly T[], more: readonly T[]): T[] {
  const key = (r: TokenRef) => `${r.collection.toLowerCase()}:${r.tokenId}`;
  const keys = new Set(own.map(key));
  return [...own, ...more.filter((r) => !keys.has(key(r)))];
}

/** The plan for `rules` of one brand with `terms` already read (null: unknown); `also`: token types the caller reads besides. */
export function planEligibility(brandId: string, rules: readonly (Rule | null)[], terms: BrandTerms | null, also: readonly TokenRef[] = []): EligibilityPlan {
  const own = rules.filter((rule) => rule !== null);
  const standing = terms !== null && own.some(needsStanding);
  const requirements: TokenRef[] = mergeRequirements(requirementsOf(...own), also);
  return {
    brandId,
    rules,
    terms,
    requirements: standing ? mergeRequirements(requirements, terms.standing) : requirements,
    standing,
    grants: own.some((rule) => consentsIn(rule).length > 0),
    holdingPeriods: own.some(needsHoldingPeriods),
  };
}

/** Grants of the brand's own live requests only: a rule never tells a brand about another's. */
function ownGrants(grants: ReadonlySet<string>, requests: ReadonlyMap<string, unknown>): ReadonlySet<string> {
  for (const id of grants) if (!requests.has(id)) return new Set([...grants].filter((g) => requests.has(g)));
  return grants;
}

/**
 * Each of the plan's rules judged against `reading`, in order. `nowSeconds` stands in for the chain's
 * time when nothing was read from it; `terms` (default the plan's) word the reasons.
 */
export function judge(plan: EligibilityPlan, reading: EligibilityReading, nowSeconds: bigint, terms: BrandTerms | null = plan.terms): RuleOutcome[] {
  const { snapshot } = reading;
  if (snapshot !== null && "failed" in snapshot) return plan.rules.map((rule) => (rule === null ? OPEN : UNCHECKED));
  const context: RuleContext = terms === null ? {} : { names: terms.names, levels: terms.levels, requests: terms.requests };
  if (plan.standing && snapshot !== null) context.points = snapshot.points;
  if (plan.grants && reading.grants !== undefined && terms !== null) context.grants = ownGrants(reading.grants, terms.requests);
  const holdings = snapshot?.holdings ?? NO_HOLDINGS;
  const now = snapshot?.now ?? nowSeconds;
  return plan.rules.map((rule) => (rule === null ? OPEN : evaluateRule(rule, holdings, now, context)));
}

export type EligibilityDeps = {
  ownership: Pick<OwnershipReader, "readFresh" | "readCached" | "cached">;
  terms: TermsOf;
  /** The data requests a member has an active grant of: cached, or `fresh` from the store. Without it consent rules never unlock. */
  grantsOf?: (member: Address, fresh: boolean) => Promise<ReadonlySet<string>>;
  /** Told about each cached read that failed or timed out (a brand id, or "grants"). */
  onUnavailable?: (what: string, error: unknown) => void;
  now?: () => Date;
};

export type Eligibility = ReturnType<typeof createEligibility>;

export function createEligibility(deps: EligibilityDeps) {
  const now = deps.now ?? (() => new Date());
  const seconds = () => BigInt(Math.floor(now().getTime() / 1000));
  // Cached grants of a member being read: brands' reads in one listing share it.
  const grantsInFlight = new Map<string, Promise<ReadonlySet<string> | undefined>>();

  function cachedGrants(member: Address, grantsOf: NonNullable<EligibilityDeps["grantsOf"]>): Promise<ReadonlySet<string> | undefined> {
    const key = member.toLowerCase();
    let read = grantsInFlight.get(key);
    if (read === undefined) {
      read = grantsOf(member, false).catch((error: unknown) => {
        deps.onUnavailable?.("grants", error);
        return undefined;
      });
      grantsInFlight.set(key, read);
      void read.finally(() => grantsInFlight.delete(key));
    }
    return read;
  }

  async function cachedHoldings(member: Address, plan: EligibilityPlan, timeoutMs: number): Promise<EligibilityReading["snapshot"]> {
    if (plan.requirements.length === 0) return null;
    // A cache hit needs no timer: the common case stays cheap.
    const hit = deps.ownership.cached(member, plan.requirements);
    if (hit !== undefined) return hit;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`holdings read took longer than ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([deps.ownership.readCached(member, plan.requirements), timeout]);
    } catch (error) {
      deps.onUnavailable?.(plan.brandId, error);
      return { failed: error };
    } finally {
      clearTimeout(timer);
    }
  }

  /** The member's holdings and grants a plan needs. */
  async function read<M extends ReadMode>(member: Address, plan: EligibilityPlan, mode: M): Promise<ReadingOf<M>> {
    const grantsOf = plan.grants ? deps.grantsOf : undefined;
    if (mode.fresh) {
      // Never a cached snapshot: what the member holds right now, and grants as the store has them now.
      const [snapshot, grants] = await Promise.all([deps.ownership.readFresh(member, plan.requirements, { lots: plan.holdingPeriods }), grantsOf?.(member, true)]);
      return { snapshot, grants } as ReadingOf<M>;
    }
    if (grantsOf === undefined) return { snapshot: await cachedHoldings(member, plan, mode.timeoutMs), grants: undefined } as ReadingOf<M>;
    const [snapshot, grants] = await Promise.all([cachedHoldings(member, plan, mode.timeoutMs), cachedGrants(member, grantsOf)]);
    return { snapshot, grants } as ReadingOf<M>;
  }

  return {
    /**
     * A plan with the brand's terms read now: strictly when a rule reads points (a failure throws:
     * nothing is granted on a short count), leniently when a rule reads grants or `words` are asked for.
     */
    async plan(brandId: string, rules: readonly (Rule | null)[], options: { also?: readonly TokenRef[]; words?: boolean } = {}): Promise<EligibilityPlan> {
      const own = rules.filter((rule) => rule !== null);
      const lenient = options.words === true || own.some((rule) => consentsIn(rule).length > 0);
      const terms = own.some(needsStanding) ? await deps.terms(brandId) : lenient ? await deps.terms(brandId).catch(() => null) : null;
      return planEligibility(brandId, rules, terms, options.also);
    },

    read,

    /** Reads and judges: each of the plan's rules' outcome, and what was read. A refusal is worded in the brand's words. */
    async check<M extends ReadMode>(member: Address, plan: EligibilityPlan, mode: M): Promise<ReadingOf<M> & { outcomes: RuleOutcome[] }> {
      const reading = await read(member, plan, mode);
      let outcomes = judge(plan, reading, seconds());
      if (plan.terms === null && outcomes.some((o) => !o.eligible)) {
        // Refused: say why in the brand's words (plain words if they cannot be read just now).
        const words = await deps.terms(plan.brandId).catch(() => null);
        if (words !== null) outcomes = judge(plan, reading, seconds(), words);
      }
      return { ...reading, outcomes };
    },
  };
}
