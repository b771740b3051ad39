import { describe, expect, it } from "vitest";
import { getAddress } from "viem";
import {
  DAY,
  Kind,
  MINTER_ROLE,
  MONTH,
  NEVER_EXPIRES,
  RENEWAL_PRICE,
  createTokenType,
  loadCollection,
  networkHelpers,
  publicClient,
  txTimestamp,
  viem,
} from "./fixtures.ts";

/** The fixture with alice holding the paid and the free monthly membership, minted in one block each. */
async function withMember() {
  const fixture = await loadCollection();
  const { collection, ids, alice } = fixture;
  await collection.write.mint([alice.account.address, ids.membership, 1n]);
  await collection.write.mint([alice.account.address, ids.freeMembership, 1n]);
  const expiry = await collection.read.expiresAt([alice.account.address, ids.membership]);
  const freeExpiry = await collection.read.expiresAt([alice.account.address, ids.freeMembership]);
  return { ...fixture, expiry, freeExpiry };
}

describe("membership views", () => {
  it("isMembershipActive is true before expiresAt and false from expiresAt on", async () => {
    const { collection, ids, alice, expiry } = await withMember();
    expect(await collection.read.isMembershipActive([alice.account.address, ids.membership])).toBe(true);
    await networkHelpers.time.increaseTo(expiry - 1n);
    expect(await collection.read.isMembershipActive([alice.account.address, ids.membership])).toBe(true);
    await networkHelpers.time.increaseTo(expiry);
    expect(await collection.read.isMembershipActive([alice.account.address, ids.membership])).toBe(false);
    // Lapsed, but still held with its expiry.
    expect(await collection.read.balanceOf([alice.account.address, ids.membership])).toBe(1n);
    expect(await collection.read.expiresAt([alice.account.address, ids.membership])).toBe(expiry);
  });

  it("reports no membership for a non-holder, and never for a collectible", async () => {
    const { collection, ids, alice, bob } = await withMember();
    await collection.write.mint([alice.account.address, ids.collectible, 4n]);
    expect(await collection.read.isMembershipActive([bob.account.address, ids.membership])).toBe(false);
    expect(await collection.read.expiresAt([bob.account.address, ids.membership])).toBe(0n);
    expect(await collection.read.isMembershipActive([alice.account.address, ids.collectible])).toBe(false);
    expect(await collection.read.expiresAt([alice.account.address, ids.collectible])).toBe(0n);
  });

  it("holdingsOf returns balances and expiries for many ids in one call", async () => {
    const { collection, ids, alice, expiry, freeExpiry } = await withMember();
    await collection.write.mint([alice.account.address, ids.collectible, 6n]);
    await collection.write.mint([alice.account.address, ids.lifetime, 1n]);
    const [balances, expiries] = await collection.read.holdingsOf([
      alice.account.address,
      [ids.collectible, ids.membership, ids.freeMembership, ids.lifetime, ids.capped, 999n],
    ]);
    expect(balances).toEqual([6n, 1n, 1n, 1n, 0n, 0n]);
    expect(expiries).toEqual([0n, expiry, freeExpiry, NEVER_EXPIRES, 0n, 0n]);
    expect(await collection.read.holdingsOf([alice.account.address, []])).toEqual([[], []]);
  });
});

describe("renewFor (brand, free)", () => {
  it("adds periods to the current expiry while the membership is active", async () => {
    const { collection, ids, alice, freeExpiry } = await withMember();
    const expected = freeExpiry + 3n * BigInt(MONTH);
    await viem.assertions.emitWithArgs(
      collection.write.renewFor([alice.account.address, ids.freeMembership, 3]),
      collection,
      "MembershipExtended",
      [alice.account.address, ids.freeMembership, expected],
    );
    expect(await collection.read.expiresAt([alice.account.address, ids.freeMembership])).toBe(expected);
  });

  it("restarts a lapsed membership from now", async () => {
    const { collection, ids, alice, freeExpiry } = await withMember();
    await networkHelpers.time.increaseTo(freeExpiry + BigInt(10 * DAY));
    expect(await collection.read.isMembershipActive([alice.account.address, ids.freeMembership])).toBe(false);
    const hash = await collection.write.renewFor([alice.account.address, ids.freeMembership, 1]);
    const expected = (await txTimestamp(hash)) + BigInt(MONTH);
    expect(await collection.read.expiresAt([alice.account.address, ids.freeMembership])).toBe(expected);
    expect(await collection.read.isMembershipActive([alice.account.address, ids.freeMembership])).toBe(true);
  });

  it("renews paid memberships too, free of charge", async () => {
    const { collection, ids, alice, treasury, expiry } = await withMember();
    const before = await publicClient.getBalance({ address: treasury.account.address });
    await collection.write.renewFor([alice.account.address, ids.membership, 2]);
    expect(await collection.read.expiresAt([alice.account.address, ids.membership])).toBe(expiry + 2n * BigInt(MONTH));
    expect(await publicClient.getBalance({ address: treasury.account.address })).toBe(before);
  });

  it("reverts NotAMember for a holder without the membership", async () => {
    const { collection, ids, bob } = await withMember();
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.renewFor([bob.account.address, ids.freeMembership, 1]),
      collection,
      "NotAMember",
      [bob.account.address, ids.freeMembership],
    );
  });

  it("reverts MembershipNotRenewable for a membership that never expires", async () => {
    const { collection, ids, alice } = await withMember();
    await collection.write.mint([alice.account.address, ids.lifetime, 1n]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.renewFor([alice.account.address, ids.lifetime, 1]),
      collection,
      "MembershipNotRenewable",
      [ids.lifetime],
    );
    expect(await collection.read.expiresAt([alice.account.address, ids.lifetime])).toBe(NEVER_EXPIRES);
  });

  it("reverts ZeroRenewalPeriods for 0 periods", async () => {
    const { collection, ids, alice } = await withMember();
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.renewFor([alice.account.address, ids.freeMembership, 0]),
      collection,
      "ZeroRenewalPeriods",
      [],
    );
  });

  it("reverts NotAMembership for a collectible and UnknownTokenType for an unknown id", async () => {
    const { collection, ids, alice } = await withMember();
    await collection.write.mint([alice.account.address, ids.collectible, 1n]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.renewFor([alice.account.address, ids.collectible, 1]),
      collection,
      "NotAMembership",
      [ids.collectible],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(collection.write.renewFor([alice.account.address, 77n, 1]), collection, "UnknownTokenType", [77n]);
  });

  it("reverts AmountTooLarge when the expiry would reach 2^64-1", async () => {
    const { collection, alice } = await withMember();
    const maxDuration = 2 ** 32 - 1;
    const id = await createTokenType(collection, { kind: Kind.Membership, duration: maxDuration });
    await collection.write.mint([alice.account.address, id, 1n]);
    // Fits: now + (2^32-1) * 2^32 < 2^64-1.
    await collection.write.renewFor([alice.account.address, id, maxDuration]);
    const expiry = await collection.read.expiresAt([alice.account.address, id]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.renewFor([alice.account.address, id, 1]),
      collection,
      "AmountTooLarge",
      [BigInt(maxDuration)],
    );
    expect(await collection.read.expiresAt([alice.account.address, id])).toBe(expiry);
  });

  it("is reserved to MINTER_ROLE", async () => {
    const { collection, ids, alice } = await withMember();
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.renewFor([alice.account.address, ids.freeMembership, 1], { account: alice.account }),
      collection,
      "AccessControlUnauthorizedAccount",
      [alice.account.address, MINTER_ROLE],
    );
  });
});

describe("renew (paid by anyone)", () => {
  it("lets the member pay the exact price into the treasury for later expiry", async () => {
    const { collection, ids, alice, treasury, expiry } = await withMember();
    const price = 2n * RENEWAL_PRICE;
    const hash = collection.write.renew([alice.account.address, ids.membership, 2], { account: alice.account, value: price });
    await viem.assertions.balancesHaveChanged(hash, [
      { address: treasury.account.address, amount: price },
      { address: alice.account.address, amount: -price },
    ]);
    expect(await collection.read.expiresAt([alice.account.address, ids.membership])).toBe(expiry + 2n * BigInt(MONTH));
    expect(await publicClient.getBalance({ address: collection.address })).toBe(0n);
  });

  it("lets a gift-giver renew someone else's membership", async () => {
    const { collection, ids, alice, bob, treasury, expiry } = await withMember();
    const hash = collection.write.renew([alice.account.address, ids.membership, 1], { account: bob.account, value: RENEWAL_PRICE });
    await viem.assertions.balancesHaveChanged(hash, [
      { address: treasury.account.address, amount: RENEWAL_PRICE },
      { address: bob.account.address, amount: -RENEWAL_PRICE },
      { address: alice.account.address, amount: 0n },
    ]);
    await viem.assertions.emitWithArgs(
      collection.write.renew([alice.account.address, ids.membership, 1], { account: bob.account, value: RENEWAL_PRICE }),
      collection,
      "MembershipExtended",
      [alice.account.address, ids.membership, expiry + 2n * BigInt(MONTH)],
    );
    expect(await collection.read.expiresAt([bob.account.address, ids.membership])).toBe(0n);
  });

  it("restarts a lapsed membership from now", async () => {
    const { collection, ids, alice, expiry } = await withMember();
    await networkHelpers.time.increaseTo(expiry + BigInt(DAY));
    const hash = await collection.write.renew([alice.account.address, ids.membership, 1], { account: alice.account, value: RENEWAL_PRICE });
    expect(await collection.read.expiresAt([alice.account.address, ids.membership])).toBe((await txTimestamp(hash)) + BigInt(MONTH));
  });

  it("charges the price current at renewal time", async () => {
    const { collection, ids, alice, treasury } = await withMember();
    await collection.write.setTokenTypeTerms([ids.membership, 5n, 0n]);
    await viem.assertions.balancesHaveChanged(
      collection.write.renew([alice.account.address, ids.membership, 3], { account: alice.account, value: 15n }),
      [{ address: treasury.account.address, amount: 15n }],
    );
  });

  it("reverts IncorrectPayment for too little and too much", async () => {
    const { collection, ids, alice, expiry } = await withMember();
    for (const value of [0n, RENEWAL_PRICE - 1n, RENEWAL_PRICE + 1n, RENEWAL_PRICE * 2n]) {
      await viem.assertions.revertWithCustomErrorWithArgs(
        collection.write.renew([alice.account.address, ids.membership, 1], { account: alice.account, value }),
        collection,
        "IncorrectPayment",
        [RENEWAL_PRICE, value],
      );
    }
    expect(await collection.read.expiresAt([alice.account.address, ids.membership])).toBe(expiry);
  });

  it("reverts MembershipNotRenewable for a type without a renewal price, lifetime or expiring", async () => {
    const { collection, ids, alice } = await withMember();
    await collection.write.mint([alice.account.address, ids.lifetime, 1n]);
    for (const id of [ids.freeMembership, ids.lifetime]) {
      await viem.assertions.revertWithCustomErrorWithArgs(
        collection.write.renew([alice.account.address, id, 1], { account: alice.account, value: 0n }),
        collection,
        "MembershipNotRenewable",
        [id],
      );
    }
  });

  it("reverts NotAMember for a holder without the membership; the treasury receives nothing", async () => {
    const { collection, ids, bob, treasury } = await withMember();
    const before = await publicClient.getBalance({ address: treasury.account.address });
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.renew([bob.account.address, ids.membership, 1], { account: bob.account, value: RENEWAL_PRICE }),
      collection,
      "NotAMember",
      [bob.account.address, ids.membership],
    );
    expect(await publicClient.getBalance({ address: treasury.account.address })).toBe(before);
  });

  it("reverts ZeroRenewalPeriods, NotAMembership and UnknownTokenType", async () => {
    const { collection, ids, alice } = await withMember();
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.renew([alice.account.address, ids.membership, 0], { value: 0n }),
      collection,
      "ZeroRenewalPeriods",
      [],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.renew([alice.account.address, ids.collectible, 1], { value: 0n }),
      collection,
      "NotAMembership",
      [ids.collectible],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(collection.write.renew([alice.account.address, 0n, 1], { value: 0n }), collection, "UnknownTokenType", [0n]);
  });
});

describe("extendMembership", () => {
  it("moves the expiry to the given later time and emits MembershipExtended", async () => {
    const { collection, ids, alice, expiry } = await withMember();
    const later = expiry + 12_345n;
    await viem.assertions.emitWithArgs(
      collection.write.extendMembership([alice.account.address, ids.membership, later]),
      collection,
      "MembershipExtended",
      [getAddress(alice.account.address), ids.membership, later],
    );
    expect(await collection.read.expiresAt([alice.account.address, ids.membership])).toBe(later);
  });

  it("reverts ExpiryNotLater for the same or an earlier time", async () => {
    const { collection, ids, alice, expiry } = await withMember();
    for (const requested of [expiry, expiry - 1n, 0n]) {
      await viem.assertions.revertWithCustomErrorWithArgs(
        collection.write.extendMembership([alice.account.address, ids.membership, requested]),
        collection,
        "ExpiryNotLater",
        [expiry, requested],
      );
    }
  });

  it("revives a lapsed membership when the new time is in the future", async () => {
    const { collection, ids, alice, expiry } = await withMember();
    await networkHelpers.time.increaseTo(expiry + 100n);
    const now = BigInt(await networkHelpers.time.latest());
    await collection.write.extendMembership([alice.account.address, ids.membership, now + 1_000n]);
    expect(await collection.read.isMembershipActive([alice.account.address, ids.membership])).toBe(true);
  });

  it("reverts NotAMember, MembershipNotRenewable for a lifetime type, NotAMembership, and is minter-only", async () => {
    const { collection, ids, alice, bob, expiry } = await withMember();
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.extendMembership([bob.account.address, ids.membership, expiry]),
      collection,
      "NotAMember",
      [bob.account.address, ids.membership],
    );
    await collection.write.mint([alice.account.address, ids.lifetime, 1n]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.extendMembership([alice.account.address, ids.lifetime, NEVER_EXPIRES]),
      collection,
      "MembershipNotRenewable",
      [ids.lifetime],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.extendMembership([alice.account.address, ids.collectible, expiry]),
      collection,
      "NotAMembership",
      [ids.collectible],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.extendMembership([alice.account.address, ids.membership, expiry + 1n], { account: alice.account }),
      collection,
      "AccessControlUnauthorizedAccount",
      [alice.account.address, MINTER_ROLE],
    );
  });
});
