/**
 * claim()'s polling, retry and failure handling against the REAL drop routes and the real chain
 * (claimDrop.server.test.ts covers the plain paths). The chain makes the slow cases: with automine
 * off a mint stays pending until a block is mined; a pause ordered before it makes it revert; a paused
 * collection refuses the mint outright. What only a network makes (a 503 from something in between,
 * a connection lost after the claim was made) is injected in the client's `fetch`, which also records
 * every claim request's Idempotency-Key and every read of a claim.
 */
import { BrowserProvider } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWalletClient, custom, parseEther, parseGwei, parseSignature, signatureToCompactSignature, type Address, type Hex, type WalletClient } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { claimVoucherDomain, claimVoucherTypes, PAUSER_ROLE, stampbookCollectionAbi } from "../../../contracts/bindings/index.ts";
import { devAccount } from "../../../scripts/demo/accounts.ts";
import { DEMO_TYPES } from "../../../test/support/chain.ts";
import { createStampbookClient } from "../client.ts";
import { ApiError, ClaimFailedError, ClaimPendingError, UserRejectedError, WalletError } from "../index.ts";
import { fastOptions, startStack, type Stack } from "../../../test/support/sdk/stack.ts";
import { claimDrop } from "./claimDrop.ts";
import { getClaim } from "./getClaim.ts";

/** The brand's minter: the chain's first development account, the demo collection's admin. */
const MINTER = devAccount(0);
/** A voucher with a price, which the server (whose vouchers are free) does not issue: priced here, signed by the minter. */
const PAID_PRICE = parseEther("0.01");

let stack: Stack;
/** A second account with PAUSER_ROLE, whose pause can be ordered before the minter's pending mint. */
let pauser: WalletClient;
/** Drop ids by name. */
const drops: Record<string, string> = {};

/** What the client's fetch saw, and the faults it injects. */
const wire = {
  /** Every claim request: drop name and Idempotency-Key. */
  requests: [] as { drop: string; key: string | undefined }[],
  /** Every GET of a claim (its id), and every drop listing (`drops?query`). */
  polls: [] as string[],
  /** Faults for a drop's next claim requests, in order ("503": answered by something in between; "drop": the claim is made, its answer lost). */
  faults: {} as Record<string, ("503" | "drop")[]>,
  /** Called before a claim's n-th read is sent on (from 1). */
  beforePoll: null as ((claimId: string, n: number) => Promise<void>) | null,
};

const dropName = (id: string) => Object.entries(drops).find(([, dropId]) => dropId === id)?.[0] ?? id;

async function recordingFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const url = new URL(input instanceof Request ? input.url : input.toString());
  const method = init?.method ?? "GET";
  const headers = (init?.headers ?? {}) as Record<string, string>;
  const claimPath = /^\/v1\/drops\/([^/]+)\/claim$/.exec(url.pathname);
  const claimRead = /^\/v1\/claims\/([^/]+)$/.exec(url.pathname);
  if (method === "GET" && url.pathname === "/v1/drops") wire.polls.push(`drops${url.search}`);
  if (method === "GET" && claimRead) {
    const id = decodeURIComponent(claimRead[1]!);
    wire.polls.push(id);
    await wire.beforePoll?.(id, wire.polls.filter((p) => p === id).length);
  }
  if (method === "POST" && claimPath) {
    const drop = dropName(decodeURIComponent(claimPath[1]!));
    wire.requests.push({ drop, key: headers["idempotency-key"] });
    const fault = wire.faults[drop]?.shift();
    if (fault === "503") {
      const problem = { type: "urn:stampbook:problem:chain_unavailable", title: "The chain cannot be reached right now", status: 503, code: "chain_unavailable" };
      return new Response(JSON.stringify(problem), { status: 503, headers: { "content-type": "application/problem+json" } });
    }
    const response = await globalThis.fetch(input, init);
    if (fault === "drop") {
      await response.arrayBuffer();
      throw new TypeError("fetch failed", { cause: new Error("socket hang up") });
    }
    if (drop === "paid" && response.ok) return priced(response);
    return response;
  }
  return globalThis.fetch(input, init);
}

/** The server's free voucher for the "paid" drop, re-signed by the minter with a price. */
async function priced(response: Response): Promise<Response> {
  const claim = await response.json();
  const v = claim.voucher;
  const message = { to: v.to, id: BigInt(v.id), amount: BigInt(v.amount), validAfter: BigInt(v.validAfter), validUntil: BigInt(v.validUntil), uid: v.uid as Hex, price: PAID_PRICE };
  const signature = await MINTER.account.signTypedData({ domain: claimVoucherDomain(stack.collection, 31337), types: claimVoucherTypes, primaryType: "ClaimVoucher", message });
  const { r, yParityAndS } = signatureToCompactSignature(parseSignature(signature));
  const voucher = { ...v, price: PAID_PRICE.toString(), signature, r, vs: yParityAndS };
  return new Response(JSON.stringify({ ...claim, voucher }), { status: response.status, headers: { "content-type": "application/json" } });
}

beforeAll(async () => {
  stack = await startStack({ mintTimeoutMs: 300 }, { minterKey: MINTER.privateKey });
  pauser = stack.chain.members[4]!;
  const granted = await stack.chain.collection.write.grantRole([PAUSER_ROLE, pauser.account!.address]);
  await stack.chain.publicClient.waitForTransactionReceipt({ hash: granted });
  const stamp = DEMO_TYPES.stamp.toString();
  for (const [name, body] of Object.entries({
    now: { mode: "mint", tokenId: stamp },
    slow: { mode: "mint", tokenId: stamp },
    doomed: { mode: "mint", tokenId: stamp },
    stuck: { mode: "mint", tokenId: stamp },
    refused: { mode: "mint", tokenId: stamp },
    flaky: { mode: "mint", tokenId: stamp },
    voucher: { mode: "voucher", tokenId: stamp, amount: "2" },
    paid: { mode: "voucher", tokenId: stamp, amount: "1" },
  })) {
    const created = await stack.admin("POST", "/v1/admin/drops", { title: name, collection: stack.collection, limits: { perMember: null }, ...body });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    drops[name] = created.body.id;
  }
});
afterAll(async () => {
  await stack?.close();
});

async function member(wallet?: unknown, extra: Record<string, unknown> = {}) {
  const provider = stack.provider();
  const client = createStampbookClient({ apiUrl: stack.apiUrl, fetch: recordingFetch, wallet: (wallet ?? provider) as never, ...fastOptions(), ...extra });
  await client.signIn();
  return { client, provider };
}

const keysOf = (drop: string) => wire.requests.filter((r) => r.drop === drop).map((r) => r.key);
const balanceOf = (address: Address, id: bigint) => stack.chain.collection.read.balanceOf([address, id]);

/** Runs `work` with blocks mined only when asked; mines what is left and turns automine back on after. */
async function withoutAutomine<T>(work: () => Promise<T>): Promise<T> {
  await stack.chain.connection.provider.request({ method: "evm_setAutomine", params: [false] });
  try {
    return await work();
  } finally {
    wire.beforePoll = null;
    await stack.chain.connection.provider.request({ method: "evm_setAutomine", params: [true] });
    await stack.chain.networkHelpers.mine();
  }
}

/** Pauses (or unpauses) the collection from the pauser, paying enough priority to be mined before a pending mint. */
async function setPaused(paused: boolean): Promise<Hex> {
  return pauser.writeContract({
    address: stack.collection,
    abi: stampbookCollectionAbi,
    functionName: paused ? "pause" : "unpause",
    account: pauser.account!,
    chain: hardhat,
    maxPriorityFeePerGas: parseGwei("500"),
    maxFeePerGas: parseGwei("1000"),
  });
}

describe("drops", () => {
  it("lists the drops (GET /v1/drops) with their mode, and passes the brand filter", async () => {
    const { client } = await member();
    const listed = await client.drops({ brand: stack.server.brand.id });
    expect(listed.find((d) => d.id === drops.voucher)).toMatchObject({ mode: "voucher", tokenId: "3", eligible: true, status: "open" });
    expect(listed.find((d) => d.id === drops.now)).toMatchObject({ mode: "mint" });
    expect(wire.polls).toContain(`drops?brand=${stack.server.brand.id}`);
  });
});

describe("claim, mode mint", () => {
  it("returns the minted claim the server answers", async () => {
    const { client, provider } = await member();
    const claim = await client.claim(drops.now!);
    expect(claim).toMatchObject({ dropId: drops.now, mode: "mint", status: "minted", member: provider.address, tokenId: "3", amount: "1" });
    expect(claim.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await balanceOf(provider.address, DEMO_TYPES.stamp)).toBe(1n);
    expect(keysOf("now")).toHaveLength(1);
    expect(keysOf("now")[0]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("polls GET /v1/claims/:id while the claim is pending, until minted", async () => {
    const { client, provider } = await member();
    const claim = await withoutAutomine(() => {
      // Three reads find it pending; the block with its mint comes before the fourth.
      wire.beforePoll = async (_, n) => {
        if (n === 4) await stack.chain.networkHelpers.mine();
      };
      return client.claim(drops.slow!);
    });
    expect(claim.status).toBe("minted");
    expect(wire.polls.filter((id) => id === claim.id)).toHaveLength(4);
    expect(await getClaim(client, { claimId: claim.id })).toMatchObject({ id: claim.id, status: "minted" });
    expect(await balanceOf(provider.address, DEMO_TYPES.stamp)).toBe(1n);
  });

  it("throws ClaimFailedError when polling finds the claim failed", async () => {
    const { client } = await member();
    const error = await withoutAutomine(() => {
      // The pause is mined first, in the block with the mint: the mint reverts.
      wire.beforePoll = async (_, n) => {
        if (n !== 2) return;
        await setPaused(true);
        await stack.chain.networkHelpers.mine();
      };
      return client.claim(drops.doomed!).catch((e) => e);
    });
    await stack.chain.publicClient.waitForTransactionReceipt({ hash: await setPaused(false) });
    expect(error).toBeInstanceOf(ClaimFailedError);
    expect(error).toMatchObject({ name: "ClaimFailedError", code: "claim_failed", claim: { status: "failed", dropId: drops.doomed } });
    expect(error.details).toBe("mint_failed: the mint transaction reverted");
  });

  it("throws ClaimPendingError after pollTimeout, with the claim to ask about later", async () => {
    const { client } = await member();
    await withoutAutomine(async () => {
      const error = await client.claim(drops.stuck!, { pollTimeout: 150 }).catch((e) => e);
      expect(error).toBeInstanceOf(ClaimPendingError);
      expect(error.claim).toMatchObject({ status: "pending", dropId: drops.stuck });
      expect((await client.getClaim(error.claim.id)).status).toBe("pending");
    });
  });

  it("turns the API's 502 mint_failed (with the failed claim) into ClaimFailedError, without retrying the same key", async () => {
    const { client } = await member();
    await stack.chain.publicClient.waitForTransactionReceipt({ hash: await setPaused(true) });
    try {
      const error = await claimDrop(client, { dropId: drops.refused! }).catch((e) => e);
      expect(error).toBeInstanceOf(ClaimFailedError);
      const cause = error.walk((e: unknown) => e instanceof ApiError);
      expect(cause).toMatchObject({ status: 502, code: "mint_failed" });
      expect(keysOf("refused")).toHaveLength(1);
    } finally {
      await stack.chain.publicClient.waitForTransactionReceipt({ hash: await setPaused(false) });
    }
  });

  it("retries 5xx and dropped connections with the SAME Idempotency-Key and returns the one claim", async () => {
    const { client, provider } = await member();
    wire.faults.flaky = ["503", "drop"];
    const claim = await client.claim(drops.flaky!);
    expect(claim.status).toBe("minted");
    const keys = keysOf("flaky");
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
    // The claim the lost answer carried, once: one mint on chain.
    expect(await balanceOf(provider.address, DEMO_TYPES.stamp)).toBe(1n);
  });

  it("passes the caller's Idempotency-Key", async () => {
    const { client } = await member();
    await client.claim(drops.now!, { idempotencyKey: "checkout-7" });
    expect(keysOf("now").at(-1)).toBe("checkout-7");
  });
});

describe("claim, mode voucher", () => {
  it("returns the voucher without submitting unless asked", async () => {
    const { client, provider } = await member();
    const claim = await client.claim(drops.voucher!);
    expect(claim).toMatchObject({ mode: "voucher", status: "issued", voucher: { to: provider.address, id: "3", amount: "2", chainId: 31337, collection: stack.collection } });
    expect(claim.submitted).toBeUndefined();
    expect(provider.methods()).not.toContain("eth_sendTransaction");
  });

  it("with { submit: true } sends claim(voucher, r, vs) from the EIP-1193 wallet; the tokens arrive on chain", async () => {
    const provider = stack.provider({ chainId: 1, knownChains: [31337] });
    await stack.chain.networkHelpers.setBalance(provider.address, parseEther("1"));
    const { client } = await member(provider);
    provider.state.chainId = 1; // the member wandered off to another chain after signing in
    const claim = await client.claim(drops.voucher!, { submit: true });
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
    const claim = await client.claim(drops.paid!, { submit: true });
    const tx = await stack.chain.publicClient.getTransaction({ hash: claim.txHash! });
    expect(tx.value).toBe(PAID_PRICE);
    expect(await balanceOf(provider.address, DEMO_TYPES.stamp)).toBe(1n);
  });

  it("submits from a viem WalletClient", async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    await stack.chain.networkHelpers.setBalance(account.address, parseEther("1"));
    const walletClient = createWalletClient({ account, chain: hardhat, transport: custom(stack.chain.connection.provider as never) });
    const { client } = await member(walletClient);
    const claim = await client.claim(drops.voucher!, { submit: true });
    await stack.chain.publicClient.waitForTransactionReceipt({ hash: claim.txHash! });
    expect(await balanceOf(account.address, DEMO_TYPES.stamp)).toBe(2n);
  });

  it("submits from an ethers Signer with a provider", async () => {
    const provider = stack.provider();
    await stack.chain.networkHelpers.setBalance(provider.address, parseEther("1"));
    const signer = await new BrowserProvider(provider as never).getSigner();
    const { client } = await member(signer);
    const claim = await client.claim(drops.voucher!, { submit: true });
    await stack.chain.publicClient.waitForTransactionReceipt({ hash: claim.txHash! });
    expect(await balanceOf(provider.address, DEMO_TYPES.stamp)).toBe(2n);
  });

  it("a bare viem Account cannot submit: WalletError wallet_unsupported (the voucher is still issued)", async () => {
    const { client } = await member(privateKeyToAccount(generatePrivateKey()));
    const error = await client.claim(drops.voucher!, { submit: true }).catch((e) => e);
    expect(error).toBeInstanceOf(WalletError);
    expect(error).toMatchObject({ code: "wallet_unsupported", method: "eth_sendTransaction" });
  });

  it("the member declining the transaction is a UserRejectedError", async () => {
    const provider = stack.provider();
    const { client } = await member(provider);
    provider.state.reject.add("eth_sendTransaction");
    await expect(client.claim(drops.voucher!, { submit: true })).rejects.toBeInstanceOf(UserRejectedError);
  });
});
