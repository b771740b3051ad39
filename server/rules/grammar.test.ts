import { describe, expect, it } from "vitest";
import { consentsIn, describeRule, evaluateRule, holdingKey, needsStanding, parseRule, plural, requirementsOf, ruleToJson, RuleError, type Holding, type RuleContext } from "./grammar.ts";

const C = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const OTHER = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
const NOW = 1_800_000_000n;

/** The demo brand's words: names by (collection, id), and three levels. */
const NAMES: Record<string, string> = { "1": "Gold membership", "2": "Journey stamp", "3": "Coffee Pass", "4": "Espresso stamp", "5": "Founder badge" };
const WORDS: RuleContext = {
  names: { label: (collection, id) => (collection.toLowerCase() === C.toLowerCase() && NAMES[id.toString()] ? { name: NAMES[id.toString()]! } : undefined) },
  levels: [
    { key: "green", name: "Green", minPoints: 0 },
    { key: "gold", name: "Gold", minPoints: 150 },
    { key: "reserve", name: "Reserve", minPoints: 500 },
  ],
};

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
    [{ type: "points" }, "rule.min: must be a non-negative integer"],
    [{ type: "points", min: 0 }, "rule.min: must be at least 1"],
    [{ type: "points", min: 10, tokenId: "1" }, 'rule: unknown field "tokenId"'],
    [{ type: "level", min: "Gold Level" }, "rule.min: must be a level key"],
    [{ type: "level" }, "rule.min: must be a level key"],
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

  it("holds: counts units, and says what is missing by name, the ids only as details", () => {
    expect(evaluateRule(holds, holdings([[C, 2n, { balance: 3n, expiresAt: 0n }]]), NOW)).toEqual({ eligible: true, reasons: [] });
    expect(evaluateRule(holds, holdings([[C, 2n, { balance: 1n, expiresAt: 0n }]]), NOW, WORDS)).toEqual({
      eligible: false,
      reasons: [{ code: "holds_too_few", message: "needs 3 Journey stamps, you have 1", collection: C, tokenId: "2", have: "1", need: "3" }],
    });
    // Without names, still no token id in the words.
    expect(evaluateRule(holds, new Map(), NOW).reasons[0]?.message).toBe("needs 3 items, you have 0");
    expect(evaluateRule(holds, new Map(), NOW).reasons[0]?.have).toBe("0");
  });

  it("member: needs a held, unexpired membership", () => {
    expect(evaluateRule(member, holdings([[C, 1n, { balance: 1n, expiresAt: NOW + 1n }]]), NOW).eligible).toBe(true);
    expect(evaluateRule(member, holdings([[C, 1n, { balance: 1n, expiresAt: 2n ** 64n - 1n }]]), NOW).eligible).toBe(true);
    expect(evaluateRule(member, new Map(), NOW, WORDS).reasons[0]).toMatchObject({ code: "membership_missing", message: "needs a Gold membership" });
    expect(evaluateRule(member, holdings([[C, 1n, { balance: 0n, expiresAt: 0n }]]), NOW).reasons[0]?.code).toBe("membership_missing");
    const expired = evaluateRule(member, holdings([[C, 1n, { balance: 1n, expiresAt: NOW }]]), NOW, WORDS);
    const expiredAt = new Date(Number(NOW) * 1000).toISOString();
    expect(expired).toEqual({
      eligible: false,
      reasons: [{ code: "membership_expired", message: `your Gold membership expired on ${expiredAt.slice(0, 10)}`, expiredAt, collection: C, tokenId: "1" }],
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
    expect(none.reasons[3]?.message).toBe("not for members with an item");
    expect(evaluateRule(rule, holdings([[C, 5n, { balance: 1n, expiresAt: 0n }]]), NOW, WORDS).reasons.map((r) => r.message)).toEqual([
      "needs a Gold membership",
      "needs 3 Journey stamps, you have 0",
      "needs an Espresso stamp",
      "not for members with a Founder badge",
    ]);
  });

  it("tags an either/or rule's reasons as alternatives, so they read as any one of them", () => {
    const rule = parseRule({
      type: "all",
      rules: [
        { type: "member", collection: C, tokenId: "1" },
        { type: "any", rules: [{ type: "holds", collection: C, tokenId: "2", min: 3 }, { type: "any", rules: [{ type: "holds", collection: C, tokenId: "4" }, { type: "holds", collection: C, tokenId: "5" }] }] },
      ],
    });
    const { reasons } = evaluateRule(rule, new Map(), NOW, WORDS);
    const anyOf = "3 or more Journey stamps or (an Espresso stamp or a Founder badge)";
    expect(reasons.map(({ message, anyOf, option }) => ({ message, anyOf, option }))).toEqual([
      { message: "needs a Gold membership", anyOf: undefined, option: undefined },
      { message: "needs 3 Journey stamps, you have 0", anyOf, option: "0" },
      { message: "needs an Espresso stamp", anyOf, option: "1.0" },
      { message: "needs a Founder badge", anyOf, option: "1.1" },
    ]);
  });

  it("points: the member's points with the brand, in words", () => {
    const rule = parseRule({ type: "points", min: 150 });
    expect(evaluateRule(rule, new Map(), NOW, { ...WORDS, points: 150n })).toEqual({ eligible: true, reasons: [] });
    expect(evaluateRule(rule, new Map(), NOW, { ...WORDS, points: 40n })).toEqual({
      eligible: false,
      reasons: [{ code: "points_too_few", message: "needs 150 points, you have 40", have: "40", need: "150" }],
    });
  });

  it("level: reached at the level's threshold, named in words; an unknown level never unlocks", () => {
    const rule = parseRule({ type: "level", min: "gold" });
    expect(evaluateRule(rule, new Map(), NOW, { ...WORDS, points: 150n }).eligible).toBe(true);
    expect(evaluateRule(rule, new Map(), NOW, { ...WORDS, points: 900n }).eligible).toBe(true);
    expect(evaluateRule(rule, new Map(), NOW, { ...WORDS, points: 149n })).toEqual({
      eligible: false,
      reasons: [{ code: "level_too_low", message: "needs the Gold level (150 points), you have 149 points", level: "gold", have: "149", need: "150" }],
    });
    const gone = evaluateRule(parseRule({ type: "level", min: "platinum" }), new Map(), NOW, { ...WORDS, points: 10_000n });
    expect(gone).toMatchObject({ eligible: false, reasons: [{ code: "level_too_low" }] });
  });

  it("points and level rules fail closed while the points are unread", () => {
    for (const input of [{ type: "points", min: 1 }, { type: "level", min: "green" }]) {
      expect(evaluateRule(parseRule(input), new Map(), NOW, WORDS)).toMatchObject({ eligible: false, reasons: [{ code: "unavailable" }] });
    }
    // not(unread) is not a way in either.
    expect(evaluateRule(parseRule({ type: "not", rule: { type: "points", min: 1 } }), new Map(), NOW, WORDS).eligible).toBe(true);
  });

  it("combine with holdings under all / any / not", () => {
    const rule = parseRule({ type: "any", rules: [{ type: "level", min: "reserve" }, { type: "all", rules: [{ type: "points", min: 100 }, { type: "member", collection: C, tokenId: "1" }] }] });
    expect(needsStanding(rule)).toBe(true);
    expect(needsStanding(parseRule({ type: "holds", collection: C, tokenId: "1" }))).toBe(false);
    expect(requirementsOf(rule).map((r) => r.tokenId)).toEqual([1n]);
    const gold = holdings([[C, 1n, { balance: 1n, expiresAt: NOW + 10n }]]);
    expect(evaluateRule(rule, gold, NOW, { ...WORDS, points: 100n }).eligible).toBe(true);
    expect(evaluateRule(rule, new Map(), NOW, { ...WORDS, points: 499n }).eligible).toBe(false);
    expect(evaluateRule(rule, new Map(), NOW, { ...WORDS, points: 500n }).eligible).toBe(true);
    expect(ruleToJson(rule)).toEqual({ type: "any", rules: [{ type: "level", min: "reserve" }, { type: "all", rules: [{ type: "points", min: 100 }, { type: "member", collection: C, tokenId: "1" }] }] });
  });
});

describe("consent rules", () => {
  const REQUESTS = new Map([
    ["req-bday", { fields: ["birthday"], purpose: "to send you a birthday treat" }],
    ["req-contact", { fields: ["email", "name", "city"], purpose: "to invite you to tastings" }],
  ]);
  const rule = parseRule({ type: "all", rules: [{ type: "member", collection: C, tokenId: "1" }, { type: "consent", request: "req-bday" }] });
  const gold = holdings([[C, 1n, { balance: 1n, expiresAt: NOW + 100n }]]);

  it("parse, round-trip and list the requests they read; they read no token types or points", () => {
    expect(ruleToJson(parseRule({ type: "consent", request: "req-bday" }))).toEqual({ type: "consent", request: "req-bday" });
    expect(consentsIn(parseRule({ type: "any", rules: [{ type: "consent", request: "a" }, { type: "not", rule: { type: "consent", request: "b" } }, { type: "consent", request: "a" }] }))).toEqual(["a", "b"]);
    expect(requirementsOf(rule).map((r) => r.tokenId)).toEqual([1n]);
    expect(needsStanding(parseRule({ type: "consent", request: "a" }))).toBe(false);
    for (const bad of [{ type: "consent" }, { type: "consent", request: "" }, { type: "consent", request: "a b" }, { type: "consent", request: "a", extra: 1 }]) {
      expect(() => parseRule(bad)).toThrow(RuleError);
    }
  });

  it("pass only with an active grant of the request, say what to share and why, and fail closed unread", () => {
    expect(evaluateRule(rule, gold, NOW, { ...WORDS, requests: REQUESTS, grants: new Set(["req-bday"]) })).toEqual({ eligible: true, reasons: [] });
    expect(evaluateRule(rule, gold, NOW, { ...WORDS, requests: REQUESTS, grants: new Set(["req-contact"]) }).reasons).toEqual([
      { code: "consent_missing", message: "needs your birthday shared (to send you a birthday treat)", request: "req-bday" },
    ]);
    expect(evaluateRule(rule, gold, NOW, { ...WORDS, requests: REQUESTS }).reasons.map((r) => r.code)).toEqual(["unavailable"]);
    expect(evaluateRule(parseRule({ type: "consent", request: "gone" }), gold, NOW, { grants: new Set() }).reasons[0]!.message).toBe("needs data shared under a request the brand withdrew");
    expect(describeRule(rule, { ...WORDS, requests: REQUESTS })).toBe("an active Gold membership and sharing your birthday (to send you a birthday treat)");
    expect(describeRule(parseRule({ type: "consent", request: "req-contact" }), { requests: REQUESTS })).toBe("sharing your email, name and city (to invite you to tastings)");
  });
});

describe("describeRule", () => {
  it("puts a rule in words by name, bracketing nested groups", () => {
    expect(describeRule(parseRule({ type: "member", collection: C, tokenId: "1" }), WORDS)).toBe("an active Gold membership");
    expect(describeRule(parseRule({ type: "holds", collection: C, tokenId: "3", min: 2 }), WORDS)).toBe("2 or more Coffee Passes");
    expect(describeRule(parseRule({ type: "holds", collection: C, tokenId: "4" }), WORDS)).toBe("an Espresso stamp");
    expect(describeRule(parseRule({ type: "points", min: 150 }), WORDS)).toBe("150 points or more");
    expect(describeRule(parseRule({ type: "level", min: "gold" }), WORDS)).toBe("the Gold level or higher");
    expect(describeRule(parseRule({ type: "member", collection: C, tokenId: "1" }))).toBe("an active item");
    const nested = parseRule({
      type: "all",
      rules: [
        { type: "any", rules: [{ type: "member", collection: C, tokenId: "1" }, { type: "member", collection: C, tokenId: "2" }] },
        { type: "not", rule: { type: "holds", collection: C, tokenId: "5" } },
        { type: "any", rules: [{ type: "holds", collection: C, tokenId: "3" }] },
      ],
    });
    expect(describeRule(nested, WORDS)).toBe("(an active Gold membership or an active Journey stamp) and not a Founder badge and a Coffee Pass");
  });

  it("plurals the last word", () => {
    expect(["Journey stamp", "Coffee Pass", "Berry", "Day", "Latte"].map(plural)).toEqual(["Journey stamps", "Coffee Passes", "Berries", "Days", "Lattes"]);
  });
});

describe("holding periods (heldFor)", () => {
  const DAY = 86_400n;
  const lot = (units: bigint, daysAgo: bigint) => ({ units, sinceBlock: 1n, sinceTime: NOW - daysAgo * DAY });

  it("parses and writes back heldFor on holds and member rules, and refuses anything but whole seconds up to ten years", () => {
    const rule = parseRule({ type: "member", collection: C, tokenId: "1", heldFor: 2_592_000 });
    expect(rule).toEqual({ type: "member", collection: C, tokenId: 1n, heldFor: 2_592_000 });
    expect(ruleToJson(rule)).toEqual({ type: "member", collection: C, tokenId: "1", heldFor: 2_592_000 });
    expect(ruleToJson(parseRule({ type: "holds", collection: C, tokenId: "2", min: 3, heldFor: 60 }))).toEqual({ type: "holds", collection: C, tokenId: "2", min: 3, heldFor: 60 });
    expect(ruleToJson(parseRule({ type: "holds", collection: C, tokenId: "2" }))).toEqual({ type: "holds", collection: C, tokenId: "2", min: 1 });
    for (const bad of [0, -1, 1.5, "60", 10 * 365 * 86_400 + 1, null]) {
      expect(() => parseRule({ type: "member", collection: C, tokenId: "1", heldFor: bad })).toThrow(RuleError);
    }
    expect(() => parseRule({ type: "points", min: 1, heldFor: 60 })).toThrow(/unknown field "heldFor"/);
  });

  it("counts only what was held without a break for the period, by chain time, and says when it will count", () => {
    const member = parseRule({ type: "member", collection: C, tokenId: "1", heldFor: Number(30n * DAY) });
    const gold = (lots: ReturnType<typeof lot>[]) => holdings([[C, 1n, { balance: 1n, expiresAt: NOW + 100n * DAY, lots }]]);
    expect(evaluateRule(member, gold([lot(1n, 31n)]), NOW, WORDS)).toEqual({ eligible: true, reasons: [] });
    const early = evaluateRule(member, gold([lot(1n, 12n)]), NOW, WORDS);
    expect(early.eligible).toBe(false);
    expect(early.reasons[0]).toMatchObject({
      code: "held_too_briefly",
      message: `needs your Gold membership held for 30 days: you have held it for 12 days; eligible on ${new Date(Number(NOW + 18n * DAY) * 1000).toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" })}`,
      heldSince: new Date(Number(NOW - 12n * DAY) * 1000).toISOString(),
      eligibleAt: new Date(Number(NOW + 18n * DAY) * 1000).toISOString(),
    });
    // Three stamps for a week: two were held long enough, the third arrived yesterday.
    const stamps = parseRule({ type: "holds", collection: C, tokenId: "2", min: 3, heldFor: Number(7n * DAY) });
    const held = holdings([[C, 2n, { balance: 3n, expiresAt: 0n, lots: [lot(2n, 10n), lot(1n, 1n)] }]]);
    expect(evaluateRule(stamps, held, NOW, WORDS).reasons[0]).toMatchObject({ code: "held_too_briefly", message: expect.stringMatching(/^needs 3 Journey stamps held for 7 days: you have held them for 1 day; eligible on /) });
    expect(evaluateRule({ ...stamps, min: 2n } as typeof stamps, held, NOW, WORDS).eligible).toBe(true);
    // Too few, expired: those reasons come first, as without a period.
    expect(evaluateRule(stamps, holdings([[C, 2n, { balance: 1n, expiresAt: 0n, lots: [lot(1n, 100n)] }]]), NOW, WORDS).reasons[0]!.code).toBe("holds_too_few");
    expect(evaluateRule(member, holdings([[C, 1n, { balance: 1n, expiresAt: NOW - 1n, lots: [lot(1n, 100n)] }]]), NOW, WORDS).reasons[0]!.code).toBe("membership_expired");
  });

  it("unlocks nothing when how long it was held cannot be told (the chain index did not answer)", () => {
    const member = parseRule({ type: "member", collection: C, tokenId: "1", heldFor: 60 });
    const outcome = evaluateRule(member, holdings([[C, 1n, { balance: 1n, expiresAt: NOW + DAY }]]), NOW, WORDS);
    expect(outcome).toEqual({ eligible: false, reasons: [expect.objectContaining({ code: "unavailable" })] });
  });

  it("words the period in the rule", () => {
    expect(describeRule(parseRule({ type: "member", collection: C, tokenId: "1", heldFor: 2_592_000 }), WORDS)).toBe("an active Gold membership held for 30 days");
    expect(describeRule(parseRule({ type: "holds", collection: C, tokenId: "2", min: 3, heldFor: 7_200 }), WORDS)).toBe("3 or more Journey stamps held for 2 hours");
  });
});
