/** A viem local Account (a private key, mnemonic or HD key) as a {@link StampbookWallet}. */
import { getAddress, type LocalAccount } from "viem";
import type { StampbookWallet } from "./types.ts";

/**
 * Wraps a viem local account: it signs invisibly and for any chain. It cannot send transactions
 * (it has no RPC); use a WalletClient for that.
 *
 * @example
 * import { privateKeyToAccount } from "viem/accounts";
 * const client = createStampbookClient({ apiUrl, wallet: viemAccountWallet(privateKeyToAccount(key)) });
 */
export function viemAccountWallet(account: Pick<LocalAccount, "address" | "signMessage">): StampbookWallet {
  const address = getAddress(account.address);
  return {
    kind: "viem-account",
    requestAddress: async () => address,
    getAddress: async () => address,
    signMessage: (message) => account.signMessage({ message }),
  };
}
