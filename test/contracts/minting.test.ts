import { describe, expect, it } from "vitest";
import { getAddress, zeroAddress } from "viem";
import {
  Kind,
  MINTER_ROLE,
  MONTH,
  NEVER_EXPIRES,
  UINT64_MAX,
  createTokenType,
  deployCollection,
  eventsOf,
  loadCollection,
  networkHelpers,
  txTimestamp,
  viem,
} from "./fixtures.ts";

describe("mint: collectibles", () => {
  it("credits the amount, counts supply and emits TransferSingle from the zero address", async () => {
    const { collection, ids, admin, alice } = await loadCollection();
    const hash = collection.write.mint([alice.account.address, ids.collectible, 5n]);
    await viem.assertions.emitWithArgs(hash, collection, "TransferSingle", [
      admin.account.address,
      zeroAddress,
      alice.account.address,
      ids.collectible,
      5n,
    ]);
    await collection.write.mint([alice.account.address, ids.collectible, 2n]);
    expect(await collection.read.balanceOf([alice.account.address, ids.collectible])).toBe(7n);
    expect(await collection.read.totalSupply([ids.collectible])).toBe(7n);
    expect(await collection.read.totalMinted([ids.collectible])).toBe(7n);
    expect(await collection.read.expiresAt([alice.account.address, ids.collectible])).toBe(0n);
  });

  it("mints soulbound units", async () => {
    const { collection, ids, alice } = await loadCollection();
    await collection.write.mint([alice.account.address, ids.soulbound, 3n]);
    expect(await collection.read.balanceOf([alice.account.address, ids.soulbound])).toBe(3n);
  });

  it("mints up to the cap exactly, then reverts MaxSupplyExceeded with minted, requested and cap", async () => {
    const { collection, ids, alice, bob } = await loadCollection();
    await collection.write.mint([alice.account.address, ids.capped, 7n]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.mint([bob.account.address, ids.capped, 4n]),
      collection,
      "MaxSupplyExceeded",
      [ids.capped, 7n, 4n, 10n],
    );
    await collection.write.mint([bob.account.address, ids.capped, 3n]);
    expect(await collection.read.totalMinted([ids.capped])).toBe(10n);
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.mint([bob.account.address, ids.capped, 1n]),
      collection,
      "MaxSupplyExceeded",
      [ids.capped, 10n, 1n, 10n],
    );
    expect(await collection.read.balanceOf([bob.account.address, ids.capped])).toBe(3n);
  });

  it("does not give cap room back when units are burned", async () => {
    const { collection, ids, alice } = await loadCollection();
    await collection.write.mint([alice.account.address, ids.capped, 10n]);
    await collection.write.burn([alice.account.address, ids.capped, 6n], { account: alice.account });
    expect(await collection.read.totalSupply([ids.capped])).toBe(4n);
    expect(await collection.read.totalMinted([ids.capped])).toBe(10n);
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.mint([alice.account.address, ids.capped, 1n]),
      collection,
      "MaxSupplyExceeded",
      [ids.capped, 10n, 1n, 10n],
    );
  });

  it("reverts AmountTooLarge past the uint64 supply width", async () => {
    const { collection, ids, alice } = await loadCollection();
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.mint([alice.account.address, ids.collectible, UINT64_MAX + 1n]),
      collection,
      "AmountTooLarge",
      [UINT64_MAX + 1n],
    );
    await collection.write.mint([alice.account.address, ids.collectible, UINT64_MAX]);
    expect(await collection.read.totalSupply([ids.collectible])).toBe(UINT64_MAX);
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.mint([alice.account.address, ids.collectible, 1n]),
      collection,
      "AmountTooLarge",
      [1n],
    );
    expect(await collection.read.balanceOf([alice.account.address, ids.collectible])).toBe(UINT64_MAX);
  });
});

describe("mint: memberships", () => {
  it("starts an expiring membership now: expiresAt = block time + duration, MembershipExtended", async () => {
    const { collection, ids, alice } = await loadCollection();
    const hash = await collection.write.mint([alice.account.address, ids.membership, 1n]);
    const expiry = (await txTimestamp(hash)) + BigInt(MONTH);
    const [extended] = await eventsOf(collection, hash, "MembershipExtended");
    expect(extended?.args).toEqual({ holder: getAddress(alice.account.address), id: ids.membership, expiresAt: expiry });
    expect(await collection.read.expiresAt([alice.account.address, ids.membership])).toBe(expiry);
    expect(await collection.read.balanceOf([alice.account.address, ids.membership])).toBe(1n);
    expect(await collection.read.isMembershipActive([alice.account.address, ids.membership])).toBe(true);
    expect(await collection.read.totalSupply([ids.membership])).toBe(1n);
  });

  it("gives a duration-0 membership the expiry 2^64-1, active forever", async () => {
    const { collection, ids, alice } = await loadCollection();
    const hash = collection.write.mint([alice.account.address, ids.lifetime, 1n]);
    await viem.assertions.emitWithArgs(hash, collection, "MembershipExtended", [alice.account.address, ids.lifetime, NEVER_EXPIRES]);
    expect(await collection.read.expiresAt([alice.account.address, ids.lifetime])).toBe(NEVER_EXPIRES);
    await networkHelpers.time.increase(100 * 365 * 86_400);
    expect(await collection.read.isMembershipActive([alice.account.address, ids.lifetime])).toBe(true);
  });

  it("mints one unit only: InvalidMembershipAmount for 0 or 2", async () => {
    const { collection, ids, alice } = await loadCollection();
    for (const amount of [0n, 2n]) {
      await viem.assertions.revertWithCustomErrorWithArgs(
        collection.write.mint([alice.account.address, ids.membership, amount]),
        collection,
        "InvalidMembershipAmount",
        [ids.membership, amount],
      );
    }
    expect(await collection.read.totalMinted([ids.membership])).toBe(0n);
  });

  it("refuses a second membership of the same type: MembershipAlreadyHeld", async () => {
    const { collection, ids, alice } = await loadCollection();
    await collection.write.mint([alice.account.address, ids.membership, 1n]);
    const expiry = await collection.read.expiresAt([alice.account.address, ids.membership]);
    await networkHelpers.time.increase(MONTH * 2); // even once lapsed
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.mint([alice.account.address, ids.membership, 1n]),
      collection,
      "MembershipAlreadyHeld",
      [alice.account.address, ids.membership],
    );
    expect(await collection.read.expiresAt([alice.account.address, ids.membership])).toBe(expiry);
    expect(await collection.read.totalMinted([ids.membership])).toBe(1n);
  });

  it("allows one membership of each type per holder", async () => {
    const { collection, ids, alice } = await loadCollection();
    await collection.write.mint([alice.account.address, ids.membership, 1n]);
    await collection.write.mint([alice.account.address, ids.freeMembership, 1n]);
    expect(await collection.read.balanceOfBatch([[alice.account.address, alice.account.address], [ids.membership, ids.freeMembership]])).toEqual([1n, 1n]);
  });

  it("counts memberships against the cap, and burning one frees no room", async () => {
    const { collection, alice, bob } = await loadCollection();
    const id = await createTokenType(collection, { kind: Kind.Membership, duration: MONTH, maxSupply: 1n });
    await collection.write.mint([alice.account.address, id, 1n]);
    await collection.write.burn([alice.account.address, id, 1n], { account: alice.account });
    await viem.assertions.revertWithCustomErrorWithArgs(collection.write.mint([bob.account.address, id, 1n]), collection, "MaxSupplyExceeded", [id, 1n, 1n, 1n]);
  });
});

describe("mint: refusals", () => {
  it("reverts UnknownTokenType for id 0 and an id never created", async () => {
    const { collection, alice } = await loadCollection();
    for (const id of [0n, 99n]) {
      await viem.assertions.revertWithCustomErrorWithArgs(collection.write.mint([alice.account.address, id, 1n]), collection, "UnknownTokenType", [id]);
    }
  });

  it("reverts ERC1155InvalidReceiver for the zero address, minting nothing", async () => {
    const { collection, ids } = await loadCollection();
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.mint([zeroAddress, ids.collectible, 1n]),
      collection,
      "ERC1155InvalidReceiver",
      [zeroAddress],
    );
    expect(await collection.read.totalMinted([ids.collectible])).toBe(0n);
  });

  it("reverts ERC1155InvalidReceiver for a contract without onERC1155Received", async () => {
    const { collection, ids, admin, treasury } = await loadCollection();
    const nonReceiver = await deployCollection(admin, treasury.account.address);
    for (const id of [ids.collectible, ids.membership]) {
      await viem.assertions.revertWithCustomErrorWithArgs(
        collection.write.mint([nonReceiver.address, id, 1n]),
        collection,
        "ERC1155InvalidReceiver",
        [nonReceiver.address],
      );
      expect(await collection.read.balanceOf([nonReceiver.address, id])).toBe(0n);
    }
  });

  it("is reserved to MINTER_ROLE; a granted minter may mint", async () => {
    const { collection, ids, alice, bob } = await loadCollection();
    expect(await collection.read.MINTER_ROLE()).toBe(MINTER_ROLE);
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.mint([alice.account.address, ids.collectible, 1n], { account: alice.account }),
      collection,
      "AccessControlUnauthorizedAccount",
      [alice.account.address, MINTER_ROLE],
    );
    await collection.write.grantRole([MINTER_ROLE, bob.account.address]);
    const hash = collection.write.mint([alice.account.address, ids.collectible, 2n], { account: bob.account });
    await viem.assertions.emitWithArgs(hash, collection, "TransferSingle", [bob.account.address, zeroAddress, alice.account.address, ids.collectible, 2n]);
    expect(await collection.read.balanceOf([alice.account.address, ids.collectible])).toBe(2n);
  });
});
