/**
 * A rule before it is saved: in the brand's words, and how many members meet it today. The rule is
 * checked as offers check theirs (the grammar, collections this deployment serves, the brand's
 * levels), then evaluated for the most recently first-seen members with holdings read fresh from the
 * chain, a few at a time.
 */
import type { Address } from "viem";
import type { OwnershipReader } from "../chain/ownership.ts";
import { Problem } from "../errors.ts";
import { mergeRequirements } from "../offers/listing.ts";
import { consentStatus } from "../consents/types.ts";
import { consentsIn, describeRule, levelsIn, evaluateRule, needsStanding, parseRule, requirementsOf, RuleError, type Rule } from "../offers/rules.ts";
import { PLAIN_TERMS, type BrandTerms, type TermsOf } from "../offers/terms.ts";
import type { Store } from "../storage/index.ts";

export type RulePreview = { requires: string; qualifying: number; checked: number; of: number };

export type RulePreviews = {
  /** 400 `invalid_rule` for a rule offers would refuse; 503 `chain_unavailable` when no member's holdings could be read. */
  preview(brandId: string, rule: unknown): Promise<RulePreview>;
};

/** Words for a rule that is null: what offers say of one. */
const ANYONE = "any signed-in member";

function invalid(detail: string, path: string): Problem {
  return new Problem(400, "invalid_rule", "The rule is not valid", detail, { path });
}

/** Runs `work` over `items`, at most `limit` at a time; settles every one. */
async function settleBounded<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = { status: "fulfilled", value: await work(items[i]!) };
      } catch (reason) {
        results[i] = { status: "rejected", reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export function createRulePreviews(deps: {
  store: Store;
  ownership: Pick<OwnershipReader, "readFresh">;
  terms: TermsOf;
  /** The collections rules may read (lowercase). */
  servedCollections: () => Promise<ReadonlySet<string>>;
  /** Members evaluated at most (default 500), and holdings reads in flight (default 16). */
  sample?: number;
  concurrency?: number;
}): RulePreviews {
  const sample = deps.sample ?? 500;
  const concurrency = deps.concurrency ?? 16;

  /** The requests the member has an active grant of, read fresh. */
  async function grantsOf(member: Address): Promise<ReadonlySet<string>> {
    const at = new Date().toISOString();
    return new Set((await deps.store.listConsents(member)).filter((c) => consentStatus(c, at) === "active").map((c) => c.requestId));
  }

  async function parse(brandId: string, input: unknown): Promise<{ rule: Rule; terms: BrandTerms | null }> {
    let rule: Rule;
    try {
      rule = parseRule(input);
    } catch (error) {
      if (error instanceof RuleError) throw invalid(error.message, error.path);
      throw error;
    }
    const served = await deps.servedCollections();
    const unknown = requirementsOf(rule).find((leaf) => !served.has(leaf.collection.toLowerCase()));
    if (unknown !== undefined) throw invalid(`unknown collection ${unknown.collection}`, "rule");
    // Only the brand's own requests: another brand's grants are none of its business.
    for (const id of consentsIn(rule)) {
      const request = await deps.store.getDataRequest(id);
      if (request === null || request.brandId !== brandId) throw invalid(`unknown data request ${JSON.stringify(id)}`, "rule");
    }
    // Points and levels need the brand's terms now; other rules fall back to plain words.
    const terms = needsStanding(rule) ? await deps.terms(brandId) : null;
    if (terms !== null) {
      const known = new Set(terms.levels.map((l) => l.key));
      const missing = [...levelsIn(rule)].find((key) => !known.has(key));
      if (missing !== undefined) throw invalid(`unknown level ${JSON.stringify(missing)}`, "rule");
    }
    return { rule, terms };
  }

  return {
    async preview(brandId, input) {
      if (input === null) {
        const { addresses, total } = await deps.store.recentMembers(sample);
        return { requires: ANYONE, qualifying: addresses.length, checked: addresses.length, of: total };
      }
      const { rule, terms } = await parse(brandId, input);
      const words = terms ?? (await deps.terms(brandId).catch(() => PLAIN_TERMS));
      const requires = describeRule(rule, { names: words.names, levels: words.levels, requests: words.requests });
      const readsGrants = consentsIn(rule).length > 0;
      const own = requirementsOf(rule);
      const requirements = terms === null ? own : mergeRequirements(own, terms.standing);
      const { addresses, total } = await deps.store.recentMembers(sample);
      const outcomes = await settleBounded(addresses, concurrency, async (member: Address) => {
        const [snapshot, grants] = await Promise.all([deps.ownership.readFresh(member, requirements), readsGrants ? grantsOf(member) : undefined]);
        return evaluateRule(rule, snapshot.holdings, snapshot.now, { levels: words.levels, ...(terms === null ? {} : { points: snapshot.points }), ...(grants === undefined ? {} : { grants }) }).eligible;
      });
      const read = outcomes.filter((o) => o.status === "fulfilled");
      const failed = outcomes.find((o) => o.status === "rejected");
      // Nothing readable at all: the chain is down, and that is a 503, not a count of zero.
      if (read.length === 0 && failed !== undefined) throw failed.reason;
      return { requires, qualifying: read.filter((o) => o.value).length, checked: read.length, of: total };
    },
  };
}
