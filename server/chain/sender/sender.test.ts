/** The brand's sender on an in-process chain: aborts before broadcast, nonce clashes, vouchers the contract accepts. */
import { beforeAll, describe, expect, it } from "vitest";
import { createPublicClient, custom, keccak256, recoverTypedDataAddress, stringToHex, type Hex, type PublicClient } from "viem";
import { devAccount } from "../../../scripts/demo/accounts.ts";
import { claimVoucherDomain, claimVoucherTypes } from "../../../contracts/bindings/index.ts";
import { DEMO_TYPES, startChain, type DemoChain } from "../../../test/support/chain.ts";
import { LeaseTimeoutError } from "../../background/leases.ts";
import { StoreUnavailableError } from "../../storage/index.ts";
import { createSender } from "./sender.ts";

let chain: DemoChain;
let client: PublicClient;
const BRAND = devAccount(0);

beforeAll(async () => {
  chain = await startChain();
  client = chain.publicClient as unknown as PublicClient;
});

const collection = () => chain.collection.address;

describe("createSender", () => {
  it("sends nothing when beforeBroadcast says no", async () => {
    const minter = createSender({ client, privateKey: BRAND.privateKey, chainId: 31337, receiptTimeoutMs: 1_000 });
    const to = chain.members[3]!.account.address;
    const nonce = await client.getTransactionCount({ address: BRAND.account.address });
    let seen: { hash: Hex; raw: Hex } | undefined;
    const outcome = await minter.mint({ collection: collection(), to, tokenId: DEMO_TYPES.stamp, amount: 1n, beforeBroadcast: async (tx) => ((seen = tx), false) });
    expect(outcome).toEqual({ status: "aborted" });
    expect(seen!.hash).toBe(keccak256(seen!.raw));
    expect(await client.getTransactionCount({ address: BRAND.account.address })).toBe(nonce);
    expect(await chain.collection.read.balanceOf([to, DEMO_TYPES.stamp])).toBe(0n);
  });

  it("asks the node again when its nonce was taken, and records the new transaction", async () => {
    // A node that reports a stale transaction count once, as a lagging replica would.
    let stale = true;
    const lagging = createPublicClient({
      transport: custom({
        async request(args: { method: string; params?: unknown }) {
          if (args.method === "eth_getTransactionCount" && stale) {
            stale = false;
            return "0x0";
          }
          return chain.publicClient.request(args as never);
        },
      }),
    }) as PublicClient;
    const minter = createSender({ client: lagging, privateKey: BRAND.privateKey, chainId: 31337, receiptTimeoutMs: 1_000 });
    const recorded: Hex[] = [];
    const to = chain.members[4]!.account.address;
    const outcome = await minter.mint({ collection: collection(), to, tokenId: DEMO_TYPES.stamp, amount: 2n, beforeBroadcast: async (tx) => (recorded.push(tx.hash), true) });
    expect(outcome.status).toBe("minted");
    expect(recorded).toHaveLength(2);
    expect(outcome.status === "minted" && outcome.txHash).toBe(recorded[1]);
    expect(await chain.collection.read.balanceOf([to, DEMO_TYPES.stamp])).toBe(2n);
  });

  it("does not mint twice when the node got the transaction but answered with a nonce error (a retried send)", async () => {
    const echo = createPublicClient({
      transport: custom({
        async request(args: { method: string; params?: unknown }) {
          const result = await chain.publicClient.request(args as never);
          // The node took it; the answer the client sees is the one to a second, retried send.
          if (args.method === "eth_sendRawTransaction") throw Object.assign(new Error("Nonce too low. Expected nonce to be 9 but got 8."), { code: -32000 });
          return result;
        },
      }),
    }) as PublicClient;
    const minter = createSender({ client: echo, privateKey: BRAND.privateKey, chainId: 31337, receiptTimeoutMs: 1_000 });
    const to = chain.members[7]!.account.address;
    const recorded: Hex[] = [];
    const outcome = await minter.mint({ collection: collection(), to, tokenId: DEMO_TYPES.stamp, amount: 1n, beforeBroadcast: async (tx) => (recorded.push(tx.hash), true) });
    expect(outcome).toMatchObject({ status: "minted", txHash: recorded[0] });
    expect(recorded).toHaveLength(1);
    expect(await chain.collection.read.balanceOf([to, DEMO_TYPES.stamp])).toBe(1n);
  });

  it("signs vouchers the collection accepts, in compact form", async () => {
    const minter = createSender({ client, privateKey: BRAND.privateKey, chainId: 31337, receiptTimeoutMs: 1_000 });
    const to = chain.members[5]!.account.address;
    const now = (await client.getBlock()).timestamp;
    const voucher = { to, id: DEMO_TYPES.coffee, amount: 1n, validAfter: now - 60n, validUntil: now + 3600n, uid: keccak256(stringToHex("claim-x")), price: 0n };
    const signed = await minter.signVoucher(collection(), voucher);
    expect(await recoverTypedDataAddress({ domain: claimVoucherDomain(collection(), 31337), types: claimVoucherTypes, primaryType: "ClaimVoucher", message: voucher, signature: signed.signature })).toBe(
      BRAND.account.address,
    );
    const hash = await chain.collection.write.claim([voucher, signed.r, signed.vs], { account: chain.members[6]!.account });
    expect((await client.waitForTransactionReceipt({ hash })).status).toBe("success");
    expect(await chain.collection.read.balanceOf([to, DEMO_TYPES.coffee])).toBe(1n);
  });

  it("knows whether it holds MINTER_ROLE", async () => {
    expect(await createSender({ client, privateKey: BRAND.privateKey, chainId: 31337, receiptTimeoutMs: 1_000 }).canMint(collection())).toBe(true);
    expect(await createSender({ client, privateKey: devAccount(18).privateKey, chainId: 31337, receiptTimeoutMs: 1_000 }).canMint(collection())).toBe(false);
  });

  it("records and sends nothing once the key's lease is no longer held, nor when another instance holds it too long; a store that does not answer the record step is thrown", async () => {
    const to = chain.members[8]!.account.address;
    const nonce = await client.getTransactionCount({ address: BRAND.account.address, blockTag: "pending" });
    let recorded = 0;
    const request = { collection: collection(), to, tokenId: DEMO_TYPES.stamp, amount: 1n, beforeBroadcast: async () => (recorded++, true) };

    // The lease lapsed while the store was out of reach: another instance may have this nonce now.
    const lapsed = createSender({ client, privateKey: BRAND.privateKey, chainId: 31337, receiptTimeoutMs: 1_000, exclusive: (send) => send(() => false) });
    await expect(lapsed.mint(request)).rejects.toBeInstanceOf(StoreUnavailableError);

    const busy = createSender({ client, privateKey: BRAND.privateKey, chainId: 31337, receiptTimeoutMs: 1_000, exclusive: async () => Promise.reject(new LeaseTimeoutError("held elsewhere")) });
    expect(await busy.mint(request)).toMatchObject({ status: "failed", code: "mint_failed", message: expect.stringMatching(/busy/) });

    const storeDown = createSender({ client, privateKey: BRAND.privateKey, chainId: 31337, receiptTimeoutMs: 1_000 });
    await expect(storeDown.mint({ ...request, beforeBroadcast: async () => Promise.reject(new StoreUnavailableError(new Error("down"))) })).rejects.toBeInstanceOf(StoreUnavailableError);

    expect(recorded).toBe(0);
    expect(await client.getTransactionCount({ address: BRAND.account.address, blockTag: "pending" })).toBe(nonce);
    expect(await chain.collection.read.balanceOf([to, DEMO_TYPES.stamp])).toBe(0n);
  });
});
