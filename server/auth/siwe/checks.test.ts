import { describe, expect, it } from "vitest";
import { checkSiweMessage, type SiweExpectations } from "./checks.ts";
import type { SiweMessage } from "./message.ts";

const NOW = new Date("2026-11-22T10:00:00.000Z");
const at = (secondsFromNow: number) => new Date(NOW.getTime() + secondsFromNow * 1000).toISOString();

const MESSAGE: SiweMessage = {
  domain: "localhost:8787",
  address: "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2",
  uri: "http://localhost:8787/login",
  version: "1",
  chainId: 31337,
  nonce: "abcdEF123456",
  issuedAt: at(-5),
};
const EXPECT: SiweExpectations = {
  domain: "localhost:8787",
  uri: "http://localhost:8787",
  chainId: 31337,
  nonce: "abcdEF123456",
  now: NOW,
};

const check = (msg: Partial<SiweMessage>, expect: Partial<SiweExpectations> = {}) =>
  checkSiweMessage({ ...MESSAGE, ...msg }, { ...EXPECT, ...expect })?.code ?? null;

describe("checkSiweMessage", () => {
  it("passes a message for this server, now", () => {
    expect(check({})).toBeNull();
    expect(check({ expirationTime: at(600), notBefore: at(-60), scheme: "http" })).toBeNull();
  });

  it("domain must match exactly, port included", () => {
    expect(check({ domain: "localhost:8788" })).toBe("siwe_domain_mismatch");
    expect(check({ domain: "localhost" })).toBe("siwe_domain_mismatch");
    expect(check({ domain: "evil.example" })).toBe("siwe_domain_mismatch");
    expect(check({ domain: "LOCALHOST:8787" })).toBe("siwe_domain_mismatch");
  });

  it("a scheme in the header must be the server's", () => {
    expect(check({ scheme: "https" })).toBe("siwe_domain_mismatch");
  });

  it("URI must be on the server's origin", () => {
    expect(check({ uri: "http://localhost:8787" })).toBeNull();
    expect(check({ uri: "http://localhost:8787/a/b?c#d" })).toBeNull();
    expect(check({}, { uri: "http://localhost:8787/" })).toBeNull();
    expect(check({ uri: "https://localhost:8787/login" })).toBe("siwe_uri_mismatch");
    expect(check({ uri: "http://localhost:8788/login" })).toBe("siwe_uri_mismatch");
    expect(check({ uri: "http://evil.example/login" })).toBe("siwe_uri_mismatch");
    expect(check({ uri: "http://localhost:8787@evil.example/" })).toBe("siwe_uri_mismatch");
  });

  it("URIs without an origin never match, even each other", () => {
    expect(check({ uri: "ipfs://Qme7ss3ARVgxv6rXqVPiikMJ8u2NLgmgszg13pYrDKEoiu" }, { uri: "ipfs://Qme7ss3ARVgxv6rXqVPiikMJ8u2NLgmgszg13pYrDKEoiu" })).toBe(
      "siwe_uri_mismatch",
    );
    expect(check({ uri: "urn:x:y" }, { uri: "urn:x:y" })).toBe("siwe_uri_mismatch");
  });

  it("chain ID must match", () => {
    expect(check({ chainId: 1 })).toBe("siwe_chain_mismatch");
  });

  it("nonce must match when one is expected", () => {
    expect(check({ nonce: "zzzzZZZZ1111" })).toBe("siwe_nonce_mismatch");
    expect(check({ nonce: "ABCDef123456" })).toBe("siwe_nonce_mismatch");
    expect(check({ nonce: "zzzzZZZZ1111" }, { nonce: undefined })).toBeNull();
  });

  it("expired once expirationTime <= now - skew (60 s by default)", () => {
    expect(check({ expirationTime: at(-59) })).toBeNull();
    expect(check({ expirationTime: at(-60) })).toBe("siwe_expired");
    expect(check({ expirationTime: at(-3600) })).toBe("siwe_expired");
    expect(check({ expirationTime: at(-5) }, { clockSkewSeconds: 0 })).toBe("siwe_expired");
    expect(check({ expirationTime: at(0) }, { clockSkewSeconds: 0 })).toBe("siwe_expired");
    expect(check({ expirationTime: at(1) }, { clockSkewSeconds: 0 })).toBeNull();
  });

  it("not yet valid while notBefore > now + skew", () => {
    expect(check({ notBefore: at(60) })).toBeNull();
    expect(check({ notBefore: at(61) })).toBe("siwe_not_yet_valid");
    expect(check({ notBefore: at(1) }, { clockSkewSeconds: 0 })).toBe("siwe_not_yet_valid");
  });

  it("issued in the future if issuedAt > now + skew", () => {
    expect(check({ issuedAt: at(60) })).toBeNull();
    expect(check({ issuedAt: at(61) })).toBe("siwe_issued_in_future");
    expect(check({ issuedAt: at(1) }, { clockSkewSeconds: 0 })).toBe("siwe_issued_in_future");
  });

  it("compares instants, whatever the offset they are written in", () => {
    expect(check({ expirationTime: "2026-11-22T08:58:00-01:00" })).toBe("siwe_expired");
    expect(check({ expirationTime: "2026-11-22T12:00:00+01:00" })).toBeNull();
  });

  it("version must be 1", () => {
    expect(check({ version: "2" as "1" })).toBe("siwe_version");
  });

  it("reports a timestamp it cannot read as malformed", () => {
    expect(check({ issuedAt: "yesterday" })).toBe("siwe_malformed");
    expect(check({ expirationTime: "2026-02-30T00:00:00Z" })).toBe("siwe_malformed");
  });

  it("returns the first failing rule, in the documented order", () => {
    const everythingWrong: Partial<SiweMessage> = {
      domain: "evil.example",
      uri: "https://evil.example",
      chainId: 1,
      nonce: "zzzzZZZZ1111",
      expirationTime: at(-3600),
      notBefore: at(3600),
      issuedAt: at(3600),
      version: "2" as "1",
    };
    const order = [
      ["domain", "siwe_domain_mismatch"],
      ["uri", "siwe_uri_mismatch"],
      ["chainId", "siwe_chain_mismatch"],
      ["nonce", "siwe_nonce_mismatch"],
      ["expirationTime", "siwe_expired"],
      ["notBefore", "siwe_not_yet_valid"],
      ["issuedAt", "siwe_issued_in_future"],
      ["version", "siwe_version"],
    ] as const;
    const fixed: Partial<SiweMessage> = { ...everythingWrong };
    for (const [field, code] of order) {
      expect(check(fixed)).toBe(code);
      (fixed as Record<string, unknown>)[field] = (MESSAGE as unknown as Record<string, unknown>)[field];
    }
    expect(check(fixed)).toBeNull();
  });

  it("says what was wrong", () => {
    const error = checkSiweMessage({ ...MESSAGE, chainId: 1 }, EXPECT);
    expect(error?.message).toBe("message is for chain 1, expected 31337");
    expect(error?.name).toBe("SiweError");
  });

  it("uses the current time when none is given", () => {
    const issuedAt = new Date().toISOString();
    expect(checkSiweMessage({ ...MESSAGE, issuedAt }, { ...EXPECT, now: undefined })).toBeNull();
  });
});
