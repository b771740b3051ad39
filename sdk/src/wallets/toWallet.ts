/** Recognises whatever wallet the app hands the client. */
import { WalletNotFoundError } from "../errors/wallet.ts";
import type { Eip6963ProviderDetail } from "./discover.ts";
import { eip1193Wallet } from "./eip1193.ts";
import { signerWallet, type SignerLike } from "./signer.ts";
import type { Eip1193Provider, StampbookWallet } from "./types.ts";
import { viemAccountWallet } from "./viemAccount.ts";
import { viemWalletClientWallet } from "./viemWalletClient.ts";

/**
 * What `createStampbookClient({ wallet })` accepts: an EIP-1193 provider, an EIP-6963 provider detail
 * (from {@link discoverWallets}), a viem local Account or WalletClient, an ethers v6 Signer (or
 * anything with `getAddress()` + `signMessage()`), an embedded wallet, or a ready {@link StampbookWallet}.
 * `undefined`/`null` (e.g. `window.ethereum` on a browser without a wallet) is allowed: actions that
 * need a wallet then throw {@link WalletNotFoundError}.
 */
export type WalletInput = Eip1193Provider | Eip6963ProviderDetail | SignerLike | StampbookWallet | { type: string; [key: string]: unknown } | null | undefined;

const isFunction = (value: unknown): value is (...args: never[]) => unknown => typeof value === "function";

/**
 * Turns a {@link WalletInput} into a {@link StampbookWallet}, or undefined for no wallet.
 *
 * @example
 * const wallet = toWallet(window.ethereum); // undefined if there is none
 */
export function toWallet(input: WalletInput): StampbookWallet | undefined {
  if (input === undefined || input === null) return undefined;
  if (typeof input !== "object" && typeof input !== "function") throw new WalletNotFoundError({ details: `not a wallet: ${typeof input}` });
  const value = input as Record<string, unknown>;
  // Already one of ours (or an app's own adapter).
  if (isFunction(value.requestAddress) && isFunction(value.signMessage) && typeof value.kind === "string") return input as StampbookWallet;
  // An EIP-6963 announcement: { info, provider }.
  if (value.info && typeof value.provider === "object" && value.provider !== null && isFunction((value.provider as Eip1193Provider).request)) {
    return eip1193Wallet((value as unknown as Eip6963ProviderDetail).provider);
  }
  // viem WalletClient (createWalletClient): type "walletClient", or the wallet actions.
  if (value.type === "walletClient" || (isFunction(value.signMessage) && isFunction(value.getAddresses) && isFunction(value.request))) {
    return viemWalletClientWallet(input as never);
  }
  // viem Account: a local one signs; a JSON-RPC one is only an address.
  if (value.type === "local" && isFunction(value.signMessage) && typeof value.address === "string") return viemAccountWallet(input as never);
  if (value.type === "json-rpc" && typeof value.address === "string") {
    throw new WalletNotFoundError({ details: "a JSON-RPC account cannot sign by itself: pass the WalletClient or the EIP-1193 provider" });
  }
  // Embedded wallet, ethers Signer, or any getAddress()/signMessage() signer.
  if (isFunction(value.getAddress) && isFunction(value.signMessage)) return signerWallet(input as SignerLike, value.kind === "embedded" ? "embedded" : "signer");
  if (isFunction(value.request)) return eip1193Wallet(input as Eip1193Provider);
  throw new WalletNotFoundError({ details: "the object given is not a wallet the SDK knows" });
}
