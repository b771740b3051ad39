/**
 * How a command fails: a reason in words and an exit code. 2 when it was refused before anything was
 * sent (a bad command line, a bad input file, no key), 1 for a failure while running it.
 */
export class CliError extends Error {
  override name = "CliError";
  readonly exitCode: 1 | 2;
  /** A stable word for scripts (`--json`): usage, refused, no_key, input, chain, reverted, api, … */
  readonly kind: string;
  /** More lines to print under the message (e.g. every bad row of a CSV). */
  readonly details: readonly string[];
  /** Extra fields for `--json` (e.g. an API problem's code and status). */
  readonly data: Record<string, unknown>;

  constructor(message: string, options: { exitCode?: 1 | 2; kind?: string; details?: readonly string[]; data?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.exitCode = options.exitCode ?? 1;
    this.kind = options.kind ?? "failed";
    this.details = options.details ?? [];
    this.data = options.data ?? {};
  }
}

/** The command line asks for something that cannot be done as typed. */
export function usageError(message: string, details: readonly string[] = []): CliError {
  return new CliError(message, { exitCode: 2, kind: "usage", details });
}
