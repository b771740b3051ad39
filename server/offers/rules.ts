/**
 * Offer rules: what a member must hold for a perk or drop to unlock, evaluated against a snapshot of the
 * member's holdings, with the reasons a member is not eligible.
 *
 *   { "type": "holds", "collection": "0x…", "tokenId": "3", "min": 2 }   at least `min` units (default 1)
 *   { "type": "member", "collection": "0x…", "tokenId": "1" }            an active (unexpired) membership
 *   { "type": "all", "rules": [ … ] } / { "type": "any", "rules": [ … ] } / { "type": "not", "rule": { … } }
 */
import { getAddress, isAddress, type Address } from "viem";

export type HoldsRule = { type: "holds"; collection: Address; tokenId: bigint; min: bigint };
export type MemberRule = { type: "member"; collection: Address; tokenId: bigint };
export type LeafRule = HoldsRule | MemberRule;
export type Rule = LeafRule | { type: "all"; rules: Rule[] } | { type: "any"; rules: Rule[] } | { type: "not"; rule: Rule };

/** What the chain says a member holds of one token type. */
export type Holding = { balance: bigint; expiresAt: bigint };

/** Holdings keyed by {@link holdingKey}. A missing key means nothing is held. */
export type Holdings = ReadonlyMap<string, Holding>;

/** Why a member is not eligible; `unavailable`: their holdings could not be read just now, so nothing unlocks. */
export type ReasonCode = "holds_too_few" | "membership_missing" | "membership_expired" | "excluded" | "unavailable";

export type Reason = {
  code: ReasonCode;
  message: string;
  collection?: Address;
  tokenId?: string;
  have?: string;
  need?: string;
  expiredAt?: string;
};

export type RuleOutcome = { eligible: boolean; reasons: Reason[] };

export class RuleError extends Error {
  override name = "RuleError";
  readonly path: string;

  constructor(message: string, path: string) {
    super(`${path}: ${message}`);
    this.path = path;
  }
}

const MAX_DEPTH = 6;
const MAX_LEAVES = 32;
const UINT256_MAX = 2n ** 256n - 1n;

export function holdingKey(collection: Address, tokenId: bigint): string {
  return `${collection.toLowerCase()}:${tokenId}`;
}

/** Validates untrusted JSON into a {@link Rule}; throws {@link RuleError} naming the offending path. */
export function parseRule(input: unknown): Rule {
  let leaves = 0;
  const parse = (value: unknown, path: string, depth: number): Rule => {
    if (depth > MAX_DEPTH) throw new RuleError(`rules nest at most ${MAX_DEPTH} levels`, path);
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new RuleError("must be an object", path);
    const node = value as Record<string, unknown>;
    const allowKeys = (...keys: string[]) => {
      const extra = Object.keys(node).filter((k) => !keys.includes(k));
      if (extra.length > 0) throw new RuleError(`unknown field ${JSON.stringify(extra[0])}`, path);
    };
    switch (node.type) {
      case "holds":
      case "member": {
        if (++leaves > MAX_LEAVES) throw new RuleError(`a rule has at most ${MAX_LEAVES} requirements`, path);
        const collection = parseAddress(node.collection, `${path}.collection`);
        const tokenId = parseUint(node.tokenId, `${path}.tokenId`);
        if (node.type === "member") {
          allowKeys("type", "collection", "tokenId");
          return { type: "member", collection, tokenId };
        }
        allowKeys("type", "collection", "tokenId", "min");
        const min = node.min === undefined ? 1n : parseUint(node.min, `${path}.min`);
        if (min === 0n) throw new RuleError("must be at least 1", `${path}.min`);
        return { type: "holds", collection, tokenId, min };
      }
      case "all":
      case "any": {
        allowKeys("type", "rules");
        if (!Array.isArray(node.rules) || node.rules.length === 0) throw new RuleError("must be a non-empty array", `${path}.rules`);
        return { type: node.type, rules: node.rules.map((r, i) => parse(r, `${path}.rules[${i}]`, depth + 1)) };
      }
      case "not":
        allowKeys("type", "rule");
        return { type: "not", rule: parse(node.rule, `${path}.rule`, depth + 1) };
      default:
        throw new RuleError('type must be one of "holds", "member", "all", "any", "not"', `${path}.type`);
    }
  };
  return parse(input, "rule", 1);
}

/** The JSON form of a rule, as clients send and receive it. */
export function ruleToJson(rule: Rule): unknown {
  switch (rule.type) {
    case "holds":
      // A number while it is exact; beyond 2^53 - 1 a decimal string, which parseRule reads back.
      // (Number(min) would round, and parseRule refuses the unsafe number it makes, so a stored perk
      // with such a min could never be evaluated again.)
      return { type: "holds", collection: rule.collection, tokenId: rule.tokenId.toString(), min: rule.min <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(rule.min) : rule.min.toString() };
    case "member":
      return { type: "member", collection: rule.collection, tokenId: rule.tokenId.toString() };
    case "all":
    case "any":
      return { type: rule.type, rules: rule.rules.map(ruleToJson) };
    case "not":
      return { type: "not", rule: ruleToJson(rule.rule) };
  }
}

/** Every (collection, token type) the rules read, once each. */
export function requirementsOf(...rules: Rule[]): LeafRule[] {
  const seen = new Map<string, LeafRule>();
  const walk = (r: Rule): void => {
    if (r.type === "holds" || r.type === "member") {
      seen.set(holdingKey(r.collection, r.tokenId), r);
    } else if (r.type === "not") {
      walk(r.rule);
    } else {
      r.rules.forEach(walk);
    }
  };
  rules.forEach(walk);
  return [...seen.values()];
}

/** Evaluates `rule` against `holdings` at `nowSeconds` (unix seconds, as the chain's block time). */
export function evaluateRule(rule: Rule, holdings: Holdings, nowSeconds: bigint): RuleOutcome {
  switch (rule.type) {
    case "holds": {
      const have = holdings.get(holdingKey(rule.collection, rule.tokenId))?.balance ?? 0n;
      if (have >= rule.min) return { eligible: true, reasons: [] };
      return fail({
        code: "holds_too_few",
        message: `needs at least ${rule.min} of token ${rule.tokenId}, holds ${have}`,
        collection: rule.collection,
        tokenId: rule.tokenId.toString(),
        have: have.toString(),
        need: rule.min.toString(),
      });
    }
    case "member": {
      const holding = holdings.get(holdingKey(rule.collection, rule.tokenId));
      const where = { collection: rule.collection, tokenId: rule.tokenId.toString() };
      if (!holding || holding.balance === 0n) {
        return fail({ code: "membership_missing", message: `needs a membership of token ${rule.tokenId}`, ...where });
      }
      if (holding.expiresAt <= nowSeconds) {
        const expiredAt = new Date(Number(holding.expiresAt) * 1000).toISOString();
        return fail({ code: "membership_expired", message: `membership of token ${rule.tokenId} expired at ${expiredAt}`, expiredAt, ...where });
      }
      return { eligible: true, reasons: [] };
    }
    case "all": {
      const outcomes = rule.rules.map((r) => evaluateRule(r, holdings, nowSeconds));
      return { eligible: outcomes.every((o) => o.eligible), reasons: outcomes.flatMap((o) => o.reasons) };
    }
    case "any": {
      const outcomes = rule.rules.map((r) => evaluateRule(r, holdings, nowSeconds));
      if (outcomes.some((o) => o.eligible)) return { eligible: true, reasons: [] };
      return { eligible: false, reasons: outcomes.flatMap((o) => o.reasons) };
    }
    case "not": {
      const inner = evaluateRule(rule.rule, holdings, nowSeconds);
      if (!inner.eligible) return { eligible: true, reasons: [] };
      return fail({ code: "excluded", message: `not available to holders of ${describe(rule.rule)}` });
    }
  }
}

function fail(reason: Reason): RuleOutcome {
  return { eligible: false, reasons: [reason] };
}

/** A rule in words, e.g. "an active membership of token 1 and not 1 or more of token 5". */
export function describeRule(rule: Rule): string {
  return describe(rule);
}

function describe(rule: Rule, nested = false): string {
  switch (rule.type) {
    case "holds":
      return `${rule.min} or more of token ${rule.tokenId}`;
    case "member":
      return `an active membership of token ${rule.tokenId}`;
    case "not":
      return `not ${describe(rule.rule, true)}`;
    default: {
      const text = rule.rules.map((r) => describe(r, true)).join(rule.type === "all" ? " and " : " or ");
      return nested && rule.rules.length > 1 ? `(${text})` : text;
    }
  }
}

function parseAddress(value: unknown, path: string): Address {
  if (typeof value !== "string" || !isAddress(value, { strict: false })) throw new RuleError("must be a 0x address", path);
  return getAddress(value);
}

function parseUint(value: unknown, path: string): bigint {
  const text = typeof value === "number" && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof text !== "string" || !/^(0|[1-9][0-9]{0,77})$/.test(text)) throw new RuleError("must be a non-negative integer", path);
  const n = BigInt(text);
  if (n > UINT256_MAX) throw new RuleError("must fit in uint256", path);
  return n;
}
