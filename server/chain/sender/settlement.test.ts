/**
 * The one settlement of a recorded transaction, on an in-process chain: mined, reverted, lost by the
 * node and sent again as the very same transaction, dropped once its nonce went to another, and
 * unreadable while the chain cannot be reached. Who signed it and its nonce are read from the signed
 * transaction when the record does not say. At CONFIRMATIONS 3: confirming until its block is 3 under
 * the head, and after a reorg takes its block out (evm_snapshot, send, evm_revert, a longer history)
 * sent again and mined once, or dropped once another transaction's use of its nonce is as deep; a
 * receipt from the branch the chain left settles nothing.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createPublicClient, custom, encodeFunctionData, HttpRequestError, keccak256, type Address, type Hex, type PublicClient } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { MINTER_ROLE, stampbookCollectionAbi } from "../../../contracts/bindings/index.ts";
import { devAccount } from "../../../scripts/demo/accounts.ts";
import { DEMO_TYPES, startChain, type DemoChain } from "../../../test/support/chain.ts";
import { settleTransaction } from "./settlement.ts";

let chain: DemoChain;
let client: PublicClient;
const KEY = devAccount(16);

const rpc = (method: string, params: unknown[] = []) => chain.publicClient.request({ method, params } as never) as Promise<unknown>;

beforeAll(async () => {
  chain = await startChain();
  client = chain.publicClient as unknown as PublicClient;
  await chain.publicClient.waitForTransactionReceipt({ hash: await chain.collection.write.grantRole([MINTER_ROLE, KEY.account.address]) });
});

afterEach(async () => {
  await rpc("evm_setAutomine", [true]);
});

/** A signed airdrop of the stamp to `recipients` at `nonce` (the node's pending count by default), as a sender records it. */
async function signed(recipients: readonly Hex[], nonce?: number): Promise<{ hash: Hex; raw: Hex; nonce: number }> {
  const n = nonce ?? (await client.getTransactionCount({ address: KEY.account.address, blockTag: "pending" }));
  const raw = await KEY.account.signTransaction({
    chainId: 31337,
    to: chain.collection.address,
    data: encodeFunctionData({ abi: stampbookCollectionAbi, functionName: "airdrop", args: [DEMO_TYPES.stamp, recipients, 1n] }),
    gas: 200_000n,
    maxFeePerGas: 10n ** 10n,
    maxPriorityFeePerGas: 10n ** 9n,
    nonce: n,
  });
  return { hash: keccak256(raw), raw, nonce: n };
}

const member = () => chain.members[0]!.account.address;

describe("settleTransaction", () => {
  it("mined: with its block and gas; reverted: with its block", async () => {
    const ok = await signed([member()]);
    await client.request({ method: "eth_sendRawTransaction", params: [ok.raw] });
    expect(await settleTransaction(client, { hash: ok.hash, raw: ok.raw })).toEqual({ status: "mined", blockNumber: expect.any(BigInt), gasUsed: expect.any(BigInt) });

    // An empty airdrop reverts on chain (sent with a fixed gas, so no estimate stops it first; mined
    // apart, since a node that mines at once answers the send itself with the revert).
    await rpc("evm_setAutomine", [false]);
    const bad = await signed([]);
    await client.request({ method: "eth_sendRawTransaction", params: [bad.raw] });
    await rpc("evm_mine");
    expect(await settleTransaction(client, { hash: bad.hash, raw: bad.raw, from: KEY.account.address, nonce: bad.nonce })).toEqual({ status: "reverted", blockNumber: expect.any(BigInt) });
  });

  it("lost by the node, its nonce unused: pending, and the very same transaction is with the node again", async () => {
    await rpc("evm_setAutomine", [false]);
    const tx = await signed([member()]);
    // Recorded, never delivered (or lost by the node): the node does not have it.
    await expect(client.getTransaction({ hash: tx.hash })).rejects.toThrow();
    expect(await settleTransaction(client, { hash: tx.hash, raw: tx.raw })).toEqual({ status: "pending", trouble: null });
    expect((await client.getTransaction({ hash: tx.hash })).hash).toBe(tx.hash);
    await rpc("evm_mine");
    expect(await settleTransaction(client, { hash: tx.hash, raw: tx.raw })).toMatchObject({ status: "mined" });
  });

  it("sent again to a node that mines at once: mined in the same settlement", async () => {
    const tx = await signed([member()]);
    expect(await settleTransaction(client, { hash: tx.hash, raw: tx.raw })).toMatchObject({ status: "mined" });
  });

  it("dropped once its nonce went to another transaction the node mined", async () => {
    await rpc("evm_setAutomine", [false]);
    const lost = await signed([member()]);
    const other = await signed([chain.members[1]!.account.address], lost.nonce);
    await client.request({ method: "eth_sendRawTransaction", params: [other.raw] });
    await rpc("evm_mine");
    expect(await settleTransaction(client, { hash: lost.hash, raw: lost.raw })).toEqual({ status: "dropped", nonce: lost.nonce });
    // The one that took the nonce settles as mined.
    expect(await settleTransaction(client, { hash: other.hash, raw: other.raw })).toMatchObject({ status: "mined" });
  });

  it("recorded without its signed form: only a receipt settles it", async () => {
    const tx = await signed([member()]);
    expect(await settleTransaction(client, { hash: tx.hash, raw: null })).toEqual({ status: "pending", trouble: null });
    await client.request({ method: "eth_sendRawTransaction", params: [tx.raw] });
    expect(await settleTransaction(client, { hash: tx.hash, raw: null })).toMatchObject({ status: "mined" });
  });

  it("unreadable while the chain cannot be reached: nothing is concluded", async () => {
    const down = createPublicClient({ transport: custom({ request: async () => Promise.reject(new HttpRequestError({ url: "http://127.0.0.1:9" })) }, { retryCount: 0 }) }) as PublicClient;
    const tx = await signed([member()]);
    expect(await settleTransaction(down, { hash: tx.hash, raw: tx.raw })).toMatchObject({ status: "unreadable", error: expect.any(Error) });
    expect(await client.getTransactionCount({ address: KEY.account.address, blockTag: "pending" })).toBe(tx.nonce);
  });
});

describe("settleTransaction at CONFIRMATIONS 3", () => {
  const deep = { confirmations: 3 };
  const fresh = (): Address => privateKeyToAccount(generatePrivateKey()).address;
  const stamps = (who: Address) => chain.collection.read.balanceOf([who, DEMO_TYPES.stamp]);
  const mine = async (blocks: number) => {
    for (let i = 0; i < blocks; i++) await rpc("evm_mine");
  };

  it("confirming until its block is 3 under the head, then mined; a revert alike; at 0, mined at the head", async () => {
    const to = fresh();
    const tx = await signed([to]);
    await client.request({ method: "eth_sendRawTransaction", params: [tx.raw] });
    const { blockNumber } = await client.getTransactionReceipt({ hash: tx.hash });
    expect(await settleTransaction(client, tx, { confirmations: 0 })).toMatchObject({ status: "mined", blockNumber });
    for (let depth = 0; depth < 3; depth++) {
      expect(await settleTransaction(client, tx, deep)).toEqual({ status: "confirming", blockNumber, depth });
      await mine(1);
    }
    expect(await settleTransaction(client, tx, deep)).toEqual({ status: "mined", blockNumber, gasUsed: expect.any(BigInt) });

    await rpc("evm_setAutomine", [false]);
    const bad = await signed([]);
    await client.request({ method: "eth_sendRawTransaction", params: [bad.raw] });
    await mine(1);
    expect(await settleTransaction(client, bad, deep)).toMatchObject({ status: "confirming", depth: 0 });
    await mine(3);
    expect(await settleTransaction(client, bad, deep)).toMatchObject({ status: "reverted" });
  });

  it("taken out by a reorg and lost by the node: pending, the very same transaction again, mined once", async () => {
    const to = fresh();
    const before = await rpc("evm_snapshot");
    const tx = await signed([to]);
    await client.request({ method: "eth_sendRawTransaction", params: [tx.raw] });
    await mine(1);
    expect(await settleTransaction(client, tx, deep)).toMatchObject({ status: "confirming", depth: 1 });
    // Another history, one block longer, without it; the node's pool is as it was before the send.
    await rpc("evm_revert", [before]);
    await rpc("evm_setAutomine", [false]);
    await mine(3);
    await expect(client.getTransaction({ hash: tx.hash })).rejects.toThrow();
    expect(await stamps(to)).toBe(0n);

    expect(await settleTransaction(client, tx, deep)).toEqual({ status: "pending", trouble: null });
    expect((await client.getTransaction({ hash: tx.hash })).hash).toBe(tx.hash);
    await mine(1);
    expect(await settleTransaction(client, tx, deep)).toMatchObject({ status: "confirming", depth: 0 });
    await mine(3);
    expect(await settleTransaction(client, tx, deep)).toMatchObject({ status: "mined" });
    expect(await settleTransaction(client, tx, deep)).toMatchObject({ status: "mined" });
    expect(await stamps(to)).toBe(1n);
  });

  it("taken out by a reorg and kept by the node: mined again in the new history, once", async () => {
    const to = fresh();
    await rpc("evm_setAutomine", [false]);
    const tx = await signed([to]);
    await client.request({ method: "eth_sendRawTransaction", params: [tx.raw] });
    const waiting = await rpc("evm_snapshot");
    await mine(2);
    const first = await client.getTransactionReceipt({ hash: tx.hash });
    expect(await settleTransaction(client, tx, deep)).toMatchObject({ status: "confirming", depth: 1 });
    await rpc("evm_revert", [waiting]);
    // Another history: its blocks carry other times, so it is mined in another block.
    await rpc("evm_increaseTime", [7]);
    await mine(4);
    const again = await client.getTransactionReceipt({ hash: tx.hash });
    expect(again.blockHash).not.toBe(first.blockHash);
    expect(await settleTransaction(client, tx, deep)).toEqual({ status: "mined", blockNumber: again.blockNumber, gasUsed: expect.any(BigInt) });
    expect(await stamps(to)).toBe(1n);
  });

  it("a receipt from a branch the chain left (a node answering from before the reorg) settles nothing, however deep its height", async () => {
    const to = fresh();
    const before = await rpc("evm_snapshot");
    const tx = await signed([to]);
    await client.request({ method: "eth_sendRawTransaction", params: [tx.raw] });
    const stale = await rpc("eth_getTransactionReceipt", [tx.hash]);
    await rpc("evm_revert", [before]);
    await rpc("evm_setAutomine", [false]);
    await mine(5);
    const behind = createPublicClient({
      transport: custom({ request: async ({ method, params }) => (method === "eth_getTransactionReceipt" ? stale : rpc(method, params as unknown[])) }, { retryCount: 0 }),
    }) as PublicClient;
    expect(await settleTransaction(behind, tx, deep)).toEqual({ status: "pending", trouble: null });
    // Meanwhile the very same transaction went out again on the chain's own branch.
    await mine(4);
    expect(await settleTransaction(client, tx, deep)).toMatchObject({ status: "mined" });
    expect(await stamps(to)).toBe(1n);
  });

  it("its nonce taken on the new branch by another of the sender's transactions: pending until that is 3 deep, then dropped", async () => {
    const [lostTo, otherTo] = [fresh(), fresh()];
    const before = await rpc("evm_snapshot");
    const lost = await signed([lostTo]);
    await client.request({ method: "eth_sendRawTransaction", params: [lost.raw] });
    await rpc("evm_revert", [before]);
    // The sender's next transaction on the new branch takes the same nonce.
    const other = await signed([otherTo], lost.nonce);
    await client.request({ method: "eth_sendRawTransaction", params: [other.raw] });
    await mine(1);
    // At 0 it is dropped at once; at 3 the other one could still be taken out, so it waits.
    expect(await settleTransaction(client, lost, { confirmations: 0 })).toEqual({ status: "dropped", nonce: lost.nonce });
    expect(await settleTransaction(client, lost, deep)).toEqual({ status: "pending", trouble: null });
    await mine(1);
    expect(await settleTransaction(client, lost, deep)).toEqual({ status: "pending", trouble: null });
    await mine(1);
    expect(await settleTransaction(client, lost, deep)).toEqual({ status: "dropped", nonce: lost.nonce });
    expect(await settleTransaction(client, other, deep)).toMatchObject({ status: "mined" });
    expect([await stamps(lostTo), await stamps(otherTo)]).toEqual([0n, 1n]);
  });
});
