import { describe, expect, it } from "vitest";
import { emptyGroup, fromRule, ruleWords, toRule, RuleTreeError, type RuleJson } from "./rules.ts";

const GOLD = { collection: "0x5FbDB2315678afecb367f032d93F642f64180aa3", tokenId: "1" };
const STAMP = { collection: GOLD.collection, tokenId: "3" };
const names = {
  typeName: (_c: string, id: string) => ({ "1": "Gold membership", "3": "Journey stamp" })[id],
  levels: [{ key: "silver", name: "Silver" }],
};

describe("rule builder trees", () => {
  it("sends a single requirement as itself, and groups as all/any/not", () => {
    expect(toRule(emptyGroup())).toBeNull();
    expect(toRule({ kind: "group", mode: "all", children: [{ kind: "token", ...GOLD, need: "member", min: 1 }] })).toEqual({ type: "member", ...GOLD });
    const tree = {
      kind: "group" as const,
      mode: "any" as const,
      children: [
        { kind: "level" as const, key: "silver" },
        { kind: "group" as const, mode: "none" as const, children: [{ kind: "token" as const, ...STAMP, need: "holds" as const, min: 3 }] },
      ],
    };
    const rule = toRule(tree);
    expect(rule).toEqual({ type: "any", rules: [{ type: "level", min: "silver" }, { type: "not", rule: { type: "holds", ...STAMP, min: 3 } }] });
    expect(fromRule(rule)).toEqual(tree);
  });

  it("keeps a holding period in days both ways, and words it as the API does", () => {
    const tree = { kind: "group" as const, mode: "all" as const, children: [{ kind: "token" as const, ...GOLD, need: "member" as const, min: 1, heldDays: 30 }] };
    const rule = toRule(tree)!;
    expect(rule).toEqual({ type: "member", ...GOLD, heldFor: 2_592_000 });
    expect(fromRule(rule)).toEqual(tree);
    expect(toRule({ kind: "group", mode: "all", children: [{ kind: "token", ...STAMP, need: "holds", min: 3, heldDays: 0 }] })).toEqual({ type: "holds", ...STAMP, min: 3 });
    expect(() => toRule({ kind: "group", mode: "all", children: [{ kind: "token", ...STAMP, need: "holds", min: 3, heldDays: -1 }] })).toThrow(/holding period/);
  });

  it("refuses an empty inner group and an unfinished requirement", () => {
    expect(() => toRule({ kind: "group", mode: "all", children: [emptyGroup("any")] })).toThrow(RuleTreeError);
    expect(() => toRule({ kind: "group", mode: "all", children: [{ kind: "token", collection: "", tokenId: "", need: "holds", min: 1 }] })).toThrow(/choose a token type/);
    expect(() => toRule({ kind: "group", mode: "all", children: [{ kind: "points", min: 0 }] })).toThrow(/at least 1/);
  });

  it("words a rule as the API does", () => {
    const rule: RuleJson = { type: "all", rules: [{ type: "member", ...GOLD }, { type: "any", rules: [{ type: "holds", ...STAMP, min: 3 }, { type: "points", min: 150 }] }] };
    expect(ruleWords(rule, names)).toBe("an active Gold membership and (3 or more Journey stamps or 150 points or more)");
    expect(ruleWords({ type: "not", rule: { type: "level", min: "silver" } }, names)).toBe("not the Silver level or higher");
    expect(ruleWords({ type: "holds", ...STAMP, min: 1 }, names)).toBe("a Journey stamp");
    expect(ruleWords(null, names)).toBe("any signed-in member");
  });

  it("words a sharing requirement with the brand's data requests, and keeps it through the tree", () => {
    const rule: RuleJson = { type: "all", rules: [{ type: "consent", request: "req_1" }, { type: "points", min: 10 }] };
    expect(toRule(fromRule(rule))).toEqual(rule);
    const requests = new Map([["req_1", { fields: ["birthday"], purpose: "to send you a birthday treat" }]]);
    expect(ruleWords(rule, { ...names, requests })).toBe("sharing your birthday (to send you a birthday treat) and 10 points or more");
    expect(ruleWords({ type: "consent", request: "gone" }, { ...names, requests })).toBe("sharing data under a withdrawn request");
    expect(() => toRule({ kind: "group", mode: "all", children: [{ kind: "consent", request: "" }] })).toThrow(/choose a data request/);
  });
});
