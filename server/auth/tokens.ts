/** Random secrets: SIWE nonces, session tokens, API keys. Only their SHA-256 hashes are stored. */
import { randomBytes } from "node:crypto";

const ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** EIP-4361 nonces are alphanumeric, at least 8 characters; 22 gives ~131 bits. */
export function newNonce(length = 22): string {
  let nonce = "";
  // Rejection sampling keeps every character equally likely.
  while (nonce.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && nonce.length < length) nonce += ALPHANUMERIC[byte % 62];
    }
  }
  return nonce;
}

export const SESSION_TOKEN_PREFIX = "sbs_";
export const API_KEY_PREFIX = "sbk_";

export function newSessionToken(): string {
  return SESSION_TOKEN_PREFIX + randomBytes(32).toString("base64url");
}

export function newApiKey(): string {
  return API_KEY_PREFIX + randomBytes(32).toString("base64url");
}
