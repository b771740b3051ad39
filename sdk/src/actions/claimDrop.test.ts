/**
 * claim()'s polling, retry and failure handling, which the real drop routes cannot be made to show
 * on demand (see claimDrop.server.test.ts for the real ones): the claim requests go to a stub
 * (test-utils/stub-drops.ts) that scripts the answers and forwards everything else (sign-in, /v1/me)
 * to the real API. Submitting a voucher is real: the stub signs it with the brand's minter key for
 * the real chain, and the member's wallet sends `claim(voucher, r, vs)` to the real collection.
 */
import { BrowserProvider } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWalletClient, custom, parseEther, type Address } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { DEMO_TYPES } from "../../../test/support/chain.ts";
import { createStampbookClient } from "../client.ts";
import { ApiError, ClaimFailedError, ClaimPendingError, UserRejectedError, WalletError } from "../index.ts";
import { fastOptions, startStack, type Stack } from "../../../test/support/sdk/stack.ts";
import { startDropStub } from "../../../test/support/sdk/stub-drops.ts";
import { claimDrop } from "./claimDrop.ts";
import { getClaim } from "./getClaim.ts";

let stack: Stack;
let stub: Awaited<ReturnType<typeof startDropStub>>;

beforeAll(async () => {
  stack = await startStack();
  stub = await startDropStub(stack, {
    now: { kind: "mint" },
    slow: { kind: "pending", polls: 3, then: "minted" },
    doomed: { kind: "pending", polls: 1, then: "failed" },
    stuck: { kind: "stuck" },
    refused: { kind: "mint_failed" },
    flaky: { kind: "flaky", failures: ["503", "drop"] },
    voucher: { kind: "voucher", tokenId: DEMO_TYPES.stamp, amount: 2n },
    paid: { kind: "voucher", tokenId: DEMO_TYPES.stamp, amount: 1n, price: parseEther("0.01") },
  });
});
afterAll(async () => {
  await stub?.close();
  await stack?.close();
});

async function member(wallet?: unknown, extra: Record<string, unknown> = {}) {
  const provider = stack.provider();
  const client = createStampbookClient({ apiUrl: stub.url, wallet: (wallet ?? provider) as never, ...fastOptions(), ...extra });
  await client.signIn();
  return { client, provider };
}

const keysOf = (dropId: string) => stub.requests.filter((r) => r.dropId === dropId).map((r) => r.key);
const balanceOf = (address: Address, id: bigint) => stack.chain.collection.read.balanceOf([address, id]);

describe("drops", () => {
  it("lists the drops (GET /v1/drops, stubbed) with their mode, and passes the brand filter", async () => {
    const { client } = await member();
    const drops = await client.getDrops({ brand: stack.server.brand.id });
    expect(drops.find((d) => d.id === "voucher")).toMatchObject({ mode: "voucher", tokenId: "3", eligible: true, status: "open" });
    expect(drops.find((d) => d.id === "now")).toMatchObject({ mode: "mint" });
    expect(stub.polls).toContain(`drops?brand=${stack.server.brand.id}`);
  });
});

describe("claim, mode mint", () => {
  it("returns the minted claim the server answers", async () => {
    const { client, provider } = await member();
    const claim = await client.claimDrop({ dropId: "now" });
    expect(claim).toMatchObject({ dropId: "now", mode: "mint", status: "minted", member: provider.address, tokenId: "3", amount: "1" });
    expect(claim.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(keysOf("now")).toHaveLength(1);
    expect(keysOf("now")[0]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("polls GET /v1/claims/:id while the claim is pending, until minted", async () => {
    const { client } = await member();
    const claim = await client.claimDrop({ dropId: "slow" });
    expect(claim.status).toBe("minted");
    expect(stub.polls.filter((id) => id === claim.id)).toHaveLength(4);
    expect(await getClaim(client, { claimId: claim.id })).toMatchObject({ id: claim.id, status: "minted" });
  });

  it("throws ClaimFailedError when polling finds the claim failed", async () => {
    const { client } = await member();
    const error = await client.claimDrop({ dropId: "doomed" }).catch((e) => e);
    expect(error).toBeInstanceOf(ClaimFailedError);
    expect(error).toMatchObject({ name: "ClaimFailedError", code: "claim_failed", claim: { status: "failed", dropId: "doomed" } });
    expect(error.details).toBe("mint_failed: the mint transaction reverted");
  });

  it("throws ClaimPendingError after pollTimeout, with the claim to ask about later", async () => {
    const { client } = await member();
    const error = await client.claimDrop({ dropId: "stuck", pollTimeout: 150 }).catch((e) => e);
    expect(error).toBeInstanceOf(ClaimPendingError);
    expect(error.claim).toMatchObject({ status: "pending", dropId: "stuck" });
    expect((await client.getClaim({ claimId: error.claim.id })).status).toBe("pending");
  });

  it("turns the API's 502 mint_failed (with the failed claim) into ClaimFailedError, without retrying the same key", async () => {
    const { client } = await member();
    const error = await claimDrop(client, { dropId: "refused" }).catch((e) => e);
    expect(error).toBeInstanceOf(ClaimFailedError);
    const cause = error.walk((e: unknown) => e instanceof ApiError);
    expect(cause).toMatchObject({ status: 502, code: "mint_failed" });
    expect(keysOf("refused")).toHaveLength(1);
  });

  it("retries 5xx and dropped connections with the SAME Idempotency-Key and returns the one claim", async () => {
    const { client } = await member();
    const claim = await client.claimDrop({ dropId: "flaky" });
    expect(claim.status).toBe("minted");
    const keys = keysOf("flaky");
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
  });

  it("passes the caller's Idempotency-Key", async () => {
    const { client } = await member();
    await client.claimDrop({ dropId: "now", idempotencyKey: "checkout-7" });
    expect(keysOf("now").at(-1)).toBe("checkout-7");
  });
});

describe("claim, mode voucher", () => {
  it("returns the voucher without submitting unless asked", async () => {
    const { client, provider } = await member();
    const claim = await client.claimDrop({ dropId: "voucher" });
    expect(claim).toMatchObject({ mode: "voucher", status: "issued", voucher: { to: provider.address, id: "3", amount: "2", chainId: 31337, collection: stack.collection } });
    expect(claim.submitted).toBeUndefined();
    expect(provider.methods()).not.toContain("eth_sendTransaction");
  });

  it("with { submit: true } sends claim(voucher, r, vs) from the EIP-1193 wallet; the tokens arrive on chain", async () => {
    const provider = stack.provider({ chainId: 1, knownChains: [31337] });
    await stack.chain.networkHelpers.setBalance(provider.address, parseEther("1"));
    const { client } = await member(provider);
    provider.state.chainId = 1; // the member wandered off to another chain after signing in
    const claim = await client.claimDrop({ dropId: "voucher", submit: true });
    expect(claim.submitted).toBe(true);
    expect(provider.methods().slice(-5)).toEqual(["eth_chainId", "wallet_switchEthereumChain", "eth_chainId", "eth_requestAccounts", "eth_sendTransaction"]);
    const receipt = await stack.chain.publicClient.waitForTransactionReceipt({ hash: claim.txHash! });
    expect(receipt.status).toBe("success");
    expect(receipt.to?.toLowerCase()).toBe(stack.collection.toLowerCase());
    expect(await balanceOf(provider.address, DEMO_TYPES.stamp)).toBe(2n);
    expect(await stack.chain.collection.read.isVoucherUsed([claim.voucher!.uid])).toBe(true);
  });

  it("pays the voucher's price as the transaction value", async () => {
    const provider = stack.provider();
    await stack.chain.networkHelpers.setBalance(provider.address, parseEther("1"));
    const { client } = await member(provider);
    const claim = await client.claimDrop({ dropId: "paid", submit: true });
    const tx = await stack.chain.publicClient.getTransaction({ hash: claim.txHash! });
    expect(tx.value).toBe(parseEther("0.01"));
    expect(await balanceOf(provider.address, DEMO_TYPES.stamp)).toBe(1n);
  });

  it("submits from a viem WalletClient", async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    await stack.chain.networkHelpers.setBalance(account.address, parseEther("1"));
    const walletClient = createWalletClient({ account, chain: hardhat, transport: custom(stack.chain.connection.provider as never) });
    const { client } = await member(walletClient);
    const claim = await client.claimDrop({ dropId: "voucher", submit: true });
    await stack.chain.publicClient.waitForTransactionReceipt({ hash: claim.txHash! });
    expect(await balanceOf(account.address, DEMO_TYPES.stamp)).toBe(2n);
  });

  it("submits from an ethers Signer with a provider", async () => {
    const provider = stack.provider();
    await stack.chain.networkHelpers.setBalance(provider.address, parseEther("1"));
    const signer = await new BrowserProvider(provider as never).getSigner();
    const { client } = await member(signer);
    const claim = await client.claimDrop({ dropId: "voucher", submit: true });
    await stack.chain.publicClient.waitForTransactionReceipt({ hash: claim.txHash! });
    expect(await balanceOf(provider.address, DEMO_TYPES.stamp)).toBe(2n);
  });

  it("a bare viem Account cannot submit: WalletError wallet_unsupported (the voucher is still issued)", async () => {
    const { client } = await member(privateKeyToAccount(generatePrivateKey()));
    const error = await client.claimDrop({ dropId: "voucher", submit: true }).catch((e) => e);
    expect(error).toBeInstanceOf(WalletError);
    expect(error).toMatchObject({ code: "wallet_unsupported", method: "eth_sendTransaction" });
  });

  it("the member declining the transaction is a UserRejectedError", async () => {
    const provider = stack.provider();
    const { client } = await member(provider);
    provider.state.reject.add("eth_sendTransaction");
    await expect(client.claimDrop({ dropId: "voucher", submit: true })).rejects.toBeInstanceOf(UserRejectedError);
  });
});
