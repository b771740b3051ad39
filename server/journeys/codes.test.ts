import { describe, expect, it } from "vitest";
import { CODE_ALPHABET, codeHash, formatCode, newInvitationCode, newStepCode, normalizeCode } from "./codes.ts";

describe("journey codes", () => {
  it("are read aloud easily: 32 symbols without 0, O, 1 or I", () => {
    expect(CODE_ALPHABET).toHaveLength(32);
    expect(new Set(CODE_ALPHABET).size).toBe(32);
    expect(CODE_ALPHABET).not.toMatch(/[0O1I]/);
  });

  it("step codes are XXXX-XXXX and invitation codes 12 symbols, from crypto randomness", () => {
    const codes = Array.from({ length: 2_000 }, newStepCode);
    for (const code of codes) expect(code).toMatch(/^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/);
    expect(new Set(codes).size).toBe(codes.length);
    // Every symbol turns up: no part of the alphabet is out of reach.
    expect(new Set(codes.join("").replaceAll("-", "")).size).toBe(32);
    expect(newInvitationCode()).toMatch(/^[A-HJ-NP-Z2-9]{12}$/);
    expect(formatCode("ABCDEFGHJKLM")).toBe("ABCD-EFGH-JKLM");
  });

  it("compare without case, dashes or spaces, and are stored as a SHA-256 of that", () => {
    expect(normalizeCode(" k7qp-3xmd ")).toBe("K7QP3XMD");
    expect(codeHash("k7qp 3xmd")).toBe(codeHash("K7QP-3XMD"));
    expect(codeHash("K7QP-3XMD")).toMatch(/^[0-9a-f]{64}$/);
    expect(codeHash("K7QP-3XME")).not.toBe(codeHash("K7QP-3XMD"));
  });
});
