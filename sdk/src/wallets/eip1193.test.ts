/** What the SDK does when the wallet is on the wrong chain, refuses, hangs, is missing, or changes account. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { createStampbookClient } from "../client.ts";
import { ChainMismatchError, StampbookError, UserRejectedError, WalletNotFoundError, WalletTimeoutError } from "../index.ts";
import { fastOptions, startStack, type Stack } from "../../../test/support/sdk/stack.ts";
import type { TestProvider } from "../../../test/support/sdk/provider.ts";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack?.close());

const clientFor = (wallet: unknown, extra: Record<string, unknown> = {}) =>
  createStampbookClient({ apiUrl: stack.apiUrl, wallet: wallet as never, ...fastOptions(), ...extra });

describe("wrong chain", () => {
  it("switches a wallet on another chain to the server's (wallet_switchEthereumChain) before signing", async () => {
    const provider = stack.provider({ chainId: 1, knownChains: [31337] });
    const session = await clientFor(provider).signIn();
    expect(session.chainId).toBe(31337);
    expect(provider.state.chainId).toBe(31337);
    expect(provider.methods()).toEqual(["eth_requestAccounts", "eth_chainId", "wallet_switchEthereumChain", "eth_chainId", "personal_sign"]);
    expect(provider.state.calls[2]!.params).toEqual([{ chainId: "0x7a69" }]);
  });

  it("adds the chain (wallet_addEthereumChain with the client's rpcUrl and name) when the wallet answers 4902, then switches", async () => {
    const provider = stack.provider({ chainId: 1 });
    provider.state.known.delete(31337);
    const chain = { rpcUrl: "http://127.0.0.1:8545", name: "Stampbook Local" };
    await clientFor(provider, { chain }).signIn();
    expect(provider.state.chainId).toBe(31337);
    expect(provider.state.added).toEqual([
      { chainId: "0x7a69", chainName: "Stampbook Local", rpcUrls: ["http://127.0.0.1:8545"], nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 } },
    ]);
    expect(provider.methods()).toEqual([
      "eth_requestAccounts",
      "eth_chainId",
      "wallet_switchEthereumChain",
      "wallet_addEthereumChain",
      "wallet_switchEthereumChain",
      "eth_chainId",
      "personal_sign",
    ]);
  });

  it("throws ChainMismatchError for 4902 when the client has no chain to add, and does not ask for a signature", async () => {
    const provider = stack.provider({ chainId: 1 });
    provider.state.known.delete(31337);
    const client = clientFor(provider);
    const error = await client.signIn().catch((e) => e);
    expect(error).toBeInstanceOf(ChainMismatchError);
    expect(error).toMatchObject({ name: "ChainMismatchError", code: "chain_mismatch", expected: 31337 });
    expect(error.details).toContain("chain: { rpcUrl, name }");
    expect(error.walk()).toMatchObject({ code: 4902 });
    expect(provider.methods()).not.toContain("personal_sign");
    expect(client.session).toBeNull();
  });

  it("is a UserRejectedError when the member declines the switch", async () => {
    const provider = stack.provider({ chainId: 1 });
    provider.state.reject.add("wallet_switchEthereumChain");
    await expect(clientFor(provider).signIn()).rejects.toBeInstanceOf(UserRejectedError);
  });

  it("client.switchChain({  }) switches on demand", async () => {
    const provider = stack.provider({ knownChains: [8453] });
    await clientFor(provider).switchChain({ chainId: 8453 });
    expect(provider.state.chainId).toBe(8453);
  });
});

describe("user rejected (4001)", () => {
  it("is a UserRejectedError, not a crash, when the member declines to connect", async () => {
    const provider = stack.provider();
    provider.state.reject.add("eth_requestAccounts");
    const error = await clientFor(provider).signIn().catch((e) => e);
    expect(error).toBeInstanceOf(UserRejectedError);
    expect(error).toBeInstanceOf(StampbookError);
    expect(error).toMatchObject({ name: "UserRejectedError", code: "user_rejected", shortMessage: "The request was rejected in the wallet" });
    expect(error.walk()).toMatchObject({ code: 4001 });
  });

  it("is a UserRejectedError when the member declines to sign, and no session is made; a retry then works", async () => {
    const provider = stack.provider();
    provider.state.reject.add("personal_sign");
    const client = clientFor(provider);
    await expect(client.signIn()).rejects.toBeInstanceOf(UserRejectedError);
    expect(client.session).toBeNull();
    provider.state.reject.clear();
    expect((await client.signIn()).address).toBe(provider.address);
  });
});

describe("slow or missing wallet", () => {
  it("throws WalletTimeoutError when the wallet does not answer within walletTimeout", async () => {
    const provider = stack.provider();
    provider.state.hang.add("personal_sign");
    const started = Date.now();
    const error = await clientFor(provider, { walletTimeout: 150 }).signIn().catch((e) => e);
    expect(error).toBeInstanceOf(WalletTimeoutError);
    expect(error).toMatchObject({ method: "personal_sign", timeout: 150, code: "wallet_timeout" });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("defaults the wallet timeout to 60 s", () => {
    expect(clientFor(stack.provider()).walletTimeout).toBe(60_000);
  });

  it("throws WalletNotFoundError for no wallet, an object that is not one, or a wallet without accounts", async () => {
    await expect(clientFor(undefined).signIn()).rejects.toBeInstanceOf(WalletNotFoundError);
    await expect(clientFor(null).signIn()).rejects.toBeInstanceOf(WalletNotFoundError);
    expect(() => clientFor({ hello: "world" })).toThrow(WalletNotFoundError);
    const provider = stack.provider();
    provider.state.noAccounts = true;
    const error = await clientFor(provider).signIn().catch((e) => e);
    expect(error).toBeInstanceOf(WalletNotFoundError);
    expect(error.details).toBe("the wallet has no account to sign in with");
  });
});

describe("account changed or disconnected", () => {
  async function signedIn() {
    const provider = stack.provider();
    const client = clientFor(provider);
    const session = await client.signIn();
    const events: unknown[] = [];
    client.on("sessionEnded", (e) => events.push(["sessionEnded", e]));
    client.on("accountChanged", (e) => events.push(["accountChanged", e]));
    return { provider, client, session, events };
  }

  const settle = () => new Promise((r) => setTimeout(r, 50));

  it("accountsChanged to another account: drops and revokes the session, emits sessionEnded then accountChanged", async () => {
    const { provider, client, session, events } = await signedIn();
    const other = privateKeyToAccount(generatePrivateKey());
    provider.switchAccount(other);
    expect(client.session).toBeNull();
    expect(await client.storage.getItem(client.storageKey)).toBeNull();
    expect(events).toEqual([
      ["sessionEnded", { reason: "accountChanged", address: session.address }],
      ["accountChanged", { address: other.address, previousAddress: session.address }],
    ]);
    await expect.poll(() => stack.statusWith(session.token)).toBe(401);
    // The new account can sign in.
    expect((await client.signIn()).address).toBe(other.address);
  });

  it("accountsChanged to no account (locked, site disconnected): sessionEnded with reason disconnected", async () => {
    const { provider, client, session, events } = await signedIn();
    provider.lock();
    expect(client.session).toBeNull();
    expect(events).toEqual([
      ["sessionEnded", { reason: "disconnected", address: session.address }],
      ["accountChanged", { address: null, previousAddress: session.address }],
    ]);
  });

  it("the disconnect event drops the session", async () => {
    const { provider, client, session, events } = await signedIn();
    provider.disconnect();
    await settle();
    expect(client.session).toBeNull();
    expect(events).toEqual([["sessionEnded", { reason: "disconnected", address: session.address }]]);
  });

  it("accountsChanged that repeats the signed-in account changes nothing", async () => {
    const { provider, client, session, events } = await signedIn();
    provider.emit("accountsChanged", [session.address.toLowerCase()]);
    expect(client.session).toEqual(session);
    expect(events).toEqual([]);
  });

  it("destroy() stops listening to the wallet", async () => {
    const { provider, client } = await signedIn();
    expect(provider.listenerCount("accountsChanged")).toBe(1);
    client.destroy();
    expect(provider.listenerCount("accountsChanged")).toBe(0);
    expect(provider.listenerCount("disconnect")).toBe(0);
  });

  it("a throwing event listener does not break the SDK", async () => {
    const { provider, client } = await signedIn();
    client.on("sessionEnded", () => {
      throw new Error("app bug");
    });
    (provider as TestProvider).lock();
    expect(client.session).toBeNull();
  });
});
