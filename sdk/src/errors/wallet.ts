/** Errors of the member's wallet: missing, rejected, slow, on the wrong chain, or failing. */
import { StampbookError, walk } from "./base.ts";

export type UserRejectedErrorType = UserRejectedError & { name: "UserRejectedError" };

/**
 * The member declined the request in their wallet (EIP-1193 error 4001). Not a crash: offer to try again.
 *
 * @example
 * try { await client.signIn(); } catch (error) { if (error instanceof UserRejectedError) return; throw error; }
 */
export class UserRejectedError extends StampbookError {
  override name = "UserRejectedError";
  constructor(parameters: { method?: string; cause?: unknown } = {}) {
    super("The request was rejected in the wallet", { cause: parameters.cause, code: "user_rejected", ...(parameters.method ? { metaMessages: [`Wallet request: ${parameters.method}`] } : {}) });
  }
}

export type WalletNotFoundErrorType = WalletNotFoundError & { name: "WalletNotFoundError" };

/**
 * There is no wallet to use: none was given (e.g. `window.ethereum` is undefined), the object given is
 * not a wallet the SDK knows, or it has no account.
 *
 * @example
 * if (error instanceof WalletNotFoundError) offerEmbeddedWallet();
 */
export class WalletNotFoundError extends StampbookError {
  override name = "WalletNotFoundError";
  constructor(parameters: { details?: string; cause?: unknown } = {}) {
    super("No wallet was found", { code: "wallet_not_found", details: parameters.details ?? "pass an EIP-1193 provider, a viem Account or WalletClient, an ethers Signer or an embedded wallet", cause: parameters.cause });
  }
}

export type WalletTimeoutErrorType = WalletTimeoutError & { name: "WalletTimeoutError" };

/**
 * The wallet did not answer within the client's `walletTimeout` (default 60 s): a prompt left open,
 * a locked extension, a phone that went to sleep.
 *
 * @example
 * const client = createStampbookClient({ apiUrl, wallet, walletTimeout: 30_000 });
 */
export class WalletTimeoutError extends StampbookError {
  override name = "WalletTimeoutError";
  readonly method: string;
  readonly timeout: number;
  constructor(parameters: { method: string; timeout: number }) {
    super("The wallet did not answer in time", { code: "wallet_timeout", details: `${parameters.method}: no answer within ${parameters.timeout} ms` });
    this.method = parameters.method;
    this.timeout = parameters.timeout;
  }
}

export type ChainMismatchErrorType = ChainMismatchError & { name: "ChainMismatchError" };

/**
 * The wallet is on another chain than the API's and could not be switched: the wallet does not know
 * the chain (4902) and the client has no `chain: { rpcUrl, name }` to add it, or the wallet cannot switch.
 *
 * @example
 * if (error instanceof ChainMismatchError) alert(`Switch your wallet to chain ${error.expected}`);
 */
export class ChainMismatchError extends StampbookError {
  override name = "ChainMismatchError";
  readonly expected: number;
  readonly actual: number | undefined;
  constructor(parameters: { expected: number; actual?: number | undefined; details?: string; cause?: unknown }) {
    super(`The wallet is not on chain ${parameters.expected}`, {
      code: "chain_mismatch",
      cause: parameters.cause,
      details: parameters.details ?? (parameters.actual === undefined ? "" : `the wallet is on chain ${parameters.actual}`),
    });
    this.expected = parameters.expected;
    this.actual = parameters.actual;
  }
}

export type WalletErrorType = WalletError & { name: "WalletError" };

/**
 * The wallet failed a request for another reason (its EIP-1193 error `rpcCode`, if any, is kept), or
 * cannot do what was asked (`code` "wallet_unsupported", e.g. sending a transaction from a bare Account).
 *
 * @example
 * if (error instanceof WalletError) console.warn(error.method, error.rpcCode, error.details);
 */
export class WalletError extends StampbookError {
  override name = "WalletError";
  readonly method: string;
  /** The EIP-1193 / JSON-RPC error code, when the wallet gave one. */
  readonly rpcCode: number | undefined;
  constructor(parameters: { method: string; cause?: unknown; details?: string; rpcCode?: number | undefined; unsupported?: boolean }) {
    super(parameters.unsupported ? "The wallet cannot do this" : "The wallet request failed", {
      code: parameters.unsupported ? "wallet_unsupported" : "wallet_error",
      cause: parameters.cause,
      ...(parameters.details === undefined ? {} : { details: parameters.details }),
      metaMessages: [`Wallet request: ${parameters.method}${parameters.rpcCode === undefined ? "" : ` (code ${parameters.rpcCode})`}`],
    });
    this.method = parameters.method;
    this.rpcCode = parameters.rpcCode;
  }
}

/** The EIP-1193 / JSON-RPC numeric code anywhere in `error`'s cause chain. */
export function rpcCodeOf(error: unknown): number | undefined {
  const found = walk(error, (e) => typeof (e as { code?: unknown } | null)?.code === "number");
  return found === null ? undefined : ((found as { code: number }).code);
}

/** True if the member rejected: EIP-1193 4001 anywhere in the chain, or ethers' "ACTION_REJECTED". */
export function isUserRejection(error: unknown): boolean {
  return walk(error, (e) => {
    const code = (e as { code?: unknown } | null)?.code;
    return code === 4001 || code === "ACTION_REJECTED";
  }) !== null;
}

/** Turns whatever a wallet threw into one of the SDK's wallet errors. */
export function toWalletError(error: unknown, method: string): StampbookError {
  if (error instanceof StampbookError) return error;
  if (isUserRejection(error)) return new UserRejectedError({ method, cause: error });
  return new WalletError({ method, cause: error, rpcCode: rpcCodeOf(error) });
}
