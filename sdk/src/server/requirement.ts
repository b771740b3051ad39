/**
 * Whether a member's entitlement meets a requirement, decided offline from its claims: a level (at
 * least, by name or key), an active membership by name, a perk redeemable now (id or title), or a
 * rule in the perks' rule language. A rule part the claims cannot decide (a consent, or a collection
 * the entitlement did not read) is never guessed.
 */
import type { EntitlementClaims } from "../protocol/entitlements.ts";

export type Requirement = { level: string } | { membership: string } | { perk: string } | { rule: unknown };

/** true, false, or why it cannot be decided offline. */
export type Verdict = { met: true } | { met: false; message: string } | { met: "undecidable"; message: string };

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export function judgeRequirement(requirement: Requirement, claims: EntitlementClaims, nowMs: number): Verdict {
  const points = BigInt(claims.points);
  if ("level" in requirement) {
    const level = claims.levels.find((l) => same(l.key, requirement.level) || same(l.name, requirement.level));
    if (level === undefined) return { met: false, message: `${claims.brand.name} has no level called ${requirement.level}.` };
    return points >= BigInt(level.minPoints) ? { met: true } : { met: false, message: `Needs the ${level.name} level (${level.minPoints} points); you have ${points}.` };
  }
  if ("membership" in requirement) {
    const held = claims.memberships.some((m) => same(m.name, requirement.membership) && active(m.expiresAt, nowMs));
    return held ? { met: true } : { met: false, message: `Needs an active ${requirement.membership}.` };
  }
  if ("perk" in requirement) {
    const perk = claims.perks.some((p) => p.id === requirement.perk || same(p.title, requirement.perk));
    return perk ? { met: true } : { met: false, message: `Needs ${requirement.perk}, which is not yours to redeem right now.` };
  }
  checkOffline(requirement.rule);
  const verdict = judgeRule(requirement.rule as Rule, claims, points, nowMs);
  if (verdict === true) return { met: true };
  if (verdict === false) return { met: false, message: "You do not hold what this requires." };
  return { met: "undecidable", message: "This needs holdings your pass does not cover; it cannot be checked here." };
}

const active = (expiresAt: string | null, nowMs: number) => expiresAt === null || Date.parse(expiresAt) > nowMs;

type Rule = { type: string; collection?: string; tokenId?: string | number; min?: string | number; rules?: Rule[]; rule?: Rule };

/** Throws for a rule that is malformed or can never be decided offline (consent rules). */
function checkOffline(rule: unknown, path = "rule"): void {
  const node = rule as Rule;
  if (typeof node !== "object" || node === null) throw new TypeError(`${path} must be an object`);
  if (node.type === "consent") throw new TypeError(`${path}: a consent rule cannot be decided offline (an entitlement carries no grants); check it with the Stampbook API`);
  if (node.type === "all" || node.type === "any") (node.rules ?? []).forEach((r, i) => checkOffline(r, `${path}.rules[${i}]`));
  else if (node.type === "not") checkOffline(node.rule, `${path}.rule`);
  else if (!["holds", "member", "points", "level"].includes(node.type)) throw new TypeError(`${path}: unknown rule type ${JSON.stringify(node.type)}`);
}

type Tri = boolean | "undecidable";

function judgeRule(rule: Rule, claims: EntitlementClaims, points: bigint, nowMs: number): Tri {
  const read = (r: Rule) => claims.collections.some((c) => same(c, r.collection ?? ""));
  const match = (t: { collection: string; tokenId: string }, r: Rule) => same(t.collection, r.collection ?? "") && t.tokenId === String(r.tokenId);
  switch (rule.type) {
    case "holds":
      if (!read(rule)) return "undecidable";
      return BigInt(claims.holdings.find((h) => match(h, rule))?.balance ?? 0) >= BigInt(rule.min ?? 1);
    case "member":
      if (!read(rule)) return "undecidable";
      return claims.memberships.some((m) => match(m, rule) && active(m.expiresAt, nowMs));
    case "points":
      return points >= BigInt(rule.min ?? 0);
    case "level": {
      const level = claims.levels.find((l) => l.key === rule.min);
      return level !== undefined && points >= BigInt(level.minPoints);
    }
    case "not": {
      const inner = judgeRule(rule.rule!, claims, points, nowMs);
      return inner === "undecidable" ? inner : !inner;
    }
    default: {
      // all / any: a decided answer wins over an undecided part only when it settles the whole.
      const parts = (rule.rules ?? []).map((r) => judgeRule(r, claims, points, nowMs));
      const settles = rule.type === "all" ? false : true;
      if (parts.includes(settles)) return settles;
      return parts.includes("undecidable") ? "undecidable" : !settles;
    }
  }
}
