/**
 * Awards survive reorgs: the API at CONFIRMATIONS 2 on an in-process chain sends a batch of stamps,
 * and a reorg takes its block out (evm_snapshot before the send, evm_revert, a longer history mined
 * without it). The batch stays sent until its transaction is 2 deep, and every member ends up with
 * exactly one stamp, as the store says: the very same transaction again when the node lost it, a new
 * batch when another of the minter's transactions took its nonce on the new branch.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { devAccount } from "../../scripts/demo/accounts.ts";
import { DEMO_TYPES, startChain, type DemoChain } from "../../test/support/chain.ts";
import { startServer, type TestServer } from "../../test/support/server.ts";
import { loadConfig } from "../config.ts";
import { newId, toTimestamp } from "../storage/index.ts";

const CONFIRMATIONS = 2;
/** The brand's account: it deployed the collection, holds MINTER_ROLE, and is the brand's minter here. */
const BRAND_KEY = devAccount(0).privateKey;

let chain: DemoChain;
let server: TestServer;

const rpc = (method: string, params: unknown[] = []) => chain.publicClient.request({ method, params } as never) as Promise<unknown>;
const mine = async (blocks: number) => {
  for (let i = 0; i < blocks; i++) await rpc("evm_mine");
};
const freshMembers = (n: number): Address[] => Array.from({ length: n }, () => privateKeyToAccount(generatePrivateKey()).address);
const round = () => server.app.awards.runOnce();

beforeAll(async () => {
  chain = await startChain();
  // Rounds only when the test runs one.
  server = await startServer(chain, { chainIndex: { ...loadConfig({}).chainIndex, confirmations: CONFIRMATIONS }, awardIntervalMs: 86_400_000 }, { minterKey: BRAND_KEY });
});
afterAll(async () => server?.close());

async function queueAwards(members: readonly Address[]): Promise<string> {
  const journeyId = newId();
  for (const member of members) {
    await server.store.queueAward({ id: newId(), brandId: server.brand.id, journeyId, member, collection: chain.collection.address, tokenId: String(DEMO_TYPES.stamp), amount: "1", createdAt: toTimestamp(Date.now()) });
  }
  return journeyId;
}

/** Stamps on chain, and what the store says each member was awarded (and by which transaction). */
async function delivered(journeyId: string, members: readonly Address[]) {
  const onChain = await chain.collection.read.balanceOfBatch([[...members], members.map(() => DEMO_TYPES.stamp)]);
  const awards = (await server.store.listAwards({ brandId: server.brand.id, journeyId })).items;
  const stored = members.map((m) => awards.filter((a) => a.member === m.toLowerCase() && a.status === "awarded").length);
  return { onChain: [...onChain].map(Number), stored, txHashes: [...new Set(awards.map((a) => a.txHash))] };
}

describe("award batches across a reorg, at CONFIRMATIONS 2", () => {
  it("a batch whose block a reorg took out, lost by the node: the very same transaction again, one stamp each", async () => {
    const members = freshMembers(5);
    const journeyId = await queueAwards(members);
    const before = await rpc("evm_snapshot");

    expect(await round()).toMatchObject({ sent: 1, waiting: 1 });
    const [batch] = await server.store.listAwardBatches({ status: "sent" });
    expect((await delivered(journeyId, members)).onChain).toEqual([1, 1, 1, 1, 1]);
    // Mined, 0 and then 1 deep: not awarded yet.
    expect(await round()).toMatchObject({ mined: 0, sent: 0, waiting: 1 });
    await mine(1);
    expect(await round()).toMatchObject({ mined: 0, sent: 0, waiting: 1 });
    expect((await delivered(journeyId, members)).stored).toEqual([0, 0, 0, 0, 0]);

    // The chain takes another history, one block longer, without the airdrop; the node's pool is as before it.
    await rpc("evm_revert", [before]);
    await mine(3);
    await expect(chain.publicClient.getTransaction({ hash: batch!.txHash! })).rejects.toThrow();
    expect((await delivered(journeyId, members)).onChain).toEqual([0, 0, 0, 0, 0]);

    // Settling sends the recorded transaction again (the node mines it at once); 2 deep, it is awarded.
    expect(await round()).toMatchObject({ mined: 0, dropped: 0, sent: 0, waiting: 1 });
    await mine(CONFIRMATIONS);
    expect(await round()).toMatchObject({ mined: 1, dropped: 0, sent: 0, waiting: 0 });
    expect(await round()).toMatchObject({ mined: 0, sent: 0, waiting: 0 });

    const after = await delivered(journeyId, members);
    expect(after.onChain).toEqual([1, 1, 1, 1, 1]);
    expect(after.stored).toEqual([1, 1, 1, 1, 1]);
    expect(after.txHashes).toEqual([batch!.txHash]);
    expect(await server.store.listAwardBatches({ status: "mined" })).toEqual([expect.objectContaining({ id: batch!.id, txHash: batch!.txHash })]);
    expect(await server.store.listAwardBatches({ status: "dropped" })).toEqual([]);
  });

  it("its nonce taken on the new branch by another of the minter's transactions: dropped once that is 2 deep, sent again in a new batch, one stamp each", async () => {
    const members = freshMembers(4);
    const journeyId = await queueAwards(members);
    const before = await rpc("evm_snapshot");
    expect(await round()).toMatchObject({ sent: 1, waiting: 1 });
    const [lost] = await server.store.listAwardBatches({ status: "sent" });
    await mine(1);
    expect(await round()).toMatchObject({ mined: 0, waiting: 1 });

    // On the new branch the minter's key signs something else first (a script, another tool): it takes the nonce.
    await rpc("evm_revert", [before]);
    await chain.mint(chain.members[0]!.account.address, DEMO_TYPES.coffee);
    expect(await chain.publicClient.getTransactionCount({ address: chain.brand.account.address })).toBe(lost!.nonce! + 1);

    // The other transaction is not final yet: a reorg could still give the nonce back.
    expect(await round()).toMatchObject({ dropped: 0, sent: 0, waiting: 1 });
    await mine(CONFIRMATIONS);
    // Dropped, and its awards go out at once in a new batch, which is awarded 2 deep.
    expect(await round()).toMatchObject({ dropped: 1, sent: 1, waiting: 1 });
    expect((await delivered(journeyId, members)).stored).toEqual([0, 0, 0, 0]);
    await mine(CONFIRMATIONS);
    expect(await round()).toMatchObject({ mined: 1, sent: 0, waiting: 0 });

    const after = await delivered(journeyId, members);
    expect(after.onChain).toEqual([1, 1, 1, 1]);
    expect(after.stored).toEqual([1, 1, 1, 1]);
    expect(after.txHashes).toHaveLength(1);
    expect(after.txHashes).not.toContain(lost!.txHash);
    const dropped = await server.store.listAwardBatches({ status: "dropped" });
    expect(dropped).toEqual([expect.objectContaining({ id: lost!.id, txHash: lost!.txHash })]);
  });
});
