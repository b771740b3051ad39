/**
 * Hold steps checked with the offers' rule grammar (server/offers/rules.ts) against holdings read
 * fresh from the chain, in the brand's words, with points and levels from the brand's terms. The
 * journeys service only sees the {@link Eligibility} seam.
 */
import type { Address } from "viem";
import type { OwnershipReader } from "../chain/ownership.ts";
import { Problem } from "../errors.ts";
import { mergeRequirements } from "../offers/listing.ts";
import { consentsIn, describeRule, evaluateRule, needsStanding, parseRule, requirementsOf, RuleError, type Rule, type RuleContext } from "../offers/rules.ts";
import { PLAIN_TERMS, type TermsOf } from "../offers/terms.ts";
import type { Eligibility } from "./service.ts";

function parse(rule: unknown): Rule {
  try {
    return parseRule(rule);
  } catch (error) {
    if (error instanceof RuleError) throw new Problem(400, "invalid_rule", "The rule is not valid", error.message, { path: error.path });
    throw error;
  }
}

export function createRuleEligibility(deps: {
  ownership: Pick<OwnershipReader, "readFresh">;
  terms?: TermsOf;
  /** The data requests a member has an active grant of, read fresh (consent rules); without it they never pass. */
  grantsOf?: (member: Address) => Promise<ReadonlySet<string>>;
}): Eligibility {
  const termsOf: TermsOf = deps.terms ?? (async () => PLAIN_TERMS);
  return {
    validate(rule) {
      parse(rule);
    },
    async check(member: Address, brandId, rule) {
      const parsed = parse(rule);
      // Points and levels need the brand's terms now: if they cannot be read, nothing is granted.
      const terms = needsStanding(parsed) ? await termsOf(brandId) : await termsOf(brandId).catch(() => PLAIN_TERMS);
      const own = requirementsOf(parsed);
      const snapshot = await deps.ownership.readFresh(member, needsStanding(parsed) ? mergeRequirements(own, terms.standing) : own);
      const context: RuleContext = { names: terms.names, levels: terms.levels, requests: terms.requests, ...(needsStanding(parsed) ? { points: snapshot.points } : {}) };
      if (consentsIn(parsed).length > 0 && deps.grantsOf !== undefined) {
        // Only grants of the brand's own requests count: a step never tells a brand about another's.
        const granted = await deps.grantsOf(member);
        context.grants = new Set([...granted].filter((id) => terms.requests.has(id)));
      }
      return evaluateRule(parsed, snapshot.holdings, snapshot.now, context);
    },
    async describe(brandId, rule) {
      const terms = await termsOf(brandId).catch(() => PLAIN_TERMS);
      return describeRule(parse(rule), { names: terms.names, levels: terms.levels, requests: terms.requests });
    },
  };
}
