/**
 * Codes members type: batch codes for a step and invitation codes. Read aloud or typed from a
 * receipt, they must be hard to get wrong: the alphabet has no 0/O or 1/I, case does not matter, and
 * dashes and spaces are ignored. Batch codes are stored only as the SHA-256 of their normal form.
 */
import { createHash, randomBytes } from "node:crypto";

/** 32 symbols, so one random byte's low 5 bits pick one without bias. */
export const CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

function randomSymbols(count: number): string {
  let text = "";
  for (const byte of randomBytes(count)) text += CODE_ALPHABET[byte & 31];
  return text;
}

/** Groups of four, e.g. `"7QXM-KD3H"`. */
export function formatCode(normal: string): string {
  return normal.match(/.{1,4}/g)?.join("-") ?? normal;
}

/** A batch code for a step: 8 symbols (40 random bits) shown as `XXXX-XXXX`. */
export function newStepCode(): string {
  return formatCode(randomSymbols(8));
}

/** An invitation code, normalised: 12 symbols (60 random bits). */
export function newInvitationCode(): string {
  return randomSymbols(12);
}

/** A code as compared: upper case, without dashes and white space. */
export function normalizeCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, "");
}

/** What a batch code is stored as: SHA-256 of its normal form, 64 lowercase hex digits. */
export function codeHash(input: string): string {
  return createHash("sha256").update(normalizeCode(input), "utf8").digest("hex");
}
