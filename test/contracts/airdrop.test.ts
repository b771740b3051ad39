import { describe, expect, it } from "vitest";
import { getAddress, zeroAddress } from "viem";
import { MINTER_ROLE, MONTH, UINT64_MAX, addresses, eventsOf, loadCollection, txTimestamp, viem } from "./fixtures.ts";

describe("airdrop", () => {
  it("mints the amount to 100 recipients in one transaction, one TransferSingle each, supply counted once", async () => {
    const { collection, ids, admin } = await loadCollection();
    const recipients = addresses(100);
    const hash = await collection.write.airdrop([ids.collectible, recipients, 3n]);

    const transfers = await eventsOf(collection, hash, "TransferSingle");
    expect(transfers.map((e) => e.args)).toEqual(
      recipients.map((to) => ({ operator: getAddress(admin.account.address), from: zeroAddress, to, id: ids.collectible, value: 3n })),
    );
    const balances = await collection.read.balanceOfBatch([recipients, recipients.map(() => ids.collectible)]);
    expect(balances).toEqual(recipients.map(() => 3n));
    expect(await collection.read.totalSupply([ids.collectible])).toBe(300n);
    expect(await collection.read.totalMinted([ids.collectible])).toBe(300n);
  });

  it("credits a recipient listed twice twice", async () => {
    const { collection, ids, alice, bob } = await loadCollection();
    await collection.write.airdrop([ids.collectible, [alice.account.address, bob.account.address, alice.account.address], 2n]);
    expect(await collection.read.balanceOf([alice.account.address, ids.collectible])).toBe(4n);
    expect(await collection.read.balanceOf([bob.account.address, ids.collectible])).toBe(2n);
    expect(await collection.read.totalSupply([ids.collectible])).toBe(6n);
  });

  it("reverts EmptyAirdrop without recipients", async () => {
    const { collection, ids } = await loadCollection();
    await viem.assertions.revertWithCustomErrorWithArgs(collection.write.airdrop([ids.collectible, [], 1n]), collection, "EmptyAirdrop", []);
  });

  it("checks the cap against the whole airdrop", async () => {
    const { collection, ids } = await loadCollection();
    const recipients = addresses(4);
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.airdrop([ids.capped, recipients, 3n]),
      collection,
      "MaxSupplyExceeded",
      [ids.capped, 0n, 12n, 10n],
    );
    expect(await collection.read.totalMinted([ids.capped])).toBe(0n);
    await collection.write.airdrop([ids.capped, recipients.slice(0, 2), 5n]);
    expect(await collection.read.totalMinted([ids.capped])).toBe(10n);
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.airdrop([ids.capped, recipients.slice(2), 1n]),
      collection,
      "MaxSupplyExceeded",
      [ids.capped, 10n, 2n, 10n],
    );
  });

  it("airdrops memberships that each expire a duration after the block", async () => {
    const { collection, ids } = await loadCollection();
    const recipients = addresses(5, "member");
    const hash = await collection.write.airdrop([ids.membership, recipients, 1n]);
    const expiry = (await txTimestamp(hash)) + BigInt(MONTH);
    const extended = await eventsOf(collection, hash, "MembershipExtended");
    expect(extended.map((e) => e.args)).toEqual(recipients.map((holder) => ({ holder, id: ids.membership, expiresAt: expiry })));
    const [, expiries] = await collection.read.holdingsOf([recipients[0]!, [ids.membership]]);
    expect(expiries).toEqual([expiry]);
    for (const holder of recipients) {
      expect(await collection.read.expiresAt([holder, ids.membership])).toBe(expiry);
      expect(await collection.read.isMembershipActive([holder, ids.membership])).toBe(true);
    }
    expect(await collection.read.totalSupply([ids.membership])).toBe(5n);
  });

  it("keeps memberships one per holder: a repeated recipient or amount 2 reverts", async () => {
    const { collection, ids, alice, bob } = await loadCollection();
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.airdrop([ids.membership, [alice.account.address, bob.account.address, alice.account.address], 1n]),
      collection,
      "MembershipAlreadyHeld",
      [alice.account.address, ids.membership],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.airdrop([ids.membership, [alice.account.address], 2n]),
      collection,
      "InvalidMembershipAmount",
      [ids.membership, 2n],
    );
    expect(await collection.read.totalMinted([ids.membership])).toBe(0n);
  });

  it("reverts AmountTooLarge for an amount or a total past uint64", async () => {
    const { collection, ids, alice, bob } = await loadCollection();
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.airdrop([ids.collectible, [alice.account.address], UINT64_MAX + 1n]),
      collection,
      "AmountTooLarge",
      [UINT64_MAX + 1n],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.airdrop([ids.collectible, [alice.account.address, bob.account.address], 2n ** 63n]),
      collection,
      "AmountTooLarge",
      [2n ** 64n],
    );
    expect(await collection.read.totalMinted([ids.collectible])).toBe(0n);
  });

  it("reverts ERC1155InvalidReceiver when a recipient is the zero address", async () => {
    const { collection, ids, alice } = await loadCollection();
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.airdrop([ids.collectible, [alice.account.address, zeroAddress], 1n]),
      collection,
      "ERC1155InvalidReceiver",
      [zeroAddress],
    );
    expect(await collection.read.balanceOf([alice.account.address, ids.collectible])).toBe(0n);
  });

  it("reverts UnknownTokenType and is reserved to MINTER_ROLE", async () => {
    const { collection, alice, ids } = await loadCollection();
    await viem.assertions.revertWithCustomErrorWithArgs(collection.write.airdrop([42n, [alice.account.address], 1n]), collection, "UnknownTokenType", [42n]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.airdrop([ids.collectible, [getAddress(alice.account.address)], 1n], { account: alice.account }),
      collection,
      "AccessControlUnauthorizedAccount",
      [alice.account.address, MINTER_ROLE],
    );
  });
});
