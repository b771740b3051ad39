import { encodeFunctionData, getAddress, type Hex } from "viem";
import { stampbookCollectionAbi } from "../../../contracts/bindings/stampbookCollectionAbi.ts";
import type { Client } from "../types/client.ts";
import { ApiError, type ApiErrorType, type HttpRequestErrorType } from "../errors/api.ts";
import { StampbookError } from "../errors/base.ts";
import { ClaimFailedError, ClaimPendingError, type ClaimFailedErrorType, type ClaimPendingErrorType } from "../errors/claim.ts";
import type { NotSignedInErrorType } from "../errors/session.ts";
import { WalletError, type ChainMismatchErrorType, type UserRejectedErrorType, type WalletErrorType, type WalletTimeoutErrorType } from "../errors/wallet.ts";
import type { Claim } from "../protocol/drops.ts";
import { apiRequest, newIdempotencyKey, sleep } from "../utils/http.ts";
import { callWallet, requireWallet } from "../utils/wallet.ts";
import { getClaim } from "./getClaim.ts";
import { ensureChain } from "./switchChain.ts";

export type ClaimDropParameters = {
  dropId: string;
  /**
   * Voucher drops only: submit the voucher from the member's wallet (`eth_sendTransaction` calling the
   * collection's `claim(voucher, r, vs)`; the member pays the gas and the voucher's price). Without
   * it the voucher is returned for the app (or a relayer) to submit.
   */
  submit?: boolean;
  /** The Idempotency-Key (default: a new random one); keep your own across reloads to resume a claim. */
  idempotencyKey?: string;
  /** How long to poll a pending mint before giving up with {@link ClaimPendingError}, in ms. Default 120,000. */
  pollTimeout?: number;
};

export type ClaimDropReturnType = Claim & {
  /** True when this call submitted the voucher; `txHash` is then the member's transaction. */
  submitted?: boolean;
};

export type ClaimDropErrorType =
  | ApiErrorType
  | HttpRequestErrorType
  | NotSignedInErrorType
  | ClaimFailedErrorType
  | ClaimPendingErrorType
  | UserRejectedErrorType
  | WalletTimeoutErrorType
  | ChainMismatchErrorType
  | WalletErrorType;

/**
 * Claims a drop (`POST /v1/drops/:id/claim` with an Idempotency-Key, retried with the same key on
 * network errors, timeouts and 5xx).
 * - Mode "mint": the server mints for the member (no gas for them). It answers the claim once
 *   minted; if it answers "pending", the claim is polled (`GET /v1/claims/:id`) until "minted" or
 *   "failed" ({@link ClaimFailedError}), at most `pollTimeout` ({@link ClaimPendingError}).
 * - Mode "voucher": the server answers the claim "issued" with a signed `voucher` (fields, `r`, `vs`).
 *   With `submit: true` the member's wallet sends `claim(voucher, r, vs)` to the collection (on the
 *   voucher's chain, switching the wallet if needed) and `txHash` is that transaction; otherwise the
 *   voucher is returned for the app or a relayer to submit.
 * A claim the server could not mint is a {@link ClaimFailedError} (claiming again is safe).
 *
 * @example
 * const claim = await client.claimDrop({ dropId: "drop_summer" });
 * console.log(claim.status, claim.txHash); // "minted", "0x…"
 *
 * const voucherClaim = await client.claimDrop({ dropId: "drop_limited", submit: true });
 * console.log(voucherClaim.submitted, voucherClaim.txHash);
 */
export async function claimDrop(client: Client, parameters: ClaimDropParameters): Promise<ClaimDropReturnType> {
  let claim: Claim;
  try {
    claim = await apiRequest<Claim>(client, {
      method: "POST",
      path: `/v1/drops/${encodeURIComponent(parameters.dropId)}/claim`,
      idempotencyKey: parameters.idempotencyKey ?? newIdempotencyKey(),
      retry: true,
    });
  } catch (error) {
    // mint_failed / chain_unavailable with the failed claim: nothing was minted.
    const failed = error instanceof ApiError ? (error.problem.claim as Claim | undefined) : undefined;
    if (failed?.status === "failed") throw new ClaimFailedError(failed, { cause: error });
    throw error;
  }
  if (claim.mode === "voucher") {
    if (!parameters.submit) return claim;
    return { ...claim, txHash: await submitVoucher(client, claim), submitted: true };
  }
  return waitForClaim(client, claim, parameters.pollTimeout ?? 120_000);
}

async function waitForClaim(client: Client, first: Claim, timeout: number): Promise<Claim> {
  const deadline = Date.now() + timeout;
  let claim = first;
  while (claim.status === "pending") {
    const left = deadline - Date.now();
    if (left <= 0) throw new ClaimPendingError(claim, timeout);
    await sleep(Math.min(client.pollingInterval, left));
    claim = await getClaim(client, { claimId: claim.id });
  }
  if (claim.status === "failed") throw new ClaimFailedError(claim);
  return claim;
}

async function submitVoucher(client: Client, claim: Claim): Promise<Hex> {
  const wallet = requireWallet(client);
  const voucher = claim.voucher;
  if (!voucher?.r || !voucher.vs) {
    throw new StampbookError("The claim carries no voucher to submit", { code: "voucher_missing", details: `claim ${claim.id}` });
  }
  if (!wallet.sendTransaction) {
    throw new WalletError({ method: "eth_sendTransaction", unsupported: true, details: `a ${wallet.kind} wallet cannot send transactions: submit the voucher with another wallet or a relayer` });
  }
  const chainId = voucher.chainId ?? client.session?.chainId;
  await ensureChain(client, wallet, chainId);
  const from = await callWallet(client, "eth_requestAccounts", () => wallet.requestAddress());
  const data = encodeFunctionData({
    abi: stampbookCollectionAbi,
    functionName: "claim",
    args: [
      {
        to: getAddress(voucher.to),
        id: BigInt(voucher.id),
        amount: BigInt(voucher.amount),
        validAfter: BigInt(voucher.validAfter),
        validUntil: BigInt(voucher.validUntil),
        uid: voucher.uid,
        price: BigInt(voucher.price),
      },
      voucher.r,
      voucher.vs,
    ],
  });
  const request = { from, to: getAddress(voucher.collection ?? claim.collection), data, value: BigInt(voucher.price), chainId };
  return callWallet(client, "eth_sendTransaction", () => wallet.sendTransaction!(request));
}
