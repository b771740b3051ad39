import { describe, expect, it } from "vitest";
import {
  getAddress,
  hashTypedData,
  hexToBigInt,
  keccak256,
  numberToHex,
  parseEther,
  parseSignature,
  recoverAddress,
  toHex,
  zeroAddress,
} from "viem";
import {
  CLAIM_VOUCHER_TYPES,
  DAY,
  MINTER_ROLE,
  MONTH,
  deployCollection,
  eventsOf,
  loadCollection,
  makeVoucher,
  networkHelpers,
  publicClient,
  signVoucher,
  txTimestamp,
  viem,
  voucherDomain,
} from "./fixtures.ts";

/** Order of the secp256k1 group. */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** The fixture plus the EIP-712 domain of its collection on this chain. */
async function withDomain() {
  const fixture = await loadCollection();
  return { ...fixture, domain: voucherDomain(fixture.collection.address, fixture.chainId) };
}

describe("claim", () => {
  it("lets a relayer submit a member's voucher: the member gets the tokens, the relayer pays the gas", async () => {
    const { collection, ids, admin, alice, relayer, domain } = await withDomain();
    const voucher = await makeVoucher({ to: alice.account.address, id: ids.collectible, amount: 3n });
    const { claimArgs } = await signVoucher(admin, voucher, domain);
    const aliceBalance = await publicClient.getBalance({ address: alice.account.address });
    const relayerBalance = await publicClient.getBalance({ address: relayer.account.address });

    const hash = await collection.write.claim(claimArgs, { account: relayer.account });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });

    expect(await collection.read.balanceOf([alice.account.address, ids.collectible])).toBe(3n);
    expect(await collection.read.balanceOf([relayer.account.address, ids.collectible])).toBe(0n);
    expect(await collection.read.totalMinted([ids.collectible])).toBe(3n);
    expect(await collection.read.isVoucherUsed([voucher.uid])).toBe(true);
    const [claimed] = await eventsOf(collection, hash, "VoucherClaimed");
    expect(claimed?.args).toEqual({ uid: voucher.uid });
    const [minted] = await eventsOf(collection, hash, "TransferSingle");
    expect(minted?.args).toEqual({
      operator: getAddress(relayer.account.address),
      from: zeroAddress,
      to: getAddress(alice.account.address),
      id: ids.collectible,
      value: 3n,
    });
    expect(receipt.from).toBe(relayer.account.address);
    expect(await publicClient.getBalance({ address: alice.account.address })).toBe(aliceBalance);
    expect(await publicClient.getBalance({ address: relayer.account.address })).toBe(
      relayerBalance - receipt.gasUsed * receipt.effectiveGasPrice,
    );
  });

  it("mints a membership starting at the claim's block", async () => {
    const { collection, ids, admin, alice, relayer, domain } = await withDomain();
    const voucher = await makeVoucher({ to: alice.account.address, id: ids.membership });
    const { claimArgs } = await signVoucher(admin, voucher, domain);
    const hash = await collection.write.claim(claimArgs, { account: relayer.account });
    expect(await collection.read.expiresAt([alice.account.address, ids.membership])).toBe((await txTimestamp(hash)) + BigInt(MONTH));
  });

  it("accepts a voucher signed by any MINTER_ROLE holder", async () => {
    const { collection, ids, alice, bob, domain } = await withDomain();
    await collection.write.grantRole([MINTER_ROLE, bob.account.address]);
    const voucher = await makeVoucher({ to: alice.account.address, id: ids.collectible, amount: 2n });
    const { claimArgs } = await signVoucher(bob, voucher, domain);
    await collection.write.claim(claimArgs, { account: alice.account });
    expect(await collection.read.balanceOf([alice.account.address, ids.collectible])).toBe(2n);
  });

  it("sends a priced voucher's payment to the treasury", async () => {
    const { collection, ids, admin, alice, relayer, treasury, domain } = await withDomain();
    const price = parseEther("0.25");
    const voucher = await makeVoucher({ to: alice.account.address, id: ids.consumable, amount: 5n, price });
    const { claimArgs } = await signVoucher(admin, voucher, domain);
    await viem.assertions.balancesHaveChanged(collection.write.claim(claimArgs, { account: relayer.account, value: price }), [
      { address: treasury.account.address, amount: price },
      { address: relayer.account.address, amount: -price },
      { address: collection.address, amount: 0n },
    ]);
    expect(await collection.read.balanceOf([alice.account.address, ids.consumable])).toBe(5n);
  });

  it("reverts IncorrectPayment when the value differs from the price, leaving the voucher unused", async () => {
    const { collection, ids, admin, alice, domain } = await withDomain();
    const price = parseEther("0.25");
    const voucher = await makeVoucher({ to: alice.account.address, id: ids.collectible, price });
    const { claimArgs } = await signVoucher(admin, voucher, domain);
    for (const value of [0n, price - 1n, price + 1n]) {
      await viem.assertions.revertWithCustomErrorWithArgs(
        collection.write.claim(claimArgs, { account: alice.account, value }),
        collection,
        "IncorrectPayment",
        [price, value],
      );
    }
    const free = await makeVoucher({ to: alice.account.address, id: ids.collectible });
    const signedFree = await signVoucher(admin, free, domain);
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.claim(signedFree.claimArgs, { account: alice.account, value: 1n }),
      collection,
      "IncorrectPayment",
      [0n, 1n],
    );
    expect(await collection.read.isVoucherUsed([voucher.uid])).toBe(false);
    expect(await collection.read.balanceOf([alice.account.address, ids.collectible])).toBe(0n);
  });

  it("refuses a replay with VoucherAlreadyUsed, even by another submitter", async () => {
    const { collection, ids, admin, alice, relayer, domain } = await withDomain();
    const voucher = await makeVoucher({ to: alice.account.address, id: ids.collectible, amount: 2n });
    const { claimArgs } = await signVoucher(admin, voucher, domain);
    await collection.write.claim(claimArgs, { account: relayer.account });
    for (const account of [relayer.account, alice.account]) {
      await viem.assertions.revertWithCustomErrorWithArgs(collection.write.claim(claimArgs, { account }), collection, "VoucherAlreadyUsed", [voucher.uid]);
    }
    // A different voucher reusing the uid is refused too.
    const sameUid = await makeVoucher({ to: alice.account.address, id: ids.capped, uid: voucher.uid });
    const signed = await signVoucher(admin, sameUid, domain);
    await viem.assertions.revertWithCustomErrorWithArgs(collection.write.claim(signed.claimArgs), collection, "VoucherAlreadyUsed", [voucher.uid]);
    expect(await collection.read.balanceOf([alice.account.address, ids.collectible])).toBe(2n);
  });

  it("refuses an expired voucher with VoucherExpired; validUntil itself is still valid", async () => {
    const { collection, ids, admin, alice, domain } = await withDomain();
    const now = BigInt(await networkHelpers.time.latest());
    const voucher = await makeVoucher({ to: alice.account.address, id: ids.collectible, validUntil: now + 100n });
    const { claimArgs } = await signVoucher(admin, voucher, domain);
    await networkHelpers.time.setNextBlockTimestamp(now + 101n);
    await viem.assertions.revertWithCustomErrorWithArgs(collection.write.claim(claimArgs), collection, "VoucherExpired", [now + 100n, now + 101n]);

    const edge = await makeVoucher({ to: alice.account.address, id: ids.collectible, validUntil: now + 200n });
    const signedEdge = await signVoucher(admin, edge, domain);
    await networkHelpers.time.setNextBlockTimestamp(now + 200n);
    await collection.write.claim(signedEdge.claimArgs);
    expect(await collection.read.balanceOf([alice.account.address, ids.collectible])).toBe(1n);
  });

  it("refuses a voucher before validAfter with VoucherNotYetValid; validAfter itself is valid", async () => {
    const { collection, ids, admin, alice, domain } = await withDomain();
    const now = BigInt(await networkHelpers.time.latest());
    const validAfter = now + BigInt(DAY);
    const voucher = await makeVoucher({ to: alice.account.address, id: ids.collectible, validAfter, validUntil: validAfter + BigInt(DAY) });
    const { claimArgs } = await signVoucher(admin, voucher, domain);
    await networkHelpers.time.setNextBlockTimestamp(validAfter - 1n);
    await viem.assertions.revertWithCustomErrorWithArgs(collection.write.claim(claimArgs), collection, "VoucherNotYetValid", [validAfter, validAfter - 1n]);
    await networkHelpers.time.setNextBlockTimestamp(validAfter);
    await collection.write.claim(claimArgs);
    expect(await collection.read.balanceOf([alice.account.address, ids.collectible])).toBe(1n);
  });

  it("refuses a voucher signed by an account without MINTER_ROLE", async () => {
    const { collection, ids, alice, domain } = await withDomain();
    const voucher = await makeVoucher({ to: alice.account.address, id: ids.collectible, amount: 100n });
    const { claimArgs } = await signVoucher(alice, voucher, domain);
    await viem.assertions.revertWithCustomErrorWithArgs(collection.write.claim(claimArgs, { account: alice.account }), collection, "VoucherSignerUnauthorized", [
      alice.account.address,
    ]);
    expect(await collection.read.isVoucherUsed([voucher.uid])).toBe(false);
  });

  it("refuses a voucher whose signer lost MINTER_ROLE after signing", async () => {
    const { collection, ids, alice, bob, domain } = await withDomain();
    await collection.write.grantRole([MINTER_ROLE, bob.account.address]);
    const voucher = await makeVoucher({ to: alice.account.address, id: ids.collectible });
    const { claimArgs } = await signVoucher(bob, voucher, domain);
    await collection.write.revokeRole([MINTER_ROLE, bob.account.address]);
    await viem.assertions.revertWithCustomErrorWithArgs(collection.write.claim(claimArgs), collection, "VoucherSignerUnauthorized", [bob.account.address]);
  });

  it("refuses a voucher signed for another chain id: it recovers to an unauthorised signer", async () => {
    const { collection, ids, admin, alice, chainId } = await withDomain();
    const voucher = await makeVoucher({ to: alice.account.address, id: ids.collectible });
    const { signature, claimArgs } = await signVoucher(admin, voucher, voucherDomain(collection.address, chainId + 1));
    const recovered = await recoverAddress({ hash: await collection.read.hashClaimVoucher([voucher]), signature });
    expect(recovered).not.toBe(getAddress(admin.account.address));
    await viem.assertions.revertWithCustomErrorWithArgs(collection.write.claim(claimArgs), collection, "VoucherSignerUnauthorized", [recovered]);
  });

  it("refuses a voucher signed for another collection: it recovers to an unauthorised signer", async () => {
    const { collection, ids, admin, alice, treasury, chainId } = await withDomain();
    const other = await deployCollection(admin, treasury.account.address);
    const voucher = await makeVoucher({ to: alice.account.address, id: ids.collectible });
    const { signature, claimArgs } = await signVoucher(admin, voucher, voucherDomain(other.address, chainId));
    const recovered = await recoverAddress({ hash: await collection.read.hashClaimVoucher([voucher]), signature });
    await viem.assertions.revertWithCustomErrorWithArgs(collection.write.claim(claimArgs), collection, "VoucherSignerUnauthorized", [recovered]);
    expect(recovered).not.toBe(getAddress(admin.account.address));
    expect(await collection.read.balanceOf([alice.account.address, ids.collectible])).toBe(0n);
  });

  it("refuses a voucher with any field tampered after signing", async () => {
    const { collection, ids, admin, alice, bob, domain } = await withDomain();
    const voucher = await makeVoucher({ to: alice.account.address, id: ids.collectible, amount: 1n, price: 10n });
    const { signature, claimArgs } = await signVoucher(admin, voucher, domain);
    const [, r, vs] = claimArgs;
    const tampered = [
      { ...voucher, to: getAddress(bob.account.address) },
      { ...voucher, id: ids.capped },
      { ...voucher, amount: 1_000n },
      { ...voucher, validAfter: 1n },
      { ...voucher, validUntil: voucher.validUntil + 1n },
      { ...voucher, uid: keccak256(toHex("other uid")) },
      { ...voucher, price: 0n },
    ];
    for (const forged of tampered) {
      const recovered = await recoverAddress({ hash: await collection.read.hashClaimVoucher([forged]), signature });
      await viem.assertions.revertWithCustomErrorWithArgs(collection.write.claim([forged, r, vs], { value: forged.price }), collection, "VoucherSignerUnauthorized", [
        recovered,
      ]);
    }
    expect(await collection.read.totalMinted([ids.collectible])).toBe(0n);
    // The untampered voucher still works.
    await collection.write.claim(claimArgs, { value: 10n });
    expect(await collection.read.balanceOf([alice.account.address, ids.collectible])).toBe(1n);
  });

  it("reverts ECDSAInvalidSignature for a signature that recovers to no address", async () => {
    const { collection, ids, alice } = await withDomain();
    const voucher = await makeVoucher({ to: alice.account.address, id: ids.collectible });
    await viem.assertions.revertWithCustomErrorWithArgs(collection.write.claim([voucher, `0x${"00".repeat(32)}`, `0x${"00".repeat(32)}`]), collection, "ECDSAInvalidSignature", []);
  });

  it("refuses the malleable twin of a valid signature: ERC-2098 cannot carry its high s", async () => {
    const { collection, ids, admin, alice, domain } = await withDomain();
    const voucher = await makeVoucher({ to: alice.account.address, id: ids.collectible });
    const { signature } = await signVoucher(admin, voucher, domain);
    const { r, s, yParity } = parseSignature(signature);
    // (r, n - s, !v) is the same signature's twin; n - s > n/2 needs bit 255, which the compact form
    // reads as the parity bit, so the contract sees another signature from another signer.
    const twinS = SECP256K1_N - hexToBigInt(s);
    const vs = numberToHex(((yParity === 0 ? 1n : 0n) << 255n) | twinS, { size: 32 });
    await viem.assertions.revertWithCustomErrorWithArgs(collection.write.claim([voucher, r, vs]), collection, "VoucherSignerUnauthorized", [
      (signer: unknown) => typeof signer === "string" && getAddress(signer) !== getAddress(admin.account.address),
    ]);
    expect(await collection.read.isVoucherUsed([voucher.uid])).toBe(false);
  });

  it("reverts ECDSAInvalidSignatureS for an s above n/2", async () => {
    const { collection, ids, admin, alice, domain } = await withDomain();
    const voucher = await makeVoucher({ to: alice.account.address, id: ids.collectible });
    const { claimArgs } = await signVoucher(admin, voucher, domain);
    const highS = numberToHex(SECP256K1_N / 2n + 1n, { size: 32 });
    await viem.assertions.revertWithCustomErrorWithArgs(collection.write.claim([voucher, claimArgs[1], highS]), collection, "ECDSAInvalidSignatureS", [highS]);
  });

  it("applies the type rules to the voucher's mint", async () => {
    const { collection, ids, admin, alice, domain } = await withDomain();
    const tooMany = await makeVoucher({ to: alice.account.address, id: ids.capped, amount: 11n });
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.claim((await signVoucher(admin, tooMany, domain)).claimArgs),
      collection,
      "MaxSupplyExceeded",
      [ids.capped, 0n, 11n, 10n],
    );
    const twoMemberships = await makeVoucher({ to: alice.account.address, id: ids.membership, amount: 2n });
    await viem.assertions.revertWithCustomErrorWithArgs(
      collection.write.claim((await signVoucher(admin, twoMemberships, domain)).claimArgs),
      collection,
      "InvalidMembershipAmount",
      [ids.membership, 2n],
    );
    expect(await collection.read.isVoucherUsed([tooMany.uid])).toBe(false);
  });
});

describe("voucher hashing", () => {
  it("hashClaimVoucher equals viem's EIP-712 hashTypedData", async () => {
    const { collection, ids, alice, domain } = await withDomain();
    const voucher = await makeVoucher({ to: alice.account.address, id: ids.membership, amount: 1n, validAfter: 17n, price: parseEther("1.5") });
    expect(await collection.read.hashClaimVoucher([voucher])).toBe(
      hashTypedData({ domain, types: CLAIM_VOUCHER_TYPES, primaryType: "ClaimVoucher", message: voucher }),
    );
  });

  it("exposes the type hash and the EIP-712 domain", async () => {
    const { collection, chainId } = await withDomain();
    expect(await collection.read.CLAIM_VOUCHER_TYPEHASH()).toBe(
      keccak256(toHex("ClaimVoucher(address to,uint256 id,uint256 amount,uint64 validAfter,uint64 validUntil,bytes32 uid,uint256 price)")),
    );
    const [fields, name, version, domainChainId, verifyingContract, salt, extensions] = await collection.read.eip712Domain();
    expect({ fields, name, version, domainChainId, verifyingContract, salt, extensions }).toEqual({
      fields: "0x0f",
      name: "Stampbook",
      version: "1",
      domainChainId: BigInt(chainId),
      verifyingContract: getAddress(collection.address),
      salt: `0x${"00".repeat(32)}`,
      extensions: [],
    });
  });

  it("isVoucherUsed is false for a uid never claimed", async () => {
    const { collection } = await withDomain();
    expect(await collection.read.isVoucherUsed([keccak256(toHex("never"))])).toBe(false);
  });
});
