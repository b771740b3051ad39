/**
 * Perks as members see them: eligibility with reasons for listing (cached ownership), and
 * exactly-once redemption that re-checks ownership on the chain at that moment.
 */
import type { Address } from "viem";
import type { OwnershipReader } from "../chain/ownership.ts";
import { Problem } from "../errors.ts";
import { newId, newRedemptionCode, toTimestamp, type Perk, type Redemption, type Store } from "../storage/index.ts";
import type { OwnershipSnapshot } from "../chain/ownership.ts";
import { describeRule, evaluateRule, parseRule, requirementsOf, type LeafRule, type Reason, type Rule } from "./rules.ts";

export type PerkStatus = "upcoming" | "open" | "ended";

export type MemberPerk = { perk: Perk; requires: string; status: PerkStatus; eligible: boolean; reasons: Reason[] };

export type RedeemOutcome = { redemption: Redemption; replayed: boolean };

export type PerkService = {
  /**
   * The perks a member sees, with eligibility from cached holdings. While neither the perks, the
   * holdings nor any perk's status changed, this is the same array: do not change it.
   */
  list(member: Address, query?: { brandId?: string }): Promise<readonly MemberPerk[]>;
  get(member: Address, perkId: string): Promise<MemberPerk>;
  redeem(member: Address, perkId: string, idempotencyKey: string): Promise<RedeemOutcome>;
  /** Drops cached perk lists; brand writes call it so their own instance shows changes at once. */
  catalogChanged(): void;
};

/**
 * Live perks with their rules parsed and the token types they read, as listing needs them, and the
 * instants (ms, ascending) at which some perk opens or ends: between two of them no status changes.
 */
type Catalog = { perks: Perk[]; rules: Rule[]; descriptions: string[]; requirements: LeafRule[]; boundaries: number[]; loadedAt: number };

type Outcome = { eligible: boolean; reasons: Reason[] };

export function statusOf(perk: Perk, now: string): PerkStatus {
  if (perk.startsAt !== null && now < perk.startsAt) return "upcoming";
  if (perk.endsAt !== null && now >= perk.endsAt) return "ended";
  return "open";
}

const MAX_RULE_MEMO = 1_000;
const MAX_CATALOGS = 1_000;

/**
 * @param catalogCacheMs how long a perk list may be reused for listing (0: read the store every
 *   time). Other instances' brand writes show up after at most this long; redemption always reads
 *   the perk from the store.
 */
export function createPerkService(deps: { store: Store; ownership: OwnershipReader; catalogCacheMs?: number; now?: () => Date }): PerkService {
  const { store, ownership } = deps;
  const now = deps.now ?? (() => new Date());
  const catalogCacheMs = deps.catalogCacheMs ?? 0;
  const catalogs = new Map<string, Catalog>();
  // Rules are stored as JSON; parsing once per distinct rule keeps listing cheap.
  const ruleMemo = new Map<string, Rule>();

  function ruleOf(perk: Perk): Rule {
    const key = JSON.stringify(perk.rule);
    let rule = ruleMemo.get(key);
    if (rule === undefined) {
      rule = parseRule(perk.rule);
      if (ruleMemo.size >= MAX_RULE_MEMO) ruleMemo.clear();
      ruleMemo.set(key, rule);
    }
    return rule;
  }

  function catalogOf(perks: Perk[]): Catalog {
    const rules = perks.map(ruleOf);
    const boundaries = perks.flatMap((p) => [p.startsAt, p.endsAt]).filter((t) => t !== null).map((t) => Date.parse(t)).sort((a, b) => a - b);
    return { perks, rules, descriptions: rules.map(describeRule), requirements: requirementsOf(...rules), boundaries, loadedAt: Date.now() };
  }

  async function catalogFor(brandId: string | undefined): Promise<Catalog> {
    const key = brandId ?? "";
    const cached = catalogs.get(key);
    if (cached && Date.now() - cached.loadedAt < catalogCacheMs) return cached;
    const catalog = catalogOf(await store.listPerks(brandId === undefined ? {} : { brandId }));
    if (catalogCacheMs > 0) {
      if (catalogs.size >= MAX_CATALOGS) catalogs.clear();
      catalogs.set(key, catalog);
    }
    return catalog;
  }

  // Eligibility is a pure function of a catalog and a holdings snapshot, and a listing adds only
  // the perks' statuses; while catalog and snapshot come from the caches, a repeated listing is the
  // same array, so callers may reuse whatever they derive from it (its JSON, say).
  type Listing = { items: readonly MemberPerk[]; from: number; until: number };
  type Memo = { outcomes: Outcome[]; listing: Listing | null };
  const memos = new WeakMap<OwnershipSnapshot, WeakMap<Catalog, Memo>>();

  function memoOf(catalog: Catalog, snapshot: OwnershipSnapshot): Memo {
    let byCatalog = memos.get(snapshot);
    let memo = byCatalog?.get(catalog);
    if (memo === undefined) {
      memo = { outcomes: catalog.rules.map((rule) => evaluateRule(rule, snapshot.holdings, snapshot.now)), listing: null };
      if (byCatalog === undefined) memos.set(snapshot, (byCatalog = new WeakMap()));
      byCatalog.set(catalog, memo);
    }
    return memo;
  }

  function memberPerks(catalog: Catalog, outcomes: Outcome[], statuses: PerkStatus[]): MemberPerk[] {
    return catalog.perks.map((perk, i) => ({ perk, requires: catalog.descriptions[i]!, status: statuses[i]!, ...outcomes[i]! }));
  }

  async function evaluate(member: Address, catalog: Catalog, fresh: boolean): Promise<MemberPerk[]> {
    const snapshot = fresh ? await ownership.readFresh(member, catalog.requirements) : await ownership.readCached(member, catalog.requirements);
    const outcomes = fresh ? catalog.rules.map((rule) => evaluateRule(rule, snapshot.holdings, snapshot.now)) : memoOf(catalog, snapshot).outcomes;
    const at = toTimestamp(now());
    return memberPerks(catalog, outcomes, catalog.perks.map((perk) => statusOf(perk, at)));
  }

  async function perkOrThrow(perkId: string): Promise<Perk> {
    const perk = await store.getPerk(perkId);
    if (perk === null) throw new Problem(404, "perk_not_found", "No such perk", `perk ${perkId}`);
    return perk;
  }

  return {
    async list(member, query = {}) {
      const catalog = await catalogFor(query.brandId);
      if (catalog.perks.length === 0) return [];
      const memo = memoOf(catalog, await ownership.readCached(member, catalog.requirements));
      const at = now().getTime();
      const { listing } = memo;
      if (listing !== null && listing.from <= at && at < listing.until) return listing.items;
      const stamp = toTimestamp(at);
      const items = memberPerks(catalog, memo.outcomes, catalog.perks.map((perk) => statusOf(perk, stamp)));
      memo.listing = { items, ...steadyInterval(catalog.boundaries, at) };
      return items;
    },

    async get(member, perkId) {
      const [result] = await evaluate(member, catalogOf([await perkOrThrow(perkId)]), false);
      return result!;
    },

    catalogChanged() {
      catalogs.clear();
    },

    async redeem(member, perkId, idempotencyKey) {
      // A retry gets the original answer, even if the member's holdings changed since.
      const previous = await store.findRedemption(member, idempotencyKey);
      if (previous !== null) {
        if (previous.perkId !== perkId) throw idempotencyConflict();
        return { redemption: previous, replayed: true };
      }
      const perk = await perkOrThrow(perkId);
      const status = statusOf(perk, toTimestamp(now()));
      if (status === "upcoming") throw new Problem(409, "perk_not_started", "The perk is not open yet", `opens at ${perk.startsAt}`);
      if (status === "ended") throw new Problem(409, "perk_ended", "The perk has ended", `ended at ${perk.endsAt}`);

      // Never a login-time or cached snapshot: what the member holds right now, on chain.
      const [checked] = await evaluate(member, catalogOf([perk]), true);
      if (!checked!.eligible) {
        throw new Problem(403, "not_eligible", "You do not hold what this perk requires", checked!.reasons.map((r) => r.message).join("; "), {
          reasons: checked!.reasons,
        });
      }

      const result = await store.redeem({ perkId, member, idempotencyKey, id: newId(), code: newRedemptionCode(), now: toTimestamp(now()) });
      switch (result.status) {
        case "created":
          return { redemption: result.redemption, replayed: false };
        case "replayed":
          return { redemption: result.redemption, replayed: true };
        case "idempotency_conflict":
          throw idempotencyConflict();
        case "perk_not_found":
          throw new Problem(404, "perk_not_found", "No such perk", `perk ${perkId}`);
        case "not_started":
          throw new Problem(409, "perk_not_started", "The perk is not open yet");
        case "ended":
          throw new Problem(409, "perk_ended", "The perk has ended");
        case "member_limit_reached":
          throw new Problem(409, "member_limit_reached", "You have redeemed this perk as often as allowed", `limit ${result.limit} per member`, { limit: result.limit });
        case "total_limit_reached":
          throw new Problem(409, "total_limit_reached", "This perk has run out", `limit ${result.limit} in total`, { limit: result.limit });
      }
    },
  };
}

/** The interval around `at` that no boundary splits: [last boundary <= at, next boundary > at). */
function steadyInterval(boundaries: readonly number[], at: number): { from: number; until: number } {
  const next = boundaries.findIndex((t) => t > at);
  const last = next === -1 ? boundaries.length - 1 : next - 1;
  return { from: last >= 0 ? boundaries[last]! : -Infinity, until: next === -1 ? Infinity : boundaries[next]! };
}

function idempotencyConflict(): Problem {
  return new Problem(422, "idempotency_conflict", "This Idempotency-Key was already used for another perk", "Use a new key for a new redemption.");
}
