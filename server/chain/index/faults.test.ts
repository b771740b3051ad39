/**
 * The follower against nodes that misbehave, on a real chain (in-process Hardhat) behind a client
 * that refuses, fails or lies as providers do: the index never corrupts and never claims a block it
 * has not applied.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PublicClient } from "viem";
import { DEMO_TYPES, startChain, type DemoChain } from "../../../test/support/chain.ts";
import { openStore, type Store } from "../../storage/index.ts";
import { ChainMismatchError, createChainIndexFollower, type FollowerOptions } from "./follower.ts";

let chain: DemoChain;
const stores: Store[] = [];

beforeAll(async () => {
  chain = await startChain();
  for (let i = 0; i < 30; i++) await chain.mint(chain.members[i % 5]!.account.address, DEMO_TYPES.stamp, BigInt(1 + (i % 3)));
});
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await chain?.connection.close();
});

/** The chain's client, with `request` answered by `intercept` first (undefined: pass it on). */
function through(intercept: (method: string, params: unknown[]) => unknown): PublicClient {
  const real = chain.publicClient as unknown as PublicClient;
  return new Proxy(real, {
    get(target, key, receiver) {
      if (key !== "request") return Reflect.get(target, key, receiver);
      return async (args: { method: string; params?: unknown[] }) => {
        const answer = await intercept(args.method, args.params ?? []);
        return answer === undefined ? target.request(args as never) : answer;
      };
    },
  });
}

async function follower(client: PublicClient, options: Partial<FollowerOptions> = {}) {
  const store = await openStore("sqlite::memory:");
  stores.push(store);
  const lines: string[] = [];
  const f = createChainIndexFollower({
    client,
    store,
    chainId: 31337,
    confirmations: 0,
    maxPageBlocks: 64,
    collections: async () => [chain.collection.address],
    startBlockFloor: 0n,
    log: (level, message) => void lines.push(`${level}: ${message}`),
    now: () => new Date(),
    ...options,
  });
  return { f, store, lines };
}

async function expectEqualsChain(store: Store): Promise<void> {
  const holders = chain.members.map((m) => m.account.address);
  const balances = await chain.collection.read.balanceOfBatch([holders, holders.map(() => DEMO_TYPES.stamp)]);
  const indexed = new Map((await store.collectionHoldings(chain.collection.address)).filter((h) => h.tokenId === DEMO_TYPES.stamp).map((h) => [h.holder, h.balance]));
  expect(holders.map((h) => indexed.get(h.toLowerCase() as `0x${string}`) ?? 0n)).toEqual(balances);
}

describe("the follower when the node misbehaves", () => {
  it("a node that serves another chain stops it, in words, before anything is written", async () => {
    const { f, store } = await follower(chain.publicClient as unknown as PublicClient, { chainId: 1 });
    await expect(f.step()).rejects.toThrow(ChainMismatchError);
    await expect(f.step()).rejects.toThrow(/the node serves chain 31337, not CHAIN_ID 1/);
    expect(await store.indexCursor()).toBeNull();
  });

  it("a node that refuses wide log ranges gets narrower ones, and the index comes out right", async () => {
    let refused = 0;
    const client = through((method, params) => {
      if (method !== "eth_getLogs") return undefined;
      const [{ fromBlock, toBlock }] = params as [{ fromBlock: string; toBlock: string }];
      if (BigInt(toBlock) - BigInt(fromBlock) + 1n > 8n) {
        refused++;
        throw Object.assign(new Error("query exceeds max block range 8"), { code: -32005 });
      }
      return undefined;
    });
    const { f, store, lines } = await follower(client);
    await f.syncToHead();
    expect(refused).toBeGreaterThan(0);
    expect(f.status().pageBlocks).toBeLessThanOrEqual(8);
    expect(lines.some((l) => l.startsWith("warn: the node refused a log range"))).toBe(true);
    await expectEqualsChain(store);
  });

  it("a node that fails now and then: the step fails, nothing half-read is applied, the next steps finish the work", async () => {
    let calls = 0;
    const client = through((method) => {
      if (method === "eth_getBlockByNumber" && ++calls % 2 === 0) throw new Error("502 Bad Gateway");
      return undefined;
    });
    const { f, store } = await follower(client);
    let failures = 0;
    for (let i = 0; i < 500; i++) {
      try {
        if ((await f.step()).idle) break;
      } catch {
        failures++;
      }
    }
    expect(failures).toBeGreaterThan(0);
    expect((await store.indexCursor())!.block.number).toBe(await chain.publicClient.getBlockNumber());
    await expectEqualsChain(store);
  });

  it("a node that falls behind (its head under the index) is waited for, never taken for a reorg", async () => {
    const { f, store } = await follower(chain.publicClient as unknown as PublicClient);
    await f.syncToHead();
    const indexed = (await store.indexCursor())!;
    // A replica ten blocks behind: it answers an older head and has no block at the index's height.
    const behind = through((method, params) => {
      if (method !== "eth_getBlockByNumber") return undefined;
      const [tag] = params as [string];
      if (tag === "latest") return chain.publicClient.request({ method: "eth_getBlockByNumber", params: [`0x${(indexed.block.number - 10n).toString(16)}`, false] } as never);
      return BigInt(tag) > indexed.block.number - 10n ? null : undefined;
    });
    const lagging = createChainIndexFollower({ client: behind, store, chainId: 31337, confirmations: 0, maxPageBlocks: 64, collections: async () => [chain.collection.address], startBlockFloor: 0n, log: () => undefined, now: () => new Date() });
    expect(await lagging.step()).toEqual({ idle: true, did: "waiting" });
    expect(lagging.status()).toMatchObject({ nodeBehind: true, reorgs: 0 });
    expect((await store.indexCursor())!.block).toEqual(indexed.block);
    await expectEqualsChain(store);
  });

  it("a served address without code is not followed (and looked at again later), the others are", async () => {
    const nobody = "0x000000000000000000000000000000000000dEaD";
    const { f, store, lines } = await follower(chain.publicClient as unknown as PublicClient, { collections: async () => [nobody, chain.collection.address] });
    await f.syncToHead();
    expect((await store.indexedCollections()).map((c) => c.collection)).toEqual([chain.collection.address.toLowerCase()]);
    expect(lines.filter((l) => l.includes("has no code"))).toHaveLength(1);
    await expectEqualsChain(store);
  });
});
