import { describe, expect, it } from "vitest";
import { zeroAddress } from "viem";
import { Kind, MONTH, NEVER_EXPIRES, createTokenType, loadCollection, networkHelpers } from "./fixtures.ts";

/**
 * The fixture plus three types worth points (a collectible worth 3, a soulbound badge worth 50 and a
 * monthly membership worth 1,000), with alice holding 4 of the collectible, 1 badge and that membership.
 */
async function withPoints() {
  const fixture = await loadCollection();
  const { collection, alice } = fixture;
  const points = {
    stamp: await createTokenType(collection, { points: 3n, uri: "ipfs://stamp.json" }),
    badge: await createTokenType(collection, { soulbound: true, points: 50n, uri: "ipfs://badge-50.json" }),
    club: await createTokenType(collection, { kind: Kind.Membership, duration: MONTH, points: 1_000n, uri: "ipfs://club.json" }),
  };
  await collection.write.mint([alice.account.address, points.stamp, 4n]);
  await collection.write.mint([alice.account.address, points.badge, 1n]);
  await collection.write.mint([alice.account.address, points.club, 1n]);
  const clubExpiry = await collection.read.expiresAt([alice.account.address, points.club]);
  return { ...fixture, points, clubExpiry };
}

describe("standingOf", () => {
  it("returns what holdingsOf returns, plus balance x points summed over the ids", async () => {
    const { collection, ids, points, alice, clubExpiry } = await withPoints();
    await collection.write.mint([alice.account.address, ids.lifetime, 1n]); // worth 0 points
    const list = [points.stamp, points.badge, points.club, ids.lifetime, ids.collectible];
    const [balances, expiries, total] = await collection.read.standingOf([alice.account.address, list]);
    expect(balances).toEqual([4n, 1n, 1n, 1n, 0n]);
    expect(expiries).toEqual([0n, 0n, clubExpiry, NEVER_EXPIRES, 0n]);
    expect(total).toBe(4n * 3n + 50n + 1_000n);
    expect([balances, expiries]).toEqual(await collection.read.holdingsOf([alice.account.address, list]));
  });

  it("counts an active membership until its expiry second, and 0 from then on", async () => {
    const { collection, points, alice, clubExpiry } = await withPoints();
    const list = [points.stamp, points.club];
    await networkHelpers.time.increaseTo(clubExpiry - 1n);
    expect((await collection.read.standingOf([alice.account.address, list]))[2]).toBe(12n + 1_000n);
    await networkHelpers.time.increaseTo(clubExpiry);
    const [balances, expiries, total] = await collection.read.standingOf([alice.account.address, list]);
    // Still held, with its expiry: only the points stop.
    expect(balances).toEqual([4n, 1n]);
    expect(expiries).toEqual([0n, clubExpiry]);
    expect(total).toBe(12n);
    // A renewal brings the points back.
    await collection.write.renewFor([alice.account.address, points.club, 1]);
    expect((await collection.read.standingOf([alice.account.address, list]))[2]).toBe(12n + 1_000n);
  });

  it("counts a membership that never expires", async () => {
    const { collection, alice } = await withPoints();
    const lifetime = await createTokenType(collection, { kind: Kind.Membership, points: 7n, uri: "ipfs://forever.json" });
    await collection.write.mint([alice.account.address, lifetime, 1n]);
    await networkHelpers.time.increase(10 * 365 * 86_400);
    expect(await collection.read.standingOf([alice.account.address, [lifetime]])).toEqual([[1n], [NEVER_EXPIRES], 7n]);
  });

  it("counts unknown ids and ids not held as 0, and an empty list as nothing", async () => {
    const { collection, points, alice, bob } = await withPoints();
    expect(await collection.read.standingOf([alice.account.address, [0n, 999n, points.stamp]])).toEqual([[0n, 0n, 4n], [0n, 0n, 0n], 12n]);
    expect(await collection.read.standingOf([bob.account.address, [points.stamp, points.badge, points.club]])).toEqual([
      [0n, 0n, 0n],
      [0n, 0n, 0n],
      0n,
    ]);
    expect(await collection.read.standingOf([alice.account.address, []])).toEqual([[], [], 0n]);
    expect(await collection.read.standingOf([zeroAddress, [points.stamp]])).toEqual([[0n], [0n], 0n]);
  });

  it("counts an id listed twice twice, as the sum over the ids says", async () => {
    const { collection, points, alice } = await withPoints();
    expect((await collection.read.standingOf([alice.account.address, [points.stamp, points.stamp]]))[2]).toBe(24n);
  });

  it("follows the type's current points and the units as they move and burn", async () => {
    const { collection, points, alice, bob } = await withPoints();
    const list = [points.stamp, points.club];
    await collection.write.setTokenTypeTerms([points.stamp, 0n, 10n]);
    expect((await collection.read.standingOf([alice.account.address, list]))[2]).toBe(40n + 1_000n);

    await collection.write.safeTransferFrom([alice.account.address, bob.account.address, points.stamp, 1n, "0x"], { account: alice.account });
    await collection.write.safeTransferFrom([alice.account.address, bob.account.address, points.club, 1n, "0x"], { account: alice.account });
    await collection.write.burn([alice.account.address, points.stamp, 2n], { account: alice.account });
    expect((await collection.read.standingOf([alice.account.address, list]))[2]).toBe(10n);
    expect((await collection.read.standingOf([bob.account.address, list]))[2]).toBe(10n + 1_000n);
  });

  it("reads the same while the collection is paused", async () => {
    const { collection, points, alice } = await withPoints();
    const list = [points.stamp, points.badge, points.club];
    const before = await collection.read.standingOf([alice.account.address, list]);
    await collection.write.pause();
    expect(await collection.read.standingOf([alice.account.address, list])).toEqual(before);
  });
});
