/** The client object itself: what it accepts as a wallet (checked by the type checker too), options, events. */
import { Wallet as EthersWallet } from "ethers";
import { describe, expect, it } from "vitest";
import { createWalletClient, http, type EIP1193Provider } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { createStampbookClient, type StampbookClient } from "./client.ts";
import { createEmbeddedWallet } from "./embedded.ts";
import { memoryStorage } from "./storage.ts";
import { createTestProvider } from "../../test/support/sdk/provider.ts";
import { toWallet } from "./wallets/toWallet.ts";
import type { Eip6963ProviderDetail } from "./wallets/discover.ts";

const apiUrl = "https://api.example.com/";

describe("createStampbookClient", () => {
  it("accepts every kind of wallet without casts", async () => {
    const key = generatePrivateKey();
    const account = privateKeyToAccount(key);
    const injected = createTestProvider() as unknown as EIP1193Provider; // as `window.ethereum` is typed by viem
    const detail: Eip6963ProviderDetail = { info: { uuid: "u", name: "W", icon: "", rdns: "w" }, provider: injected };
    const wallets = {
      eip1193: createStampbookClient({ apiUrl, wallet: injected }),
      eip6963: createStampbookClient({ apiUrl, wallet: detail }),
      account: createStampbookClient({ apiUrl, wallet: account }),
      walletClient: createStampbookClient({ apiUrl, wallet: createWalletClient({ account, chain: hardhat, transport: http("http://127.0.0.1:1") }) }),
      ethers: createStampbookClient({ apiUrl, wallet: new EthersWallet(key) }),
      embedded: createStampbookClient({ apiUrl, wallet: await createEmbeddedWallet({ storage: memoryStorage() }) }),
      none: createStampbookClient({ apiUrl, wallet: undefined }),
    } satisfies Record<string, StampbookClient>;
    expect(Object.fromEntries(Object.entries(wallets).map(([k, c]) => [k, c.wallet?.kind]))).toEqual({
      eip1193: "eip1193",
      eip6963: "eip1193",
      account: "viem-account",
      walletClient: "viem-wallet-client",
      ethers: "signer",
      embedded: "embedded",
      none: undefined,
    });
    expect(await wallets.ethers.wallet!.requestAddress()).toBe(account.address);
  });

  it("a JSON-RPC account alone cannot sign: WalletNotFoundError explains what to pass", () => {
    expect(() => toWallet({ type: "json-rpc", address: "0x0000000000000000000000000000000000000001" })).toThrow(/pass the WalletClient or the EIP-1193 provider/);
  });

  it("has documented defaults and trims the API URL", () => {
    const client = createStampbookClient({ apiUrl, storage: memoryStorage() });
    expect(client).toMatchObject({
      apiUrl: "https://api.example.com",
      storageKey: "stampbook:session:https://api.example.com",
      walletTimeout: 60_000,
      requestTimeout: 30_000,
      retryCount: 3,
      retryDelay: 250,
      pollingInterval: 1_000,
      session: null,
    });
  });

  it("on() returns the function that stops listening", () => {
    const client = createStampbookClient({ apiUrl, storage: memoryStorage() });
    const seen: unknown[] = [];
    const off = client.on("accountChanged", (e) => seen.push(e));
    client.emit("accountChanged", { address: null, previousAddress: null });
    off();
    client.emit("accountChanged", { address: null, previousAddress: null });
    expect(seen).toHaveLength(1);
  });

  it("sends requests to the API URL with the given fetch", async () => {
    const urls: string[] = [];
    const client = createStampbookClient({
      apiUrl,
      storage: memoryStorage(),
      fetch: async (input) => (urls.push(String(input)), Response.json({ nonce: "n" })),
    });
    client.session = { token: "sbs_t", address: "0x0000000000000000000000000000000000000001", chainId: 1, expiresAt: "2999-01-01T00:00:00Z" };
    await client.getRedemptions({ limit: 5, cursor: "c/1" });
    expect(urls).toEqual(["https://api.example.com/v1/redemptions?limit=5&cursor=c%2F1"]);
  });
});
