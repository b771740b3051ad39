/**
 * Rules as the rule builder edits them (a tree of groups and requirements) and as the API takes them
 * (JSON: holds, member, points, level, consent, all, any, not), both ways, and a rule in words worded
 * as the API words it ("an active Gold membership and 3 or more Journey stamps").
 */
import { describeRule, parseRule, type RequestWords } from "../rules/grammar.ts";

export type RuleJson =
  | { type: "holds"; collection: string; tokenId: string; min?: number | string; heldFor?: number }
  | { type: "member"; collection: string; tokenId: string; heldFor?: number }
  | { type: "points"; min: number | string }
  | { type: "level"; min: string }
  | { type: "consent"; request: string }
  | { type: "all" | "any"; rules: RuleJson[] }
  | { type: "not"; rule: RuleJson };

/** "none": the member must meet none of the children (not any). */
export type GroupMode = "all" | "any" | "none";
export type TokenNeed = "holds" | "member";

export type RuleNode =
  | { kind: "group"; mode: GroupMode; children: RuleNode[] }
  /** `heldDays`: held without a break for at least that many days (absent or 0: any time). */
  | { kind: "token"; collection: string; tokenId: string; need: TokenNeed; min: number; heldDays?: number }
  | { kind: "points"; min: number }
  | { kind: "level"; key: string }
  /** The member shares their data under one of the brand's data requests (an active grant of it). */
  | { kind: "consent"; request: string };

export type GroupNode = Extract<RuleNode, { kind: "group" }>;

/** A tree's mistake, in words, with the place it is at. */
export class RuleTreeError extends Error {
  override name = "RuleTreeError";
}

const DAY_SECONDS = 86_400;
/** Ten years: the longest holding period the API takes. */
const MAX_HELD_DAYS = 3_650;
const heldDaysOf = (heldFor: number | undefined) => (heldFor === undefined ? {} : { heldDays: heldFor / DAY_SECONDS });

export const emptyGroup = (mode: GroupMode = "all"): GroupNode => ({ kind: "group", mode, children: [] });

/**
 * The JSON rule of a tree; null for an empty root (no requirement). The root's single requirement is
 * sent as itself, not as a group of one. Throws {@link RuleTreeError} for an empty inner group or a
 * requirement left unfinished.
 */
export function toRule(root: GroupNode): RuleJson | null {
  if (root.children.length === 0) return null;
  return nodeToRule(root, true);
}

function nodeToRule(node: RuleNode, root = false): RuleJson {
  switch (node.kind) {
    case "token": {
      if (!node.collection || node.tokenId === "") throw new RuleTreeError("choose a token type for every requirement");
      const days = node.heldDays ?? 0;
      if (!Number.isFinite(days) || days < 0 || days > MAX_HELD_DAYS) throw new RuleTreeError(`a holding period is from 0 to ${MAX_HELD_DAYS} days`);
      const held = days > 0 ? { heldFor: Math.round(days * DAY_SECONDS) } : {};
      if (node.need === "member") return { type: "member", collection: node.collection, tokenId: node.tokenId, ...held };
      if (!Number.isSafeInteger(node.min) || node.min < 1) throw new RuleTreeError("an amount must be a whole number of at least 1");
      return { type: "holds", collection: node.collection, tokenId: node.tokenId, min: node.min, ...held };
    }
    case "points":
      if (!Number.isSafeInteger(node.min) || node.min < 1) throw new RuleTreeError("points must be a whole number of at least 1");
      return { type: "points", min: node.min };
    case "level":
      if (!node.key) throw new RuleTreeError("choose a level for every level requirement");
      return { type: "level", min: node.key };
    case "consent":
      if (!node.request) throw new RuleTreeError("choose a data request for every sharing requirement");
      return { type: "consent", request: node.request };
    case "group": {
      if (node.children.length === 0) throw new RuleTreeError("a group needs at least one requirement (or remove it)");
      const rules = node.children.map((child) => nodeToRule(child));
      if (node.mode === "none") return { type: "not", rule: rules.length === 1 ? rules[0]! : { type: "any", rules } };
      if (rules.length === 1 && root) return rules[0]!;
      return { type: node.mode, rules };
    }
  }
}

/** The tree of a JSON rule (null: an empty root), always rooted in a group. */
export function fromRule(rule: RuleJson | null | undefined): GroupNode {
  if (rule === null || rule === undefined) return emptyGroup();
  const node = ruleToNode(rule);
  return node.kind === "group" ? node : { kind: "group", mode: "all", children: [node] };
}

function ruleToNode(rule: RuleJson): RuleNode {
  switch (rule.type) {
    case "holds":
      return { kind: "token", collection: rule.collection, tokenId: String(rule.tokenId), need: "holds", min: Number(rule.min ?? 1), ...heldDaysOf(rule.heldFor) };
    case "member":
      return { kind: "token", collection: rule.collection, tokenId: String(rule.tokenId), need: "member", min: 1, ...heldDaysOf(rule.heldFor) };
    case "points":
      return { kind: "points", min: Number(rule.min) };
    case "level":
      return { kind: "level", key: rule.min };
    case "consent":
      return { kind: "consent", request: rule.request };
    case "all":
    case "any":
      return { kind: "group", mode: rule.type, children: rule.rules.map(ruleToNode) };
    case "not": {
      const inner = rule.rule;
      return { kind: "group", mode: "none", children: inner.type === "any" ? inner.rules.map(ruleToNode) : [ruleToNode(inner)] };
    }
  }
}

/** How the words name token types and levels. */
export type RuleNames = {
  typeName(collection: string, tokenId: string): string | undefined;
  /** The brand's levels (their names word level rules). */
  levels: readonly { key: string; name: string }[];
  /** The brand's data requests by id (their fields and purpose word consent rules). */
  requests?: ReadonlyMap<string, RequestWords>;
};

/** A rule in words, worded by the API's own wording (server/rules/grammar.ts); null: "any signed-in member". */
export function ruleWords(rule: RuleJson | null, names: RuleNames): string {
  if (rule === null) return "any signed-in member";
  return describeRule(parseRule(rule), {
    names: { label: (collection, tokenId) => toLabel(names.typeName(collection, tokenId.toString())) },
    levels: names.levels,
    ...(names.requests === undefined ? {} : { requests: names.requests }),
  });
}

const toLabel = (name: string | undefined) => (name === undefined ? undefined : { name });
