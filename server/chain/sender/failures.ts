/**
 * Why a send did not happen, read from what viem and the node said: a problem code and words for
 * people, with the collection's revert decoded when there was one. Also the few questions the
 * sender and the settlement ask of an error (the transport failed? the nonce was refused? the node
 * has it already?).
 */
import { BaseError, ContractFunctionRevertedError, HttpRequestError, InsufficientFundsError, NonceTooHighError, NonceTooLowError, RpcRequestError, SocketClosedError, TimeoutError, type Hex } from "viem";

/** Why a mint did not happen, as a problem code. */
export type MintFailureCode = "mint_failed" | "chain_unavailable";

/** A revert the collection answered with: the custom error's name when the ABI knows it (null when it does not: a recipient contract's own), and its arguments. */
export type Revert = { name: string | null; args: readonly unknown[] };

/** Refused before broadcast, or at it (then `txHash` is the transaction the node refused). */
export type SendFailure = { status: "failed"; code: MintFailureCode; message: string; txHash?: Hex; revert?: Revert };

export function errorText(error: unknown): string {
  if (error instanceof BaseError) return `${error.shortMessage} ${error.details ?? ""} ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** A refusal because of the nonce: viem's typed errors where it maps them, the node's words otherwise. */
export function isNonceError(error: unknown, which: "low" | "any" = "any"): boolean {
  const typed = error instanceof BaseError && error.walk((e) => e instanceof NonceTooLowError || (which === "any" && e instanceof NonceTooHighError)) !== null;
  const pattern = which === "low" ? /nonce too low|nonce has already been used|nonce is too low/i : /nonce too (low|high)|nonce has already been used|nonce is too (low|high)/i;
  return typed || pattern.test(errorText(error));
}

/** The node's words for "I have this transaction already". */
export function isAlreadyKnown(error: unknown): boolean {
  return /already known|known transaction|already imported/i.test(errorText(error));
}

/** The request may not have reached the node, or its answer was lost: nothing can be concluded from it. */
export function isTransportError(error: unknown): boolean {
  if (!(error instanceof BaseError)) return true; // fetch and socket failures arrive unwrapped
  return error.walk((e) => e instanceof HttpRequestError || e instanceof TimeoutError || e instanceof SocketClosedError) !== null;
}

/** The revert inside a failed call: viem decodes it with the collection's ABI (a recipient contract's own error stays nameless). */
function revertOf(error: BaseError): { name: string | null; args: readonly unknown[]; reason: string | undefined } | null {
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null;
  if (reverted === null) return null;
  return { name: reverted.data?.errorName ?? null, args: reverted.data?.args ?? [], reason: reverted.reason ?? (reverted.signature ? `error ${reverted.signature}` : undefined) };
}

/** The collection's custom errors a member may meet, in words. */
const REVERTS_IN_WORDS: Record<string, string> = {
  MaxSupplyExceeded: "none are left",
  MembershipAlreadyHeld: "you already hold this membership",
  EnforcedPause: "the collection is paused for now",
  ERC1155InvalidReceiver: "this wallet cannot receive it",
  UnknownTokenType: "the item does not exist",
  AccessControlUnauthorizedAccount: "the brand's minter may not mint on this collection",
  AmountTooLarge: "the amount is too large",
};

/** A failure before or at broadcast, as a problem code and a message for people (and the revert, decoded, when there was one). */
export function classify(error: unknown, what: "mint" | "airdrop" = "mint"): { code: MintFailureCode; message: string; revert?: Revert } {
  if (error instanceof BaseError) {
    const reverted = revertOf(error);
    if (reverted !== null) {
      // Members read the message: the reason in words; the decoded error stays in `revert`, for details.
      const words = reverted.name === null ? undefined : REVERTS_IN_WORDS[reverted.name];
      const detail = reverted.name === null ? (reverted.reason ?? "no reason given") : words === undefined ? reverted.name : `${words} (${reverted.name})`;
      return { code: "mint_failed", message: `the collection refused the ${what}: ${detail}`, revert: { name: reverted.name, args: reverted.args } };
    }
    if (error.walk((e) => e instanceof InsufficientFundsError) !== null) {
      return { code: "mint_failed", message: "the minter cannot pay for gas (insufficient funds)" };
    }
    if (isTransportError(error)) return { code: "chain_unavailable", message: "the chain cannot be reached" };
    if (error.walk((e) => e instanceof RpcRequestError) !== null || error.shortMessage) {
      return { code: "mint_failed", message: error.shortMessage };
    }
  }
  if (!(error instanceof BaseError)) return { code: "chain_unavailable", message: "the chain cannot be reached" };
  return { code: "mint_failed", message: "the mint could not be sent" };
}
