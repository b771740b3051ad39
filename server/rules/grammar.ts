/**
 * The rule grammar: what a member must hold for a perk, a drop or a journey's hold step, evaluated against a snapshot of the
 * member's holdings and points, with the reasons a member is not eligible. Everything a member reads
 * (the rule in words, the reasons) names token types and levels by their names, never by ids; the
 * reasons carry the ids as details.
 *
 *   { "type": "holds", "collection": "0x…", "tokenId": "3", "min": 2 }   at least `min` units (default 1)
 *   { "type": "member", "collection": "0x…", "tokenId": "1" }            an active (unexpired) membership
 *   either with "heldFor": 2592000                                        held without a break for that many
 *                                                                         seconds of chain time (from the chain index)
 *   { "type": "points", "min": 150 }                                      at least `min` loyalty points with the brand
 *   { "type": "level", "min": "gold" }                                   the brand's level `gold` or a higher one
 *   { "type": "consent", "request": "…" }                                an active grant of the brand's data request
 *   { "type": "all", "rules": [ … ] } / { "type": "any", "rules": [ … ] } / { "type": "not", "rule": { … } }
 *
 * Long because each rule type is parsed, written back, judged and worded here, one switch per step:
 * a new field (as `heldFor` was) changes all four side by side, and they must agree.
 */
import { getAddress, isAddress, type Address } from "viem";
import { holdingKey, reachedAt, unitsHeldSince, type Holding, type Holdings, type TokenRef } from "../chain/holdings.ts";

export { holdingKey, type Holding, type Holdings } from "../chain/holdings.ts";

/** `heldFor`: seconds the units (or the membership) must have been held without a break, by chain time. */
export type HoldsRule = { type: "holds"; collection: Address; tokenId: bigint; min: bigint; heldFor?: number };
export type MemberRule = { type: "member"; collection: Address; tokenId: bigint; heldFor?: number };
/** A requirement on what the member holds of one token type: these are what the chain is asked for. */
export type LeafRule = HoldsRule | MemberRule;
export type PointsRule = { type: "points"; min: bigint };
export type LevelRule = { type: "level"; min: string };
/** A requirement on the member's standing with the brand (their points, over all its token types). */
export type StandingRule = PointsRule | LevelRule;
/** A requirement on what the member shares: an active grant of one of the brand's data requests. */
export type ConsentRule = { type: "consent"; request: string };
export type Rule = LeafRule | StandingRule | ConsentRule | { type: "all"; rules: Rule[] } | { type: "any"; rules: Rule[] } | { type: "not"; rule: Rule };

/** How a token type is called, for words. */
export type TokenWords = { label(collection: Address, tokenId: bigint): { name: string; image?: string | null } | undefined };

/** A data request in words: what it asks for and why. */
export type RequestWords = { fields: readonly string[]; purpose: string };

/** A brand's level: reached with at least `minPoints` points. */
export type LevelWords = { key: string; name: string; minPoints: number };

/** What rules are worded and judged with besides holdings. */
export type RuleContext = {
  /** Names of token types; a type without one is "an item". */
  names?: TokenWords;
  /** The brand's levels, lowest first. */
  levels?: readonly LevelWords[];
  /** The member's points with the brand; needed by points and level rules (absent: they fail as unavailable). */
  points?: bigint;
  /** The brand's data requests by id, for words. */
  requests?: ReadonlyMap<string, RequestWords>;
  /** The data requests the member has an active grant of; needed by consent rules (absent: they fail as unavailable). */
  grants?: ReadonlySet<string>;
};

/** Why a member is not eligible; `unavailable`: their holdings could not be read just now, so nothing unlocks. */
export type ReasonCode =
  | "holds_too_few"
  | "membership_missing"
  | "membership_expired"
  | "held_too_briefly"
  | "points_too_few"
  | "level_too_low"
  | "consent_missing"
  | "excluded"
  | "unavailable";

export type Reason = {
  code: ReasonCode;
  message: string;
  collection?: Address;
  tokenId?: string;
  have?: string;
  need?: string;
  expiredAt?: string;
  /** held_too_briefly: since when the member has held what the rule asks without a break, and when they qualify. */
  heldSince?: string;
  eligibleAt?: string;
  level?: string;
  request?: string;
  /** Set on the reasons of an either/or rule: the rule in words, the same on each of its alternatives. */
  anyOf?: string;
  /** Which alternative of `anyOf` the reason is part of ("0", "1"; "1.0" for an either/or inside the second). */
  option?: string;
};

/**
 * Whether a rule is met, and why not. `vault`: met by the holdings of a vault that delegates to the
 * member (server/rules/vaults.ts), with the token types of the rule it holds; absent: by the member's own.
 */
export type RuleOutcome = { eligible: boolean; reasons: Reason[]; vault?: { address: Address; tokens: TokenRef[] } };

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
const LEVEL_KEY = /^[a-z0-9][a-z0-9-]{0,31}$/;
/** The longest holding period a rule may ask: ten years. */
export const MAX_HELD_FOR_SECONDS = 10 * 365 * 86_400;
const REQUEST_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Validates untrusted JSON into a {@link Rule}; throws {@link RuleError} naming the offending path,
 * which starts at `root` (a journey's step says `steps[2].rule`).
 */
export function parseRule(input: unknown, root = "rule"): Rule {
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
        const held = node.heldFor === undefined ? {} : { heldFor: parseHeldFor(node.heldFor, `${path}.heldFor`) };
        if (node.type === "member") {
          allowKeys("type", "collection", "tokenId", "heldFor");
          return { type: "member", collection, tokenId, ...held };
        }
        allowKeys("type", "collection", "tokenId", "min", "heldFor");
        const min = node.min === undefined ? 1n : parseUint(node.min, `${path}.min`);
        if (min === 0n) throw new RuleError("must be at least 1", `${path}.min`);
        return { type: "holds", collection, tokenId, min, ...held };
      }
      case "points": {
        if (++leaves > MAX_LEAVES) throw new RuleError(`a rule has at most ${MAX_LEAVES} requirements`, path);
        allowKeys("type", "min");
        const min = parseUint(node.min, `${path}.min`);
        if (min === 0n) throw new RuleError("must be at least 1", `${path}.min`);
        return { type: "points", min };
      }
      case "level": {
        if (++leaves > MAX_LEAVES) throw new RuleError(`a rule has at most ${MAX_LEAVES} requirements`, path);
        allowKeys("type", "min");
        if (typeof node.min !== "string" || !LEVEL_KEY.test(node.min)) throw new RuleError("must be a level key (a-z, 0-9, -)", `${path}.min`);
        return { type: "level", min: node.min };
      }
      case "consent": {
        if (++leaves > MAX_LEAVES) throw new RuleError(`a rule has at most ${MAX_LEAVES} requirements`, path);
        allowKeys("type", "request");
        if (typeof node.request !== "string" || !REQUEST_ID.test(node.request)) throw new RuleError("must be a data request id", `${path}.request`);
        return { type: "consent", request: node.request };
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
        throw new RuleError('type must be one of "holds", "member", "points", "level", "consent", "all", "any", "not"', `${path}.type`);
    }
  };
  return parse(input, root, 1);
}

/** The JSON form of a rule, as clients send and receive it. */
export function ruleToJson(rule: Rule): unknown {
  switch (rule.type) {
    case "holds":
      // A number while it is exact; beyond 2^53 - 1 a decimal string, which parseRule reads back.
      // (Number(min) would round, and parseRule refuses the unsafe number it makes, so a stored perk
      // with such a min could never be evaluated again.)
      return {
        type: "holds",
        collection: rule.collection,
        tokenId: rule.tokenId.toString(),
        min: rule.min <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(rule.min) : rule.min.toString(),
        ...(rule.heldFor === undefined ? {} : { heldFor: rule.heldFor }),
      };
    case "member":
      return { type: "member", collection: rule.collection, tokenId: rule.tokenId.toString(), ...(rule.heldFor === undefined ? {} : { heldFor: rule.heldFor }) };
    case "points":
      return { type: "points", min: rule.min <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(rule.min) : rule.min.toString() };
    case "level":
      return { type: "level", min: rule.min };
    case "consent":
      return { type: "consent", request: rule.request };
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
    } else if (r.type === "points" || r.type === "level" || r.type === "consent") {
      // Read from the member's standing or grants, not from named token types.
    } else if (r.type === "not") {
      walk(r.rule);
    } else {
      r.rules.forEach(walk);
    }
  };
  rules.forEach(walk);
  return [...seen.values()];
}

/** Whether a rule asks how long something has been held: only the chain index can say. */
export function needsHoldingPeriods(rule: Rule): boolean {
  switch (rule.type) {
    case "holds":
    case "member":
      return rule.heldFor !== undefined;
    case "points":
    case "level":
    case "consent":
      return false;
    case "not":
      return needsHoldingPeriods(rule.rule);
    default:
      return rule.rules.some(needsHoldingPeriods);
  }
}

/** Whether a rule reads the member's points (points and level rules), so their standing must be read. */
export function needsStanding(rule: Rule): boolean {
  switch (rule.type) {
    case "points":
    case "level":
      return true;
    case "holds":
    case "member":
    case "consent":
      return false;
    case "not":
      return needsStanding(rule.rule);
    default:
      return rule.rules.some(needsStanding);
  }
}

/** What a rule's leaves give under `pick`, once each, in rule order. */
function collect(rule: Rule, pick: (leaf: Rule) => string | undefined): string[] {
  const found = new Set<string>();
  const walk = (r: Rule): void => {
    if (r.type === "not") walk(r.rule);
    else if (r.type === "all" || r.type === "any") r.rules.forEach(walk);
    else {
      const value = pick(r);
      if (value !== undefined) found.add(value);
    }
  };
  walk(rule);
  return [...found];
}

/** The data requests a rule needs an active grant of, once each: the member's grants must be read. */
export const consentsIn = (rule: Rule): string[] => collect(rule, (r) => (r.type === "consent" ? r.request : undefined));

/** The level keys a rule names, once each. */
export const levelsIn = (rule: Rule): string[] => collect(rule, (r) => (r.type === "level" ? r.min : undefined));

/** Evaluates `rule` against `holdings` at `nowSeconds` (unix seconds, as the chain's block time). */
export function evaluateRule(rule: Rule, holdings: Holdings, nowSeconds: bigint, context: RuleContext = {}): RuleOutcome {
  switch (rule.type) {
    case "holds": {
      const holding = holdings.get(holdingKey(rule.collection, rule.tokenId));
      const have = holding?.balance ?? 0n;
      if (have >= rule.min) return rule.heldFor === undefined ? { eligible: true, reasons: [] } : heldLongEnough(rule, rule.min, holding!, nowSeconds, context);
      const name = nameOf(context, rule);
      return fail({
        code: "holds_too_few",
        message: rule.min === 1n ? `needs ${article(name)} ${name}` : `needs ${rule.min} ${plural(name)}, you have ${have}`,
        collection: rule.collection,
        tokenId: rule.tokenId.toString(),
        have: have.toString(),
        need: rule.min.toString(),
      });
    }
    case "member": {
      const holding = holdings.get(holdingKey(rule.collection, rule.tokenId));
      const where = { collection: rule.collection, tokenId: rule.tokenId.toString() };
      const name = nameOf(context, rule);
      if (!holding || holding.balance === 0n) {
        return fail({ code: "membership_missing", message: `needs ${article(name)} ${name}`, ...where });
      }
      if (holding.expiresAt <= nowSeconds) {
        const expiredAt = new Date(Number(holding.expiresAt) * 1000).toISOString();
        return fail({ code: "membership_expired", message: `your ${name} expired on ${expiredAt.slice(0, 10)}`, expiredAt, ...where });
      }
      return rule.heldFor === undefined ? { eligible: true, reasons: [] } : heldLongEnough(rule, 1n, holding, nowSeconds, context);
    }
    case "points": {
      if (context.points === undefined) return UNREAD;
      if (context.points >= rule.min) return { eligible: true, reasons: [] };
      return fail({ code: "points_too_few", message: `needs ${points(rule.min)}, you have ${context.points}`, have: context.points.toString(), need: rule.min.toString() });
    }
    case "level": {
      if (context.points === undefined) return UNREAD;
      const level = context.levels?.find((l) => l.key === rule.min);
      if (level === undefined) return fail({ code: "level_too_low", message: `the ${rule.min} level is not offered any more`, level: rule.min });
      if (context.points >= BigInt(level.minPoints)) return { eligible: true, reasons: [] };
      return fail({
        code: "level_too_low",
        message: `needs the ${level.name} level (${points(BigInt(level.minPoints))}), you have ${points(context.points)}`,
        level: level.key,
        have: context.points.toString(),
        need: String(level.minPoints),
      });
    }
    case "consent": {
      if (context.grants === undefined) return UNSHARED;
      if (context.grants.has(rule.request)) return { eligible: true, reasons: [] };
      const request = context.requests?.get(rule.request);
      const message = request === undefined ? "needs data shared under a request the brand withdrew" : `needs your ${fieldList(request.fields)} shared (${request.purpose})`;
      return fail({ code: "consent_missing", message, request: rule.request });
    }
    case "all": {
      const outcomes = rule.rules.map((r) => evaluateRule(r, holdings, nowSeconds, context));
      return { eligible: outcomes.every((o) => o.eligible), reasons: outcomes.flatMap((o) => o.reasons) };
    }
    case "any": {
      const outcomes = rule.rules.map((r) => evaluateRule(r, holdings, nowSeconds, context));
      if (outcomes.some((o) => o.eligible)) return { eligible: true, reasons: [] };
      // Tagged, so a member reads "any one of:" rather than a list that looks as if all were needed.
      const anyOf = describe(rule, context);
      const reasons = outcomes.flatMap((o, i) => o.reasons.map((r) => ({ ...r, anyOf, option: r.option === undefined ? String(i) : `${i}.${r.option}` })));
      return { eligible: false, reasons };
    }
    case "not": {
      const inner = evaluateRule(rule.rule, holdings, nowSeconds, context);
      if (!inner.eligible) return { eligible: true, reasons: [] };
      return fail({ code: "excluded", message: `not for members with ${describe(rule.rule, context)}` });
    }
  }
}

function fail(reason: Reason): RuleOutcome {
  return { eligible: false, reasons: [reason] };
}

/**
 * A holding with enough units (or an active membership): whether `min` of them have been held without a
 * break for the rule's `heldFor`, by chain time. Without lots (the chain index did not answer) it cannot
 * be told, and nothing unlocks.
 */
function heldLongEnough(rule: LeafRule, min: bigint, holding: Holding, nowSeconds: bigint, context: RuleContext): RuleOutcome {
  const heldFor = BigInt(rule.heldFor!);
  if (holding.lots === undefined) return UNTIMED;
  if (unitsHeldSince(holding.lots, nowSeconds - heldFor) >= min) return { eligible: true, reasons: [] };
  const since = reachedAt(holding.lots, min)?.sinceTime ?? nowSeconds;
  const eligibleAt = since + heldFor;
  const name = nameOf(context, rule);
  const what = rule.type === "member" ? `your ${name}` : min === 1n ? `your ${name}` : `${min} ${plural(name)}`;
  return fail({
    code: "held_too_briefly",
    message: `needs ${what} held for ${duration(heldFor)}: you have held ${rule.type === "holds" && min > 1n ? "them" : "it"} for ${duration(nowSeconds - since)}; eligible on ${day(eligibleAt)}`,
    collection: rule.collection,
    tokenId: rule.tokenId.toString(),
    heldSince: new Date(Number(since) * 1000).toISOString(),
    eligibleAt: new Date(Number(eligibleAt) * 1000).toISOString(),
  });
}

/** "30 days", "1 day", "5 hours", "less than a minute". */
function duration(seconds: bigint): string {
  const s = Number(seconds < 0n ? 0n : seconds);
  const [count, unit] = s >= 86_400 ? [Math.floor(s / 86_400), "day"] : s >= 3_600 ? [Math.floor(s / 3_600), "hour"] : s >= 60 ? [Math.floor(s / 60), "minute"] : [0, ""];
  return count === 0 ? "less than a minute" : `${count} ${unit}${count === 1 ? "" : "s"}`;
}

/** "19 December 2026", in UTC as chain time is. */
function day(unixSeconds: bigint): string {
  return new Date(Number(unixSeconds) * 1000).toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
}

const UNSHARED: RuleOutcome = fail({ code: "unavailable", message: "what you share could not be checked right now; nothing is unlocked until it can be" });
const UNREAD: RuleOutcome = fail({ code: "unavailable", message: "your points could not be checked right now; nothing is unlocked until they can be" });
const UNTIMED: RuleOutcome = fail({ code: "unavailable", message: "how long you have held it could not be checked right now; nothing is unlocked until it can be" });

/** What wording a rule needs: names, the levels' names (not their thresholds), the data requests. */
export type WordingContext = { names?: TokenWords; levels?: readonly Pick<LevelWords, "key" | "name">[]; requests?: ReadonlyMap<string, RequestWords> };

/** A rule in words, e.g. "an active Gold membership and not 3 or more Journey stamps". */
export function describeRule(rule: Rule, context: WordingContext = {}): string {
  return describe(rule, context);
}

function describe(rule: Rule, context: WordingContext, nested = false): string {
  switch (rule.type) {
    case "holds": {
      const name = nameOf(context, rule);
      const held = rule.heldFor === undefined ? "" : ` held for ${duration(BigInt(rule.heldFor))}`;
      return rule.min === 1n ? `${article(name)} ${name}${held}` : `${rule.min} or more ${plural(name)}${held}`;
    }
    case "member":
      return `an active ${nameOf(context, rule)}${rule.heldFor === undefined ? "" : ` held for ${duration(BigInt(rule.heldFor))}`}`;
    case "points":
      return `${points(rule.min)} or more`;
    case "level": {
      const level = context.levels?.find((l) => l.key === rule.min);
      return `the ${level?.name ?? rule.min} level or higher`;
    }
    case "consent": {
      const request = context.requests?.get(rule.request);
      return request === undefined ? "sharing data under a withdrawn request" : `sharing your ${fieldList(request.fields)} (${request.purpose})`;
    }
    case "not":
      return `not ${describe(rule.rule, context, true)}`;
    default: {
      const text = rule.rules.map((r) => describe(r, context, true)).join(rule.type === "all" ? " and " : " or ");
      return nested && rule.rules.length > 1 ? `(${text})` : text;
    }
  }
}

function nameOf(context: WordingContext, rule: LeafRule): string {
  return context.names?.label(rule.collection, rule.tokenId)?.name ?? "item";
}

/** "birthday", "email and name", "email, name and city". */
function fieldList(fields: readonly string[]): string {
  return fields.length <= 1 ? (fields[0] ?? "data") : `${fields.slice(0, -1).join(", ")} and ${fields.at(-1)}`;
}

/** "a Gold membership", "an Espresso stamp". */
function article(name: string): "a" | "an" {
  return /^[aeiou]/i.test(name) ? "an" : "a";
}

/** English plural of a name's last word: "Journey stamp" → "Journey stamps", "Coffee Pass" → "Coffee Passes". */
export function plural(name: string): string {
  if (/(s|x|z|ch|sh)$/i.test(name)) return `${name}es`;
  if (/[^aeiou]y$/i.test(name)) return `${name.slice(0, -1)}ies`;
  return `${name}s`;
}

function points(n: bigint): string {
  return `${n} ${n === 1n ? "point" : "points"}`;
}

function parseHeldFor(value: unknown, path: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1 || value > MAX_HELD_FOR_SECONDS) {
    throw new RuleError(`must be a whole number of seconds from 1 to ${MAX_HELD_FOR_SECONDS} (ten years)`, path);
  }
  return value;
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
