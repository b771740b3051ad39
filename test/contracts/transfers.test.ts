import { describe, expect, it } from "vitest";
import { getAddress, zeroAddress } from "viem";
import { MONTH, deployCollection, eventsOf, loadCollection, networkHelpers, viem } from "./fixtures.ts";

/** The fixture with alice holding 10 collectibles, 10 capped units and the paid monthly membership. */
async function withHoldings() {
  const fixture = await loadCollection();
  const { collection, ids, alice } = fixture;
  await collection.write.mint([alice.account.address, ids.collectible, 10n]);
  await collection.write.mint([alice.account.address, ids.capped, 10n]);
  await collection.write.mint([alice.account.address, ids.membership, 1n]);
  const expiry = await collection.read.expiresAt([alice.account.address, ids.membership]);
  return { ...fixture, expiry };
}

describe("safeTransferFrom", () => {
  it("moves collectible units and emits TransferSingle", async () => {
    const { collection, ids, alice, bob } = await withHoldings();
    const hash = collection.write.safeTransferFrom([alice.account.address, bob.account.address, ids.collectible, 4n, "0x"], {
      account: alice.account,
    });
    await viem.assertions.emitWithArgs(hash, collection, "TransferSingle", [
      alice.account.address,
      alice.account.address,
      bob.account.address,
      ids.collectible,
      4n,
    ]);
    expect(await collection.read.balanceOf([alice.account.address, ids.collectible])).toBe(6n);
    expect(await collection.read.balanceOf([bob.account.address, ids.collectible])).toBe(4n);
    expect(await collection.read.totalSupply([ids.collectible])).toBe(10n);
  });

  it("reverts ERC1155InsufficientBalance with balance and amount", async () => {
    const { collection, ids, alice, bob } = await withHoldings();
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.safeTransferFrom([alice.account.address, bob.account.address, ids.collectible, 11n, "0x"], { account: alice.account }),
      collection,
      "ERC1155InsufficientBalance",
      [alice.account.address, 10n, 11n, ids.collectible],
    );
    expect(await collection.read.balanceOf([alice.account.address, ids.collectible])).toBe(10n);
  });

  it("reverts ERC1155InvalidReceiver for the zero address and for a contract without the receiver hook", async () => {
    const { collection, ids, admin, alice, treasury } = await withHoldings();
    const nonReceiver = await deployCollection(admin, treasury.account.address);
    for (const to of [zeroAddress, nonReceiver.address]) {
      await viem.assertions.revertWithCustomErrorWithArgs(
        collection.write.safeTransferFrom([alice.account.address, to, ids.collectible, 1n, "0x"], { account: alice.account }),
        collection,
        "ERC1155InvalidReceiver",
        [to],
      );
    }
    expect(await collection.read.balanceOf([alice.account.address, ids.collectible])).toBe(10n);
  });

  it("reverts ERC1155InvalidSender for the zero address as sender", async () => {
    const { collection, ids, alice } = await withHoldings();
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.safeTransferFrom([zeroAddress, alice.account.address, ids.collectible, 0n, "0x"], { account: alice.account }),
      collection,
      "ERC1155InvalidSender",
      [zeroAddress],
    );
  });
});

describe("operator approvals", () => {
  it("setApprovalForAll lets an operator move units until revoked", async () => {
    const { collection, ids, alice, bob, carol } = await withHoldings();
    await viem.assertions.emitWithArgs(
      collection.write.setApprovalForAll([bob.account.address, true], { account: alice.account }),
      collection,
      "ApprovalForAll",
      [alice.account.address, bob.account.address, true],
    );
    expect(await collection.read.isApprovedForAll([alice.account.address, bob.account.address])).toBe(true);
    expect(await collection.read.isApprovedForAll([bob.account.address, alice.account.address])).toBe(false);

    await viem.assertions.emitWithArgs(
      collection.write.safeTransferFrom([alice.account.address, carol.account.address, ids.collectible, 3n, "0x"], { account: bob.account }),
      collection,
      "TransferSingle",
      [bob.account.address, alice.account.address, carol.account.address, ids.collectible, 3n],
    );
    expect(await collection.read.balanceOf([carol.account.address, ids.collectible])).toBe(3n);

    await collection.write.setApprovalForAll([bob.account.address, false], { account: alice.account });
    expect(await collection.read.isApprovedForAll([alice.account.address, bob.account.address])).toBe(false);
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.safeTransferFrom([alice.account.address, carol.account.address, ids.collectible, 1n, "0x"], { account: bob.account }),
      collection,
      "ERC1155MissingApprovalForAll",
      [bob.account.address, alice.account.address],
    );
    expect(await collection.read.balanceOf([alice.account.address, ids.collectible])).toBe(7n);
  });

  it("refuses a transfer by a non-approved caller", async () => {
    const { collection, ids, alice, bob } = await withHoldings();
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.safeBatchTransferFrom([alice.account.address, bob.account.address, [ids.collectible], [1n], "0x"], { account: bob.account }),
      collection,
      "ERC1155MissingApprovalForAll",
      [bob.account.address, alice.account.address],
    );
  });

  it("reverts ERC1155InvalidOperator for the zero address", async () => {
    const { collection, alice } = await withHoldings();
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.setApprovalForAll([zeroAddress, true], { account: alice.account }),
      collection,
      "ERC1155InvalidOperator",
      [zeroAddress],
    );
  });
});

describe("safeBatchTransferFrom and balanceOfBatch", () => {
  it("moves several ids at once, membership included, and emits TransferBatch", async () => {
    const { collection, ids, alice, bob, expiry } = await withHoldings();
    const batch = [ids.collectible, ids.capped, ids.membership];
    const hash = await collection.write.safeBatchTransferFrom([alice.account.address, bob.account.address, batch, [2n, 5n, 1n], "0x"], {
      account: alice.account,
    });
    const [event] = await eventsOf(collection, hash, "TransferBatch");
    expect(event?.args).toEqual({
      operator: getAddress(alice.account.address),
      from: getAddress(alice.account.address),
      to: getAddress(bob.account.address),
      ids: batch,
      values: [2n, 5n, 1n],
    });
    expect(await collection.read.balanceOfBatch([[alice.account.address, alice.account.address, alice.account.address], batch])).toEqual([8n, 5n, 0n]);
    expect(await collection.read.balanceOfBatch([[bob.account.address, bob.account.address, bob.account.address], batch])).toEqual([2n, 5n, 1n]);
    expect(await collection.read.expiresAt([bob.account.address, ids.membership])).toBe(expiry);
    expect(await collection.read.expiresAt([alice.account.address, ids.membership])).toBe(0n);
  });

  it("reverts the whole batch when one id fails", async () => {
    const { collection, ids, alice, bob } = await withHoldings();
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.safeBatchTransferFrom([alice.account.address, bob.account.address, [ids.collectible, ids.capped], [1n, 11n], "0x"], {
        account: alice.account,
      }),
      collection,
      "ERC1155InsufficientBalance",
      [alice.account.address, 10n, 11n, ids.capped],
    );
    expect(await collection.read.balanceOf([bob.account.address, ids.collectible])).toBe(0n);
  });

  it("reverts ERC1155InvalidArrayLength for ids and values of different lengths", async () => {
    const { collection, ids, alice, bob } = await withHoldings();
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.safeBatchTransferFrom([alice.account.address, bob.account.address, [ids.collectible, ids.capped], [1n], "0x"], {
        account: alice.account,
      }),
      collection,
      "ERC1155InvalidArrayLength",
      [2n, 1n],
    );
  });

  it("balanceOfBatch pairs accounts with ids and rejects different lengths", async () => {
    const { collection, ids, alice, bob } = await withHoldings();
    expect(
      await collection.read.balanceOfBatch([
        [alice.account.address, bob.account.address, alice.account.address],
        [ids.collectible, ids.collectible, ids.membership],
      ]),
    ).toEqual([10n, 0n, 1n]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.read.balanceOfBatch([[alice.account.address], [ids.collectible, ids.capped]]),
      collection,
      "ERC1155InvalidArrayLength",
      [2n, 1n],
    );
  });
});

describe("transfer rule for memberships", () => {
  it("moves a membership whole with its expiry; the sender is no longer a member", async () => {
    const { collection, ids, alice, bob, expiry } = await withHoldings();
    await networkHelpers.time.increase(10 * 86_400);
    await viem.assertions.emitWithArgs(
      collection.write.safeTransferFrom([alice.account.address, bob.account.address, ids.membership, 1n, "0x"], { account: alice.account }),
      collection,
      "TransferSingle",
      [alice.account.address, alice.account.address, bob.account.address, ids.membership, 1n],
    );
    expect(await collection.read.balanceOf([bob.account.address, ids.membership])).toBe(1n);
    expect(await collection.read.expiresAt([bob.account.address, ids.membership])).toBe(expiry);
    expect(await collection.read.isMembershipActive([bob.account.address, ids.membership])).toBe(true);
    expect(await collection.read.balanceOf([alice.account.address, ids.membership])).toBe(0n);
    expect(await collection.read.expiresAt([alice.account.address, ids.membership])).toBe(0n);
    expect(await collection.read.isMembershipActive([alice.account.address, ids.membership])).toBe(false);
    expect(await collection.read.totalSupply([ids.membership])).toBe(1n);
  });

  it("lets an approved operator move a membership, expiry included", async () => {
    const { collection, ids, alice, bob, carol, expiry } = await withHoldings();
    await collection.write.setApprovalForAll([bob.account.address, true], { account: alice.account });
    await collection.write.safeTransferFrom([alice.account.address, carol.account.address, ids.membership, 1n, "0x"], { account: bob.account });
    expect(await collection.read.holdingsOf([carol.account.address, [ids.membership]])).toEqual([[1n], [expiry]]);
    expect(await collection.read.holdingsOf([alice.account.address, [ids.membership]])).toEqual([[0n], [0n]]);
  });

  it("cannot reset a lapsed membership's expiry by moving it", async () => {
    const { collection, ids, alice, bob, expiry } = await withHoldings();
    await networkHelpers.time.increaseTo(expiry + 1n);
    await collection.write.safeTransferFrom([alice.account.address, bob.account.address, ids.membership, 1n, "0x"], { account: alice.account });
    expect(await collection.read.expiresAt([bob.account.address, ids.membership])).toBe(expiry);
    expect(await collection.read.isMembershipActive([bob.account.address, ids.membership])).toBe(false);
  });

  it("lets the former holder receive a fresh membership by mint after moving theirs", async () => {
    const { collection, ids, alice, bob, expiry } = await withHoldings();
    await collection.write.safeTransferFrom([alice.account.address, bob.account.address, ids.membership, 1n, "0x"], { account: alice.account });
    await networkHelpers.time.increase(MONTH / 2);
    await collection.write.mint([alice.account.address, ids.membership, 1n]);
    expect(await collection.read.expiresAt([alice.account.address, ids.membership])).toBeGreaterThan(expiry);
    expect(await collection.read.expiresAt([bob.account.address, ids.membership])).toBe(expiry);
  });

  it("reverts MembershipAlreadyHeld when the recipient holds one of the type", async () => {
    const { collection, ids, alice, bob, expiry } = await withHoldings();
    await collection.write.mint([bob.account.address, ids.membership, 1n]);
    const bobExpiry = await collection.read.expiresAt([bob.account.address, ids.membership]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.safeTransferFrom([alice.account.address, bob.account.address, ids.membership, 1n, "0x"], { account: alice.account }),
      collection,
      "MembershipAlreadyHeld",
      [bob.account.address, ids.membership],
    );
    expect(await collection.read.expiresAt([alice.account.address, ids.membership])).toBe(expiry);
    expect(await collection.read.expiresAt([bob.account.address, ids.membership])).toBe(bobExpiry);
  });

  it("reverts InvalidMembershipAmount for an amount other than 1", async () => {
    const { collection, ids, alice, bob } = await withHoldings();
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.safeTransferFrom([alice.account.address, bob.account.address, ids.membership, 2n, "0x"], { account: alice.account }),
      collection,
      "InvalidMembershipAmount",
      [ids.membership, 2n],
    );
    expect(await collection.read.balanceOf([alice.account.address, ids.membership])).toBe(1n);
  });

  it("reverts ERC1155InsufficientBalance for a sender without the membership", async () => {
    const { collection, ids, bob, carol } = await withHoldings();
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.safeTransferFrom([bob.account.address, carol.account.address, ids.membership, 1n, "0x"], { account: bob.account }),
      collection,
      "ERC1155InsufficientBalance",
      [bob.account.address, 0n, 1n, ids.membership],
    );
  });

  it("treats a transfer of a membership to oneself as a no-op, as ERC-1155 allows", async () => {
    const { collection, ids, alice, expiry } = await withHoldings();
    const hash = await collection.write.safeTransferFrom([alice.account.address, alice.account.address, ids.membership, 1n, "0x"], {
      account: alice.account,
    });
    const publicClient = await viem.getPublicClient();
    expect((await publicClient.waitForTransactionReceipt({ hash })).status).toBe("success");
    expect(await collection.read.balanceOf([alice.account.address, ids.membership])).toBe(1n);
    expect(await collection.read.expiresAt([alice.account.address, ids.membership])).toBe(expiry);
    expect(await collection.read.isMembershipActive([alice.account.address, ids.membership])).toBe(true);
  });
});

describe("soulbound types", () => {
  it("refuses safeTransferFrom and safeBatchTransferFrom with SoulboundTransferRefused", async () => {
    const { collection, ids, alice, bob } = await withHoldings();
    await collection.write.mint([alice.account.address, ids.soulbound, 2n]);
    await collection.write.mint([alice.account.address, ids.soulboundMembership, 1n]);
    for (const [id, amount] of [
      [ids.soulbound, 1n],
      [ids.soulboundMembership, 1n],
    ] as const) {
      await viem.assertions.revertWithCustomErrorWithArgs(
        collection.write.safeTransferFrom([alice.account.address, bob.account.address, id, amount, "0x"], { account: alice.account }),
        collection,
        "SoulboundTransferRefused",
        [id],
      );
    }
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.safeBatchTransferFrom([alice.account.address, bob.account.address, [ids.collectible, ids.soulbound], [1n, 1n], "0x"], {
        account: alice.account,
      }),
      collection,
      "SoulboundTransferRefused",
      [ids.soulbound],
    );
    expect(await collection.read.balanceOfBatch([[alice.account.address, alice.account.address, bob.account.address], [ids.soulbound, ids.soulboundMembership, ids.soulbound]])).toEqual([2n, 1n, 0n]);
  });

  it("refuses a transfer by an approved operator too", async () => {
    const { collection, ids, alice, bob } = await withHoldings();
    await collection.write.mint([alice.account.address, ids.soulbound, 1n]);
    await collection.write.setApprovalForAll([bob.account.address, true], { account: alice.account });
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.safeTransferFrom([alice.account.address, bob.account.address, ids.soulbound, 1n, "0x"], { account: bob.account }),
      collection,
      "SoulboundTransferRefused",
      [ids.soulbound],
    );
  });

  it("can still be minted and burned", async () => {
    const { collection, ids, alice } = await withHoldings();
    await collection.write.mint([alice.account.address, ids.soulbound, 3n]);
    await collection.write.mint([alice.account.address, ids.soulboundMembership, 1n]);
    await collection.write.burn([alice.account.address, ids.soulbound, 2n], { account: alice.account });
    await collection.write.burn([alice.account.address, ids.soulboundMembership, 1n], { account: alice.account });
    expect(await collection.read.balanceOfBatch([[alice.account.address, alice.account.address], [ids.soulbound, ids.soulboundMembership]])).toEqual([1n, 0n]);
    expect(await collection.read.totalSupply([ids.soulbound])).toBe(1n);
    expect(await collection.read.totalSupply([ids.soulboundMembership])).toBe(0n);
  });
});
