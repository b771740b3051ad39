import { describe, expect, it } from "vitest";
import { isNonce } from "./siwe/grammar.ts";
import { newSessionId, openNonce, openSession, signingKey, signNonce, signSession } from "./signed-tokens.ts";

const key = signingKey(new Uint8Array(32).fill(1));
const otherKey = signingKey(new Uint8Array(32).fill(2));
const T = Date.parse("2030-01-01T00:00:00.000Z");

/** `text` with the character at `i` replaced by another one of the same class. */
function flip(text: string, i: number): string {
  const c = text[i]!;
  const replacement = /[0-9]/.test(c) ? (c === "0" ? "1" : "0") : c === "a" ? "b" : c === "A" ? "B" : /[a-z]/.test(c) ? "a" : "A";
  return text.slice(0, i) + replacement + text.slice(i + 1);
}

const SHOP = "https://shop.example";

describe("signed nonces", () => {
  it("are valid EIP-4361 nonces that open to their expiry, rounded up to the second", () => {
    const { nonce, expiresAtMs } = signNonce(key, T + 300_000.4, SHOP);
    expect(isNonce(nonce)).toBe(true);
    expect(nonce).toMatch(/^[0-9A-Za-z]{55}$/);
    expect(expiresAtMs).toBe(T + 301_000);
    expect(openNonce(key, nonce, SHOP)).toBe(T + 301_000);
    expect(signNonce(key, T, SHOP).nonce).not.toBe(signNonce(key, T, SHOP).nonce);
  });

  it("sort by expiry", () => {
    const earlier = signNonce(key, T, SHOP).nonce;
    const later = signNonce(key, T + 1000, SHOP).nonce;
    expect(earlier.slice(0, 7) < later.slice(0, 7)).toBe(true);
  });

  it("refuse any changed character, another key, another origin, and other shapes", () => {
    const { nonce } = signNonce(key, T, SHOP);
    for (let i = 0; i < nonce.length; i++) expect(openNonce(key, flip(nonce, i), SHOP), `character ${i}`).toBeNull();
    expect(openNonce(otherKey, nonce, SHOP)).toBeNull();
    for (const other of ["https://evil.example", "http://shop.example", "https://shop.example:8443", ""]) expect(openNonce(key, nonce, other), other).toBeNull();
    for (const bad of ["", "abc", nonce + "0", nonce.slice(1), nonce.toUpperCase(), `${nonce.slice(0, 54)}-`]) expect(openNonce(key, bad, SHOP)).toBeNull();
  });
});

describe("signed session tokens", () => {
  const claims = { id: newSessionId(), address: "0xAbCdEf0123456789aBcDeF0123456789AbCdEf01" as const, chainId: 8453, expiresAtMs: T + 0.5 };

  it("open to their claims, address lowercased and expiry rounded up to the second", () => {
    const { token, expiresAtMs } = signSession(key, claims);
    expect(token).toMatch(/^sbs_[A-Za-z0-9_.-]+$/);
    expect(token.length).toBeLessThanOrEqual(140);
    expect(expiresAtMs).toBe(T + 1000);
    expect(openSession(key, token)).toEqual({ ...claims, address: claims.address.toLowerCase(), expiresAtMs: T + 1000 });
  });

  it("carry the brand whose storefront they began on, bound by the MAC", () => {
    const { token } = signSession(key, { ...claims, brandId: "brand_42c40df8895c4f5a" });
    expect(openSession(key, token)).toEqual({ ...claims, address: claims.address.toLowerCase(), expiresAtMs: T + 1000, brandId: "brand_42c40df8895c4f5a" });
    const other = signSession(key, { ...claims, brandId: "brand_other" }).token;
    // Another brand's segment spliced in, or the segment dropped, breaks the MAC.
    const segment = (t: string) => t.split(".").at(-2)!;
    expect(openSession(key, token.replace(segment(token), segment(other)))).toBeNull();
    expect(openSession(key, token.replace(`.${segment(token)}`, ""))).toBeNull();
  });

  it("refuse any changed character, another key, and other shapes", () => {
    const { token } = signSession(key, claims);
    for (let i = 4; i < token.length; i++) {
      if (token[i] === "." || token[i] === "_" || token[i] === "-") continue;
      expect(openSession(key, flip(token, i)), `character ${i}`).toBeNull();
    }
    expect(openSession(otherKey, token)).toBeNull();
    // The last base64url character carries 2 spare bits: its other spellings are refused too.
    const last = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".indexOf(token.at(-1)!);
    for (let spare = 1; spare < 4; spare++) {
      const respelled = token.slice(0, -1) + "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[last ^ spare];
      expect(openSession(key, respelled)).toBeNull();
    }
    for (const bad of ["", "sbs_", token.replace("sbs_", "sbk_"), token + "A", token.replace(/\.[0-9]+\./, ".0.")]) expect(openSession(key, bad)).toBeNull();
  });

  it("refuse to sign a bad chain id or an expiry out of range", () => {
    expect(() => signSession(key, { ...claims, chainId: 0 })).toThrow(RangeError);
    expect(() => signSession(key, { ...claims, expiresAtMs: Number.NaN })).toThrow(RangeError);
    expect(() => signNonce(key, 36 ** 7 * 1000, SHOP)).toThrow(RangeError);
  });
});
