import type { Address } from "viem";
import type { Client } from "../types/client.ts";
import { ApiError, type HttpRequestErrorType } from "../errors/api.ts";
import type { Session } from "../protocol/auth.ts";
import type { Me } from "../protocol/members.ts";
import { endSession, loadSession } from "../utils/session.ts";
import { callWallet } from "../utils/wallet.ts";
import { getMe } from "./getMe.ts";

export type RestoreSessionReturnType = { session: Session; me: Me } | null;
export type RestoreSessionErrorType = HttpRequestErrorType;

/** At most this long for the silent account check on page load. */
const ACCOUNT_CHECK_TIMEOUT = 5_000;

/**
 * Restores the session kept in storage after a page reload and checks it with the server
 * (`GET /v1/me`). Returns the session and the member, or null when there is none to restore: none
 * stored, expired, revoked on the server, or an EIP-1193 wallet that now shows another account
 * (checked silently with `eth_accounts`; the session is then ended with reason "accountChanged").
 * When the API cannot be reached it throws and keeps the stored session for a later try.
 *
 * @example
 * const restored = await client.restoreSession();
 * if (restored) render(restored.me);
 * else showSignInButton();
 */
export async function restoreSession(client: Client): Promise<RestoreSessionReturnType> {
  const stored = client.session ?? (await loadSession(client));
  if (!stored) return null;
  client.session = stored;

  let me: Me;
  let walletAddress: Address | null;
  try {
    [me, walletAddress] = await Promise.all([getMe(client), silentAddress(client)]);
  } catch (error) {
    // A 401 has already ended the session (reason "expired").
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
  if (walletAddress !== null && walletAddress !== stored.address) {
    await endSession(client, "accountChanged", { revoke: true });
    client.emit("accountChanged", { address: walletAddress, previousAddress: stored.address });
    return null;
  }
  return { session: stored, me };
}

/** The account an EIP-1193 wallet shows now, without prompting; null if unknown. */
async function silentAddress(client: Client): Promise<Address | null> {
  const wallet = client.wallet;
  if (!wallet?.getAddress || wallet.kind !== "eip1193") return null;
  return callWallet(client, "eth_accounts", () => wallet.getAddress!(), Math.min(client.walletTimeout, ACCOUNT_CHECK_TIMEOUT)).catch(() => null);
}
