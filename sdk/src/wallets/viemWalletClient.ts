/** A viem WalletClient (any transport, local or JSON-RPC account) as a {@link StampbookWallet}. */
import { getAddress, type Account, type Address, type Chain, type Hex, type Transport, type WalletClient } from "viem";
import { eip1193Wallet } from "./eip1193.ts";
import type { StampbookWallet } from "./types.ts";

/**
 * Wraps a viem WalletClient. Signing and sending go through the client's own actions, so both a
 * local account and an injected (`custom(window.ethereum)`) one work. Account-change events are not
 * visible through a WalletClient: pass the EIP-1193 provider itself to get them.
 *
 * @example
 * const walletClient = createWalletClient({ account, chain, transport: http(rpcUrl) });
 * const client = createStampbookClient({ apiUrl, wallet: viemWalletClientWallet(walletClient) });
 */
export function viemWalletClientWallet(client: WalletClient<Transport, Chain | undefined, Account | undefined>): StampbookWallet {
  // Chain switching speaks EIP-1193 through the client's transport.
  const rpc = eip1193Wallet({ request: (args) => client.request(args as never) });
  const account = async (): Promise<Account | Address> => {
    if (client.account) return client.account;
    const [address] = await client.requestAddresses();
    if (!address) throw new Error("the wallet client has no account");
    return address;
  };
  return {
    kind: "viem-wallet-client",
    async requestAddress() {
      const a = await account();
      return getAddress(typeof a === "string" ? a : a.address);
    },
    async getAddress() {
      if (client.account) return getAddress(client.account.address);
      const [address] = await client.getAddresses();
      return address ? getAddress(address) : null;
    },
    getChainId: () => client.getChainId(),
    switchChain: rpc.switchChain!,
    async signMessage(message) {
      return client.signMessage({ account: await account(), message });
    },
    async sendTransaction({ to, data, value }): Promise<Hex> {
      return client.sendTransaction({ account: await account(), chain: client.chain ?? null, to, data, value });
    },
  };
}
