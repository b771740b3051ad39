/**
 * Nonces and session tokens the server signs instead of storing: HMAC-SHA256 under a per-deployment
 * secret (kept by the store, shared by every instance), so any instance tells its own from a
 * forgery without a lookup. What must be remembered (a nonce was used, a session was ended) is
 * kept by the store until the signed expiry passes.
 */
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from "node:crypto";
import { pooledRandomBytes, randomAlphanumeric, SESSION_TOKEN_PREFIX } from "./tokens.ts";

/** Seconds since the epoch in 7 base-36 digits (good until the year 4453): text order is time order. */
const EXPIRY_DIGITS = 7;

/** A signing key from a secret's bytes. Made once: keying HMAC from raw bytes costs more than the MAC. */
export function signingKey(secret: Uint8Array): KeyObject {
  return createSecretKey(secret);
}

/** The MAC of `payload` for one purpose: a token signed for one purpose never passes as another's. */
export function mac(key: KeyObject, purpose: string, payload: string): Buffer {
  return createHmac("sha256", key).update(`stampbook-${purpose}:${payload}`).digest();
}

/** Constant-time comparison of a token's tag with the expected one, as text: one token, one spelling. */
export function sameTag(tag: string, expected: string): boolean {
  const a = Buffer.from(tag);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** An expiry rounded up to a whole second, as its digits and as the ms they stand for. */
export function expiry(expiresAtMs: number): { digits: string; ms: number } {
  const seconds = Math.ceil(expiresAtMs / 1000);
  if (!Number.isSafeInteger(seconds) || seconds < 0 || seconds >= 36 ** EXPIRY_DIGITS) throw new RangeError(`expiry out of range: ${expiresAtMs}`);
  return { digits: seconds.toString(36).padStart(EXPIRY_DIGITS, "0"), ms: seconds * 1000 };
}

const NONCE = /^([0-9a-z]{7})([0-9A-Za-z]{16})([0-9a-f]{32})$/;

/**
 * A SIWE nonce good until `expiresAtMs` rounded up to a whole second (returned), for a message from
 * `origin` only: the MAC covers it, so a nonce a page got for one storefront signs nobody in on
 * another. EIP-4361 wants at least 8 alphanumeric characters; this is 55: the expiry, 16 random
 * characters and a 128-bit MAC.
 */
export function signNonce(key: KeyObject, expiresAtMs: number, origin: string): { nonce: string; expiresAtMs: number } {
  const { digits, ms } = expiry(expiresAtMs);
  const body = digits + randomAlphanumeric(16);
  return { nonce: body + nonceTag(key, body, origin), expiresAtMs: ms };
}

/** The expiry (ms) of a nonce this key signed for `origin`, or null for anything else. */
export function openNonce(key: KeyObject, nonce: string, origin: string): number | null {
  const match = NONCE.exec(nonce);
  if (match === null) return null;
  const [, expiry, random, tag] = match as unknown as [string, string, string, string];
  if (!sameTag(tag, nonceTag(key, expiry + random, origin))) return null;
  return parseInt(expiry, 36) * 1000;
}

const nonceTag = (key: KeyObject, body: string, origin: string) => mac(key, "nonce", `${body}@${origin}`).subarray(0, 16).toString("hex");

/** What a session token carries. `address` is lowercase hex; `brandId`, the brand whose storefront's origin it began on. */
export type SessionClaims = { id: string; address: `0x${string}`; chainId: number; expiresAtMs: number; brandId?: string };

const SESSION = /^sbs_([A-Za-z0-9_-]{22})\.([0-9a-f]{40})\.([1-9][0-9]{0,14})\.([0-9a-z]{7})(?:\.b([A-Za-z0-9_-]{1,172}))?\.([A-Za-z0-9_-]{43})$/;

/** A new session's id: 128 random bits, base64url. */
export function newSessionId(): string {
  return pooledRandomBytes(16).toString("base64url");
}

/**
 * `sbs_<id>.<address>.<chainId>.<expiry>[.b<brand id, base64url>].<mac>`, about 130 characters (160
 * with a brand), safe in a header or a cookie. The expiry is rounded up to a whole second (returned).
 */
export function signSession(key: KeyObject, claims: SessionClaims): { token: string; expiresAtMs: number } {
  const { digits, ms } = expiry(claims.expiresAtMs);
  if (!Number.isSafeInteger(claims.chainId) || claims.chainId < 1) throw new RangeError(`bad chain id: ${claims.chainId}`);
  const brand = claims.brandId === undefined ? "" : `.b${Buffer.from(claims.brandId).toString("base64url")}`;
  if (brand.length > 174) throw new RangeError("brand id too long for a session token");
  const body = `${claims.id}.${claims.address.slice(2).toLowerCase()}.${claims.chainId}.${digits}${brand}`;
  return { token: `${SESSION_TOKEN_PREFIX}${body}.${mac(key, "session", body).toString("base64url")}`, expiresAtMs: ms };
}

/** The claims of a session token this key signed (expired or not), or null for anything else. */
export function openSession(key: KeyObject, token: string): SessionClaims | null {
  const match = SESSION.exec(token);
  if (match === null) return null;
  const [, id, address, chainId, expiry, brand, tag] = match as unknown as [string, string, string, string, string, string | undefined, string];
  const body = `${id}.${address}.${chainId}.${expiry}${brand === undefined ? "" : `.b${brand}`}`;
  // Compared as text: base64url of 32 bytes has 2 spare bits, and decoding would accept 4 spellings.
  if (!sameTag(tag, mac(key, "session", body).toString("base64url"))) return null;
  const claims: SessionClaims = { id, address: `0x${address}`, chainId: Number(chainId), expiresAtMs: parseInt(expiry, 36) * 1000 };
  return brand === undefined ? claims : { ...claims, brandId: Buffer.from(brand, "base64url").toString() };
}
