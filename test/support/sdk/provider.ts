/**
 * An EIP-1193 provider for tests, backed by a viem local account: it answers what an injected wallet
 * answers, emits its events, forwards transactions to the test chain, and can be told to misbehave
 * (reject with 4001, never answer, sit on another chain, not know a chain).
 */
import { createWalletClient, custom, getAddress, hexToString, isHex, type Address, type EIP1193Provider, type Hex, type LocalAccount } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";

export type TestProviderOptions = {
  account?: LocalAccount;
  /** The chain the wallet starts on (default 31337). */
  chainId?: number;
  /** Chains the wallet can switch to without adding them (default: 31337 and the start chain). */
  knownChains?: number[];
  /** Where eth_sendTransaction goes: the test chain's EIP-1193 provider (chain id 31337). */
  chainProvider?: EIP1193Provider;
};

export type RequestLog = { method: string; params: unknown };

const rpcError = (code: number, message: string) => Object.assign(new Error(message), { code });

export function createTestProvider(options: TestProviderOptions = {}) {
  let account: LocalAccount = options.account ?? privateKeyToAccount(generatePrivateKey());
  const listeners = new Map<string, Set<(...args: unknown[]) => void>>();
  const state = {
    chainId: options.chainId ?? 31337,
    known: new Set([31337, options.chainId ?? 31337, ...(options.knownChains ?? [])]),
    /** Methods answered with 4001 (or "*" for all). */
    reject: new Set<string>(),
    /** Methods that never answer. */
    hang: new Set<string>(),
    /** eth_requestAccounts answers [] (a wallet with no account). */
    noAccounts: false,
    /** wallet_addEthereumChain parameters received. */
    added: [] as unknown[],
    /** Every request, in order. */
    calls: [] as RequestLog[],
    /** Signs with another key than the one it claims (a broken wallet). */
    signWith: null as LocalAccount | null,
  };

  const chainWallet = options.chainProvider
    ? () => createWalletClient({ account, chain: hardhat, transport: custom(options.chainProvider!) })
    : null;

  function emit(event: string, ...args: unknown[]) {
    for (const listener of listeners.get(event) ?? []) listener(...args);
  }

  async function request({ method, params }: { method: string; params?: unknown }): Promise<unknown> {
    state.calls.push({ method, params });
    if (state.reject.has(method) || state.reject.has("*")) throw rpcError(4001, "User rejected the request.");
    if (state.hang.has(method)) return new Promise(() => {});
    const list = (params ?? []) as unknown[];
    switch (method) {
      case "eth_requestAccounts":
      case "eth_accounts":
        return state.noAccounts ? [] : [account.address];
      case "eth_chainId":
        return `0x${state.chainId.toString(16)}`;
      case "personal_sign": {
        const [data, address] = list as [Hex, Address];
        if (getAddress(address) !== getAddress(account.address)) throw rpcError(4100, "unknown account");
        const signer = state.signWith ?? account;
        return signer.signMessage!({ message: isHex(data) ? { raw: data } : hexToString(data) });
      }
      case "wallet_switchEthereumChain": {
        const id = Number((list[0] as { chainId: Hex }).chainId);
        if (!state.known.has(id)) throw rpcError(4902, `Unrecognized chain ID ${id}. Try adding the chain using wallet_addEthereumChain first.`);
        if (id !== state.chainId) {
          state.chainId = id;
          emit("chainChanged", `0x${id.toString(16)}`);
        }
        return null;
      }
      case "wallet_addEthereumChain": {
        const chain = list[0] as { chainId: Hex };
        state.added.push(chain);
        state.known.add(Number(chain.chainId));
        return null;
      }
      case "eth_sendTransaction": {
        if (!chainWallet) throw rpcError(4200, "this test wallet has no chain");
        if (state.chainId !== hardhat.id) throw rpcError(-32000, `the wallet is on chain ${state.chainId}, not the test chain`);
        const tx = list[0] as { from: Address; to: Address; data: Hex; value?: Hex };
        if (getAddress(tx.from) !== getAddress(account.address)) throw rpcError(4100, "unknown account");
        return chainWallet().sendTransaction({ account, chain: hardhat, to: tx.to, data: tx.data, value: tx.value ? BigInt(tx.value) : 0n });
      }
      default:
        // Like a real wallet, reads go to its node.
        if (options.chainProvider && /^eth_(?!sign)/.test(method)) return options.chainProvider.request({ method, params } as never);
        throw rpcError(4200, `unsupported method ${method}`);
    }
  }

  return {
    request,
    on(event: string, listener: (...args: unknown[]) => void) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
    },
    removeListener(event: string, listener: (...args: unknown[]) => void) {
      listeners.get(event)?.delete(listener);
    },
    listenerCount: (event: string) => listeners.get(event)?.size ?? 0,
    state,
    get account() {
      return account;
    },
    get address() {
      return getAddress(account.address);
    },
    /** The member picks another account in the wallet. */
    switchAccount(next: LocalAccount) {
      account = next;
      emit("accountsChanged", [next.address]);
    },
    /** The wallet locks or the member disconnects the site. */
    lock() {
      state.noAccounts = true;
      emit("accountsChanged", []);
    },
    disconnect() {
      emit("disconnect", rpcError(4900, "disconnected"));
    },
    emit,
    methods: () => state.calls.map((c) => c.method),
  };
}

export type TestProvider = ReturnType<typeof createTestProvider>;
