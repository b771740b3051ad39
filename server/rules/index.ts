/**
 * The rules module: the grammar (grammar.ts), the brand's terms rules are judged and worded with
 * (terms.ts), whether a brand may store a rule (validate.ts) and whether a member meets it
 * (eligibility.ts). Perks, drops, journeys' hold steps and the console's preview all go through
 * {@link createRules}; the chain layer below knows only token types (chain/holdings.ts).
 */
import type { Address } from "viem";
import { Problem } from "../errors.ts";
import { createEligibility, type EligibilityDeps } from "./eligibility.ts";
import { describeRule, parseRule, RuleError, type Rule, type RuleOutcome } from "./grammar.ts";
import { PLAIN_TERMS } from "./terms.ts";
import { createRuleValidator, type RuleValidatorDeps } from "./validate.ts";

export * from "./grammar.ts";
export * from "./terms.ts";
export { judge, mergeRequirements, planEligibility, sameReading, UNCHECKED, type EligibilityPlan, type EligibilityReading, type FreshReading, type ReadMode } from "./eligibility.ts";
export { vaultWords } from "./vaults.ts";
export type { ValidateRule } from "./validate.ts";

/** Words for a rule that is null: open to any signed-in member. */
export const ANYONE = "any signed-in member";

/** A stored rule, parsed; one the grammar no longer reads is a 400 `invalid_rule`. */
export function parseStoredRule(input: unknown): Rule {
  try {
    return parseRule(input);
  } catch (error) {
    if (error instanceof RuleError) throw new Problem(400, "invalid_rule", "The rule is not valid", error.message, { path: error.path });
    throw error;
  }
}

export type RulesDeps = RuleValidatorDeps & EligibilityDeps;

export type Rules = ReturnType<typeof createRules>;

export function createRules(deps: RulesDeps) {
  const eligibility = createEligibility(deps);
  return {
    ...eligibility,

    /** Whether `brandId` may store `input`; the rule, parsed. See validate.ts. */
    validate: createRuleValidator(deps),

    /**
     * Whether the member meets one stored rule of the brand's right now (holdings and grants read
     * fresh); `vaults: false` counts their own holdings only.
     */
    async checkRule(member: Address, brandId: string, input: unknown, options: { vaults?: boolean } = {}): Promise<RuleOutcome> {
      const plan = await eligibility.plan(brandId, [parseStoredRule(input)]);
      const { outcomes } = await eligibility.check(member, plan, { fresh: true, ...options });
      return outcomes[0]!;
    },

    /** A stored rule in the brand's words (plain words when they cannot be read just now). */
    async describe(brandId: string, input: unknown): Promise<string> {
      if (input === null) return ANYONE;
      const rule = parseStoredRule(input);
      const terms = await deps.terms(brandId).catch(() => PLAIN_TERMS);
      return describeRule(rule, { names: terms.names, levels: terms.levels, requests: terms.requests });
    },
  };
}
