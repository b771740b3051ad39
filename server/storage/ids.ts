import { randomBytes, randomUUID } from "node:crypto";

/** A fresh record id: a random UUID (v4), 36 characters. Stores accept any non-empty string. */
export function newId(): string {
  return randomUUID();
}

// Crockford base32: no I, L, O or U, so a code read aloud or typed at a till is hard to get wrong.
const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/**
 * A one-time redemption code: 12 Crockford base32 digits (60 random bits) in groups of four,
 * e.g. `"7Q2M-X9KD-03HT"`.
 */
export function newRedemptionCode(): string {
  const bytes = randomBytes(12);
  let digits = "";
  for (const byte of bytes) digits += alphabet[byte & 31];
  return `${digits.slice(0, 4)}-${digits.slice(4, 8)}-${digits.slice(8, 12)}`;
}

/**
 * The canonical form of a code as a person typed it (any case, with or without separators, O for
 * 0, I or L for 1), or null if it cannot be one of {@link newRedemptionCode}'s codes. Stores compare
 * codes exactly, so a till normalises before it looks one up.
 */
export function normalizeRedemptionCode(input: string): string | null {
  const digits = input
    .toUpperCase()
    .replace(/[\s-]/g, "")
    .replace(/O/g, "0")
    .replace(/[IL]/g, "1");
  if (!/^[0-9A-HJKMNP-TV-Z]{12}$/.test(digits)) return null;
  return `${digits.slice(0, 4)}-${digits.slice(4, 8)}-${digits.slice(8, 12)}`;
}
