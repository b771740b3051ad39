/**
 * What the SDK makes of each problem the API may answer. The map is exhaustive over the protocol's
 * closed list of codes: a code added to the API does not compile here until it is placed.
 *   - "api": an {@link ApiError} with the code as it is;
 *   - "stepRefused": from `completeStep`, a {@link StepRefusedError} (the API refusing the step);
 *   - "brandNotFound": from a call that names a brand, a {@link BrandNotFoundError};
 *   - "final": a 5xx answer a repeat of the same request would only get again, so it is not retried.
 * (`not_eligible` is a step refusal only from `completeStep`; elsewhere it stays an ApiError.)
 */
import type { ProblemCode } from "../protocol/problems.ts";

export type ProblemHandling = "api" | "stepRefused" | "brandNotFound" | "final";

export const PROBLEM_HANDLING = {
  bad_request: "api",
  validation_failed: "api",
  not_found: "api",
  method_not_allowed: "api",
  payload_too_large: "api",
  unsupported_media_type: "api",
  rate_limited: "api",
  unauthenticated: "api",
  forbidden: "api",
  session_expired: "api",
  origin_not_allowed: "api",
  origin_invalid: "api",
  origin_taken: "api",
  origin_not_found: "api",
  siwe_malformed: "api",
  siwe_domain_mismatch: "api",
  siwe_uri_mismatch: "api",
  siwe_chain_mismatch: "api",
  siwe_nonce_mismatch: "api",
  siwe_nonce_invalid: "api",
  siwe_expired: "api",
  siwe_not_yet_valid: "api",
  siwe_issued_in_future: "api",
  siwe_version: "api",
  siwe_bad_signature: "api",
  invalid_rule: "api",
  perk_not_found: "api",
  perk_not_started: "api",
  perk_ended: "api",
  not_eligible: "stepRefused",
  member_limit_reached: "api",
  vault_limit_reached: "api",
  invalid_webhook_url: "api",
  webhook_not_found: "api",
  webhook_message_not_found: "api",
  total_limit_reached: "api",
  idempotency_key_required: "api",
  idempotency_conflict: "api",
  redemption_not_found: "api",
  redemption_already_consumed: "api",
  chain_unavailable: "api",
  invalid_drop: "api",
  drop_not_found: "api",
  drop_not_started: "api",
  drop_ended: "api",
  claim_not_found: "api",
  membership_already_held: "api",
  mint_failed: "final",
  minter_unavailable: "final",
  minter_unauthorized: "final",
  quota_exceeded: "api",
  collection_not_owned: "api",
  collection_taken: "api",
  collection_unsupported: "api",
  not_collection_admin: "api",
  registration_invalid: "api",
  registration_expired: "api",
  registration_replayed: "api",
  brand_not_found: "brandNotFound",
  token_type_not_found: "api",
  collection_not_found: "api",
  image_not_found: "api",
  image_too_large: "api",
  image_type_unsupported: "api",
  invalid_journey: "api",
  journey_not_found: "api",
  step_not_found: "api",
  journey_has_progress: "api",
  journey_not_open: "stepRefused",
  step_locked: "stepRefused",
  step_not_member_completable: "stepRefused",
  quiz_wrong: "stepRefused",
  code_invalid: "stepRefused",
  code_used: "stepRefused",
  idempotency_key_reused: "api",
  award_not_found: "api",
  not_staff: "api",
  role_forbidden: "api",
  staff_not_found: "api",
  data_request_not_found: "api",
  consent_invalid: "api",
  consent_replayed: "api",
  consent_signer_mismatch: "api",
  consent_not_found: "api",
  consent_required: "api",
  consent_revoked: "api",
  erasure_invalid: "api",
  origin_not_registered: "api",
  store_busy: "api",
  store_unavailable: "api",
  shutting_down: "api",
  internal: "api",
} as const satisfies Record<ProblemCode, ProblemHandling>;

/** The codes the SDK handles as `handling`. */
export type CodesHandledAs<H extends ProblemHandling> = { [C in ProblemCode]: (typeof PROBLEM_HANDLING)[C] extends H ? C : never }[ProblemCode];

/** How the SDK handles `code` ("api" for one it does not know, e.g. a proxy's `http_502`). */
export function handlingOf(code: string): ProblemHandling {
  return Object.hasOwn(PROBLEM_HANDLING, code) ? PROBLEM_HANDLING[code as ProblemCode] : "api";
}
