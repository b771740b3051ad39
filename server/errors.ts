/**
 * RFC 9457 problem details. Every error the API returns is a {@link Problem} with a stable `code`
 * that clients (and the SDK's typed errors) switch on; `title` and `detail` are for people.
 */
export type ProblemCode =
  | "bad_request"
  | "validation_failed"
  | "not_found"
  | "method_not_allowed"
  | "payload_too_large"
  | "unsupported_media_type"
  | "rate_limited"
  | "unauthenticated"
  | "forbidden"
  | "session_expired"
  | "origin_not_allowed"
  | "siwe_malformed"
  | "siwe_domain_mismatch"
  | "siwe_uri_mismatch"
  | "siwe_chain_mismatch"
  | "siwe_nonce_mismatch"
  | "siwe_nonce_invalid"
  | "siwe_expired"
  | "siwe_not_yet_valid"
  | "siwe_issued_in_future"
  | "siwe_version"
  | "siwe_bad_signature"
  | "invalid_rule"
  | "perk_not_found"
  | "perk_not_started"
  | "perk_ended"
  | "not_eligible"
  | "member_limit_reached"
  | "total_limit_reached"
  | "idempotency_key_required"
  | "idempotency_conflict"
  | "redemption_not_found"
  | "redemption_already_consumed"
  | "chain_unavailable"
  | "invalid_drop"
  | "drop_not_found"
  | "drop_not_started"
  | "drop_ended"
  | "claim_not_found"
  | "membership_already_held"
  | "mint_failed"
  | "minter_unavailable"
  | "minter_unauthorized"
  | "quota_exceeded"
  | "collection_not_owned"
  | "collection_taken"
  | "collection_unsupported"
  | "not_collection_admin"
  | "registration_invalid"
  | "registration_expired"
  | "registration_replayed"
  | "brand_not_found"
  | "token_type_not_found"
  | "collection_not_found"
  | "image_not_found"
  | "image_too_large"
  | "image_type_unsupported"
  | "invalid_journey"
  | "journey_not_found"
  | "step_not_found"
  | "journey_has_progress"
  | "journey_not_open"
  | "step_locked"
  | "step_not_member_completable"
  | "quiz_wrong"
  | "code_invalid"
  | "code_used"
  | "idempotency_key_reused"
  | "award_not_found"
  | "not_staff"
  | "role_forbidden"
  | "staff_not_found"
  | "data_request_not_found"
  | "consent_invalid"
  | "consent_replayed"
  | "consent_signer_mismatch"
  | "consent_not_found"
  | "consent_required"
  | "consent_revoked"
  | "erasure_invalid"
  | "store_busy"
  | "store_unavailable"
  | "shutting_down"
  | "internal";

export type ProblemBody = {
  type: string;
  title: string;
  status: number;
  code: ProblemCode;
  detail?: string;
  instance?: string;
  [extension: string]: unknown;
};

/** An error that becomes a problem+json response. */
export class Problem extends Error {
  override name = "Problem";
  readonly status: number;
  readonly code: ProblemCode;
  readonly title: string;
  readonly detail: string | undefined;
  readonly extensions: Record<string, unknown>;

  constructor(status: number, code: ProblemCode, title: string, detail?: string, extensions: Record<string, unknown> = {}) {
    super(detail ? `${title}: ${detail}` : title);
    this.status = status;
    this.code = code;
    this.title = title;
    this.detail = detail;
    this.extensions = extensions;
  }

  /** Keeps what went wrong underneath for the log; it is never part of the response body. */
  withCause(cause: unknown): this {
    (this as { cause?: unknown }).cause = cause;
    return this;
  }

  toBody(instance?: string): ProblemBody {
    return {
      type: `urn:stampbook:problem:${this.code}`,
      title: this.title,
      status: this.status,
      code: this.code,
      ...(this.detail === undefined ? {} : { detail: this.detail }),
      ...(instance === undefined ? {} : { instance }),
      ...this.extensions,
    };
  }
}

/**
 * 429 `rate_limited`: what was refused and why, in words, and the seconds to wait (said in the detail,
 * and as `retryAfter`, which the error handler repeats as `Retry-After`).
 */
export function rateLimited(title: string, detail: string, resetsInMs: number, extensions: Record<string, unknown> = {}): Problem {
  const seconds = Math.max(1, Math.ceil(resetsInMs / 1000));
  return new Problem(429, "rate_limited", title, `${detail} Try again in ${seconds} s.`, { retryAfter: seconds, ...extensions });
}

export const PROBLEM_CONTENT_TYPE = "application/problem+json; charset=utf-8";
