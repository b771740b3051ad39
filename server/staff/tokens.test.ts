/** Staff tokens: their own prefix, MAC purpose and brand; a member's session token never passes as one, nor the other way round. */
import { describe, expect, it } from "vitest";
import { newSessionId, openSession, signingKey, signSession } from "../auth/signed-tokens.ts";
import { openStaffToken, signStaffToken } from "./tokens.ts";

const key = signingKey(new Uint8Array(32).fill(1));
const otherKey = signingKey(new Uint8Array(32).fill(2));
const T = Date.parse("2030-01-01T00:00:00.000Z");
const claims = { id: newSessionId(), brandId: "brand_0123456789abcdef", address: "0xAbCdEf0123456789aBcDeF0123456789AbCdEf01" as const, expiresAtMs: T + 0.5 };

describe("staff tokens", () => {
  it("open to their claims: the brand, the address lowercased, the expiry rounded up to the second", () => {
    const { token, expiresAtMs } = signStaffToken(key, claims);
    expect(token).toMatch(/^sbt_[A-Za-z0-9_.-]+$/);
    expect(expiresAtMs).toBe(T + 1000);
    expect(openStaffToken(key, token)).toEqual({ ...claims, address: claims.address.toLowerCase(), expiresAtMs: T + 1000 });
  });

  it("refuse another key, another brand, any changed character of the tag, and other shapes", () => {
    const { token } = signStaffToken(key, claims);
    expect(openStaffToken(otherKey, token)).toBeNull();
    expect(openStaffToken(key, token.replace(claims.brandId, "brand_fedcba9876543210"))).toBeNull();
    const tag = token.lastIndexOf(".") + 1;
    for (let i = tag; i < token.length; i++) {
      const flipped = token.slice(0, i) + (token[i] === "A" ? "B" : "A") + token.slice(i + 1);
      expect(openStaffToken(key, flipped), `character ${i}`).toBeNull();
    }
    for (const bad of ["", "sbt_", token.slice(0, -1), `${token}x`, token.toUpperCase()]) expect(openStaffToken(key, bad)).toBeNull();
    expect(() => signStaffToken(key, { ...claims, brandId: "brand.with.dots" })).toThrow(RangeError);
  });

  it("are never member session tokens, and member session tokens are never staff tokens, even under the same key", () => {
    const staff = signStaffToken(key, claims).token;
    const member = signSession(key, { id: claims.id, address: claims.address, chainId: 31337, expiresAtMs: claims.expiresAtMs }).token;
    expect(openSession(key, staff)).toBeNull();
    expect(openSession(key, `sbs_${staff.slice(4)}`)).toBeNull();
    expect(openStaffToken(key, member)).toBeNull();
    expect(openStaffToken(key, `sbt_${member.slice(4)}`)).toBeNull();
  });
});
