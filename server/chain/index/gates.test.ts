/**
 * Gates over the chain index, on a real chain that reorganises: a Gold membership minted in a block
 * the chain then abandons must never unlock a perk, in the listing or at redemption, whether the
 * index has applied that block or not yet rolled it back. The API as it runs (index on, its follower
 * polling), OWNERSHIP_CACHE_MS=0 as in the other tests: every answer must be the chain's.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAddress, type Address } from "viem";
import { DEMO_TYPES, startChain, type DemoChain } from "../../../test/support/chain.ts";
import { bearer, startServer, type TestServer } from "../../../test/support/server.ts";

let chain: DemoChain;
let server: TestServer;
let token: string;
let perkId: string;
const rpc = (method: string, params: unknown[] = []) => chain.publicClient.request({ method, params } as never) as Promise<unknown>;
const member = (): Address => getAddress(chain.members[0]!.account.address);

beforeAll(async () => {
  chain = await startChain();
  server = await startServer(chain, {}, {});
  token = await server.signIn(chain.members[0]!);
  const created = await server.app.inject({
    method: "POST",
    url: "/v1/admin/perks",
    headers: bearer(server.apiKey),
    payload: { title: "Free coffee for Gold members", rule: { type: "member", collection: chain.collection.address, tokenId: DEMO_TYPES.gold.toString() } },
  });
  expect(created.statusCode, created.body).toBe(201);
  perkId = created.json().id;
});
afterAll(async () => {
  await server?.close();
  await chain?.connection.close();
});

async function listedEligible(): Promise<boolean> {
  const response = await server.app.inject({ method: "GET", url: "/v1/perks", headers: bearer(token) });
  expect(response.statusCode, response.body).toBe(200);
  return response.json().items.find((p: { id: string }) => p.id === perkId).eligible as boolean;
}

/** The member's holdings as /v1/me says, once the index answers at the head. */
async function indexedAtHead(): Promise<{ collections: { holdings: { tokenId: string }[] }[] }> {
  let me: { freshness: { source: string; lagBlocks: number | null }; collections: { holdings: { tokenId: string }[] }[] } | undefined;
  await expect
    .poll(
      async () => {
        me = (await server.app.inject({ method: "GET", url: "/v1/me", headers: bearer(token) })).json();
        return me!.freshness;
      },
      { timeout: 15_000 },
    )
    .toMatchObject({ source: "index", lagBlocks: 0 });
  return me!;
}

describe("gates over the chain index when the chain reorganises", () => {
  it("a membership minted in an abandoned block unlocks nothing, before and after the index rolls back", async () => {
    await indexedAtHead();
    expect(await listedEligible()).toBe(false);

    for (let round = 0; round < 5; round++) {
      const snapshot = await rpc("evm_snapshot");
      await chain.mint(member(), DEMO_TYPES.gold);
      // The index applies the block with the mint: the perk unlocks, from the index.
      const me = await indexedAtHead();
      expect(me.collections.flatMap((c) => c.holdings.map((h) => h.tokenId))).toContain(DEMO_TYPES.gold.toString());
      expect(await listedEligible()).toBe(true);

      // The chain abandons that block for one of the same height (or a longer branch) without the mint.
      await rpc("evm_revert", [snapshot]);
      for (let i = 0; i <= round % 3; i++) await rpc("evm_mine");
      // At once, before the follower has looked: nothing unlocks and no redemption goes through.
      expect(await listedEligible()).toBe(false);
      const redeem = await server.app.inject({ method: "POST", url: `/v1/perks/${perkId}/redeem`, headers: { ...bearer(token), "idempotency-key": `reorg-${round}` } });
      expect(redeem.statusCode, redeem.body).toBe(403);
      // And once the index has rolled back and caught up: the same.
      const after = await indexedAtHead();
      expect(after.collections.flatMap((c) => c.holdings.map((h) => h.tokenId))).not.toContain(DEMO_TYPES.gold.toString());
      expect(await listedEligible()).toBe(false);
    }
  }, 120_000);
});
