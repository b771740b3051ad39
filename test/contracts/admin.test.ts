/**
 * Long because it walks the collection's whole admin surface (roles, types, pause, royalties,
 * renewals) against one deployment fixture.
 */
import { describe, expect, it } from "vitest";
import { artifacts } from "hardhat";
import { getAddress, keccak256, toHex, zeroAddress, type Hex } from "viem";
import {
  CONTRACT_URI,
  DEFAULT_ADMIN_ROLE,
  MINTER_ROLE,
  MONTH,
  PAUSER_ROLE,
  RENEWAL_PRICE,
  ROYALTY_BPS,
  addresses,
  createTokenType,
  deployCollection,
  loadCollection,
  makeVoucher,
  publicClient,
  signVoucher,
  viem,
  voucherDomain,
  type Collection,
  type Wallet,
} from "./fixtures.ts";

/** The fixture with alice holding collectibles, coupons and both monthly memberships, then paused. */
async function pausedWithHoldings() {
  const fixture = await loadCollection();
  const { collection, ids, alice } = fixture;
  await collection.write.mint([alice.account.address, ids.collectible, 5n]);
  await collection.write.mint([alice.account.address, ids.consumable, 5n]);
  await collection.write.mint([alice.account.address, ids.membership, 1n]);
  await collection.write.mint([alice.account.address, ids.freeMembership, 1n]);
  const expiry = await collection.read.expiresAt([alice.account.address, ids.membership]);
  const freeExpiry = await collection.read.expiresAt([alice.account.address, ids.freeMembership]);
  await collection.write.pause();
  return { ...fixture, expiry, freeExpiry };
}

describe("pause and unpause", () => {
  it("are reserved to PAUSER_ROLE and emit Paused / Unpaused", async () => {
    const { collection, admin, alice } = await loadCollection();
    expect(await collection.read.PAUSER_ROLE()).toBe(PAUSER_ROLE);
    await viem.assertions.revertWithCustomErrorWithArgs(collection.write.pause({ account: alice.account }), collection, "AccessControlUnauthorizedAccount", [
      alice.account.address,
      PAUSER_ROLE,
    ]);
    expect(await collection.read.paused()).toBe(false);
    await viem.assertions.emitWithArgs(collection.write.pause(), collection, "Paused", [admin.account.address]);
    expect(await collection.read.paused()).toBe(true);
    await viem.assertions.revertWithCustomErrorWithArgs(collection.write.unpause({ account: alice.account }), collection, "AccessControlUnauthorizedAccount", [
      alice.account.address,
      PAUSER_ROLE,
    ]);
    await viem.assertions.emitWithArgs(collection.write.unpause(), collection, "Unpaused", [admin.account.address]);
    expect(await collection.read.paused()).toBe(false);
  });

  it("lets a granted pauser pause, and refuses pausing twice or unpausing when not paused", async () => {
    const { collection, bob } = await loadCollection();
    await collection.write.grantRole([PAUSER_ROLE, bob.account.address]);
    await collection.write.pause({ account: bob.account });
    await viem.assertions.revertWithCustomErrorWithArgs(collection.write.pause({ account: bob.account }), collection, "EnforcedPause", []);
    await collection.write.unpause({ account: bob.account });
    await viem.assertions.revertWithCustomErrorWithArgs(collection.write.unpause({ account: bob.account }), collection, "ExpectedPause", []);
    expect(await collection.read.paused()).toBe(false);
  });

  it("while paused, mint, airdrop, claim, transfers, burn, redeem, renew, renewFor and extendMembership revert EnforcedPause", async () => {
    const { collection, ids, admin, alice, bob, chainId, expiry } = await pausedWithHoldings();
    const voucher = await makeVoucher({ to: alice.account.address, id: ids.collectible });
    const { claimArgs } = await signVoucher(admin, voucher, voucherDomain(collection.address, chainId));
    const as = { account: alice.account };
    const calls = {
      mint: () => collection.write.mint([bob.account.address, ids.collectible, 1n]),
      airdrop: () => collection.write.airdrop([ids.collectible, [bob.account.address], 1n]),
      claim: () => collection.write.claim(claimArgs, as),
      safeTransferFrom: () => collection.write.safeTransferFrom([alice.account.address, bob.account.address, ids.collectible, 1n, "0x"], as),
      safeTransferFromMembership: () =>
        collection.write.safeTransferFrom([alice.account.address, bob.account.address, ids.membership, 1n, "0x"], as),
      safeBatchTransferFrom: () =>
        collection.write.safeBatchTransferFrom([alice.account.address, bob.account.address, [ids.collectible], [1n], "0x"], as),
      burn: () => collection.write.burn([alice.account.address, ids.collectible, 1n], as),
      redeem: () => collection.write.redeem([ids.consumable, 1n, keccak256(toHex("ref"))], as),
      renew: () => collection.write.renew([alice.account.address, ids.membership, 1], { ...as, value: RENEWAL_PRICE }),
      renewFor: () => collection.write.renewFor([alice.account.address, ids.freeMembership, 1]),
      extendMembership: () => collection.write.extendMembership([alice.account.address, ids.membership, expiry + 1n]),
    };
    for (const [name, call] of Object.entries(calls)) {
      await viem.assertions.revertWithCustomErrorWithArgs(call(), collection, "EnforcedPause", []).catch((error: unknown) => {
        throw new Error(`${name} while paused: ${String(error)}`);
      });
    }
    expect(await collection.read.balanceOfBatch([[alice.account.address, bob.account.address, alice.account.address], [ids.collectible, ids.collectible, ids.consumable]])).toEqual([
      5n,
      0n,
      5n,
    ]);
    expect(await collection.read.expiresAt([alice.account.address, ids.membership])).toBe(expiry);
    expect(await collection.read.isVoucherUsed([voucher.uid])).toBe(false);
  });

  it("pauses a type created while paused", async () => {
    const { collection, alice } = await pausedWithHoldings();
    const id = await createTokenType(collection, { uri: "ipfs://late.json" });
    expect(await collection.read.exists([id])).toBe(true);
    await viem.assertions.revertWithCustomErrorWithArgs(collection.write.mint([alice.account.address, id, 1n]), collection, "EnforcedPause", []);
    await collection.write.unpause();
    await collection.write.mint([alice.account.address, id, 2n]);
    expect(await collection.read.balanceOf([alice.account.address, id])).toBe(2n);
  });

  it("after unpause every paused operation works again", async () => {
    const { collection, ids, admin, alice, bob, carol, treasury, chainId, expiry, freeExpiry } = await pausedWithHoldings();
    await collection.write.unpause();
    const as = { account: alice.account };
    const voucher = await makeVoucher({ to: carol.account.address, id: ids.collectible, amount: 4n });
    const { claimArgs } = await signVoucher(admin, voucher, voucherDomain(collection.address, chainId));

    await collection.write.mint([bob.account.address, ids.collectible, 1n]);
    await collection.write.airdrop([ids.collectible, [bob.account.address], 2n]);
    await collection.write.claim(claimArgs, as);
    await collection.write.safeTransferFrom([alice.account.address, bob.account.address, ids.collectible, 1n, "0x"], as);
    await collection.write.safeBatchTransferFrom([alice.account.address, bob.account.address, [ids.collectible], [1n], "0x"], as);
    await collection.write.burn([alice.account.address, ids.collectible, 1n], as);
    await collection.write.redeem([ids.consumable, 2n, keccak256(toHex("ref"))], as);
    await viem.assertions.balancesHaveChanged(
      collection.write.renew([alice.account.address, ids.membership, 1], { ...as, value: RENEWAL_PRICE }),
      [{ address: treasury.account.address, amount: RENEWAL_PRICE }],
    );
    await collection.write.renewFor([alice.account.address, ids.freeMembership, 1]);
    await collection.write.extendMembership([alice.account.address, ids.membership, expiry + BigInt(MONTH) + 60n]);

    expect(await collection.read.balanceOf([bob.account.address, ids.collectible])).toBe(5n);
    expect(await collection.read.balanceOf([carol.account.address, ids.collectible])).toBe(4n);
    expect(await collection.read.balanceOf([alice.account.address, ids.collectible])).toBe(2n);
    expect(await collection.read.totalSupply([ids.collectible])).toBe(11n);
    expect(await collection.read.balanceOf([alice.account.address, ids.consumable])).toBe(3n);
    expect(await collection.read.expiresAt([alice.account.address, ids.membership])).toBe(expiry + BigInt(MONTH) + 60n);
    expect(await collection.read.expiresAt([alice.account.address, ids.freeMembership])).toBe(freeExpiry + BigInt(MONTH));
  });

  it("stops a minter that is not the issuing minter too, and the vouchers it signs", async () => {
    const { collection, ids, alice, bob, chainId, freeExpiry } = await pausedWithHoldings();
    await collection.write.grantRole([MINTER_ROLE, bob.account.address]);
    const asBob = { account: bob.account };
    const voucher = await makeVoucher({ to: alice.account.address, id: ids.collectible });
    const { claimArgs } = await signVoucher(bob, voucher, voucherDomain(collection.address, chainId));
    const calls = {
      mint: () => collection.write.mint([bob.account.address, ids.collectible, 1n], asBob),
      airdrop: () => collection.write.airdrop([ids.collectible, [bob.account.address], 1n], asBob),
      claim: () => collection.write.claim(claimArgs, { account: alice.account }),
      renewFor: () => collection.write.renewFor([alice.account.address, ids.freeMembership, 1], asBob),
      extendMembership: () => collection.write.extendMembership([alice.account.address, ids.freeMembership, freeExpiry + 1n], asBob),
    };
    for (const [name, call] of Object.entries(calls)) {
      await viem.assertions.revertWithCustomErrorWithArgs(call(), collection, "EnforcedPause", []).catch((error: unknown) => {
        throw new Error(`${name} while paused: ${String(error)}`);
      });
    }
  });

  it("stops transfers of units that arrived by transfer, and says EnforcedPause before any type rule", async () => {
    const { collection, ids, alice, bob, carol } = await loadCollection();
    await collection.write.mint([alice.account.address, ids.collectible, 3n]);
    await collection.write.mint([alice.account.address, ids.soulbound, 1n]);
    await collection.write.mint([alice.account.address, ids.soulboundMembership, 1n]);
    await collection.write.safeTransferFrom([alice.account.address, bob.account.address, ids.collectible, 2n, "0x"], { account: alice.account });
    await collection.write.pause();
    const moves = {
      received: [bob, ids.collectible, 1n],
      soulbound: [alice, ids.soulbound, 1n],
      soulboundMembership: [alice, ids.soulboundMembership, 1n],
      nothingHeld: [carol, ids.collectible, 0n],
      unknownType: [carol, 999n, 0n],
    } as const;
    for (const [name, [from, id, amount]] of Object.entries(moves)) {
      const args = [from.account.address, alice.account.address, id, amount, "0x"] as const;
      await viem.assertions
        .revertWithCustomErrorWithArgs(collection.write.safeTransferFrom(args, { account: from.account }), collection, "EnforcedPause", [])
        .catch((error: unknown) => {
          throw new Error(`${name} while paused: ${String(error)}`);
        });
    }
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.safeBatchTransferFrom([bob.account.address, carol.account.address, [ids.collectible, ids.collectible], [1n, 1n], "0x"], {
        account: bob.account,
      }),
      collection,
      "EnforcedPause",
      [],
    );
    await collection.write.unpause();
    await collection.write.safeTransferFrom([bob.account.address, carol.account.address, ids.collectible, 2n, "0x"], { account: bob.account });
    expect(await collection.read.balanceOfBatch([[alice.account.address, bob.account.address, carol.account.address], [ids.collectible, ids.collectible, ids.collectible]])).toEqual([
      1n,
      0n,
      2n,
    ]);
  });

  it("costs the same gas with 2 token types as with 60, pausing and unpausing", async () => {
    const { admin, treasury } = await loadCollection();
    const gas: Record<string, bigint[]> = {};
    for (const types of [2, 60]) {
      const collection = await deployCollection(admin, treasury.account.address);
      for (let i = 0; i < types; ++i) await createTokenType(collection);
      const pause = await publicClient.waitForTransactionReceipt({ hash: await collection.write.pause() });
      const unpause = await publicClient.waitForTransactionReceipt({ hash: await collection.write.unpause() });
      gas[types] = [pause.gasUsed, unpause.gasUsed];
    }
    expect(gas[60]).toEqual(gas[2]);
  });

  it("leaves approvals, views and type administration available while paused", async () => {
    const { collection, ids, alice, bob } = await pausedWithHoldings();
    await collection.write.setApprovalForAll([bob.account.address, true], { account: alice.account });
    await collection.write.setTokenURI([ids.collectible, "ipfs://paused.json"]);
    await collection.write.setTokenTypeTerms([ids.membership, 1n, 2n]);
    expect(await collection.read.isApprovedForAll([alice.account.address, bob.account.address])).toBe(true);
    expect(await collection.read.uri([ids.collectible])).toBe("ipfs://paused.json");
    expect(await collection.read.isMembershipActive([alice.account.address, ids.membership])).toBe(true);
  });
});

describe("issuing minter", () => {
  /** Gas of a mint of one unit of `id` to a fresh address, sent by `minter`. */
  async function mintGas(collection: Collection, id: bigint, minter: Wallet, seed: string): Promise<bigint> {
    const [to] = addresses(1, seed);
    const hash = await collection.write.mint([to!, id, 1n], { account: minter.account });
    return (await publicClient.waitForTransactionReceipt({ hash })).gasUsed;
  }

  it("is the admin from deployment; only DEFAULT_ADMIN_ROLE changes it, to a MINTER_ROLE holder or to none", async () => {
    const { collection, admin, alice, bob } = await loadCollection();
    expect(await collection.read.issuingMinter()).toBe(getAddress(admin.account.address));
    await collection.write.grantRole([MINTER_ROLE, bob.account.address]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.setIssuingMinter([bob.account.address], { account: bob.account }),
      collection,
      "AccessControlUnauthorizedAccount",
      [bob.account.address, DEFAULT_ADMIN_ROLE],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(collection.write.setIssuingMinter([alice.account.address]), collection, "IssuingMinterLacksRole", [
      alice.account.address,
    ]);
    await viem.assertions.emitWithArgs(collection.write.setIssuingMinter([bob.account.address]), collection, "IssuingMinterSet", [bob.account.address]);
    expect(await collection.read.issuingMinter()).toBe(getAddress(bob.account.address));
    await viem.assertions.emitWithArgs(collection.write.setIssuingMinter([zeroAddress]), collection, "IssuingMinterSet", [zeroAddress]);
    expect(await collection.read.issuingMinter()).toBe(zeroAddress);
    // Nobody lost the right to mint by it.
    await collection.write.mint([alice.account.address, 1n, 1n]);
    await collection.write.mint([alice.account.address, 1n, 1n], { account: bob.account });
    expect(await collection.read.balanceOf([alice.account.address, 1n])).toBe(2n);
  });

  it("is cleared when its MINTER_ROLE is revoked or renounced, and then mints and signs nothing", async () => {
    const { collection, ids, admin, alice, bob, chainId } = await loadCollection();
    await viem.assertions.emitWithArgs(collection.write.revokeRole([MINTER_ROLE, admin.account.address]), collection, "IssuingMinterSet", [zeroAddress]);
    expect(await collection.read.issuingMinter()).toBe(zeroAddress);
    await viem.assertions.revertWithCustomErrorWithArgs(collection.write.mint([alice.account.address, ids.collectible, 1n]), collection, "AccessControlUnauthorizedAccount", [
      admin.account.address,
      MINTER_ROLE,
    ]);
    const voucher = await makeVoucher({ to: alice.account.address, id: ids.collectible });
    const { claimArgs } = await signVoucher(admin, voucher, voucherDomain(collection.address, chainId));
    await viem.assertions.revertWithCustomErrorWithArgs(collection.write.claim(claimArgs), collection, "VoucherSignerUnauthorized", [
      getAddress(admin.account.address),
    ]);

    await collection.write.grantRole([MINTER_ROLE, bob.account.address]);
    await collection.write.setIssuingMinter([bob.account.address]);
    await viem.assertions.emitWithArgs(
      collection.write.renounceRole([MINTER_ROLE, bob.account.address], { account: bob.account }),
      collection,
      "IssuingMinterSet",
      [zeroAddress],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.mint([alice.account.address, ids.collectible, 1n], { account: bob.account }),
      collection,
      "AccessControlUnauthorizedAccount",
      [bob.account.address, MINTER_ROLE],
    );
    expect(await collection.read.balanceOf([alice.account.address, ids.collectible])).toBe(0n);
  });

  it("stays when another role or another minter's role is revoked", async () => {
    const { collection, admin, bob } = await loadCollection();
    await collection.write.grantRole([MINTER_ROLE, bob.account.address]);
    await collection.write.revokeRole([MINTER_ROLE, bob.account.address]);
    await collection.write.revokeRole([PAUSER_ROLE, admin.account.address]);
    await collection.write.revokeRole([MINTER_ROLE, bob.account.address]); // not held: nothing happens
    expect(await collection.read.issuingMinter()).toBe(getAddress(admin.account.address));
  });

  it("a minter granted MINTER_ROLE alone mints, airdrops, renews, extends and signs vouchers, for ~2,100 gas more", async () => {
    const { collection, ids, admin, alice, bob, carol, chainId } = await loadCollection();
    await collection.write.grantRole([MINTER_ROLE, bob.account.address]);
    const asBob = { account: bob.account };
    await collection.write.mint([alice.account.address, ids.freeMembership, 1n], asBob);
    await collection.write.airdrop([ids.collectible, [alice.account.address, carol.account.address], 2n], asBob);
    await collection.write.renewFor([alice.account.address, ids.freeMembership, 1], asBob);
    const expiry = await collection.read.expiresAt([alice.account.address, ids.freeMembership]);
    await collection.write.extendMembership([alice.account.address, ids.freeMembership, expiry + 60n], asBob);
    const voucher = await makeVoucher({ to: carol.account.address, id: ids.collectible, amount: 3n });
    const { claimArgs } = await signVoucher(bob, voucher, voucherDomain(collection.address, chainId));
    await collection.write.claim(claimArgs, { account: alice.account });
    expect(await collection.read.balanceOfBatch([[alice.account.address, carol.account.address], [ids.collectible, ids.collectible]])).toEqual([2n, 5n]);
    expect(await collection.read.expiresAt([alice.account.address, ids.freeMembership])).toBe(expiry + 60n);

    // The same mint to fresh addresses (whose calldata may differ by a few zero bytes: a few dozen gas).
    const byIssuer = await mintGas(collection, ids.collectible, admin, "issuer");
    const byOther = await mintGas(collection, ids.collectible, bob, "other");
    expect(Number(byOther - byIssuer)).toBeGreaterThan(2_000);
    expect(Number(byOther - byIssuer)).toBeLessThan(2_200);
    // Made the issuing minter, bob mints at the issuer's price.
    await collection.write.setIssuingMinter([bob.account.address]);
    expect(Math.abs(Number((await mintGas(collection, ids.collectible, bob, "issuer-bob")) - byIssuer))).toBeLessThan(100);
  });
});

describe("treasury", () => {
  it("setTreasury changes where payments go and emits TreasuryUpdated", async () => {
    const { collection, ids, alice, carol, treasury } = await loadCollection();
    expect(await collection.read.treasury()).toBe(getAddress(treasury.account.address));
    await viem.assertions.emitWithArgs(collection.write.setTreasury([carol.account.address]), collection, "TreasuryUpdated", [carol.account.address]);
    expect(await collection.read.treasury()).toBe(getAddress(carol.account.address));
    await collection.write.mint([alice.account.address, ids.membership, 1n]);
    await viem.assertions.balancesHaveChanged(
      collection.write.renew([alice.account.address, ids.membership, 1], { account: alice.account, value: RENEWAL_PRICE }),
      [
        { address: carol.account.address, amount: RENEWAL_PRICE },
        { address: treasury.account.address, amount: 0n },
      ],
    );
  });

  it("setTreasury rejects the zero address and non-admins", async () => {
    const { collection, alice, treasury } = await loadCollection();
    await viem.assertions.revertWithCustomErrorWithArgs(collection.write.setTreasury([zeroAddress]), collection, "InvalidTreasury", [zeroAddress]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.setTreasury([alice.account.address], { account: alice.account }),
      collection,
      "AccessControlUnauthorizedAccount",
      [alice.account.address, DEFAULT_ADMIN_ROLE],
    );
    expect(await collection.read.treasury()).toBe(getAddress(treasury.account.address));
  });

  it("reverts TreasuryPaymentFailed when the treasury refuses ETH, for renewals and priced vouchers", async () => {
    const { collection, ids, admin, alice, treasury, chainId } = await loadCollection();
    const rejecter = await deployCollection(admin, treasury.account.address); // no receive(), no fallback
    await collection.write.setTreasury([rejecter.address]);
    await collection.write.mint([alice.account.address, ids.membership, 1n]);
    const expiry = await collection.read.expiresAt([alice.account.address, ids.membership]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.renew([alice.account.address, ids.membership, 2], { account: alice.account, value: 2n * RENEWAL_PRICE }),
      collection,
      "TreasuryPaymentFailed",
      [rejecter.address, 2n * RENEWAL_PRICE],
    );
    expect(await collection.read.expiresAt([alice.account.address, ids.membership])).toBe(expiry);

    const voucher = await makeVoucher({ to: alice.account.address, id: ids.collectible, price: 123n });
    const { claimArgs } = await signVoucher(admin, voucher, voucherDomain(collection.address, chainId));
    await viem.assertions.revertWithCustomErrorWithArgs(collection.write.claim(claimArgs, { value: 123n }), collection, "TreasuryPaymentFailed", [
      rejecter.address,
      123n,
    ]);
    expect(await collection.read.isVoucherUsed([voucher.uid])).toBe(false);
    expect(await publicClient.getBalance({ address: rejecter.address })).toBe(0n);
  });
});

describe("royalties (ERC-2981)", () => {
  it("defaults to the constructor's basis points, paid to the treasury", async () => {
    const { collection, ids, treasury } = await loadCollection();
    expect(await collection.read.royaltyInfo([ids.collectible, 10_000n])).toEqual([getAddress(treasury.account.address), ROYALTY_BPS]);
    expect((await collection.read.royaltyInfo([999n, 1_000_000n]))[1]).toBe((1_000_000n * ROYALTY_BPS) / 10_000n);
  });

  it("setDefaultRoyalty and setTokenRoyalty change the default and one type", async () => {
    const { collection, ids, bob, carol } = await loadCollection();
    await collection.write.setDefaultRoyalty([bob.account.address, 250n]);
    await collection.write.setTokenRoyalty([ids.capped, carol.account.address, 1_000n]);
    expect(await collection.read.royaltyInfo([ids.collectible, 1_000n])).toEqual([getAddress(bob.account.address), 25n]);
    expect(await collection.read.royaltyInfo([ids.capped, 1_000n])).toEqual([getAddress(carol.account.address), 100n]);
  });

  it("keeps the default royalty receiver when the treasury changes (setTreasury covers voucher and renewal payments only)", async () => {
    const { collection, ids, treasury, carol } = await loadCollection();
    await collection.write.setTreasury([carol.account.address]);
    expect(await collection.read.royaltyInfo([ids.collectible, 10_000n])).toEqual([getAddress(treasury.account.address), ROYALTY_BPS]);
  });

  it("rejects a fee above 100%, a zero receiver and non-admins", async () => {
    const { collection, ids, alice } = await loadCollection();
    await viem.assertions.revertWithCustomErrorWithArgs(collection.write.setDefaultRoyalty([alice.account.address, 10_001n]), collection, "ERC2981InvalidDefaultRoyalty", [
      10_001n,
      10_000n,
    ]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.setTokenRoyalty([ids.collectible, alice.account.address, 10_001n]),
      collection,
      "ERC2981InvalidTokenRoyalty",
      [ids.collectible, 10_001n, 10_000n],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(collection.write.setDefaultRoyalty([zeroAddress, 1n]), collection, "ERC2981InvalidDefaultRoyaltyReceiver", [
      zeroAddress,
    ]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.setTokenRoyalty([ids.collectible, zeroAddress, 1n]),
      collection,
      "ERC2981InvalidTokenRoyaltyReceiver",
      [ids.collectible, zeroAddress],
    );
    for (const call of [
      collection.write.setDefaultRoyalty([alice.account.address, 1n], { account: alice.account }),
      collection.write.setTokenRoyalty([ids.collectible, alice.account.address, 1n], { account: alice.account }),
    ]) {
      await viem.assertions.revertWithCustomErrorWithArgs(call, collection, "AccessControlUnauthorizedAccount", [alice.account.address, DEFAULT_ADMIN_ROLE]);
    }
  });
});

describe("collection metadata", () => {
  it("name, symbol and contractURI come from the constructor", async () => {
    const { collection } = await loadCollection();
    expect(await collection.read.name()).toBe("Acme Club");
    expect(await collection.read.symbol()).toBe("ACME");
    expect(await collection.read.contractURI()).toBe(CONTRACT_URI);
  });

  it("setContractURI changes contractURI and emits ContractURIUpdated; admin only", async () => {
    const { collection, alice } = await loadCollection();
    await viem.assertions.emitWithArgs(collection.write.setContractURI(["ipfs://v2.json"]), collection, "ContractURIUpdated", []);
    expect(await collection.read.contractURI()).toBe("ipfs://v2.json");
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.setContractURI(["x"], { account: alice.account }),
      collection,
      "AccessControlUnauthorizedAccount",
      [alice.account.address, DEFAULT_ADMIN_ROLE],
    );
    expect(await collection.read.contractURI()).toBe("ipfs://v2.json");
  });

  it("supportsInterface: ERC-165, ERC-1155, metadata URI, ERC-2981, AccessControl; not 0xffffffff", async () => {
    const { collection } = await loadCollection();
    const supported = ["0x01ffc9a7", "0xd9b67a26", "0x0e89341c", "0x2a55205a", "0x7965db0b"] as const;
    for (const interfaceId of supported) expect(await collection.read.supportsInterface([interfaceId]), interfaceId).toBe(true);
    for (const interfaceId of ["0xffffffff", "0x00000000"] as const) {
      expect(await collection.read.supportsInterface([interfaceId]), interfaceId).toBe(false);
    }
  });
});

describe("constructor and roles", () => {
  it("reverts InvalidTreasury for a zero treasury", async () => {
    const { collection, admin } = await loadCollection();
    const { bytecode } = await artifacts.readArtifact("StampbookCollection");
    await viem.assertions.revertWithCustomErrorWithArgs(
      admin.deployContract({
        abi: collection.abi,
        bytecode: bytecode as Hex,
        args: ["Acme Club", "ACME", admin.account.address, zeroAddress, "", 0n],
      }),
      collection,
      "InvalidTreasury",
      [zeroAddress],
    );
  });

  it("grants the admin address all three roles, not the deployer", async () => {
    const { admin, alice, treasury } = await loadCollection();
    const collection = await viem.deployContract("StampbookCollection", ["Club", "CLB", alice.account.address, treasury.account.address, "", 0n], {
      client: { wallet: admin },
    });
    for (const role of [DEFAULT_ADMIN_ROLE, MINTER_ROLE, PAUSER_ROLE]) {
      expect(await collection.read.hasRole([role, alice.account.address])).toBe(true);
      expect(await collection.read.hasRole([role, admin.account.address])).toBe(false);
    }
    expect(await collection.read.DEFAULT_ADMIN_ROLE()).toBe(DEFAULT_ADMIN_ROLE);
    await viem.assertions.revertWithCustomErrorWithArgs(collection.write.pause(), collection, "AccessControlUnauthorizedAccount", [admin.account.address, PAUSER_ROLE]);
  });

  it("roles are administered by DEFAULT_ADMIN_ROLE: grant, revoke, renounce", async () => {
    const { collection, alice, bob } = await loadCollection();
    for (const role of [DEFAULT_ADMIN_ROLE, MINTER_ROLE, PAUSER_ROLE]) {
      expect(await collection.read.getRoleAdmin([role])).toBe(DEFAULT_ADMIN_ROLE);
    }
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.grantRole([MINTER_ROLE, bob.account.address], { account: alice.account }),
      collection,
      "AccessControlUnauthorizedAccount",
      [alice.account.address, DEFAULT_ADMIN_ROLE],
    );
    await viem.assertions.emitWithArgs(collection.write.grantRole([MINTER_ROLE, alice.account.address]), collection, "RoleGranted", [
      MINTER_ROLE,
      alice.account.address,
      (await viem.getWalletClients())[0]!.account.address,
    ]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.renounceRole([MINTER_ROLE, bob.account.address], { account: alice.account }),
      collection,
      "AccessControlBadConfirmation",
      [],
    );
    await collection.write.renounceRole([MINTER_ROLE, alice.account.address], { account: alice.account });
    expect(await collection.read.hasRole([MINTER_ROLE, alice.account.address])).toBe(false);
    await collection.write.grantRole([PAUSER_ROLE, bob.account.address]);
    await collection.write.revokeRole([PAUSER_ROLE, bob.account.address]);
    expect(await collection.read.hasRole([PAUSER_ROLE, bob.account.address])).toBe(false);
  });
});

describe("contracts/bindings", () => {
  it("names the roles the contract defines, with the same values", async () => {
    const bindings = await import("../../contracts/bindings/index.ts");
    const { collection } = await loadCollection();
    expect(await collection.read.DEFAULT_ADMIN_ROLE()).toBe(bindings.DEFAULT_ADMIN_ROLE);
    expect(await collection.read.MINTER_ROLE()).toBe(bindings.MINTER_ROLE);
    expect(await collection.read.PAUSER_ROLE()).toBe(bindings.PAUSER_ROLE);
  });
});
