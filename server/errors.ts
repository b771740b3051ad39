/**
 * RFC 9457 problem details. Every error the API returns is a {@link Problem} with a stable `code`
 * from the protocol's closed list (sdk/src/protocol/problems.ts) that clients (and the SDK's typed
 * errors) switch on; `title` and `detail` are for people.
 */
export type { ProblemBody, ProblemCode } from "../sdk/src/protocol/problems.ts";
import type { ProblemBody, ProblemCode } from "../sdk/src/protocol/problems.ts";

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
