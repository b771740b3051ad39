/** What the SDK needs from a wallet, whatever kind the app hands it. */
import type { Address, Hex } from "viem";

/** Any EIP-1193 provider: an injected wallet (`window.ethereum`), an EIP-6963 announced one, WalletConnect… */
export type Eip1193Provider = {
  // Loosely typed on purpose (`any`): every wallet library types `request` and its events its own
  // way, and all of them must be assignable here.
  request(args: { method: string; params?: any }): Promise<any>;
  on?(event: string, listener: (...args: any[]) => void): unknown;
  removeListener?(event: string, listener: (...args: any[]) => void): unknown;
};

/** The chain to add to a wallet that does not know it yet (EIP-3085 `wallet_addEthereumChain`). */
export type ChainConfig = {
  /** Public JSON-RPC URL members' wallets should use. */
  rpcUrl: string;
  /** Name shown in the wallet. */
  name: string;
  nativeCurrency?: { name: string; symbol: string; decimals: number };
  blockExplorerUrl?: string;
};

export type TransactionRequest = { from: Address; to: Address; data: Hex; value: bigint; chainId: number };

/**
 * The SDK's view of a wallet. {@link toWallet} makes one from an EIP-1193 provider, a viem Account or
 * WalletClient, an ethers Signer or an embedded wallet; apps may also implement it themselves.
 * Optional members are capabilities: a bare key cannot switch chains or send transactions.
 */
export type StampbookWallet = {
  kind: "eip1193" | "viem-account" | "viem-wallet-client" | "signer" | "embedded" | (string & {});
  /** Asks for access (may prompt) and returns the account to sign in with. */
  requestAddress(): Promise<Address>;
  /** The connected account without prompting, or null. */
  getAddress?(): Promise<Address | null>;
  /** The chain the wallet is on; absent if it signs for any chain. */
  getChainId?(): Promise<number>;
  /** Moves the wallet to `chainId`, adding `chain` first if the wallet does not know it. */
  switchChain?(chainId: number, chain: ChainConfig | undefined): Promise<void>;
  /** EIP-191 personal signature of `message` by `address`. */
  signMessage(message: string, address: Address): Promise<Hex>;
  /** Sends a transaction and returns its hash. */
  sendTransaction?(request: TransactionRequest): Promise<Hex>;
  /** Listens for account changes and disconnection; returns the unsubscribe function. */
  subscribe?(handlers: { accountsChanged(accounts: Address[]): void; disconnect(): void }): () => void;
};
