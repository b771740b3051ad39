import { isAddressEqual } from "viem";
import type { Client } from "../types/client.ts";
import type { ApiErrorType, HttpRequestErrorType } from "../errors/api.ts";
import { NotSignedInError, type NotSignedInErrorType } from "../errors/session.ts";
import type { ChainMismatchErrorType, UserRejectedErrorType, WalletErrorType, WalletNotFoundErrorType, WalletTimeoutErrorType } from "../errors/wallet.ts";
import type { NonceGrant } from "../protocol/auth.ts";
import type { Erased } from "../protocol/data.ts";
import { apiRequest } from "../utils/http.ts";
import { endSession } from "../utils/session.ts";
import { callWallet, requireWallet } from "../utils/wallet.ts";
import { ensureChain } from "./switchChain.ts";
import { ERASURE_STATEMENT } from "../protocol/statements.ts";
import { nonceMessage } from "../utils/siwe.ts";

/** What the member signs to erase their data, word for word (the server accepts nothing else). */

export type EraseDataReturnType = Erased;
export type EraseDataErrorType =
  | ApiErrorType
  | HttpRequestErrorType
  | NotSignedInErrorType
  | UserRejectedErrorType
  | WalletNotFoundErrorType
  | WalletTimeoutErrorType
  | ChainMismatchErrorType
  | WalletErrorType;

/**
 * Erases the signed-in member's data after a fresh signature: gets a single-use nonce
 * (`GET /v1/auth/nonce`), has the wallet sign an EIP-4361 message whose statement is
 * {@link ERASURE_STATEMENT}, and sends it (`DELETE /v1/me`; not retried: the nonce is single-use).
 * The server deletes the profile, the grants with their receipts and the access log, keeps the
 * redemptions, claims and journey records a brand needs under a random pseudonym, and ends every
 * session of the member. So the client forgets its session too (without asking the server again)
 * and emits `sessionEnded` with reason "signedOut". Returns what was erased and unlinked.
 *
 * @example
 * if (confirm("Erase everything Stampbook keeps about you?")) {
 *   const erased = await client.eraseData();
 *   console.log(`${erased.consents} consents erased, ${erased.redemptionsUnlinked} redemptions unlinked`);
 * }
 */
export async function eraseData(client: Client): Promise<EraseDataReturnType> {
  const session = client.session;
  if (!session) throw new NotSignedInError({ action: "eraseData" });
  const wallet = requireWallet(client);

  const grant = await apiRequest<NonceGrant>(client, { method: "GET", path: "/v1/auth/nonce", auth: false, retry: true });
  await ensureChain(client, wallet, grant.chainId);
  const message = nonceMessage(grant, session.address, ERASURE_STATEMENT);
  const signature = await callWallet(client, "personal_sign", () => wallet.signMessage(message, session.address));
  const { erased } = await apiRequest<{ erased: Erased }>(client, { method: "DELETE", path: "/v1/me", body: { message, signature } });

  // The server ended every session of this member: forget ours (another member's stays).
  if (client.session && isAddressEqual(client.session.address, session.address)) await endSession(client, "signedOut", { revoke: false });
  return erased;
}
