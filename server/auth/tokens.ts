/** Random strings: brand API keys (only their SHA-256 hashes are stored), the random part of signed nonces, session ids. */
import { randomBytes, randomFillSync } from "node:crypto";

// Every sign-in takes a nonce and a session id: their bytes come from one buffer refilled from the
// CSPRNG when spent (as Node's own randomUUID does), one call into it per few hundred of them
// rather than one each. No byte is handed out twice.
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

/** `size` bytes from the CSPRNG, a copy the caller keeps. */
export function pooledRandomBytes(size: number): Buffer {
  if (size > pool.length) return randomBytes(size);
  if (poolOffset + size > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const bytes = Buffer.from(pool.subarray(poolOffset, poolOffset + size));
  poolOffset += size;
  return bytes;
}

const ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** `length` random characters from [0-9A-Za-z]: ~5.95 bits each. */
export function randomAlphanumeric(length: number): string {
  let text = "";
  // Rejection sampling keeps every character equally likely.
  while (text.length < length) {
    for (const byte of pooledRandomBytes(length * 2)) {
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
