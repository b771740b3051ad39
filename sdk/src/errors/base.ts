/**
 * The one base class of every error the SDK throws, in viem's style: a one-line `shortMessage` for
 * people, `details` with the underlying reason, a `cause` chain that {@link StampbookError.walk}
 * follows, and a `name` callers can narrow on (`if (error.name === "UserRejectedError")`).
 */

export type StampbookErrorParameters = {
  /** The underlying error, if any. */
  cause?: unknown;
  /** The underlying reason in words (defaults to the cause's message). */
  details?: string;
  /** Extra lines shown under the short message. */
  metaMessages?: string[];
  /** A stable machine-readable code (for API errors, the server's problem `code`). */
  code?: string;
};

export type StampbookErrorType = StampbookError & { name: "StampbookError" };

/**
 * Base class of the SDK's errors.
 *
 * @example
 * try {
 *   await client.redeemPerk({ perkId: "perk_123" });
 * } catch (error) {
 *   if (error instanceof StampbookError) console.log(error.shortMessage, error.code);
 * }
 */
export class StampbookError extends Error {
  override name = "StampbookError";
  /** One line for people, without the details. */
  readonly shortMessage: string;
  /** The underlying reason, or "". */
  readonly details: string;
  readonly metaMessages: string[];
  /** Stable machine-readable code; for {@link ApiError}, exactly the server's problem `code`. */
  readonly code: string;

  constructor(shortMessage: string, parameters: StampbookErrorParameters = {}) {
    const details = parameters.details ?? causeMessage(parameters.cause);
    const lines = [shortMessage, ...(parameters.metaMessages ?? []), ...(details ? [`Details: ${details}`] : [])];
    super(lines.join("\n"), parameters.cause === undefined ? undefined : { cause: parameters.cause });
    this.shortMessage = shortMessage;
    this.details = details;
    this.metaMessages = parameters.metaMessages ?? [];
    this.code = parameters.code ?? "stampbook_error";
  }

  /**
   * Follows the `cause` chain and returns the deepest error, or the first one `fn` accepts.
   *
   * @example
   * const rejected = error.walk((e) => (e as { code?: unknown }).code === 4001);
   */
  walk(fn?: (error: unknown) => boolean): unknown {
    return walk(this, fn);
  }
}

/** The deepest error in `error`'s cause chain, or the first one `fn` accepts (null if none). */
export function walk(error: unknown, fn?: (error: unknown) => boolean): unknown {
  let current: unknown = error;
  for (let depth = 0; depth < 32; depth++) {
    if (fn?.(current)) return current;
    const next = current !== null && typeof current === "object" ? (current as { cause?: unknown }).cause : undefined;
    if (next === undefined || next === null) return fn ? null : current;
    current = next;
  }
  return fn ? null : current;
}

function causeMessage(cause: unknown): string {
  if (cause instanceof StampbookError) return cause.details || cause.shortMessage;
  if (cause instanceof Error) return cause.message;
  if (cause !== null && typeof cause === "object" && typeof (cause as { message?: unknown }).message === "string") return (cause as { message: string }).message;
  return cause === undefined ? "" : String(cause);
}
