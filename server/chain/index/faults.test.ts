/**
 * The follower against nodes that misbehave, on a real chain (in-process Hardhat) behind a client
 * that refuses, fails or lies as providers do: the index never corrupts and never claims a block it
 * has not applied. Nodes that hang, or serve another chain, are served over HTTP (the API's own
 * client, with a short time-out), and the API built on them says so on /readyz.
 */
import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAddress, numberToHex, type PublicClient } from "viem";
import { DEMO_TYPES, startChain, type DemoChain } from "../../../test/support/chain.ts";
import { startServer, type TestServer } from "../../../test/support/server.ts";
import { createChainClient } from "../../plugins/chain.ts";
import { openStore, type Store } from "../../storage/index.ts";
import { createOwnershipReader } from "../ownership.ts";
import { ChainMismatchError, createChainIndexFollower, type FollowerOptions } from "./follower.ts";
import { createIndexedOwnershipReader } from "./reader.ts";

let chain: DemoChain;
const stores: Store[] = [];
const closing: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  chain = await startChain();
  for (let i = 0; i < 30; i++) await chain.mint(chain.members[i % 5]!.account.address, DEMO_TYPES.stamp, BigInt(1 + (i % 3)));
});
afterAll(async () => {
  for (const close of closing.reverse()) await close();
  await Promise.all(stores.map((s) => s.close()));
  await chain?.connection.close();
});

type Call = { jsonrpc: "2.0"; id: number | string; method: string; params?: unknown[] };

/**
 * A JSON-RPC node over HTTP in front of a chain (`serves`, default the test's), as the API reaches
 * one. A request for which `hangs` says so is never answered (with the batch it came in, as a stuck
 * node does); `chainId` makes it say it serves another chain.
 */
async function startNode() {
  const node = { hangs: (_method: string, _params: unknown[]) => false, chainId: null as number | null, serves: () => chain, url: "" };
  const sockets = new Set<Socket>();
  const server = createServer(async (request, response) => {
    let body = "";
    for await (const chunk of request) body += chunk;
    const parsed = JSON.parse(body) as Call | Call[];
    const calls = Array.isArray(parsed) ? parsed : [parsed];
    if (calls.some((c) => node.hangs(c.method, c.params ?? []))) return;
    const answers = await Promise.all(
      calls.map(async ({ id, method, params }) => {
        if (method === "eth_chainId" && node.chainId !== null) return { jsonrpc: "2.0", id, result: numberToHex(node.chainId) };
        try {
          return { jsonrpc: "2.0", id, result: await node.serves().connection.provider.request({ method, params: params ?? [] }) };
        } catch (error) {
          return { jsonrpc: "2.0", id, error: { code: (error as { code?: number }).code ?? -32603, message: (error as Error).message } };
        }
      }),
    );
    response.setHeader("content-type", "application/json");
    response.end(JSON.stringify(Array.isArray(parsed) ? answers : answers[0]));
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  node.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  closing.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return node;
}

/** The API's own client for `node`, timing out after 300 ms instead of 5 s (twice: it retries once). */
const clientOf = (node: { url: string }) => createChainClient(node.url, 31337, { timeoutMs: 300 });

/** The API on `client`, its index polling every 50 ms. */
async function apiOn(client: PublicClient): Promise<TestServer> {
  const server = await startServer(chain, { chainIndex: { enabled: true, confirmations: 0, maxLagBlocks: 2, pollMs: 50, pageBlocks: 2_000, startBlock: 0n, delegations: true } }, { client });
  closing.push(() => server.close());
  return server;
}

const readyz = async (server: TestServer) => {
  const response = await server.app.inject({ method: "GET", url: "/readyz" });
  return { status: response.statusCode, body: response.json() as { ok: boolean; chain: { ok: boolean; detail?: string }; index: Record<string, unknown> } };
};

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

  it("a node that hangs on wide log ranges: each request times out, the page halves, the index comes out right", async () => {
    const node = await startNode();
    let hung = 0;
    node.hangs = (method, params) => {
      if (method !== "eth_getLogs") return false;
      const [{ fromBlock, toBlock }] = params as [{ fromBlock: string; toBlock: string }];
      return BigInt(toBlock) - BigInt(fromBlock) + 1n > 8n && ++hung > 0;
    };
    const { f, store, lines } = await follower(clientOf(node));
    const steps: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const started = Date.now();
      const result = await f.step();
      steps.push(Date.now() - started);
      if (result.idle) break;
    }
    expect(hung).toBeGreaterThan(0);
    // Each step ends: at worst two time-outs and the retry's pause.
    expect(Math.max(...steps)).toBeLessThan(3_000);
    expect(f.status().pageBlocks).toBeLessThanOrEqual(8);
    expect(lines.some((l) => l.startsWith("warn: the node refused a log range"))).toBe(true);
    await expectEqualsChain(store);
  });

  it("a node that stops answering: each step times out, nothing is applied, the reader claims no freshness; once it answers the index catches up", async () => {
    // The API's client bounds every request (5 s unless told): what the follower and the reader ask through it.
    expect(createChainClient("http://127.0.0.1:8545", 31337).transport.timeout).toBe(5_000);
    const node = await startNode();
    const client = clientOf(node);
    const { f, store } = await follower(client);
    await f.syncToHead();
    const before = (await store.indexCursor())!;
    const member = chain.members[0]!.account.address;
    node.hangs = () => true;
    for (let i = 0; i < 3; i++) await chain.mint(member, DEMO_TYPES.stamp, 1n);
    const started = Date.now();
    await expect(f.step()).rejects.toThrow(/took too long/);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect((await store.indexCursor())!.block).toEqual(before.block);
    // What reads the index through this node neither answers from it nor says how far behind it is.
    const reader = createIndexedOwnershipReader({ store, client, chain: createOwnershipReader(client, { cacheMs: 0 }), maxLagBlocks: 2, headCacheMs: 0 });
    await expect(reader.lag()).rejects.toMatchObject({ code: "chain_unavailable" });
    await expect(reader.readHeld(member, [chain.collection.address], { fresh: false })).rejects.toMatchObject({ code: "chain_unavailable" });

    node.hangs = () => false;
    await f.syncToHead();
    expect((await store.indexCursor())!.block.number).toBe(await chain.publicClient.getBlockNumber());
    await expectEqualsChain(store);
    expect(await reader.lag()).toMatchObject({ lagBlocks: 0 });
  });

  it("/readyz while the node hangs: answered in bounded time, the index not ready and no lag claimed; ready again once it answers", async () => {
    const node = await startNode();
    const server = await apiOn(clientOf(node));
    await expect.poll(async () => (await readyz(server)).body.index, { timeout: 15_000 }).toMatchObject({ ok: true, lagBlocks: 0 });
    node.hangs = () => true;
    await chain.mint(chain.members[1]!.account.address, DEMO_TYPES.stamp, 1n);
    const started = Date.now();
    const { status, body } = await readyz(server);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(status).toBe(503);
    expect(body.chain).toEqual({ ok: false, detail: "RPC unreachable" });
    expect(body.index).toMatchObject({ ok: false, detail: "the node did not answer: how far the index is behind is unknown" });
    expect(body.index).not.toHaveProperty("lagBlocks");
    expect(body.index).not.toHaveProperty("confirmedBlock");
    node.hangs = () => false;
    server.app.chainIndex!.runner.nudge();
    await expect.poll(async () => (await readyz(server)).body, { timeout: 15_000 }).toMatchObject({ ok: true, index: { ok: true, lagBlocks: 0 } });
  });

  it("/readyz with a node on another chain from the start: says so in words; nothing is indexed", async () => {
    const node = await startNode();
    node.chainId = 1;
    const server = await apiOn(clientOf(node));
    await expect.poll(() => server.app.chainIndex!.runner.failure, { timeout: 10_000 }).toBe("the node serves chain 1, not CHAIN_ID 31337");
    const { status, body } = await readyz(server);
    expect(status).toBe(503);
    expect(body.chain).toEqual({ ok: false, detail: "RPC serves chain 1, expected 31337" });
    expect(body.index).toEqual({ ok: false, detail: "the node serves chain 1, not CHAIN_ID 31337: nothing is indexed from it, and the index answers nothing", confirmations: 0, writer: true });
    expect(await server.store.indexCursor()).toBeNull();
  });

  it("/readyz with a node swapped for another chain's after the index followed this one: says so; the index is not undone, nor served", async () => {
    const node = await startNode();
    const server = await apiOn(clientOf(node));
    const member = getAddress(chain.members[0]!.account.address);
    // Caught up: the index answers for the member.
    await expect.poll(async () => (await server.app.chain.index!.readHeld(member, [chain.collection.address], { fresh: false }))?.positions.length, { timeout: 15_000 }).toBeGreaterThan(0);
    const cursor = (await server.store.indexCursor())!;
    // Another chain, longer than this one: at the index's height it has another block, as a reorg would.
    const other = await startChain();
    closing.push(() => other.connection.close());
    await other.publicClient.request({ method: "hardhat_mine", params: [numberToHex(cursor.block.number + 20n)] } as never);
    node.serves = () => other;
    node.chainId = 1;
    await expect.poll(() => server.app.chainIndex!.runner.failure, { timeout: 10_000 }).toBe("the node serves chain 1, not CHAIN_ID 31337");
    const { status, body } = await readyz(server);
    expect(status).toBe(503);
    expect(body.index).toMatchObject({ ok: false, detail: "the node serves chain 1, not CHAIN_ID 31337: nothing is indexed from it, and the index answers nothing" });
    expect(body.index).not.toHaveProperty("lagBlocks");
    // Nothing rolled back or reset to the other chain, and nothing answered from the index.
    expect((await server.store.indexCursor())!.block).toEqual(cursor.block);
    expect(await server.app.chain.index!.readHeld(member, [chain.collection.address], { fresh: false })).toBeNull();
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
