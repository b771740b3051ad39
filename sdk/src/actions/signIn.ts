import { getAddress } from "viem";
import type { Client } from "../types/client.ts";
import type { ApiErrorType, HttpRequestErrorType } from "../errors/api.ts";
import {
  WalletNotFoundError,
  type ChainMismatchErrorType,
  type UserRejectedErrorType,
  type WalletErrorType,
  type WalletNotFoundErrorType,
  type WalletTimeoutErrorType,
} from "../errors/wallet.ts";
import type { NonceGrant, Session } from "../protocol/auth.ts";
import { apiRequest } from "../utils/http.ts";
import { revokeToken, saveSession } from "../utils/session.ts";
import { nonceMessage } from "../utils/siwe.ts";
import { callWallet } from "../utils/wallet.ts";
import { toWallet, type WalletInput } from "../wallets/toWallet.ts";
import { ensureChain } from "./switchChain.ts";

export type SignInParameters = {
  /** Sign in with this wallet instead of the client's; on success it becomes the client's wallet. */
  wallet?: WalletInput;
  /**
   * A referral invitation code, e.g. `invitationFromUrl()` from a `?invite=` link (null: none). If this
   * is the address's first sign-in, the inviter's referral step completes; existing members' is ignored.
   */
  invitation?: string | null;
};
export type SignInReturnType = Session;
export type SignInErrorType =
  | ApiErrorType
  | HttpRequestErrorType
  | UserRejectedErrorType
  | WalletNotFoundErrorType
  | WalletTimeoutErrorType
  | ChainMismatchErrorType
  | WalletErrorType;

/**
 * Signs the member in with Sign-In with Ethereum (EIP-4361): asks the wallet for its account, gets a
 * single-use nonce and the message fields from the API (`GET /v1/auth/nonce`), puts the wallet on
 * the API's chain, has the wallet sign the message (`personal_sign`), and trades the signature for a
 * session (`POST /v1/auth/verify`), which is kept in the client's storage. A previous session of the
 * client is revoked. An `invitation` code goes along with the signature.
 *
 * @example
 * const session = await client.signIn();
 * console.log(session.address, session.expiresAt);
 * // as an action: const session = await signIn(client);
 * // arriving from an invitation link (https://shop.example/?invite=K7QP3XMD):
 * await client.signIn({ invitation: invitationFromUrl() });
 */
export async function signIn(client: Client, parameters: SignInParameters = {}): Promise<SignInReturnType> {
  const wallet = parameters.wallet === undefined ? client.wallet : toWallet(parameters.wallet);
  if (!wallet) throw new WalletNotFoundError();

  const address = await callWallet(client, "eth_requestAccounts", () => wallet.requestAddress());
  const grant = await apiRequest<NonceGrant>(client, { method: "GET", path: "/v1/auth/nonce", auth: false, retry: true });
  await ensureChain(client, wallet, grant.chainId);
  const message = nonceMessage(grant, address);
  const signature = await callWallet(client, "personal_sign", () => wallet.signMessage(message, address));
  // Not retried: the nonce is single-use, so a repeat after a lost answer could only fail.
  const signed = await apiRequest<Session>(client, { method: "POST", path: "/v1/auth/verify", auth: false, body: { message, signature, ...(parameters.invitation ? { invitation: parameters.invitation } : {}) } });

  const session: Session = { token: signed.token, address: getAddress(signed.address), chainId: signed.chainId, expiresAt: signed.expiresAt };
  const previous = client.session;
  await saveSession(client, session);
  if (wallet !== client.wallet) client.setWallet(wallet);
  if (previous && previous.token !== session.token) void revokeToken(client, previous.token);
  client.emit("signedIn", { session });
  return session;
}
