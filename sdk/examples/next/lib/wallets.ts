/**
 * The two ways a member signs in: a wallet the browser has (announced with EIP-6963, or the older
 * `window.ethereum`), or an embedded key kept in this browser for members who have none. The choice is
 * remembered so a reload restores the same wallet without asking.
 */
import { discoverWallets, type Eip1193Provider } from "@stampbook/sdk";
import type { EmbeddedWallet } from "@stampbook/sdk/embedded";

export type WalletKind = "injected" | "embedded";

const WALLET_KIND_KEY = "stampbook-example:wallet";

export function rememberedWalletKind(): WalletKind | null {
  const kind = localStorage.getItem(WALLET_KIND_KEY);
  return kind === "injected" || kind === "embedded" ? kind : null;
}

export function rememberWalletKind(kind: WalletKind | null): void {
  if (kind === null) localStorage.removeItem(WALLET_KIND_KEY);
  else localStorage.setItem(WALLET_KIND_KEY, kind);
}

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
