/**
 * Whether a brand may store a rule: the grammar, and that it reads only what the brand may ask about
 * (collections this deployment serves, its own levels, its own data requests). Perks, drops,
 * journeys' hold steps and the console's preview all ask here, so a rule one of them stores is a rule
 * every other one would store.
 */
import { Problem } from "../errors.ts";
import { consentsIn, levelsIn, parseRule, requirementsOf, RuleError, type Rule } from "./grammar.ts";
import type { TermsOf } from "./terms.ts";

export type RuleValidatorDeps = {
  /** The collections rules may read (lowercase): every collection the deployment serves. */
  servedCollections: () => Promise<ReadonlySet<string>>;
  /** The brand's levels come from its terms (read only for a rule that names a level). */
  terms: TermsOf;
  /** Which brand a data request belongs to; null when there is no such live request. */
  dataRequestOwner: (requestId: string) => Promise<string | null>;
};

/**
 * Checks `input` for `brandId` and returns it parsed. Every refusal is a 400 `invalid_rule` whose
 * `path` starts at `root` (`rule` for offers, `steps[2].rule` for a journey's step).
 */
export type ValidateRule = (brandId: string, input: unknown, root?: string) => Promise<Rule>;

function invalid(title: string, detail: string, path: string): Problem {
  return new Problem(400, "invalid_rule", title, detail, { path });
}

export function createRuleValidator(deps: RuleValidatorDeps): ValidateRule {
  return async function validateRule(brandId, input, root = "rule") {
    let rule: Rule;
    try {
      rule = parseRule(input, root);
    } catch (error) {
      if (error instanceof RuleError) throw invalid("The rule is not valid", error.message, error.path);
      throw error;
    }
    const leaves = requirementsOf(rule);
    if (leaves.length > 0) {
      const served = await deps.servedCollections();
      const unknown = leaves.find((leaf) => !served.has(leaf.collection.toLowerCase()));
      if (unknown !== undefined) throw invalid("The rule reads a collection this server does not serve", `unknown collection ${unknown.collection}`, root);
    }
    const levelKeys = levelsIn(rule);
    if (levelKeys.length > 0) {
      const known = new Set((await deps.terms(brandId)).levels.map((l) => l.key));
      const missing = levelKeys.find((key) => !known.has(key));
      if (missing !== undefined) throw invalid("The rule names a level the brand does not have", `unknown level ${JSON.stringify(missing)}`, root);
    }
    // Only the brand's own requests: another brand's grants are none of its business.
    for (const id of consentsIn(rule)) {
      if ((await deps.dataRequestOwner(id)) !== brandId) throw invalid("The rule names a data request the brand does not have", `unknown data request ${JSON.stringify(id)}`, root);
    }
    return rule;
  };
}
