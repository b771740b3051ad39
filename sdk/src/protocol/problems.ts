/**
 * The API's problems (RFC 9457): every error it answers is a problem+json body with a stable `code`
 * from this closed list, which clients switch on; `title` and `detail` are for people. Pure (no
 * schema library): the SDK bundles what it uses of it. Adding a code here is a compile error
 * wherever codes are mapped exhaustively (the SDK's `PROBLEM_HANDLING`), until it is placed there.
 */
export const PROBLEM_CODES = [
  "bad_request",
  "validation_failed",
  "not_found",
  "method_not_allowed",
  "payload_too_large",
  "unsupported_media_type",
  "rate_limited",
  "unauthenticated",
  "forbidden",
  "session_expired",
  "origin_not_allowed",
  "siwe_malformed",
  "siwe_domain_mismatch",
  "siwe_uri_mismatch",
  "siwe_chain_mismatch",
  "siwe_nonce_mismatch",
  "siwe_nonce_invalid",
  "siwe_expired",
  "siwe_not_yet_valid",
  "siwe_issued_in_future",
  "siwe_version",
  "siwe_bad_signature",
  "invalid_rule",
  "perk_not_found",
  "perk_not_started",
  "perk_ended",
  "not_eligible",
  "member_limit_reached",
  "total_limit_reached",
  "idempotency_key_required",
  "idempotency_conflict",
  "redemption_not_found",
  "redemption_already_consumed",
  "chain_unavailable",
  "invalid_drop",
  "drop_not_found",
  "drop_not_started",
  "drop_ended",
  "claim_not_found",
  "membership_already_held",
  "mint_failed",
  "minter_unavailable",
  "minter_unauthorized",
  "quota_exceeded",
  "collection_not_owned",
  "collection_taken",
  "collection_unsupported",
  "not_collection_admin",
  "registration_invalid",
  "registration_expired",
  "registration_replayed",
  "brand_not_found",
  "token_type_not_found",
  "collection_not_found",
  "image_not_found",
  "image_too_large",
  "image_type_unsupported",
  "invalid_journey",
  "journey_not_found",
  "step_not_found",
  "journey_has_progress",
  "journey_not_open",
  "step_locked",
  "step_not_member_completable",
  "quiz_wrong",
  "code_invalid",
  "code_used",
  "idempotency_key_reused",
  "award_not_found",
  "not_staff",
  "role_forbidden",
  "staff_not_found",
  "data_request_not_found",
  "consent_invalid",
  "consent_replayed",
  "consent_signer_mismatch",
  "consent_not_found",
  "consent_required",
  "consent_revoked",
  "erasure_invalid",
  "store_busy",
  "store_unavailable",
  "shutting_down",
  "internal",
] as const;
export type ProblemCode = (typeof PROBLEM_CODES)[number];

/** A problem as the API sends it (`Code`: what a client may also meet, e.g. a proxy's answer). */
export type ProblemBody<Code extends string = ProblemCode> = {
  type: string;
  title: string;
  status: number;
  code: Code;
  detail?: string;
  instance?: string;
  [extension: string]: unknown;
};
