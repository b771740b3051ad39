/** Errors about the member's session. */
import { StampbookError } from "./base.ts";

export type NotSignedInErrorType = NotSignedInError & { name: "NotSignedInError" };

/**
 * The action needs a signed-in member and the client has no session: call `signIn()` (or `restoreSession()`) first.
 *
 * @example
 * if (error instanceof NotSignedInError) await client.signIn();
 */
export class NotSignedInError extends StampbookError {
  override name = "NotSignedInError";
  constructor(parameters: { action?: string } = {}) {
    super("Sign in first", { code: "not_signed_in", ...(parameters.action ? { details: `${parameters.action} needs a signed-in member` } : {}) });
  }
}
