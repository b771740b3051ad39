/** Errors of claiming a drop. */
import type { Claim } from "../protocol/drops.ts";
import { StampbookError } from "./base.ts";

export type ClaimFailedErrorType = ClaimFailedError & { name: "ClaimFailedError" };

/**
 * The server could not mint the claim (status "failed": the API answered `mint_failed` or
 * `chain_unavailable` with the claim, or polling found it failed); `claim` is its last state and the
 * API's error, if any, is the `cause`. Claiming again (a new Idempotency-Key) is safe.
 *
 * @example
 * if (error instanceof ClaimFailedError) console.warn(error.claim.id, error.details);
 */
export class ClaimFailedError extends StampbookError {
  override name = "ClaimFailedError";
  readonly claim: Claim;
  constructor(claim: Claim, parameters: { cause?: unknown } = {}) {
    super("The claim failed", {
      code: "claim_failed",
      cause: parameters.cause,
      details: claim.error ? `${claim.error.code}: ${claim.error.message}` : `claim ${claim.id}`,
      metaMessages: ["Nothing was minted and the claim does not count against the drop's limits: claim again."],
    });
    this.claim = claim;
  }
}

export type ClaimPendingErrorType = ClaimPendingError & { name: "ClaimPendingError" };

/**
 * The claim was still pending when the client stopped polling (`pollTimeout`). It may still succeed:
 * ask again later with `client.getClaim({ claimId: error.claim.id })`.
 *
 * @example
 * if (error instanceof ClaimPendingError) later(() => client.getClaim({ claimId: error.claim.id }));
 */
export class ClaimPendingError extends StampbookError {
  override name = "ClaimPendingError";
  readonly claim: Claim;
  constructor(claim: Claim, timeout: number) {
    super("The claim is still pending", { code: "claim_pending", details: `claim ${claim.id} not minted within ${timeout} ms` });
    this.claim = claim;
  }
}
