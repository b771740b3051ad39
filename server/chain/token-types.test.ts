/** The chain catalog on a real chain: types' facts, bounded staleness of points, and new types found at once. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PublicClient } from "viem";
import { DAY, DEMO_TYPES, KIND, startChain, type DemoChain } from "../../test/support/chain.ts";
import { createTokenTypeReader } from "./token-types.ts";

let chain: DemoChain;
beforeAll(async () => {
  chain = await startChain();
});
afterAll(async () => chain?.connection.close());

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const send = async (hash: Promise<`0x${string}`>) => chain.publicClient.waitForTransactionReceipt({ hash: await hash });

describe("createTokenTypeReader", () => {
  it("reads every type's kind, flags, points, duration and supply", async () => {
    await chain.mint(chain.members[0]!.account.address, DEMO_TYPES.stamp, 2n);
    const catalog = createTokenTypeReader(chain.publicClient as PublicClient, { ttlMs: 60_000 });
    const types = await catalog.tokenTypes(chain.collection.address);
    expect(types.map((t) => t.tokenId)).toEqual([1n, 2n, 3n, 4n, 5n]);
    expect(types[0]).toMatchObject({ kind: "membership", soulbound: false, points: 100n, duration: 30 * DAY, maxSupply: 0n, minted: 0n, uri: "ipfs://demo/gold.json" });
    expect(types[2]).toMatchObject({ kind: "collectible", maxSupply: 10_000n, minted: 2n, duration: 0 });
    expect(await catalog.tokenType(chain.collection.address, 5n)).toMatchObject({ soulbound: true, points: 50n });
    expect(await catalog.tokenType(chain.collection.address, 0n)).toBeNull();
    expect(await catalog.tokenType(chain.collection.address, 2n ** 256n)).toBeNull();
  });

  it("sees changed points once the cache is ttlMs old, not before", async () => {
    const catalog = createTokenTypeReader(chain.publicClient as PublicClient, { ttlMs: 300 });
    expect((await catalog.tokenType(chain.collection.address, DEMO_TYPES.coffee))!.points).toBe(5n);
    await send(chain.collection.write.setTokenTypeTerms([DEMO_TYPES.coffee, 0n, 25n]));
    expect((await catalog.tokenType(chain.collection.address, DEMO_TYPES.coffee))!.points).toBe(5n);
    await wait(350);
    expect((await catalog.tokenType(chain.collection.address, DEMO_TYPES.coffee))!.points).toBe(25n);
  });

  it("finds a type created a moment ago (a miss reads again, at most once a second); overlapping reads share one", async () => {
    const catalog = createTokenTypeReader(chain.publicClient as PublicClient, { ttlMs: 60_000 });
    const [first, second] = await Promise.all([catalog.tokenTypes(chain.collection.address), catalog.tokenTypes(chain.collection.address)]);
    expect(first).toBe(second);
    const count = BigInt(first.length);
    await send(chain.collection.write.createTokenType([{ kind: KIND.collectible, maxSupply: 0n, duration: 0, soulbound: false, consumable: false, renewalPrice: 0n, points: 1n, uri: "" }]));
    // Just read: the miss does not read again yet.
    expect(await catalog.tokenType(chain.collection.address, count + 1n)).toBeNull();
    await wait(1_050);
    expect(await catalog.tokenType(chain.collection.address, count + 1n)).toMatchObject({ kind: "collectible", points: 1n });
  });
});
