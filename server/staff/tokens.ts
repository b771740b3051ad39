/**
 * Staff session tokens: signed like members' (server/auth/signed-tokens.ts), never stored, but with
 * their own prefix, their own MAC purpose and key, and a payload naming the brand: a member's token
 * is never a staff token, nor the other way round, and a staff token acts for one brand only.
 */
import type { KeyObject } from "node:crypto";
import { expiry, mac, sameTag } from "../auth/signed-tokens.ts";

export const STAFF_TOKEN_PREFIX = "sbt_";

/** What a staff token carries. `address` is lowercase hex. */
export type StaffClaims = { id: string; brandId: string; address: `0x${string}`; expiresAtMs: number };

const PURPOSE = "staff-session";
const BRAND_ID = /^[A-Za-z0-9_-]{1,64}$/;
const TOKEN = /^sbt_([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{1,64})\.([0-9a-f]{40})\.([0-9a-z]{7})\.([A-Za-z0-9_-]{43})$/;

/**
 * `sbt_<id>.<brandId>.<address>.<expiry>.<mac>`, safe in a header or a cookie. The expiry is
 * rounded up to a whole second (returned).
 */
export function signStaffToken(key: KeyObject, claims: StaffClaims): { token: string; expiresAtMs: number } {
  if (!BRAND_ID.test(claims.brandId)) throw new RangeError(`brand id not signable: ${claims.brandId}`);
  const { digits, ms } = expiry(claims.expiresAtMs);
  const body = `${claims.id}.${claims.brandId}.${claims.address.slice(2).toLowerCase()}.${digits}`;
  return { token: `${STAFF_TOKEN_PREFIX}${body}.${mac(key, PURPOSE, body).toString("base64url")}`, expiresAtMs: ms };
}

/** The claims of a staff token this key signed (expired or not), or null for anything else. */
export function openStaffToken(key: KeyObject, token: string): StaffClaims | null {
  const match = TOKEN.exec(token);
  if (match === null) return null;
  const [, id, brandId, address, digits, tag] = match as unknown as [string, string, string, string, string, string];
  const body = `${id}.${brandId}.${address}.${digits}`;
  if (!sameTag(tag, mac(key, PURPOSE, body).toString("base64url"))) return null;
  return { id, brandId, address: `0x${address}`, expiresAtMs: parseInt(digits, 36) * 1000 };
}
