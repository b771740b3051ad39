import { createHash } from "node:crypto";

/**
 * SHA-256 of a secret (session token, API key) as 64 lowercase hex digits: the only form in which
 * a store accepts and keeps secrets.
 */
export function sha256Hex(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}
