/** Sign-in against the real API and chain, with every kind of wallet the SDK accepts. */
import { Wallet as EthersWallet, BrowserProvider } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWalletClient, custom, getAddress } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { createStampbookClient } from "../client.ts";
import { ApiError, WalletNotFoundError } from "../index.ts";
import { memoryStorage } from "../storage.ts";
import { fastOptions, startStack, type Stack } from "../../../test/support/sdk/stack.ts";
import { signIn } from "./signIn.ts";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack?.close());

/** Signs in with `wallet` and checks the session is real (the API answers /v1/me for it). */
async function signsIn(wallet: unknown, expected: string) {
  const client = createStampbookClient({ apiUrl: stack.apiUrl, wallet: wallet as never, ...fastOptions() });
  const session = await client.signIn();
  expect(session.address).toBe(getAddress(expected));
  expect(session.chainId).toBe(31337);
  expect(session.token).toMatch(/^sbs_/);
  expect(Date.parse(session.expiresAt)).toBeGreaterThan(Date.now());
  expect(client.session).toEqual(session);
  expect((await client.getMe()).address).toBe(getAddress(expected));
  return { client, session };
}

describe("signIn", () => {
  it("signs in an EIP-1193 wallet: eth_requestAccounts, eth_chainId, personal_sign of the server's EIP-4361 message", async () => {
    const provider = stack.provider();
    await signsIn(provider, provider.address);
    expect(provider.methods()).toEqual(["eth_requestAccounts", "eth_chainId", "personal_sign"]);
    const [hexMessage, address] = provider.state.calls[2]!.params as [string, string];
    const message = Buffer.from(hexMessage.slice(2), "hex").toString("utf8");
    const port = new URL(stack.apiUrl).port;
    expect(message).toContain(`127.0.0.1:${port} wants you to sign in with your Ethereum account:\n${provider.address}\n`);
    expect(message).toContain(`URI: ${stack.apiUrl}\nVersion: 1\nChain ID: 31337\nNonce: `);
    expect(message).toContain("Sign in to see your memberships and perks.");
    expect(address).toBe(provider.address);
  });

  it("signs in a viem local Account", async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    await signsIn(account, account.address);
  });

  it("signs in a viem WalletClient with a local account", async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const walletClient = createWalletClient({ account, chain: hardhat, transport: custom(stack.chain.connection.provider as never) });
    await signsIn(walletClient, account.address);
  });

  it("signs in a viem WalletClient whose account lives in the node (JSON-RPC account)", async () => {
    const walletClient = stack.chain.members[0]!;
    await signsIn(walletClient, walletClient.account.address);
  });

  it("signs in an ethers v6 Signer (new ethers.Wallet(key)), duck-typed", async () => {
    const key = generatePrivateKey();
    const signer = new EthersWallet(key);
    await signsIn(signer, signer.address);
  });

  it("signs in an ethers Signer from a BrowserProvider over an EIP-1193 wallet", async () => {
    const provider = stack.provider();
    const signer = await new BrowserProvider(provider as never).getSigner();
    await signsIn(signer, provider.address);
  });

  it("signs in an EIP-6963 provider detail as discovered", async () => {
    const provider = stack.provider();
    const detail = { info: { uuid: "1", name: "Test Wallet", icon: "data:,", rdns: "test.wallet" }, provider };
    await signsIn(detail, provider.address);
  });

  it("works as a standalone action: signIn(client)", async () => {
    const provider = stack.provider();
    const client = createStampbookClient({ apiUrl: `${stack.apiUrl}/`, wallet: provider, ...fastOptions() });
    const session = await signIn(client);
    expect(session.address).toBe(provider.address);
  });

  it("keeps the session in the given storage", async () => {
    const storage = memoryStorage();
    const provider = stack.provider();
    const client = createStampbookClient({ apiUrl: stack.apiUrl, wallet: provider, storage });
    const session = await client.signIn();
    expect(JSON.parse(String(await storage.getItem(`stampbook:session:${stack.apiUrl}`)))).toEqual(session);
  });

  it("emits signedIn, and revokes the previous session when signing in again", async () => {
    const provider = stack.provider();
    const client = createStampbookClient({ apiUrl: stack.apiUrl, wallet: provider, ...fastOptions() });
    const seen: string[] = [];
    client.on("signedIn", ({ session }) => seen.push(session.token));
    const first = await client.signIn();
    const second = await client.signIn();
    expect(seen).toEqual([first.token, second.token]);
    await expect.poll(() => stack.statusWith(first.token)).toBe(401);
    expect(await stack.statusWith(second.token)).toBe(200);
  });

  it("passes the server's refusal through as ApiError with the problem's code (a wallet that signs with another key)", async () => {
    const provider = stack.provider();
    provider.state.signWith = privateKeyToAccount(generatePrivateKey());
    const client = createStampbookClient({ apiUrl: stack.apiUrl, wallet: provider, ...fastOptions() });
    const error = await client.signIn().catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ name: "ApiError", status: 401, code: "siwe_bad_signature" });
    expect(error.problem.type).toBe("urn:stampbook:problem:siwe_bad_signature");
    expect(error.requestId).toMatch(/[0-9a-f-]{36}/);
    expect(client.session).toBeNull();
  });

  it("without a wallet (window.ethereum undefined) throws WalletNotFoundError", async () => {
    const client = createStampbookClient({ apiUrl: stack.apiUrl, wallet: undefined, ...fastOptions() });
    await expect(client.signIn()).rejects.toBeInstanceOf(WalletNotFoundError);
  });
});
