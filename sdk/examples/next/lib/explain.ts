/** An error in words a member understands: the wallet's refusal, or the API's reason. */
import { ApiError, StampbookError, UserRejectedError } from "@stampbook/sdk";

export function explain(error: unknown): string {
  if (error instanceof UserRejectedError) return "You declined the request in your wallet.";
  if (error instanceof ApiError) {
    const { shortMessage, details } = error;
    return !details || details === shortMessage ? shortMessage : `${shortMessage}: ${details}`;
  }
  if (error instanceof StampbookError) return error.shortMessage;
  return error instanceof Error ? error.message : String(error);
}
