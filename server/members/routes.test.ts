/** `GET /v1/me`: what a signed-in member holds, read from the chain. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPublicClient, getAddress, http, type Address, type PublicClient } from "viem";
import { DAY, DEMO_TYPES, startChain, type DemoChain } from "../../test/support/chain.ts";
import { bearer, startServer, type TestServer } from "../../test/support/server.ts";

let chain: DemoChain;
let server: TestServer;
let C: Address;

beforeAll(async () => {
  chain = await startChain();
  server = await startServer(chain);
  C = getAddress(chain.collection.address);
});
afterAll(async () => server?.close());

const addr = (i: number): Address => getAddress(chain.members[i]!.account.address);

async function me(token: string, s: TestServer = server) {
  return s.app.inject({ method: "GET", url: "/v1/me", headers: bearer(token) });
}

const iso = (seconds: bigint) => new Date(Number(seconds) * 1000).toISOString();

describe("GET /v1/me", () => {
  let token: string;
  let goldExpiry: bigint;

  beforeAll(async () => {
    await chain.mint(addr(0), DEMO_TYPES.gold);
    await chain.mint(addr(0), DEMO_TYPES.lifetime);
    await chain.mint(addr(0), DEMO_TYPES.stamp, 3n);
    await chain.mint(addr(0), DEMO_TYPES.founder);
    goldExpiry = await chain.collection.read.expiresAt([addr(0), DEMO_TYPES.gold]);
    token = await server.signIn(chain.members[0]!);
  });

  it("lists balances, memberships with expiry and collectibles with their soulbound flag", async () => {
    const response = await me(token);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers["cache-control"]).toBe("no-store");
    expect(response.json()).toEqual({
      address: addr(0),
      chainId: 31337,
      collections: [
        {
          address: C,
          brandId: server.brand.id,
          available: true,
          holdings: [
            { name: "Gold membership", description: "", image: null, tokenId: "1", kind: "membership", balance: "1", soulbound: false, points: "100", uri: "ipfs://demo/gold.json", active: true, expiresAt: iso(goldExpiry) },
            { name: "Lifetime membership", description: "", image: null, tokenId: "2", kind: "membership", balance: "1", soulbound: true, points: "500", uri: "ipfs://demo/lifetime.json", active: true, expiresAt: null },
            { name: "Journey stamp", description: "", image: null, tokenId: "3", kind: "collectible", balance: "3", soulbound: false, points: "10", uri: "ipfs://demo/stamp.json" },
            { name: "Founder badge", description: "", image: null, tokenId: "5", kind: "collectible", balance: "1", soulbound: true, points: "50", uri: "ipfs://demo/founder.json" },
          ],
        },
      ],
      // 100 + 500 + 3 x 10 + 50; the brand has no levels yet.
      loyalty: [{ brandId: server.brand.id, brandName: "Demo Coffee Club", points: "680", level: null, next: null }],
      freshness: expect.objectContaining({ source: expect.stringMatching(/^(index|chain)$/) }),
    });
    // 30 days after the mint block.
    const block = await chain.publicClient.getBlock();
    expect(Number(goldExpiry - block.timestamp)).toBeGreaterThan(30 * DAY - 60);
    expect(Number(goldExpiry - block.timestamp)).toBeLessThanOrEqual(30 * DAY);
  });

  it("a member holding nothing has no holdings: no collection is listed, the brand's standing is", async () => {
    const response = await me(await server.signIn(chain.members[1]!));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      address: addr(1),
      chainId: 31337,
      collections: [],
      loyalty: [{ brandId: server.brand.id, brandName: "Demo Coffee Club", points: "0", level: null, next: null }],
      freshness: expect.objectContaining({ source: expect.stringMatching(/^(index|chain)$/) }),
    });
  });

  it("answers from the chain index once it is at the head, the same as the chain", async () => {
    const fromChain = (await me(token)).json();
    await expect.poll(async () => (await me(token)).json().freshness, { timeout: 15_000 }).toMatchObject({ source: "index", lagBlocks: 0 });
    const fromIndex = (await me(token)).json();
    expect(fromIndex.freshness.indexedBlock).toBe((await chain.publicClient.getBlockNumber()).toString());
    expect({ ...fromIndex, freshness: null }).toEqual({ ...fromChain, freshness: null });
  });

  it("reads fresh: a new mint shows at once", async () => {
    const token2 = await server.signIn(chain.members[2]!);
    expect((await me(token2)).json().collections).toEqual([]);
    await chain.mint(addr(2), DEMO_TYPES.coffee, 2n);
    expect((await me(token2)).json().collections[0].holdings).toEqual([
      { name: "Coffee coupon", description: "", image: null, tokenId: "4", kind: "collectible", balance: "2", soulbound: false, points: "5", uri: "ipfs://demo/coffee.json" },
    ]);
    expect((await me(token2)).json().loyalty[0].points).toBe("10");
  });

  it("gives the member's level and the points to the next one, by the brand's names", async () => {
    const token2 = await server.signIn(chain.members[3]!);
    await server.store.setLevels(server.brand.id, [
      { key: "green", name: "Green", minPoints: 0 },
      { key: "gold", name: "Gold", minPoints: 100 },
      { key: "reserve", name: "Reserve", minPoints: 300 },
    ], new Date().toISOString());
    try {
      await chain.mint(addr(3), DEMO_TYPES.stamp, 12n); // 120 points
      const { loyalty } = (await me(token2)).json();
      expect(loyalty).toEqual([
        {
          brandId: server.brand.id,
          brandName: "Demo Coffee Club",
          points: "120",
          level: { key: "gold", name: "Gold", minPoints: 100 },
          next: { key: "reserve", name: "Reserve", minPoints: 300, pointsToGo: "180" },
        },
      ]);
    } finally {
      await server.store.setLevels(server.brand.id, [], new Date().toISOString());
    }
  });

  it("401 without a session or with a garbage one", async () => {
    const none = await server.app.inject({ method: "GET", url: "/v1/me" });
    expect(none.statusCode).toBe(401);
    expect(none.headers["content-type"]).toBe("application/problem+json; charset=utf-8");
    expect(none.json()).toMatchObject({ type: "urn:stampbook:problem:unauthenticated", status: 401, code: "unauthenticated", title: "Sign in first" });
    const garbage = await me("sbs_not-a-session");
    expect(garbage.statusCode).toBe(401);
    expect(garbage.json().code).toBe("session_expired");
    const brandKey = await me(server.apiKey);
    expect(brandKey.statusCode).toBe(401);
  });

  it("503 chain_unavailable when the chain cannot be read", async () => {
    const client = createPublicClient({ transport: http("http://127.0.0.1:9", { retryCount: 0 }) }) as PublicClient;
    const dead = await startServer(chain, {}, { client });
    try {
      const response = await me(await dead.signIn(chain.members[0]!), dead);
      expect(response.statusCode).toBe(503);
      expect(response.headers["content-type"]).toBe("application/problem+json; charset=utf-8");
      expect(response.json()).toMatchObject({ code: "chain_unavailable", status: 503, type: "urn:stampbook:problem:chain_unavailable" });
    } finally {
      await dead.close();
    }
  });

  it("a collection that cannot be read shows as unavailable; the others still answer", async () => {
    // Served by the operator (no brand owns it) but no contract: reading it fails.
    const broken = getAddress("0x000000000000000000000000000000000000dEaD");
    const mixed = await startServer(chain, { collections: [broken] });
    try {
      const response = await me(await mixed.signIn(chain.members[0]!), mixed);
      expect(response.statusCode, response.body).toBe(200);
      const collections = response.json().collections;
      expect(collections).toHaveLength(2);
      expect(collections).toContainEqual({ address: broken, brandId: null, available: false, holdings: [] });
      const ours = collections.find((c: { address: string }) => c.address === C);
      expect(ours).toMatchObject({ brandId: mixed.brand.id, available: true });
      expect(ours.holdings.map((h: { tokenId: string }) => h.tokenId)).toEqual(["1", "2", "3", "5"]);
    } finally {
      await mixed.close();
    }
  });

  // Last: it moves the chain's clock.
  it("after 31 days the gold membership is inactive with the same expiry; lifetime stays active", async () => {
    await chain.networkHelpers.time.increase(31 * DAY);
    const holdings = (await me(token)).json().collections[0].holdings;
    expect(holdings[0]).toEqual({ name: "Gold membership", description: "", image: null, tokenId: "1", kind: "membership", balance: "1", soulbound: false, points: "100", uri: "ipfs://demo/gold.json", active: false, expiresAt: iso(goldExpiry) });
    expect(holdings[1]).toMatchObject({ tokenId: "2", active: true, expiresAt: null });
  });
});
