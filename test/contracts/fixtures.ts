// Shared setup for the StampbookCollection vitest suites: one in-process EDR chain per test file,
// a snapshot-restored fixture (a deployed collection with one token type of each flavour), and the
// helpers every suite needs (type creation, receipts and events, claim vouchers).
// Contracts are not compiled by vitest: run `npx hardhat compile` first.
import { network } from "hardhat";
import type { ContractReturnType } from "@nomicfoundation/hardhat-viem/types";
import {
  getAddress,
  keccak256,
  parseEther,
  parseEventLogs,
  parseSignature,
  signatureToCompactSignature,
  slice,
  toHex,
  type Address,
  type ContractEventName,
  type Hash,
  type Hex,
  type ParseEventLogsReturnType,
  type TypedDataDomain,
} from "viem";

export const { viem, networkHelpers } = await network.create();
export const publicClient = await viem.getPublicClient();

export type Collection = ContractReturnType<"StampbookCollection">;
export type Wallet = Awaited<ReturnType<typeof viem.getWalletClients>>[number];
type CollectionAbi = Collection["abi"];

/** `IStampbookCollection.Kind` as the ABI encodes it (uint8). */
export const Kind = { None: 0, Membership: 1, Collectible: 2 } as const;

export const DAY = 86_400;
/** Duration of the fixture's expiring memberships. */
export const MONTH = 30 * DAY;
/** Renewal price of one period of the fixture's paid membership. */
export const RENEWAL_PRICE = parseEther("0.01");
/** `expiresAt` of a membership that never expires: 2^64-1. */
export const NEVER_EXPIRES = 2n ** 64n - 1n;
export const UINT64_MAX = 2n ** 64n - 1n;
export const ROYALTY_BPS = 500n;
export const CONTRACT_URI = "ipfs://collection.json";

export const DEFAULT_ADMIN_ROLE: Hex = `0x${"00".repeat(32)}`;
export const MINTER_ROLE = keccak256(toHex("MINTER_ROLE"));
export const PAUSER_ROLE = keccak256(toHex("PAUSER_ROLE"));

export interface TokenTypeConfig {
  kind: number;
  maxSupply: bigint;
  duration: number;
  soulbound: boolean;
  consumable: boolean;
  renewalPrice: bigint;
  points: bigint;
  uri: string;
}

/** A valid unlimited, transferable collectible, with `overrides` applied. */
export function tokenTypeConfig(overrides: Partial<TokenTypeConfig> = {}): TokenTypeConfig {
  return {
    kind: Kind.Collectible,
    maxSupply: 0n,
    duration: 0,
    soulbound: false,
    consumable: false,
    renewalPrice: 0n,
    points: 0n,
    uri: "ipfs://type.json",
    ...overrides,
  };
}

/** Creates a token type (as the collection's default account, the admin) and returns its id. */
export async function createTokenType(collection: Collection, overrides: Partial<TokenTypeConfig> = {}): Promise<bigint> {
  const hash = await collection.write.createTokenType([tokenTypeConfig(overrides)]);
  const [created] = await eventsOf(collection, hash, "TokenTypeCreated");
  const id = created?.args.id;
  if (id === undefined) throw new Error("createTokenType emitted no TokenTypeCreated");
  return id;
}

/** Deploys a collection administered by `admin` (also the default sender of its writes). */
export async function deployCollection(admin: Wallet, treasury: Address, royaltyBps = ROYALTY_BPS): Promise<Collection> {
  return viem.deployContract("StampbookCollection", ["Acme Club", "ACME", admin.account.address, treasury, CONTRACT_URI, royaltyBps], {
    client: { wallet: admin },
  });
}

/**
 * A fresh collection (admin = account 0, treasury = account 1) with one token type of each flavour.
 * Use it through {@link loadCollection} so every test starts from the same snapshot.
 */
export async function collectionFixture() {
  const [admin, treasury, alice, bob, carol, relayer] = await viem.getWalletClients();
  if (!admin || !treasury || !alice || !bob || !carol || !relayer) throw new Error("not enough accounts");
  const collection = await deployCollection(admin, treasury.account.address);
  const ids = {
    collectible: await createTokenType(collection, { uri: "ipfs://collectible.json" }),
    capped: await createTokenType(collection, { maxSupply: 10n, uri: "ipfs://capped.json" }),
    consumable: await createTokenType(collection, { consumable: true, uri: "ipfs://coupon.json" }),
    soulbound: await createTokenType(collection, { soulbound: true, uri: "ipfs://badge.json" }),
    membership: await createTokenType(collection, {
      kind: Kind.Membership,
      duration: MONTH,
      renewalPrice: RENEWAL_PRICE,
      points: 100n,
      uri: "ipfs://gold.json",
    }),
    freeMembership: await createTokenType(collection, { kind: Kind.Membership, duration: MONTH, uri: "ipfs://silver.json" }),
    lifetime: await createTokenType(collection, { kind: Kind.Membership, uri: "ipfs://lifetime.json" }),
    soulboundMembership: await createTokenType(collection, {
      kind: Kind.Membership,
      duration: MONTH,
      soulbound: true,
      uri: "ipfs://staff.json",
    }),
  };
  const chainId = await publicClient.getChainId();
  return { collection, admin, treasury, alice, bob, carol, relayer, ids, chainId };
}

export type CollectionFixture = Awaited<ReturnType<typeof collectionFixture>>;

/** Restores (or on first use builds) the {@link collectionFixture} snapshot. */
export function loadCollection(): Promise<CollectionFixture> {
  return networkHelpers.loadFixture(collectionFixture);
}

/** The timestamp of the block that included transaction `hash`. */
export async function txTimestamp(hash: Hash): Promise<bigint> {
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  const block = await publicClient.getBlock({ blockNumber: receipt.blockNumber });
  return block.timestamp;
}

/** The `eventName` logs the collection emitted in transaction `hash`, decoded, in order. */
export async function eventsOf<TEventName extends ContractEventName<CollectionAbi>>(
  collection: Collection,
  hash: Hash,
  eventName: TEventName,
): Promise<ParseEventLogsReturnType<CollectionAbi, TEventName>> {
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  const logs = receipt.logs.filter((log) => getAddress(log.address) === getAddress(collection.address));
  return parseEventLogs({ abi: collection.abi, logs, eventName });
}

/** `count` distinct, deterministic addresses that hold no code (airdrop recipients). */
export function addresses(count: number, seed = "recipient"): Address[] {
  return Array.from({ length: count }, (_, i) => getAddress(slice(keccak256(toHex(`${seed}-${i}`)), 12)));
}

// ---------------------------------------------------------------- claim vouchers

import { claimVoucherDomain as voucherDomain, claimVoucherTypes as CLAIM_VOUCHER_TYPES, type ClaimVoucher } from "../../contracts/bindings/index.ts";

export { CLAIM_VOUCHER_TYPES, voucherDomain, type ClaimVoucher };

let voucherCount = 0;

/** A voucher valid from the epoch until a day after the latest block, with a fresh uid and no price. */
export async function makeVoucher(fields: Pick<ClaimVoucher, "to" | "id"> & Partial<ClaimVoucher>): Promise<ClaimVoucher> {
  const now = BigInt(await networkHelpers.time.latest());
  return {
    amount: 1n,
    validAfter: 0n,
    validUntil: now + BigInt(DAY),
    uid: keccak256(toHex(`voucher-${++voucherCount}`)),
    price: 0n,
    ...fields,
  };
}

/**
 * `signer` signs `voucher` for `domain` (EIP-712) and returns the signature and the `claim` arguments
 * with the signature in ERC-2098 compact form.
 */
export async function signVoucher(signer: Wallet, voucher: ClaimVoucher, domain: TypedDataDomain) {
  const signature = await signer.signTypedData({
    account: signer.account,
    domain,
    types: CLAIM_VOUCHER_TYPES,
    primaryType: "ClaimVoucher",
    message: voucher,
  });
  const { r, yParityAndS } = signatureToCompactSignature(parseSignature(signature));
  return { signature, claimArgs: [voucher, r, yParityAndS] as const };
}
