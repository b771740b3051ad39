/** Errors of granting a brand's data request. */
import { StampbookError } from "./base.ts";

export type DataRequestNotFoundErrorType = DataRequestNotFoundError & { name: "DataRequestNotFoundError" };

/**
 * The data request to grant is not among the live ones (`GET /v1/data-requests`): it never existed,
 * or the brand withdrew it. Nothing was signed.
 *
 * @example
 * if (error instanceof DataRequestNotFoundError) await refreshRequests();
 */
export class DataRequestNotFoundError extends StampbookError {
  override name = "DataRequestNotFoundError";
  readonly requestId: string;
  constructor(parameters: { requestId: string }) {
    super("No such data request", { code: "data_request_not_found", details: `${parameters.requestId} is not a live data request` });
    this.requestId = parameters.requestId;
  }
}

/** The part of a consent template that is not what the SDK built from the data request. */
export type ConsentTemplatePart = "address" | "expirationTime" | "statement" | "resources" | "message";

export type ConsentTemplateMismatchErrorType = ConsentTemplateMismatchError & { name: "ConsentTemplateMismatchError" };

/**
 * The message the API asked the member to sign is not the one the SDK builds from the data request
 * (its fields, purpose, brand and retention) and the session: the wallet was not asked to sign.
 * `part` says which part differs: "address" (not the signed-in member's), "expirationTime" (not the
 * request's retention after `issuedAt`), "statement", "resources" (the ReCap) or "message" (the
 * EIP-4361 text itself).
 *
 * @example
 * if (error instanceof ConsentTemplateMismatchError) report(error.part, error.details);
 */
export class ConsentTemplateMismatchError extends StampbookError {
  override name = "ConsentTemplateMismatchError";
  readonly part: ConsentTemplatePart;
  constructor(parameters: { part: ConsentTemplatePart; details: string; cause?: unknown }) {
    super("The consent to sign is not what the data request says", {
      code: "consent_template_mismatch",
      details: parameters.details,
      cause: parameters.cause,
      metaMessages: [`Differs: ${parameters.part}`],
    });
    this.part = parameters.part;
  }
}
