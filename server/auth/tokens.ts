/** Random strings: brand API keys (only their SHA-256 hashes are stored) and the random part of signed nonces. */
import { randomBytes } from "node:crypto";

const ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** `length` random characters from [0-9A-Za-z]: ~5.95 bits each. */
export function randomAlphanumeric(length: number): string {
  let text = "";
  // Rejection sampling keeps every character equally likely.
  while (text.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && text.length < length) text += ALPHANUMERIC[byte % 62];
    }
  }
  return text;
}

export const SESSION_TOKEN_PREFIX = "sbs_";
export const API_KEY_PREFIX = "sbk_";

export function newApiKey(): string {
  return API_KEY_PREFIX + randomBytes(32).toString("base64url");
}
