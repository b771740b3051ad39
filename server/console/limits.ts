/** The API's rate limits in the console's words: what was refused and how long to wait, never a raw code. */
import { ApiProblem } from "./api.ts";

/**
 * `Too many <what> in a minute: wait N seconds.` for a 429 `rate_limited` problem (the seconds from its
 * `retryAfter`, which Retry-After repeats); null for any other error.
 */
export function rateLimitWords(error: unknown, what: string): string | null {
  if (!(error instanceof ApiProblem) || error.code !== "rate_limited") return null;
  const after = Number(error.body.retryAfter);
  const seconds = Number.isFinite(after) && after > 0 ? Math.ceil(after) : null;
  return `Too many ${what} in a minute: ${seconds === null ? "wait a minute" : `wait ${seconds} ${seconds === 1 ? "second" : "seconds"}`}.`;
}
