import { describe, expect, it } from "vitest";
import { newId, newRedemptionCode, normalizeRedemptionCode } from "./ids.ts";

describe("ids and redemption codes", () => {
  it("makes random UUIDs", () => {
    const ids = new Set(Array.from({ length: 1000 }, newId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("makes 12-digit Crockford base32 codes in groups of four", () => {
    const codes = new Set(Array.from({ length: 10_000 }, newRedemptionCode));
    expect(codes.size).toBe(10_000);
    for (const code of codes) {
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
      expect(normalizeRedemptionCode(code)).toBe(code);
    }
  });

  it("normalises codes as people type them", () => {
    expect(normalizeRedemptionCode("7q2m x9kd 03ht")).toBe("7Q2M-X9KD-03HT");
    expect(normalizeRedemptionCode("7q2mx9kdO3hT")).toBe("7Q2M-X9KD-03HT");
    expect(normalizeRedemptionCode("il00-0000-0000")).toBe("1100-0000-0000");
    expect(normalizeRedemptionCode("7Q2M-X9KD-03H")).toBeNull();
    expect(normalizeRedemptionCode("7Q2M-X9KD-03HU")).toBeNull();
    expect(normalizeRedemptionCode("")).toBeNull();
  });
});
