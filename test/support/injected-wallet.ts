/**
 * An injected wallet for browser tests: `window.ethereum` (also announced with EIP-6963) in a
 * Playwright page, answered in the test process by an EIP-1193 provider backed by a private key
 * (test/support/sdk/provider.ts). It signs messages and transactions with that key, sends them to
 * the test chain, and forwards reads there, as a real wallet does with its node. It also signs EIP-712
 * typed data (`eth_signTypedData_v4`, e.g. a collection registration). Errors cross into the page with
 * their EIP-1193 `code` and revert `data`, so the page decodes a contract's custom errors.
 */
import type { Page } from "playwright-core";
import { getAddress, http, type Address, type EIP1193Provider, type Hex, type LocalAccount, type TypedDataDefinition } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { createTestProvider, type TestProvider } from "./sdk/provider.ts";

export type InjectedWallet = { address: Address; provider: TestProvider };

type Bridged = { result: unknown } | { error: { code: number; message: string; data?: unknown } };

/** The first `code` and revert `data` along an error's `cause` chain. */
function wireError(error: unknown): { code: number; message: string; data?: unknown } {
  let code: number | undefined;
  let data: unknown;
  for (let e = error as { code?: unknown; data?: unknown; cause?: unknown; shortMessage?: string } | undefined; e; e = e.cause as typeof e) {
    if (code === undefined && typeof e.code === "number") code = e.code;
    if (data === undefined && e.data !== undefined) data = e.data;
  }
  const message = (error as { shortMessage?: string; message?: string })?.shortMessage ?? (error as Error)?.message ?? String(error);
  // A revert without a code is reported as EIP-1474's "execution reverted" (3).
  return { code: code ?? (data !== undefined ? 3 : -32603), message, ...(data === undefined ? {} : { data }) };
}

/** `eth_signTypedData_v4` as wallets answer it: `[address, JSON]`, the domain's own type left for the signer to derive. */
async function signTypedData(account: LocalAccount, [address, json]: [Address, string]): Promise<Hex> {
  if (getAddress(address) !== account.address) throw Object.assign(new Error("unknown account"), { code: 4100 });
  const { types, ...rest } = JSON.parse(json) as TypedDataDefinition & { types: Record<string, unknown> };
  const { EIP712Domain: _domain, ...own } = types;
  return account.signTypedData({ ...rest, types: own } as TypedDataDefinition);
}

/**
 * Puts a wallet holding `privateKey` into `page` (before its scripts run) on the chain at `rpcUrl`.
 * Call before `page.goto`.
 */
export async function injectWallet(page: Page, options: { privateKey: Hex; rpcUrl: string; chainId?: number }): Promise<InjectedWallet> {
  const chainProvider = { request: http(options.rpcUrl, { retryCount: 0 })({ chain: hardhat }).request } as unknown as EIP1193Provider;
  const account = privateKeyToAccount(options.privateKey);
  const provider = createTestProvider({ account, chainId: options.chainId ?? hardhat.id, chainProvider });
  await page.exposeFunction("__injectedWallet", async (method: string, params: unknown): Promise<Bridged> => {
    try {
      if (method === "eth_signTypedData_v4") return { result: await signTypedData(account, params as [Address, string]) };
      return { result: await provider.request({ method, params: params ?? [] }) };
    } catch (error) {
      return { error: wireError(error) };
    }
  });
  await page.addInitScript(() => {
    type Call = (method: string, params: unknown) => Promise<{ result?: unknown; error?: { code: number; message: string; data?: unknown } }>;
    const listeners = new Map<string, Set<(...args: unknown[]) => void>>();
    const provider = {
      isTestWallet: true,
      async request({ method, params }: { method: string; params?: unknown }) {
        const answer = await (window as unknown as { __injectedWallet: Call }).__injectedWallet(method, params ?? []);
        if (answer.error) throw Object.assign(new Error(answer.error.message), answer.error);
        return answer.result;
      },
      on: (event: string, listener: (...args: unknown[]) => void) => void (listeners.get(event) ?? listeners.set(event, new Set()).get(event)!).add(listener),
      removeListener: (event: string, listener: (...args: unknown[]) => void) => void listeners.get(event)?.delete(listener),
    };
    (window as unknown as { ethereum: unknown }).ethereum = provider;
    const announce = () =>
      window.dispatchEvent(
        new CustomEvent("eip6963:announceProvider", {
          detail: Object.freeze({ info: { uuid: "5b1f3a1e-0000-4000-8000-000000000002", name: "Test Wallet", icon: "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg'/>", rdns: "dev.stampbook.testwallet" }, provider }),
        }),
      );
    window.addEventListener("eip6963:requestProvider", announce);
  });
  return { address: provider.address, provider };
}
