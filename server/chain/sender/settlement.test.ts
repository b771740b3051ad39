/**
 * The one settlement of a recorded transaction, on an in-process chain: mined, reverted, lost by the
 * node and sent again as the very same transaction, dropped once its nonce went to another, and
 * unreadable while the chain cannot be reached. Who signed it and its nonce are read from the signed
 * transaction when the record does not say.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createPublicClient, custom, encodeFunctionData, HttpRequestError, keccak256, type Hex, type PublicClient } from "viem";
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
