/** An EIP-1193 provider (injected, EIP-6963, WalletConnect…) as a {@link StampbookWallet}. */
import { getAddress, stringToHex, type Address, type Hex } from "viem";
import { ChainMismatchError, rpcCodeOf, WalletNotFoundError } from "../errors/wallet.ts";
import type { ChainConfig, Eip1193Provider, StampbookWallet } from "./types.ts";

/** EIP-3085/3326: the wallet does not know the chain it was asked to switch to. */
const UNRECOGNIZED_CHAIN = 4902;

/**
 * Wraps an EIP-1193 provider. Sign-in asks `eth_requestAccounts` and signs with `personal_sign`; a
 * wallet on the wrong chain is switched with `wallet_switchEthereumChain` (and, if it does not know
 * the chain and the client has `chain: { rpcUrl, name }`, added with `wallet_addEthereumChain` first).
 *
 * @example
 * const wallet = eip1193Wallet(window.ethereum);
 * const client = createStampbookClient({ apiUrl, wallet });
 */
export function eip1193Wallet(provider: Eip1193Provider): StampbookWallet & { provider: Eip1193Provider } {
  const request = (method: string, params?: unknown) => provider.request(params === undefined ? { method } : { method, params });
  const switchTo = (hexId: Hex) => request("wallet_switchEthereumChain", [{ chainId: hexId }]);

  return {
    kind: "eip1193",
    provider,
    async requestAddress() {
      const accounts = (await request("eth_requestAccounts")) as string[] | undefined;
      if (!accounts?.[0]) throw new WalletNotFoundError({ details: "the wallet has no account to sign in with" });
      return getAddress(accounts[0]);
    },
    async getAddress() {
      const accounts = (await request("eth_accounts")) as string[] | undefined;
      return accounts?.[0] ? getAddress(accounts[0]) : null;
    },
    async getChainId() {
      return Number(await request("eth_chainId"));
    },
    async switchChain(chainId: number, chain: ChainConfig | undefined) {
      const hexId: Hex = `0x${chainId.toString(16)}`;
      try {
        await switchTo(hexId);
      } catch (error) {
        if (!isUnrecognizedChain(error)) throw error;
        if (!chain) {
          throw new ChainMismatchError({
            expected: chainId,
            cause: error,
            details: `the wallet does not know chain ${chainId}; give the client chain: { rpcUrl, name } to add it`,
          });
        }
        await request("wallet_addEthereumChain", [
          {
            chainId: hexId,
            chainName: chain.name,
            rpcUrls: [chain.rpcUrl],
            nativeCurrency: chain.nativeCurrency ?? { name: "Ether", symbol: "ETH", decimals: 18 },
            ...(chain.blockExplorerUrl ? { blockExplorerUrls: [chain.blockExplorerUrl] } : {}),
          },
        ]);
        await switchTo(hexId);
      }
    },
    async signMessage(message: string, address: Address) {
      return (await request("personal_sign", [stringToHex(message), address])) as Hex;
    },
    async sendTransaction({ from, to, data, value }) {
      return (await request("eth_sendTransaction", [{ from, to, data, value: `0x${value.toString(16)}` }])) as Hex;
    },
    subscribe(handlers) {
      if (typeof provider.on !== "function") return () => {};
      const onAccounts = (accounts: unknown) => handlers.accountsChanged(Array.isArray(accounts) ? accounts.map((a) => getAddress(String(a))) : []);
      const onDisconnect = () => handlers.disconnect();
      provider.on("accountsChanged", onAccounts);
      provider.on("disconnect", onDisconnect);
      return () => {
        provider.removeListener?.("accountsChanged", onAccounts);
        provider.removeListener?.("disconnect", onDisconnect);
      };
    },
  };
}

/** 4902, directly or (MetaMask mobile) wrapped in `data.originalError`. */
function isUnrecognizedChain(error: unknown): boolean {
  if (rpcCodeOf(error) === UNRECOGNIZED_CHAIN) return true;
  const original = (error as { data?: { originalError?: { code?: unknown } } } | null)?.data?.originalError;
  return original?.code === UNRECOGNIZED_CHAIN;
}
