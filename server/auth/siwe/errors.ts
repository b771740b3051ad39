/** Every reason a sign-in can be refused; the server maps these to HTTP answers. */
export const SIWE_ERROR_CODES = [
  "siwe_malformed",
  "siwe_domain_mismatch",
  "siwe_uri_mismatch",
  "siwe_chain_mismatch",
  "siwe_nonce_mismatch",
  "siwe_expired",
  "siwe_not_yet_valid",
  "siwe_issued_in_future",
  "siwe_version",
  "siwe_bad_signature",
  "chain_unavailable",
] as const;

export type SiweErrorCode = (typeof SIWE_ERROR_CODES)[number];

/**
 * A refused sign-in. `code` is stable and machine-readable; `message` says what was wrong
 * for a human (it may quote parts of the submitted message).
 *
 * @example
 * throw new SiweError("siwe_nonce_mismatch", "nonce does not match the one issued");
 */
export class SiweError extends Error {
  readonly code: SiweErrorCode;

  constructor(code: SiweErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SiweError";
    this.code = code;
  }
}
