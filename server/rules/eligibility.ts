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
import { holdingKey, type TokenRef } from "../chain/holdings.ts";
import type { DelegateReader } from "../chain/delegates.ts";
import type { Delegation } from "../chain/index/types.ts";
import type { OwnershipReader, OwnershipSnapshot } from "../chain/ownership.ts";
import { consentsIn, evaluateRule, needsHoldingPeriods, needsStanding, requirementsOf, type Holdings, type Rule, type RuleContext, type RuleOutcome } from "./grammar.ts";
import type { BrandTerms, TermsOf } from "./terms.ts";
import { coversWhole, delegatedHoldings, delegatedRequirements } from "./vaults.ts";

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

/**
 * A vault that delegates to the member, read for a plan: its delegations, the plan's token types they
 * cover (the same array while they stay the same: the holdings cache keys on it), and what it holds.
 */
export type VaultReading = { vault: Address; delegations: readonly Delegation[]; requirements: readonly TokenRef[]; snapshot: OwnershipSnapshot | { failed: unknown } };

/**
 * A read for a plan. `snapshot`: null when nothing on chain was needed; `failed` only from a cached
 * read. `grants`: undefined when not needed or not readable. `vaults`: the vaults delegating to the
 * member that cover some of the plan's token types (absent: none).
 */
export type EligibilityReading = { snapshot: OwnershipSnapshot | null | { failed: unknown }; grants: ReadonlySet<string> | undefined; vaults?: readonly VaultReading[] };

/** A fresh read: the chain was read (a failure throws), so there is always a snapshot. */
export type FreshReading = { snapshot: OwnershipSnapshot; grants: ReadonlySet<string> | undefined; vaults?: readonly (VaultReading & { snapshot: OwnershipSnapshot })[] };

/** Whether two reads are the very same (the listing's memo): same snapshots, grants and vaults' snapshots. */
export function sameReading(a: EligibilityReading, b: EligibilityReading): boolean {
  if (a.snapshot !== b.snapshot || a.grants !== b.grants) return false;
  const x = a.vaults ?? [];
  const y = b.vaults ?? [];
  return x.length === y.length && x.every((v, i) => v.snapshot === y[i]!.snapshot && v.requirements === y[i]!.requirements);
}

/**
 * Fresh from the chain and the store (a failure throws a 503), or from the caches with a bound on how
 * long a read may take. `vaults: false`: the member's own holdings only (what is earned once per
 * wallet, and has no per-vault count).
 */
export type ReadMode = ({ fresh: true } | { fresh: false; timeoutMs: number }) & { vaults?: boolean };

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
  const outcomes = plan.rules.map((rule) => (rule === null ? OPEN : evaluateRule(rule, holdings, now, context)));
  if (reading.vaults === undefined || reading.vaults.length === 0) return outcomes;
  // What the member's own holdings do not unlock, their holdings together with a vault's may: the
  // first vault that does says so. Together, per token type the larger holding counts, so a rule's
  // `not` still sees what the member holds themselves.
  return outcomes.map((outcome, i) => {
    const rule = plan.rules[i]!;
    if (outcome.eligible || rule === null) return outcome;
    for (const v of reading.vaults!) {
      if ("failed" in v.snapshot) continue;
      const vaults = delegatedHoldings(v.snapshot.holdings, v.requirements, v.delegations);
      const together = new Map(holdings);
      for (const [key, holding] of vaults) if (holding.balance > (together.get(key)?.balance ?? 0n)) together.set(key, holding);
      const withVault: RuleContext = { ...context };
      // The vault's points count only when every type that carries points is delegated whole.
      if (plan.standing && terms !== null && coversWhole(terms.standing, v.delegations) && v.snapshot.points > (context.points ?? 0n)) withVault.points = v.snapshot.points;
      const judged = evaluateRule(rule, together, v.snapshot.now, withVault);
      if (judged.eligible) {
        // What the vault added: the rule's types where its holding is the one that counted.
        const tokens = requirementsOf(rule).filter((ref) => {
          const key = holdingKey(ref.collection, ref.tokenId);
          return vaults.has(key) && together.get(key) === vaults.get(key);
        });
        return { ...judged, vault: { address: v.vault, tokens } };
      }
    }
    return outcome;
  });
}

export type EligibilityDeps = {
  ownership: Pick<OwnershipReader, "readFresh" | "readCached" | "cached">;
  terms: TermsOf;
  /** The data requests a member has an active grant of: cached, or `fresh` from the store. Without it consent rules never unlock. */
  grantsOf?: (member: Address, fresh: boolean) => Promise<ReadonlySet<string>>;
  /** Whose vaults count for a member (delegated wallets); without it only the member's own holdings count. */
  delegates?: DelegateReader;
  /** Told about each cached read that failed or timed out (a brand id, "grants", or "delegations"). */
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

  async function cachedHoldings(member: Address, plan: EligibilityPlan, timeoutMs: number, requirements = plan.requirements): Promise<EligibilityReading["snapshot"]> {
    if (requirements.length === 0) return null;
    // A cache hit needs no timer: the common case stays cheap.
    const hit = deps.ownership.cached(member, requirements);
    if (hit !== undefined) return hit;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`holdings read took longer than ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([deps.ownership.readCached(member, requirements), timeout]);
    } catch (error) {
      deps.onUnavailable?.(plan.brandId, error);
      return { failed: error };
    } finally {
      clearTimeout(timer);
    }
  }

  // Per plan and set of delegations: the token types they cover, one array while both stand (cache keys).
  const vaultRequirements = new WeakMap<EligibilityPlan, Map<string, readonly TokenRef[]>>();
  function requirementsFor(plan: EligibilityPlan, delegations: readonly Delegation[]): readonly TokenRef[] {
    let byScope = vaultRequirements.get(plan);
    if (byScope === undefined) vaultRequirements.set(plan, (byScope = new Map()));
    const scope = delegations.map((d) => `${d.kind}:${d.contract ?? ""}:${d.tokenId ?? ""}`).sort().join(",");
    let requirements = byScope.get(scope);
    if (requirements === undefined) byScope.set(scope, (requirements = delegatedRequirements(plan.requirements, delegations)));
    return requirements;
  }

  /** The vaults delegating to the member that cover some of the plan's token types, read. */
  async function vaults(member: Address, plan: EligibilityPlan, mode: ReadMode): Promise<VaultReading[] | undefined> {
    if (deps.delegates === undefined || mode.vaults === false || plan.requirements.length === 0) return undefined;
    let grants;
    try {
      grants = await deps.delegates.vaultsOf(member, { fresh: mode.fresh });
    } catch (error) {
      if (mode.fresh) throw error;
      deps.onUnavailable?.("delegations", error);
      return undefined;
    }
    if (grants.length === 0) return undefined;
    const readings = await Promise.all(
      grants.map(async ({ vault, delegations }): Promise<VaultReading | null> => {
        const requirements = requirementsFor(plan, delegations);
        if (requirements.length === 0) return null;
        const snapshot = mode.fresh ? await deps.ownership.readFresh(vault, requirements, { lots: plan.holdingPeriods }) : await cachedHoldings(vault, plan, mode.timeoutMs, requirements);
        return snapshot === null ? null : { vault, delegations, requirements, snapshot };
      }),
    );
    const read = readings.filter((r) => r !== null);
    return read.length === 0 ? undefined : read;
  }

  /** The member's holdings and grants a plan needs, and those of the vaults delegating to them. */
  async function read<M extends ReadMode>(member: Address, plan: EligibilityPlan, mode: M): Promise<ReadingOf<M>> {
    const grantsOf = plan.grants ? deps.grantsOf : undefined;
    if (mode.fresh) {
      // Never a cached snapshot: what the member holds right now, and grants as the store has them now.
      const [snapshot, grants, delegated] = await Promise.all([deps.ownership.readFresh(member, plan.requirements, { lots: plan.holdingPeriods }), grantsOf?.(member, true), vaults(member, plan, mode)]);
      return (delegated === undefined ? { snapshot, grants } : { snapshot, grants, vaults: delegated }) as ReadingOf<M>;
    }
    const [snapshot, grants, delegated] = await Promise.all([
      cachedHoldings(member, plan, mode.timeoutMs),
      grantsOf === undefined ? undefined : cachedGrants(member, grantsOf),
      vaults(member, plan, mode),
    ]);
    return (delegated === undefined ? { snapshot, grants } : { snapshot, grants, vaults: delegated }) as ReadingOf<M>;
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
      // The member's own holdings first: vaults are read (and their delegations confirmed on chain)
      // only when those leave a rule unmet, so the common redemption costs no more than before.
      let reading: ReadingOf<M> = await read(member, plan, { ...mode, vaults: false });
      let outcomes = judge(plan, reading, seconds());
      if (mode.vaults !== false && outcomes.some((o) => !o.eligible)) {
        const delegated = await vaults(member, plan, mode);
        if (delegated !== undefined) {
          reading = { ...reading, vaults: delegated } as ReadingOf<M>;
          outcomes = judge(plan, reading, seconds());
        }
      }
      if (plan.terms === null && outcomes.some((o) => !o.eligible)) {
        // Refused: say why in the brand's words (plain words if they cannot be read just now).
        const words = await deps.terms(plan.brandId).catch(() => null);
        if (words !== null) outcomes = judge(plan, reading, seconds(), words);
      }
      return { ...reading, outcomes };
    },
  };
}
