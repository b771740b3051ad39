import { describe, expect, it } from "vitest";
import { getAddress, keccak256, toHex, zeroAddress } from "viem";
import { MONTH, eventsOf, loadCollection, networkHelpers, publicClient, txTimestamp, viem } from "./fixtures.ts";

const ORDER_REF = keccak256(toHex("order-1042"));

/** The fixture with alice holding 5 coupons, 5 collectibles and the paid monthly membership. */
async function withHoldings() {
  const fixture = await loadCollection();
  const { collection, ids, alice } = fixture;
  await collection.write.mint([alice.account.address, ids.consumable, 5n]);
  await collection.write.mint([alice.account.address, ids.collectible, 5n]);
  await collection.write.mint([alice.account.address, ids.membership, 1n]);
  return fixture;
}

describe("redeem", () => {
  it("burns consumable units, emits TransferSingle to zero then Redeemed with the ref; supply drops, minted stays", async () => {
    const { collection, ids, alice } = await withHoldings();
    const hash = await collection.write.redeem([ids.consumable, 2n, ORDER_REF], { account: alice.account });
    const [redeemed] = await eventsOf(collection, hash, "Redeemed");
    expect(redeemed?.args).toEqual({ ref: ORDER_REF });
    const [burned] = await eventsOf(collection, hash, "TransferSingle");
    // Who redeemed what is the burn's: the TransferSingle right before Redeemed in the same transaction.
    expect(burned?.logIndex).toBe(redeemed!.logIndex - 1);
    // The ref is indexed: a server finds the redemption of an order by it.
    const found = await publicClient.getContractEvents({ address: collection.address, abi: collection.abi, eventName: "Redeemed", args: { ref: ORDER_REF }, fromBlock: 0n });
    expect(found.map((log) => log.transactionHash)).toEqual([hash]);
    expect(burned?.args).toEqual({
      operator: getAddress(alice.account.address),
      from: getAddress(alice.account.address),
      to: zeroAddress,
      id: ids.consumable,
      value: 2n,
    });
    expect(await collection.read.balanceOf([alice.account.address, ids.consumable])).toBe(3n);
    expect(await collection.read.totalSupply([ids.consumable])).toBe(3n);
    expect(await collection.read.totalMinted([ids.consumable])).toBe(5n);
  });

  it("reverts NotConsumable for a collectible or a membership", async () => {
    const { collection, ids, alice } = await withHoldings();
    for (const id of [ids.collectible, ids.membership]) {
      await viem.assertions.revertWithCustomErrorWithArgs(collection.write.redeem([id, 1n, ORDER_REF], { account: alice.account }), collection, "NotConsumable", [id]);
    }
    expect(await collection.read.balanceOf([alice.account.address, ids.collectible])).toBe(5n);
  });

  it("reverts ERC1155InsufficientBalance beyond the caller's balance", async () => {
    const { collection, ids, alice, bob } = await withHoldings();
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.redeem([ids.consumable, 6n, ORDER_REF], { account: alice.account }),
      collection,
      "ERC1155InsufficientBalance",
      [alice.account.address, 5n, 6n, ids.consumable],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.redeem([ids.consumable, 1n, ORDER_REF], { account: bob.account }),
      collection,
      "ERC1155InsufficientBalance",
      [bob.account.address, 0n, 1n, ids.consumable],
    );
    expect(await collection.read.totalSupply([ids.consumable])).toBe(5n);
  });

  it("reverts UnknownTokenType for an unknown id", async () => {
    const { collection, alice } = await withHoldings();
    await viem.assertions.revertWithCustomErrorWithArgs(collection.write.redeem([55n, 1n, ORDER_REF], { account: alice.account }), collection, "UnknownTokenType", [55n]);
  });
});

describe("burn", () => {
  it("lets the holder burn their units", async () => {
    const { collection, ids, alice } = await withHoldings();
    await viem.assertions.emitWithArgs(
      collection.write.burn([alice.account.address, ids.collectible, 4n], { account: alice.account }),
      collection,
      "TransferSingle",
      [alice.account.address, alice.account.address, zeroAddress, ids.collectible, 4n],
    );
    expect(await collection.read.balanceOf([alice.account.address, ids.collectible])).toBe(1n);
    expect(await collection.read.totalSupply([ids.collectible])).toBe(1n);
    expect(await collection.read.totalMinted([ids.collectible])).toBe(5n);
  });

  it("lets an approved operator burn the holder's units", async () => {
    const { collection, ids, alice, bob } = await withHoldings();
    await collection.write.setApprovalForAll([bob.account.address, true], { account: alice.account });
    await viem.assertions.emitWithArgs(
      collection.write.burn([alice.account.address, ids.consumable, 5n], { account: bob.account }),
      collection,
      "TransferSingle",
      [bob.account.address, alice.account.address, zeroAddress, ids.consumable, 5n],
    );
    expect(await collection.read.balanceOf([alice.account.address, ids.consumable])).toBe(0n);
    expect(await collection.read.totalSupply([ids.consumable])).toBe(0n);
  });

  it("reverts ERC1155MissingApprovalForAll for a caller that is neither holder nor operator, admin included", async () => {
    const { collection, ids, admin, alice, bob } = await withHoldings();
    for (const caller of [bob, admin]) {
      await viem.assertions.revertWithCustomErrorWithArgs(
        collection.write.burn([alice.account.address, ids.collectible, 1n], { account: caller.account }),
        collection,
        "ERC1155MissingApprovalForAll",
        [caller.account.address, alice.account.address],
      );
    }
    expect(await collection.read.balanceOf([alice.account.address, ids.collectible])).toBe(5n);
  });

  it("reverts ERC1155InsufficientBalance and UnknownTokenType", async () => {
    const { collection, ids, alice } = await withHoldings();
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.burn([alice.account.address, ids.collectible, 6n], { account: alice.account }),
      collection,
      "ERC1155InsufficientBalance",
      [alice.account.address, 5n, 6n, ids.collectible],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.burn([alice.account.address, 0n, 0n], { account: alice.account }),
      collection,
      "UnknownTokenType",
      [0n],
    );
  });

  it("burning a membership clears its expiry, and a later mint starts afresh", async () => {
    const { collection, ids, alice } = await withHoldings();
    await collection.write.burn([alice.account.address, ids.membership, 1n], { account: alice.account });
    expect(await collection.read.balanceOf([alice.account.address, ids.membership])).toBe(0n);
    expect(await collection.read.expiresAt([alice.account.address, ids.membership])).toBe(0n);
    expect(await collection.read.isMembershipActive([alice.account.address, ids.membership])).toBe(false);
    expect(await collection.read.totalSupply([ids.membership])).toBe(0n);

    await networkHelpers.time.increase(MONTH * 3);
    const hash = await collection.write.mint([alice.account.address, ids.membership, 1n]);
    expect(await collection.read.expiresAt([alice.account.address, ids.membership])).toBe((await txTimestamp(hash)) + BigInt(MONTH));
  });
});
