import { createSiweMessage } from "viem/siwe";
import { describe, expect, it } from "vitest";
import { SiweError } from "./errors.ts";
import { formatSiweMessage } from "./format.ts";
import { parseSiweMessage, type SiweMessage } from "./message.ts";

const FIELDS: SiweMessage = {
  domain: "localhost:8787",
  address: "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2",
  statement: "Sign in to Stampbook",
  uri: "http://localhost:8787",
  version: "1",
  chainId: 31337,
  nonce: "abcdEF123456",
  issuedAt: "2026-11-22T10:00:00.000Z",
  expirationTime: "2026-11-22T10:10:00.000Z",
  requestId: "r1",
  resources: ["https://localhost:8787/perks"],
};

function refusal(fields: unknown): string {
  try {
    formatSiweMessage(fields as SiweMessage);
  } catch (error) {
    expect(error).toBeInstanceOf(SiweError);
    expect((error as SiweError).code).toBe("siwe_malformed");
    return (error as SiweError).message;
  }
  throw new Error("expected the fields to be refused");
}

describe("formatSiweMessage", () => {
  it("writes the same text as viem's createSiweMessage", () => {
    const { issuedAt, expirationTime, notBefore, ...rest } = FIELDS;
    const viemText = createSiweMessage({
      ...rest,
      issuedAt: new Date(issuedAt),
      expirationTime: new Date(expirationTime ?? ""),
    });
    expect(formatSiweMessage(FIELDS)).toBe(viemText);
  });

  it("round-trips through parseSiweMessage", () => {
    expect(parseSiweMessage(formatSiweMessage(FIELDS))).toEqual(FIELDS);
    const { statement, ...noStatement } = FIELDS;
    expect(parseSiweMessage(formatSiweMessage(noStatement))).toEqual(noStatement);
    expect(parseSiweMessage(formatSiweMessage({ ...FIELDS, statement: "" }))).toEqual({ ...FIELDS, statement: "" });
  });

  it("keeps timestamps exactly as given", () => {
    expect(formatSiweMessage({ ...FIELDS, issuedAt: "2026-11-22T11:00:00+01:00" })).toContain(
      "\nIssued At: 2026-11-22T11:00:00+01:00\n",
    );
  });

  it("refuses fields that would inject extra lines", () => {
    expect(refusal({ ...FIELDS, statement: "hello\n\nURI: https://evil.example" })).toMatch(/statement/);
    expect(refusal({ ...FIELDS, requestId: "x\nResources:" })).toMatch(/requestId/);
    expect(refusal({ ...FIELDS, resources: ["https://a.example\n- https://b.example"] })).toMatch(/resources\[0\]/);
    expect(refusal({ ...FIELDS, nonce: "abcdEF123456\nNot Before: 2000-01-01T00:00:00Z" })).toMatch(/nonce/);
  });

  it("refuses missing or ill-typed required fields", () => {
    const { nonce, ...noNonce } = FIELDS;
    expect(refusal(noNonce)).toBe("cannot build SIWE message: nonce is missing");
    expect(refusal({ ...FIELDS, chainId: "1" })).toMatch(/chainId "1" is not a non-negative integer/);
    expect(refusal({ ...FIELDS, chainId: 1.5 })).toMatch(/chainId/);
    expect(refusal({ ...FIELDS, address: FIELDS.address.toLowerCase() })).toMatch(/EIP-55/);
    expect(refusal({ ...FIELDS, resources: "https://a.example" })).toMatch(/must be an array/);
  });
});
