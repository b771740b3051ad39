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
  return (await listed(token, perkId)).eligible;
}

async function listed(as: string, id: string): Promise<{ eligible: boolean; reasons: { code: string; message: string; eligibleAt?: string }[] }> {
  const response = await server.app.inject({ method: "GET", url: "/v1/perks", headers: bearer(as) });
  expect(response.statusCode, response.body).toBe(200);
  return response.json().items.find((p: { id: string }) => p.id === id);
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

describe("holding periods, judged by chain time from the index", () => {
  const DAYS = 10;
  it("a membership moved to a new wallet unlocks only after the period; lent out and back in one block, the clock starts again", async () => {
    const [lender, holder, borrower] = [chain.members[2]!, chain.members[3]!, chain.members[4]!];
    const created = await server.app.inject({
      method: "POST",
      url: "/v1/admin/perks",
      headers: bearer(server.apiKey),
      payload: { title: "Loyal Gold members", rule: { type: "member", collection: chain.collection.address, tokenId: DEMO_TYPES.gold.toString(), heldFor: DAYS * 86_400 } },
    });
    expect(created.statusCode, created.body).toBe(201);
    const loyal = created.json().id as string;
    const [holderToken, borrowerToken] = [await server.signIn(holder), await server.signIn(borrower)];

    // The lender has held Gold for a long time; the holder gets it from them today.
    await chain.mint(lender.account.address, DEMO_TYPES.gold);
    await chain.networkHelpers.time.increase(20 * 86_400);
    const moved = await chain.collection.write.safeTransferFrom([lender.account.address, holder.account.address, DEMO_TYPES.gold, 1n, "0x"], { account: lender.account });
    await chain.publicClient.waitForTransactionReceipt({ hash: moved });
    const movedAt = (await chain.publicClient.getBlock()).timestamp;
    // Renewed by the brand: a renewal moves the expiry, not the holding's clock.
    await chain.publicClient.waitForTransactionReceipt({ hash: await chain.collection.write.renewFor([holder.account.address, DEMO_TYPES.gold, 2]) });
    await expect.poll(async () => (await listed(holderToken, loyal)).reasons[0]?.code, { timeout: 15_000 }).toBe("held_too_briefly");
    const early = await listed(holderToken, loyal);
    expect(early.eligible).toBe(false);
    expect(early.reasons[0]!.eligibleAt).toBe(new Date(Number(movedAt + BigInt(DAYS * 86_400)) * 1000).toISOString());
    expect(early.reasons[0]!.message).toMatch(/^needs your Gold membership held for 10 days: you have held it for less than a minute; eligible on /);
    const refused = await server.app.inject({ method: "POST", url: `/v1/perks/${loyal}/redeem`, headers: { ...bearer(holderToken), "idempotency-key": "loyal-early" } });
    expect(refused.statusCode, refused.body).toBe(403);

    // Chain time passes: now it counts, and the redemption goes through.
    await chain.networkHelpers.time.increase(DAYS * 86_400 + 60);
    await expect.poll(async () => (await listed(holderToken, loyal)).eligible, { timeout: 15_000 }).toBe(true);
    const redeemed = await server.app.inject({ method: "POST", url: `/v1/perks/${loyal}/redeem`, headers: { ...bearer(holderToken), "idempotency-key": "loyal-late" } });
    expect(redeemed.statusCode, redeemed.body).toBe(201);

    // Lent to the borrower and given back within one block: the borrower never qualifies, the holder starts over.
    await rpc("evm_setAutomine", [false]);
    await chain.collection.write.safeTransferFrom([holder.account.address, borrower.account.address, DEMO_TYPES.gold, 1n, "0x"], { account: holder.account });
    await chain.collection.write.safeTransferFrom([borrower.account.address, holder.account.address, DEMO_TYPES.gold, 1n, "0x"], { account: borrower.account, gas: 200_000n });
    await rpc("evm_mine");
    await rpc("evm_setAutomine", [true]);
    expect(await chain.collection.read.balanceOf([holder.account.address, DEMO_TYPES.gold])).toBe(1n);
    await expect.poll(async () => (await listed(holderToken, loyal)).reasons[0]?.code, { timeout: 15_000 }).toBe("held_too_briefly");
    expect((await listed(borrowerToken, loyal)).reasons[0]?.code).toBe("membership_missing");
  }, 120_000);
});
