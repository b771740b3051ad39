/** Errors of talking to the Stampbook API. */
import type { ProblemBody, ProblemCode } from "../protocol/problems.ts";
import { StampbookError } from "./base.ts";

/**
 * A problem's code: one of the API's (the protocol's closed list), or `http_<status>` when the answer
 * was not a problem at all (a proxy's error page).
 */
export type ApiErrorCode = ProblemCode | `http_${number}`;

/** An RFC 9457 problem as the API sends it; `code` is stable, `title` and `detail` are for people. */
export type Problem = ProblemBody<ApiErrorCode>;

export type ApiErrorType = ApiError & { name: "ApiError" };

/**
 * The API answered with an error. `code` is exactly the server's problem `code` (for example
 * `not_eligible`, `member_limit_reached`, `siwe_nonce_invalid`, `chain_unavailable`).
 *
 * @example
 * try {
 *   await client.redeemPerk({ perkId });
 * } catch (error) {
 *   if (error instanceof ApiError && error.code === "not_eligible") showWhy(error.problem);
 * }
 */
export class ApiError extends StampbookError {
  override name = "ApiError";
  /** The problem's code: the server's, from the protocol's closed list (`http_<status>` when the answer was not a problem). */
  declare readonly code: ApiErrorCode;
  /** HTTP status. */
  readonly status: number;
  /** The problem body as received (with its extensions). */
  readonly problem: Problem;
  readonly method: string;
  readonly url: string;
  /** The server's `x-request-id`, to quote in support requests. */
  readonly requestId: string | undefined;

  constructor(parameters: { problem: Problem; method: string; url: string; requestId?: string | undefined }) {
    const { problem, method, url, requestId } = parameters;
    super(problem.title || `The API answered ${problem.status}`, {
      code: problem.code,
      details: problem.detail ?? "",
      metaMessages: [`Request: ${method} ${url} (${problem.status}${requestId ? `, request id ${requestId}` : ""})`],
    });
    this.status = problem.status;
    this.problem = problem;
    this.method = method;
    this.url = url;
    this.requestId = requestId;
  }
}

export type HttpRequestErrorType = HttpRequestError & { name: "HttpRequestError" };

/**
 * The request did not get an answer: the network failed, or it took longer than the client's
 * `requestTimeout` (`timedOut` is then true).
 *
 * @example
 * if (error instanceof HttpRequestError && error.timedOut) showRetry();
 */
export class HttpRequestError extends StampbookError {
  override name = "HttpRequestError";
  readonly method: string;
  readonly url: string;
  readonly timedOut: boolean;

  constructor(parameters: { method: string; url: string; cause?: unknown; timedOut?: boolean; timeout?: number }) {
    const { method, url, cause, timedOut = false, timeout } = parameters;
    super(timedOut ? "The API did not answer in time" : "The API could not be reached", {
      cause,
      code: timedOut ? "request_timeout" : "network_error",
      ...(timedOut ? { details: `no answer within ${timeout} ms` } : {}),
      metaMessages: [`Request: ${method} ${url}`],
    });
    this.method = method;
    this.url = url;
    this.timedOut = timedOut;
  }
}
