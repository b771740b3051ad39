import { describe, expect, it } from "vitest";
import { codeStrength, countWords, DEFAULT_GUESS_LIMITS, durationWords, sharedCodeWarning } from "./code-strength.ts";

describe("how guessable a shared code is", () => {
  it.each([
    ["BEANS-2026", 50_000 * 200, ["a word", "a year"]],
    ["coffee", 50_000, ["only 6 characters", "a word"]],
    ["1234", 30, ["only 4 characters", "a sequence or a repeat"]],
    ["AAAA AAAA", 78, ["a sequence or a repeat"]],
    ["2026-12-24", 200 * 366 * 3, ["a date"]],
    ["K7QP-3XMD", 26 * 10 * 26 ** 2 * 10 * 26 ** 3, []],
    ["QWKXPZRT", 26 ** 8, []],
  ] as const)("%s: %d likely codes (%j)", (code, likely, weaknesses) => {
    expect(codeStrength(code)).toEqual({ length: code.replace(/[^A-Za-z0-9]/g, "").length, likely, weaknesses });
  });

  it("case, dashes and spaces do not count", () => {
    expect(codeStrength("k7qp 3xmd")).toEqual(codeStrength("K7QP-3XMD"));
  });
});

describe("the warning a brand reads", () => {
  it("says why, how many codes, how long at the limits from one address, and what to do", () => {
    expect(sharedCodeWarning("BEANS-2026", { perMember: 20, perAddress: 120 })).toBe(
      "“BEANS-2026” is easy to guess (a word and a year): it is one of about 10 million likely codes. " +
        "At this deployment's limits (20 tries a minute per member, 120 wrong tries a minute per network address however many wallets sign in there), " +
        "it could be found in about 58 days from one address, sooner from several. " +
        "Use 8 or more random letters and digits (not a word or a date), or single-use codes.",
    );
  });

  it("follows the limits it is given, and says when they are only the defaults", () => {
    expect(sharedCodeWarning("COFFEE", { perMember: 20, perAddress: 120 })).toContain("found in about 7 hours from one address");
    expect(sharedCodeWarning("COFFEE", { perMember: 20, perAddress: 6_000 })).toContain("found in about 8 minutes from one address");
    expect(sharedCodeWarning("COFFEE", DEFAULT_GUESS_LIMITS, { assumed: true })).toContain("At the default limits (20 tries a minute per member, 120 wrong tries");
  });

  it("is silent for 8 or more random symbols, and speaks for a short one however random", () => {
    expect(sharedCodeWarning("K7QP-3XMD", DEFAULT_GUESS_LIMITS)).toBeNull();
    expect(sharedCodeWarning("R2D7-XKQM-93", DEFAULT_GUESS_LIMITS)).toBeNull();
    expect(sharedCodeWarning("K7QP3X", DEFAULT_GUESS_LIMITS)).toMatch(/^“K7QP3X” is easy to guess \(only 6 characters\): it is one of about 46 million likely codes\. .* found in about 9 months from one address/);
  });
});

describe("words for amounts", () => {
  it("durations", () => {
    expect([0.5, 1, 45, 120, 3 * 24 * 60, 400 * 24 * 60, 5 * 365 * 24 * 60, 1e12].map(durationWords)).toEqual([
      "less than a minute",
      "about 1 minute",
      "about 45 minutes",
      "about 2 hours",
      "about 3 days",
      "about 13 months",
      "about 5 years",
      "more than a thousand years",
    ]);
  });

  it("counts", () => {
    expect([30, 2_340, 50_000, 1e7, 2.5e9, 3e12, 1e16].map(countWords)).toEqual(["30", "about 2,300", "about 50 thousand", "about 10 million", "about 2.5 billion", "about 3 trillion", "more than a thousand trillion"]);
  });
});
