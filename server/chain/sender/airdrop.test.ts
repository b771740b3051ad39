/** The sender's airdrop: simulated with the revert decoded, recorded (hash, raw, nonce) before broadcast, never waited on. */
import { beforeAll, describe, expect, it } from "vitest";
import { keccak256, parseTransaction, type Address, type Hex, type PublicClient } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { MINTER_ROLE } from "../../../contracts/bindings/index.ts";
import { devAccount } from "../../../scripts/demo/accounts.ts";
import { DEMO_TYPES, startChain, type DemoChain } from "../../../test/support/chain.ts";
import { createSender, type Sender, type SignedTransaction } from "./sender.ts";

let chain: DemoChain;
let client: PublicClient;
let minter: Sender;
const KEY = devAccount(17);
const fresh = (n: number): Address[] => Array.from({ length: n }, () => privateKeyToAccount(generatePrivateKey()).address);
const rpc = (method: string, params: unknown[] = []) => chain.publicClient.request({ method, params } as never);

beforeAll(async () => {
  chain = await startChain();
  client = chain.publicClient as unknown as PublicClient;
  await chain.publicClient.waitForTransactionReceipt({ hash: await chain.collection.write.grantRole([MINTER_ROLE, KEY.account.address]) });
  minter = createSender({ client, privateKey: KEY.privateKey, chainId: 31337, receiptTimeoutMs: 1_000 });
});

describe("airdrops", () => {
  it("estimates an airdrop, or says why the collection refuses it, by the error's name", async () => {
    const call = { collection: chain.collection.address, tokenId: DEMO_TYPES.stamp, recipients: fresh(3), amount: 1n };
    expect(await minter.estimateAirdrop(call)).toEqual({ status: "ok", gas: expect.any(BigInt) });
    expect(await minter.estimateAirdrop({ ...call, recipients: [] })).toMatchObject({ status: "failed", code: "mint_failed", revert: { name: "EmptyAirdrop", args: [] }, message: expect.stringMatching(/refused the airdrop: EmptyAirdrop/) });
    const refuser = (await chain.viem.deployContract("RefusingReceiver", [true])).address;
    const refused = await minter.estimateAirdrop({ ...call, recipients: [...call.recipients, refuser] });
    // The receiver's own error is not the collection's: nameless.
    expect(refused).toMatchObject({ status: "failed", revert: { name: null } });
  });

  it("records the signed transaction and its nonce before broadcast, sends nothing when told not to, and does not wait for the receipt", async () => {
    const call = { collection: chain.collection.address, tokenId: DEMO_TYPES.stamp, recipients: fresh(4), amount: 2n };
    const estimate = await minter.estimateAirdrop(call);
    if (estimate.status !== "ok") throw new Error(estimate.message);
    const nonce = await client.getTransactionCount({ address: KEY.account.address, blockTag: "pending" });

    expect(await minter.sendAirdrop({ ...call, gas: estimate.gas, beforeBroadcast: async () => false })).toEqual({ status: "aborted" });
    expect(await client.getTransactionCount({ address: KEY.account.address, blockTag: "pending" })).toBe(nonce);

    await rpc("evm_setAutomine", [false]);
    try {
      let recorded: SignedTransaction | undefined;
      const outcome = await minter.sendAirdrop({ ...call, gas: estimate.gas, beforeBroadcast: async (tx) => ((recorded = tx), true) });
      expect(outcome).toEqual({ status: "sent", txHash: recorded!.hash, nonce });
      expect(recorded!.hash).toBe(keccak256(recorded!.raw));
      expect(recorded!.nonce).toBe(nonce);
      expect(parseTransaction(recorded!.raw as Hex).nonce).toBe(nonce);
      await expect(client.getTransactionReceipt({ hash: recorded!.hash })).rejects.toThrow();
      await rpc("evm_mine");
      expect((await client.getTransactionReceipt({ hash: recorded!.hash })).status).toBe("success");
    } finally {
      await rpc("evm_setAutomine", [true]);
    }
    expect(await chain.collection.read.balanceOfBatch([call.recipients, call.recipients.map(() => DEMO_TYPES.stamp)])).toEqual([2n, 2n, 2n, 2n]);
  });
});
