import type { Client } from "../types/client.ts";
import { ChainMismatchError, type ChainMismatchErrorType, type UserRejectedErrorType, type WalletTimeoutErrorType } from "../errors/wallet.ts";
import { callWallet, requireWallet } from "../utils/wallet.ts";
import type { StampbookWallet } from "../wallets/types.ts";

export type SwitchChainParameters = { chainId: number };
export type SwitchChainReturnType = void;
export type SwitchChainErrorType = ChainMismatchErrorType | UserRejectedErrorType | WalletTimeoutErrorType;

/**
 * Makes sure the wallet is on `chainId`. An EIP-1193 wallet on another chain is asked to switch
 * (`wallet_switchEthereumChain`); if it does not know the chain (4902) and the client was given
 * `chain: { rpcUrl, name }`, it is asked to add it (`wallet_addEthereumChain`) and then to switch.
 * Wallets that sign for any chain (local keys, the embedded wallet) need nothing.
 *
 * @example
 * await client.switchChain({ chainId: 8453 });
 * // or, as an action: await switchChain(client, { chainId: 8453 });
 */
export async function switchChain(client: Client, parameters: SwitchChainParameters): Promise<SwitchChainReturnType> {
  await ensureChain(client, requireWallet(client), parameters.chainId);
}

/** {@link switchChain} for a given wallet. */
export async function ensureChain(client: Client, wallet: StampbookWallet, chainId: number): Promise<void> {
  if (!wallet.getChainId) return;
  const current = await callWallet(client, "eth_chainId", () => wallet.getChainId!());
  if (current === chainId) return;
  if (!wallet.switchChain) throw new ChainMismatchError({ expected: chainId, actual: current, details: `the wallet is on chain ${current} and cannot be switched by the app` });
  await callWallet(client, "wallet_switchEthereumChain", () => wallet.switchChain!(chainId, client.chain));
  const after = await callWallet(client, "eth_chainId", () => wallet.getChainId!());
  if (after !== chainId) throw new ChainMismatchError({ expected: chainId, actual: after });
}
