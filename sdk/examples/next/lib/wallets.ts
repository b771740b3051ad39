/**
 * The two ways a member signs in: a wallet the browser has (announced with EIP-6963, or the older
 * `window.ethereum`), or an embedded key kept in this browser for members who have none.
 */
import { discoverWallets, type Eip1193Provider } from "@stampbook/sdk";
import type { EmbeddedWallet } from "@stampbook/sdk/embedded";

export type WalletKind = "injected" | "embedded";

/** The browser's wallet: the first one announced, else `window.ethereum`, else null. */
export async function browserWallet(): Promise<Eip1193Provider | null> {
  const [announced] = await discoverWallets({ timeout: 300 });
  return announced?.provider ?? (window as { ethereum?: Eip1193Provider }).ethereum ?? null;
}

/** The embedded wallet, loaded only when used (its key code is kept out of the first load). */
export async function embeddedWallet(create: boolean): Promise<EmbeddedWallet> {
  const { createEmbeddedWallet } = await import("@stampbook/sdk/embedded");
  return createEmbeddedWallet({ create });
}
