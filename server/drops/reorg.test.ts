/**
 * Claims survive reorgs: the API at CONFIRMATIONS 2 on an in-process chain mints a member's claim, and
 * a reorg takes its block out (evm_snapshot before the claim, evm_revert, a longer history mined
 * without it). The claim stays pending until its mint is 2 deep, and the chain ends up as the store
 * says: the very same transaction minted once when the node lost it; when the minter's next mint took
 * its nonce on the new branch, the same claim is signed again once that is final, and minted once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWalletClient, custom, getAddress, parseTransaction, type Address, type Hex, type WalletClient } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { stampbookCollectionAbi } from "../../contracts/bindings/index.ts";
import { devAccount } from "../../scripts/demo/accounts.ts";
import { DEMO_TYPES, startChain, type DemoChain } from "../../test/support/chain.ts";
import { bearer, startServer, type TestServer } from "../../test/support/server.ts";
import { loadConfig } from "../config.ts";

const CONFIRMATIONS = 2;
/** The brand's account: it deployed the collection, holds MINTER_ROLE, and is the brand's minter here. */
const BRAND_KEY = devAccount(0).privateKey;

let chain: DemoChain;
let server: TestServer;
let dropId: string;

const rpc = (method: string, params: unknown[] = []) => chain.publicClient.request({ method, params } as never) as Promise<unknown>;
const mine = async (blocks: number) => {
  for (let i = 0; i < blocks; i++) await rpc("evm_mine");
};

beforeAll(async () => {
  chain = await startChain();
  // A mint is rarely 2 deep within the timeout on a chain that mines only on demand: claims answer 202 pending.
  server = await startServer(chain, { chainIndex: { ...loadConfig({}).chainIndex, confirmations: CONFIRMATIONS }, mintTimeoutMs: 300 }, { minterKey: BRAND_KEY });
  const created = await server.app.inject({ method: "POST", url: "/v1/admin/drops", headers: bearer(server.apiKey), payload: { title: "Reorg stamp", collection: chain.collection.address, tokenId: String(DEMO_TYPES.stamp) } });
  expect(created.statusCode, created.body).toBe(201);
  dropId = created.json().id;
});
afterAll(async () => server?.close());

type Member = { wallet: WalletClient; address: Address; token: string };

async function newMember(): Promise<Member> {
  const account = privateKeyToAccount(generatePrivateKey());
  const wallet = createWalletClient({ account, transport: custom({ request: async () => Promise.reject(new Error("offline")) }) });
  return { wallet, address: account.address, token: await server.signIn(wallet) };
}

let keys = 0;
async function claim(member: Member) {
  const response = await server.app.inject({ method: "POST", url: `/v1/drops/${dropId}/claim`, headers: { ...bearer(member.token), "idempotency-key": `reorg-${++keys}` } });
  expect(response.statusCode, response.body).toBe(202);
  return response.json() as { id: string; status: string; txHash: Hex };
}

/** The claim as the member reads it (which settles it from the chain). */
const read = async (member: Member, id: string) => (await server.app.inject({ method: "GET", url: `/v1/claims/${id}`, headers: bearer(member.token) })).json();

/** Stamps on chain, mints to the member on chain, and the member's minted claims in the store. */
async function delivered(member: Member) {
  const mints = await chain.publicClient.getContractEvents({ address: chain.collection.address, abi: stampbookCollectionAbi, eventName: "TransferSingle", args: { to: member.address }, fromBlock: 0n });
  const claims = (await server.store.listTakes({ kind: "drop", member: member.address, limit: 100 })).items;
  return {
    onChain: await chain.collection.read.balanceOf([member.address, DEMO_TYPES.stamp]),
    mints: mints.map((e) => e.transactionHash),
    minted: claims.filter((c) => c.status === "minted").map((c) => c.txHash),
  };
}

describe("claims across a reorg, at CONFIRMATIONS 2", () => {
  it("a mint whose block a reorg took out, lost by the node: pending until the very same transaction is 2 deep again, minted once", async () => {
    const member = await newMember();
    const before = await rpc("evm_snapshot");
    const pending = await claim(member);
    expect(pending.status).toBe("pending");
    expect(await delivered(member)).toMatchObject({ onChain: 1n, minted: [] });
    await mine(1);
    expect(await read(member, pending.id)).toMatchObject({ status: "pending" });

    // The chain takes another history, one block longer, without the mint; the node's pool is as before it.
    await rpc("evm_revert", [before]);
    await mine(3);
    await expect(chain.publicClient.getTransaction({ hash: pending.txHash })).rejects.toThrow();
    expect(await delivered(member)).toMatchObject({ onChain: 0n, minted: [] });

    // Reading it sends the recorded transaction again (the node mines it at once); 2 deep, it is minted.
    expect(await read(member, pending.id)).toMatchObject({ status: "pending", txHash: pending.txHash });
    await mine(1);
    expect(await read(member, pending.id)).toMatchObject({ status: "pending" });
    await mine(1);
    expect(await read(member, pending.id)).toMatchObject({ status: "minted", txHash: pending.txHash });
    expect(await delivered(member)).toEqual({ onChain: 1n, mints: [pending.txHash], minted: [pending.txHash] });
  });

  it("its nonce taken on the new branch by the minter's next mint: once that is 2 deep the same claim is signed again, and minted once", async () => {
    const [lost, next] = [await newMember(), await newMember()];
    const before = await rpc("evm_snapshot");
    const first = await claim(lost);
    await mine(1);
    expect(await read(lost, first.id)).toMatchObject({ status: "pending" });
    await rpc("evm_revert", [before]);

    // The minter's next mint, on the new branch, signs with the nonce the lost one had (the node refused the one after it).
    const other = await claim(next);
    const nonce = (hash: Hex) => chain.publicClient.getTransaction({ hash }).then((tx) => tx.nonce);
    const lostTx = await server.store.getTake(first.id);
    expect(parseTransaction(lostTx!.rawTx as Hex).nonce).toBe(await nonce(other.txHash));

    // Not final yet: a reorg could still give the nonce back.
    expect(await read(lost, first.id)).toMatchObject({ status: "pending" });
    await mine(CONFIRMATIONS);
    expect(await read(next, other.id)).toMatchObject({ status: "minted", txHash: other.txHash });
    // Dropped for good: read, the claim is signed again (a new transaction, a new nonce), pending until 2 deep.
    const resent = await read(lost, first.id);
    expect(resent).toMatchObject({ status: "pending" });
    expect(resent.txHash).not.toBe(first.txHash);
    await mine(CONFIRMATIONS);
    expect(await read(lost, first.id)).toMatchObject({ status: "minted", txHash: resent.txHash });
    expect(await read(lost, first.id)).toMatchObject({ status: "minted", txHash: resent.txHash });
    expect(await delivered(lost)).toEqual({ onChain: 1n, mints: [resent.txHash], minted: [resent.txHash] });
    expect(await delivered(next)).toEqual({ onChain: 1n, mints: [other.txHash], minted: [other.txHash] });
    expect(getAddress((await chain.publicClient.getTransaction({ hash: resent.txHash })).from)).toBe(getAddress(chain.brand.account.address));
  });
});
