/**
 * The one place `chain_unavailable` is built. What the RPC said (it may name internal hosts, and
 * carries calldata and arguments) stays on the problem as its cause, for the log's bounded error
 * serializer only: clients never see it.
 */
import { Problem } from "../errors.ts";

/**
 * A 503 `chain_unavailable`: the chain could not be read or written, so nothing was unlocked,
 * recorded or minted.
 *
 * @param detail what did not happen, in words for the client, e.g. "Ownership could not be checked; nothing was unlocked."
 * @param cause the underlying error, kept for the log
 * @param extensions more members of the problem body (e.g. the failed claim)
 */
export function chainUnavailable(detail: string, cause?: unknown, extensions: Record<string, unknown> = {}): Problem {
  const problem = new Problem(503, "chain_unavailable", "The chain cannot be reached right now", detail, extensions);
  return cause === undefined ? problem : problem.withCause(cause);
}
