/**
 * A rule before it is saved: in the brand's words, and how many members meet it today. The rule is
 * checked and judged by the rules module as a perk's is, for the most recently first-seen members
 * with holdings and grants read fresh, a few at a time.
 */
import type { Address } from "viem";
import { ANYONE, describeRule, type Rules } from "../rules/index.ts";
import type { Store } from "../storage/index.ts";

export type RulePreview = { requires: string; qualifying: number; checked: number; of: number };

export type RulePreviews = {
  /** 400 `invalid_rule` for a rule a perk could not store; 503 `chain_unavailable` when no member's holdings could be read. */
  preview(brandId: string, rule: unknown): Promise<RulePreview>;
};

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
  store: Pick<Store, "recentMembers">;
  /** The same checks and the same judgement as perks, drops and journeys. */
  rules: Pick<Rules, "validate" | "plan" | "check">;
  /** Members evaluated at most (default 500), and holdings reads in flight (default 16). */
  sample?: number;
  concurrency?: number;
}): RulePreviews {
  const sample = deps.sample ?? 500;
  const concurrency = deps.concurrency ?? 16;

  return {
    async preview(brandId, input) {
      if (input === null) {
        const { addresses, total } = await deps.store.recentMembers(sample);
        return { requires: ANYONE, qualifying: addresses.length, checked: addresses.length, of: total };
      }
      const rule = await deps.rules.validate(brandId, input);
      // Terms read once for every member: in words, and (for points and levels) what the chain must add up.
      const plan = await deps.rules.plan(brandId, [rule], { words: true });
      const requires = describeRule(rule, plan.terms === null ? {} : { names: plan.terms.names, levels: plan.terms.levels, requests: plan.terms.requests });
      const { addresses, total } = await deps.store.recentMembers(sample);
      const outcomes = await settleBounded(addresses, concurrency, async (member: Address) => (await deps.rules.check(member, plan, { fresh: true })).outcomes[0]!.eligible);
      const read = outcomes.filter((o) => o.status === "fulfilled");
      const failed = outcomes.find((o) => o.status === "rejected");
      // Nothing readable at all: the chain is down, and that is a 503, not a count of zero.
      if (read.length === 0 && failed !== undefined) throw failed.reason;
      return { requires, qualifying: read.filter((o) => o.value).length, checked: read.length, of: total };
    },
  };
}
