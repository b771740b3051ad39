/** What every console screen is: its element, and `show()` that (re)loads what it displays. */
import type { Address } from "viem";
import type { ConsoleConfig } from "./config.ts";
import type { Role } from "./wallet.ts";

export type Screen = { element: HTMLElement; show(): Promise<void> };

/**
 * Who the console acts as: a staff member signed in with their wallet, or the brand's API key (a new
 * brand's way in before any wallet is its owner; it acts as a manager, and has no address).
 */
export type ConsoleSession = { brandId: string; brandName: string; role: Role; address: Address | null; via: "wallet" | "apiKey" };

/** What screens may read: the page's configuration and who is signed in, and a way to sign in with the wallet as staff. */
export type ConsoleContext = {
  config: ConsoleConfig;
  session: () => ConsoleSession;
  /** Signs the connected wallet in as staff of `brandId` (e.g. the owner of a collection just registered). */
  signInWithWallet: (brandId: string) => Promise<ConsoleSession>;
};
