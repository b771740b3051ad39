/**
 * The award queue on an in-process chain with a real store: batches of AWARD_BATCH_MAX, each member
 * credited exactly once, a refusing recipient failing alone (singled out in simulation, and after a
 * revert on chain), a paused collection sending nothing, a lost transaction sent again as the very
 * same one, a transaction whose nonce went elsewhere re-queued, and two workers at once (one SQLite
 * store, and two PostgreSQL connections on one schema) never sending an award twice.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createWalletClient, custom, parseGwei, type Address, type PublicClient } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { MINTER_ROLE } from "../../contracts/bindings/index.ts";
import { devAccount } from "../../scripts/demo/accounts.ts";
import { DEMO_TYPES, startChain, type DemoChain } from "../../test/support/chain.ts";
import { freshSchema, POSTGRES_SKIPS, postgresForTests } from "../../test/support/services.ts";
import { createSender, type Sender } from "../chain/sender/sender.ts";
import { sendLease } from "../chain/sender/brand-senders.ts";
import { newId, PostgresStore, SqliteStore, toTimestamp, type Store } from "../storage/index.ts";
import { createAwardQueue, type AwardQueue, type AwardQueueOptions } from "./queue.ts";

const STAMP = DEMO_TYPES.stamp;
/** The minter: its own account, granted MINTER_ROLE, so nothing else moves its nonce. */
const MINTER = devAccount(19);
const BRAND = "brand-awards";

let chain: DemoChain;
let client: PublicClient;
let minter: Sender;

const rpc = (method: string, params: unknown[] = []) => chain.publicClient.request({ method, params } as never) as Promise<unknown>;
const setAutomine = (on: boolean) => rpc("evm_setAutomine", [on]);
const mine = () => rpc("evm_mine");
const minedNonce = () => client.getTransactionCount({ address: MINTER.account.address, blockTag: "latest" });
const freshMembers = (n: number): Address[] => Array.from({ length: n }, () => privateKeyToAccount(generatePrivateKey()).address);

beforeAll(async () => {
  chain = await startChain();
  client = chain.publicClient as unknown as PublicClient;
  await chain.publicClient.waitForTransactionReceipt({ hash: await chain.collection.write.grantRole([MINTER_ROLE, MINTER.account.address]) });
  minter = createSender({ client, privateKey: MINTER.privateKey, chainId: 31337, receiptTimeoutMs: 5_000 });
});

afterEach(async () => {
  await setAutomine(true);
});

function queueOn(store: Store, options: Partial<AwardQueueOptions> = {}): AwardQueue {
  return createAwardQueue({
    store,
    senders: { forBrand: async () => minter },
    client,
    holder: "test",
    batchMax: 200,
    delayMs: 0,
    intervalMs: 60_000,
    retryBackoffMs: 0,
    blockedBackoffMs: 0,
    ...options,
  });
}

async function queueAwards(store: Store, members: readonly Address[], options: { journeyId?: string; amount?: string; collection?: Address } = {}) {
  const journeyId = options.journeyId ?? newId();
  const base = Date.now();
  for (const [i, member] of members.entries()) {
    await store.queueAward({
      id: newId(),
      brandId: BRAND,
      journeyId,
      member,
      collection: options.collection ?? chain.collection.address,
      tokenId: String(STAMP),
      amount: options.amount ?? "1",
      createdAt: toTimestamp(base + i),
    });
  }
  return journeyId;
}

/** Rounds until no award of the journey is pending or sending (at most `rounds`). */
async function drain(queue: AwardQueue, store: Store, journeyId: string, rounds = 10) {
  for (let i = 0; i < rounds; i++) {
    await queue.runOnce();
    const open = [...(await store.listAwards({ brandId: BRAND, journeyId, status: "pending" })).items, ...(await store.listAwards({ brandId: BRAND, journeyId, status: "sending" })).items];
    if (open.length === 0) return;
  }
  throw new Error(`awards of ${journeyId} still open after ${rounds} rounds`);
}

async function allAwards(store: Store, journeyId: string) {
  const items = [];
  let cursor: string | null = null;
  do {
    const page = await store.listAwards({ brandId: BRAND, journeyId, cursor });
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return items;
}

async function balances(members: readonly Address[]): Promise<bigint[]> {
  return [...(await chain.collection.read.balanceOfBatch([[...members], members.map(() => STAMP)]))];
}

describe("the award queue", () => {
  it("sends 250 awards as 2 airdrops (200 + 50): every member gets the amount exactly once", async () => {
    const store = SqliteStore.open(":memory:");
    const members = freshMembers(250);
    const journeyId = await queueAwards(store, members, { amount: "2" });
    const before = await minedNonce();

    const queue = queueOn(store);
    const first = await queue.runOnce();
    expect(first).toMatchObject({ sent: 2, waiting: 2 });
    const second = await queue.runOnce();
    expect(second).toMatchObject({ mined: 2, sent: 0, waiting: 0 });

    expect(await minedNonce()).toBe(before + 2);
    const batches = await store.listAwardBatches({ status: "mined" });
    expect(batches.map((b) => b.size)).toEqual([200, 50]);
    expect(batches.every((b) => Number(b.gasUsed) / b.size < 32_000)).toBe(true);
    expect(await balances(members)).toEqual(members.map(() => 2n));
    const awards = await allAwards(store, journeyId);
    expect(awards).toHaveLength(250);
    expect(awards.every((a) => a.status === "awarded" && a.txHash !== null && a.error === null)).toBe(true);
    expect(new Set(awards.map((a) => a.txHash))).toEqual(new Set(batches.map((b) => b.txHash)));

    // Settled batches stay settled: another round sends nothing.
    expect(await queue.runOnce()).toMatchObject({ sent: 0, mined: 0, waiting: 0 });
    expect(await minedNonce()).toBe(before + 2);
    await store.close();
  });

  it("singles out a recipient contract that refuses ERC-1155 in simulation: it alone fails, the rest go in one airdrop", async () => {
    const store = SqliteStore.open(":memory:");
    const refuser = (await chain.viem.deployContract("RefusingReceiver", [true])).address;
    const members = freshMembers(20);
    members.splice(7, 0, refuser);
    const journeyId = await queueAwards(store, members);
    const before = await minedNonce();

    await drain(queueOn(store, { maxAttempts: 3 }), store, journeyId);

    const awards = await allAwards(store, journeyId);
    const bad = awards.find((a) => a.member === refuser.toLowerCase())!;
    expect(bad).toMatchObject({ status: "failed", attempts: 3, error: expect.stringMatching(/refused the airdrop/) });
    expect(awards.filter((a) => a.status === "awarded")).toHaveLength(20);
    expect(await minedNonce()).toBe(before + 1);
    expect(await balances(members)).toEqual(members.map((m) => (m === refuser ? 0n : 1n)));
    await store.close();
  });

  it("after an airdrop reverts on chain, retries in halves until the one bad recipient fails alone", async () => {
    const store = SqliteStore.open(":memory:");
    const receiver = await chain.viem.deployContract("RefusingReceiver", [false]);
    const members = freshMembers(7);
    members.splice(2, 0, receiver.address);
    const journeyId = await queueAwards(store, members);
    const queue = queueOn(store, { maxAttempts: 3 });

    // The simulation passes; before the airdrop is mined the receiver starts refusing.
    await setAutomine(false);
    expect(await queue.runOnce()).toMatchObject({ sent: 1 });
    const [sent] = await store.listAwardBatches({ status: "sent" });
    await receiver.write.setRefusing([true], { maxPriorityFeePerGas: parseGwei("50"), maxFeePerGas: parseGwei("100") });
    await mine();
    await setAutomine(true);
    expect((await client.getTransactionReceipt({ hash: sent!.txHash! })).status).toBe("reverted");

    expect(await queue.runOnce()).toMatchObject({ reverted: 1 });
    await drain(queue, store, journeyId);

    expect((await store.getAwardBatch(sent!.id))!.status).toBe("reverted");
    const awards = await allAwards(store, journeyId);
    expect(awards.find((a) => a.member === receiver.address.toLowerCase())).toMatchObject({ status: "failed", attempts: 3 });
    expect(awards.filter((a) => a.status === "awarded")).toHaveLength(7);
    expect(awards.filter((a) => a.status === "awarded").every((a) => a.attempts === 1)).toBe(true);
    expect(await balances(members)).toEqual(members.map((m) => (m === receiver.address ? 0n : 1n)));
    // After the revert, no batch bigger than half of it.
    const mined = await store.listAwardBatches({ status: "mined" });
    expect(Math.max(...mined.map((b) => b.size))).toBeLessThanOrEqual(4);
    await store.close();
  });

  it("sends nothing while the collection is paused: the awards wait with the reason, then go out", async () => {
    const store = SqliteStore.open(":memory:");
    let clock = Date.now();
    const queue = queueOn(store, { now: () => new Date(clock), blockedBackoffMs: 60_000 });
    const members = freshMembers(3);
    const journeyId = await queueAwards(store, members);
    const before = await minedNonce();
    await chain.publicClient.waitForTransactionReceipt({ hash: await chain.collection.write.pause() });
    try {
      expect(await queue.runOnce()).toMatchObject({ sent: 0, returned: 3 });
      expect(await minedNonce()).toBe(before);
      const waiting = await allAwards(store, journeyId);
      expect(waiting.every((a) => a.status === "pending" && a.attempts === 0 && /EnforcedPause/.test(a.error ?? "") && a.notBefore !== null)).toBe(true);
      // Within the backoff nothing is tried again.
      expect(await queue.runOnce()).toMatchObject({ sent: 0, returned: 0 });
    } finally {
      await chain.publicClient.waitForTransactionReceipt({ hash: await chain.collection.write.unpause() });
    }
    clock += 61_000;
    await drain(queue, store, journeyId);
    expect(await minedNonce()).toBe(before + 1);
    expect(await balances(members)).toEqual([1n, 1n, 1n]);
    await store.close();
  });

  it("sends the very same transaction again when the node lost it", async () => {
    const store = SqliteStore.open(":memory:");
    const members = freshMembers(3);
    const journeyId = await queueAwards(store, members);
    const queue = queueOn(store);
    const before = await minedNonce();

    await setAutomine(false);
    await queue.runOnce();
    const [batch] = await store.listAwardBatches({ status: "sent" });
    await rpc("hardhat_dropTransaction", [batch!.txHash]);
    await expect(client.getTransaction({ hash: batch!.txHash! })).rejects.toThrow();

    expect(await queue.runOnce()).toMatchObject({ sent: 0, waiting: 1 });
    expect((await client.getTransaction({ hash: batch!.txHash! })).hash).toBe(batch!.txHash);
    await mine();
    await drain(queue, store, journeyId);

    expect(await store.getAwardBatch(batch!.id)).toMatchObject({ status: "mined", txHash: batch!.txHash });
    expect(await minedNonce()).toBe(before + 1);
    expect(await balances(members)).toEqual([1n, 1n, 1n]);
    await store.close();
  });

  it("re-queues a batch whose nonce went to another transaction (it can never mine), and sends it once", async () => {
    const store = SqliteStore.open(":memory:");
    const members = freshMembers(3);
    const journeyId = await queueAwards(store, members);
    const queue = queueOn(store);
    const before = await minedNonce();

    await setAutomine(false);
    await queue.runOnce();
    const [batch] = await store.listAwardBatches({ status: "sent" });
    await rpc("hardhat_dropTransaction", [batch!.txHash]);
    // Another use of the key takes the nonce (a script, an operator's transfer) and is mined.
    const wallet = createWalletClient({ account: MINTER.account, chain: chain.publicClient.chain, transport: custom(chain.publicClient) });
    await wallet.sendTransaction({ to: MINTER.account.address, value: 0n, nonce: batch!.nonce! });
    await mine();
    await setAutomine(true);

    expect(await queue.runOnce()).toMatchObject({ dropped: 1, sent: 1 });
    await drain(queue, store, journeyId);

    expect(await store.getAwardBatch(batch!.id)).toMatchObject({ status: "dropped" });
    const awards = await allAwards(store, journeyId);
    expect(awards.every((a) => a.status === "awarded" && a.attempts === 0 && a.txHash !== batch!.txHash)).toBe(true);
    expect(await minedNonce()).toBe(before + 2); // the other transaction, and the one airdrop
    expect(await balances(members)).toEqual([1n, 1n, 1n]);
    await store.close();
  });

  it("batches awards completed together: nudges within the delay share one round", async () => {
    const store = SqliteStore.open(":memory:");
    const queue = queueOn(store, { delayMs: 150 });
    const members = freshMembers(30);
    const before = await minedNonce();
    queue.start();
    try {
      const journeyId = newId();
      for (const [i, member] of members.entries()) {
        await store.queueAward({ id: newId(), brandId: BRAND, journeyId, member, collection: chain.collection.address, tokenId: String(STAMP), amount: "1", createdAt: toTimestamp(Date.now() + i) });
        queue.nudge();
      }
      for (let i = 0; i < 100 && (await allAwards(store, journeyId)).some((a) => a.status !== "awarded"); i++) {
        await new Promise((r) => setTimeout(r, 100));
        queue.nudge();
      }
      expect((await allAwards(store, journeyId)).every((a) => a.status === "awarded")).toBe(true);
    } finally {
      await queue.stop();
    }
    expect(await minedNonce()).toBe(before + 1);
    await store.close();
  });
});

/** Two workers at once, each with its own minter object for the one key (as two instances have), over `stores`. */
async function twoWorkers(stores: [Store, Store]) {
  const members = freshMembers(300);
  const journeyId = await queueAwards(stores[0], members, { amount: "3" });
  const before = await minedNonce();
  const queues = stores.map((store, i) => {
    const holder = `worker-${i}`;
    const own = createSender({
      client,
      privateKey: MINTER.privateKey,
      chainId: 31337,
      receiptTimeoutMs: 5_000,
      exclusive: sendLease(store, MINTER.account.address, holder, { ttlMs: 15_000, waitMs: 15_000 }),
    });
    return createAwardQueue({ store, senders: { forBrand: async () => own }, client, holder, batchMax: 40, delayMs: 0, intervalMs: 60_000, batchesPerRound: 2 });
  });
  for (let round = 0; round < 20; round++) {
    await Promise.all(queues.map((q) => q.runOnce()));
    if ((await allAwards(stores[0], journeyId)).every((a) => a.status === "awarded")) break;
  }
  const awards = await allAwards(stores[0], journeyId);
  expect(awards.every((a) => a.status === "awarded")).toBe(true);
  const mined = await stores[0].listAwardBatches({ status: "mined" });
  const ours = mined.filter((b) => awards.some((a) => a.txHash === b.txHash));
  expect(ours.reduce((n, b) => n + b.size, 0)).toBe(300);
  // Every transaction the key sent is one of these batches: nothing was sent twice or wasted.
  expect(await minedNonce()).toBe(before + ours.length);
  expect(await balances(members)).toEqual(members.map(() => 3n));
}

describe("two workers at once", () => {
  it("over one SQLite store never send an award twice", async () => {
    const store = SqliteStore.open(":memory:");
    await twoWorkers([store, store]);
    await store.close();
  });

  const url = postgresForTests("two award workers on PostgreSQL");
  it.skipIf(url === null)(`over two PostgreSQL connections on one schema never send an award twice (${POSTGRES_SKIPS})`, async () => {
    const schema = freshSchema();
    const a = await PostgresStore.connect(url!, { schema, poolSize: 4 });
    const b = await PostgresStore.connect(url!, { schema, poolSize: 4 });
    try {
      await twoWorkers([a, b]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

