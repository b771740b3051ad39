import { describe, expect, it } from "vitest";
import { describeRule, evaluateRule, holdingKey, parseRule, requirementsOf, ruleToJson, RuleError, type Holding } from "./rules.ts";

const C = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const OTHER = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
const NOW = 1_800_000_000n;

const holdings = (entries: Array<[string, bigint, Holding]>) =>
  new Map(entries.map(([collection, id, h]) => [holdingKey(collection as `0x${string}`, id), h]));

describe("parseRule", () => {
  it("parses every rule kind and normalises addresses and ids", () => {
    const rule = parseRule({
      type: "all",
      rules: [
        { type: "holds", collection: C.toLowerCase(), tokenId: "3", min: 2 },
        { type: "any", rules: [{ type: "member", collection: C, tokenId: 1 }, { type: "not", rule: { type: "holds", collection: OTHER, tokenId: "9" } }] },
      ],
    });
    expect(rule).toEqual({
      type: "all",
      rules: [
        { type: "holds", collection: C, tokenId: 3n, min: 2n },
        { type: "any", rules: [{ type: "member", collection: C, tokenId: 1n }, { type: "not", rule: { type: "holds", collection: OTHER, tokenId: 9n, min: 1n } }] },
      ],
    });
    expect(ruleToJson(rule)).toEqual({
      type: "all",
      rules: [
        { type: "holds", collection: C, tokenId: "3", min: 2 },
        { type: "any", rules: [{ type: "member", collection: C, tokenId: "1" }, { type: "not", rule: { type: "holds", collection: OTHER, tokenId: "9", min: 1 } }] },
      ],
    });
  });

  it.each([
    [null, "rule: must be an object"],
    [{ type: "owns" }, "rule.type: type must be one of"],
    [{ type: "holds", collection: "0x12", tokenId: "1" }, "rule.collection: must be a 0x address"],
    [{ type: "holds", collection: C, tokenId: "-1" }, "rule.tokenId: must be a non-negative integer"],
    [{ type: "holds", collection: C, tokenId: "01" }, "rule.tokenId: must be a non-negative integer"],
    [{ type: "holds", collection: C, tokenId: (2n ** 256n).toString() }, "rule.tokenId: must fit in uint256"],
    [{ type: "holds", collection: C, tokenId: "1", min: 0 }, "rule.min: must be at least 1"],
    [{ type: "holds", collection: C, tokenId: "1", extra: true }, 'rule: unknown field "extra"'],
    [{ type: "all", rules: [] }, "rule.rules: must be a non-empty array"],
    [{ type: "not" }, "rule.rule: must be an object"],
    [{ type: "any", rules: [{ type: "member", collection: C, tokenId: "1", min: 2 }] }, 'rule.rules[0]: unknown field "min"'],
  ])("rejects %j", (input, message) => {
    expect(() => parseRule(input)).toThrow(RuleError);
    expect(() => parseRule(input)).toThrow(message);
  });

  it("bounds nesting depth and the number of requirements", () => {
    let deep: unknown = { type: "holds", collection: C, tokenId: "1" };
    for (let i = 0; i < 6; i++) deep = { type: "not", rule: deep };
    expect(() => parseRule(deep)).toThrow("nest at most 6 levels");
    const wide = { type: "any", rules: Array.from({ length: 33 }, (_, i) => ({ type: "holds", collection: C, tokenId: String(i) })) };
    expect(() => parseRule(wide)).toThrow("at most 32 requirements");
  });
});

describe("requirementsOf", () => {
  it("lists each token type once", () => {
    const rule = parseRule({
      type: "any",
      rules: [
        { type: "holds", collection: C, tokenId: "1", min: 2 },
        { type: "not", rule: { type: "member", collection: C.toLowerCase(), tokenId: "1" } },
        { type: "holds", collection: OTHER, tokenId: "1" },
      ],
    });
    expect(requirementsOf(rule).map((r) => holdingKey(r.collection, r.tokenId))).toEqual([holdingKey(C, 1n), holdingKey(OTHER, 1n)]);
  });
});

describe("evaluateRule", () => {
  const holds = parseRule({ type: "holds", collection: C, tokenId: "2", min: 3 });
  const member = parseRule({ type: "member", collection: C, tokenId: "1" });

  it("holds: counts units", () => {
    expect(evaluateRule(holds, holdings([[C, 2n, { balance: 3n, expiresAt: 0n }]]), NOW)).toEqual({ eligible: true, reasons: [] });
    expect(evaluateRule(holds, holdings([[C, 2n, { balance: 2n, expiresAt: 0n }]]), NOW)).toEqual({
      eligible: false,
      reasons: [{ code: "holds_too_few", message: "needs at least 3 of token 2, holds 2", collection: C, tokenId: "2", have: "2", need: "3" }],
    });
    expect(evaluateRule(holds, new Map(), NOW).reasons[0]?.have).toBe("0");
  });

  it("member: needs a held, unexpired membership", () => {
    expect(evaluateRule(member, holdings([[C, 1n, { balance: 1n, expiresAt: NOW + 1n }]]), NOW).eligible).toBe(true);
    expect(evaluateRule(member, holdings([[C, 1n, { balance: 1n, expiresAt: 2n ** 64n - 1n }]]), NOW).eligible).toBe(true);
    expect(evaluateRule(member, new Map(), NOW).reasons[0]?.code).toBe("membership_missing");
    expect(evaluateRule(member, holdings([[C, 1n, { balance: 0n, expiresAt: 0n }]]), NOW).reasons[0]?.code).toBe("membership_missing");
    const expired = evaluateRule(member, holdings([[C, 1n, { balance: 1n, expiresAt: NOW }]]), NOW);
    expect(expired).toEqual({
      eligible: false,
      reasons: [{ code: "membership_expired", message: `membership of token 1 expired at ${new Date(Number(NOW) * 1000).toISOString()}`, expiredAt: new Date(Number(NOW) * 1000).toISOString(), collection: C, tokenId: "1" }],
    });
  });

  it("all / any / not combine and explain", () => {
    const rule = parseRule({
      type: "all",
      rules: [
        { type: "member", collection: C, tokenId: "1" },
        { type: "any", rules: [{ type: "holds", collection: C, tokenId: "2", min: 3 }, { type: "holds", collection: C, tokenId: "4" }] },
        { type: "not", rule: { type: "holds", collection: C, tokenId: "5" } },
      ],
    });
    const active = { balance: 1n, expiresAt: NOW + 100n };
    expect(evaluateRule(rule, holdings([[C, 1n, active], [C, 4n, { balance: 1n, expiresAt: 0n }]]), NOW)).toEqual({ eligible: true, reasons: [] });

    const none = evaluateRule(rule, holdings([[C, 5n, { balance: 1n, expiresAt: 0n }]]), NOW);
    expect(none.eligible).toBe(false);
    expect(none.reasons.map((r) => r.code)).toEqual(["membership_missing", "holds_too_few", "holds_too_few", "excluded"]);
    expect(none.reasons[3]?.message).toBe("not available to holders of 1 or more of token 5");
  });
});

describe("describeRule", () => {
  it("puts a rule in words, bracketing nested groups", () => {
    expect(describeRule(parseRule({ type: "member", collection: C, tokenId: "1" }))).toBe("an active membership of token 1");
    expect(describeRule(parseRule({ type: "holds", collection: C, tokenId: "3", min: 2 }))).toBe("2 or more of token 3");
    const nested = parseRule({
      type: "all",
      rules: [
        { type: "any", rules: [{ type: "member", collection: C, tokenId: "1" }, { type: "member", collection: C, tokenId: "2" }] },
        { type: "not", rule: { type: "holds", collection: C, tokenId: "5" } },
        { type: "any", rules: [{ type: "holds", collection: C, tokenId: "3" }] },
      ],
    });
    expect(describeRule(nested)).toBe(
      "(an active membership of token 1 or an active membership of token 2) and not 1 or more of token 5 and 1 or more of token 3",
    );
  });
});
