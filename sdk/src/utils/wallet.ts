/** Calls into the member's wallet with the client's timeout and the SDK's errors. */
import type { Client } from "../types/client.ts";
import { WalletNotFoundError, WalletTimeoutError, toWalletError } from "../errors/wallet.ts";
import type { StampbookWallet } from "../wallets/types.ts";

/** The client's wallet, or {@link WalletNotFoundError}. */
export function requireWallet(client: Client): StampbookWallet {
  if (!client.wallet) throw new WalletNotFoundError();
  return client.wallet;
}

/**
 * Runs one wallet request: a 4001 becomes {@link UserRejectedError}, silence beyond `timeout`
 * (default: the client's `walletTimeout`) {@link WalletTimeoutError}, anything else a WalletError.
 */
export async function callWallet<T>(client: Client, method: string, fn: () => Promise<T>, timeout = client.walletTimeout): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WalletTimeoutError({ method, timeout })), timeout);
  });
  try {
    return await Promise.race([Promise.resolve().then(fn), expired]);
  } catch (error) {
    throw toWalletError(error, method);
  } finally {
    clearTimeout(timer);
  }
}
