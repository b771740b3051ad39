/**
 * Gas benchmark: runs each collection operation on an in-process Hardhat chain and records the gas
 * its transaction used. Writes bench/results/gas.json and the README's gas table; with --check it
 * writes nothing and only fails when an operation is over its bar (gas is deterministic, so
 * `npm test` runs it that way).
 *
 * Each figure is for the steady state a brand lives in: the token type has been minted before, and the
 * recipient is a fresh address (the costly case: a new storage slot for the holder).
 *
 * `pause_10_types` and `pause_1000_types` are pause() on two other collections, with 10 and 1,000 token
 * types: an emergency pause must fit in a block whatever the collection holds, so the run fails unless
 * the two are within PAUSE_SPREAD gas of each other.
 */
import { writeFile, readFile, mkdir } from "node:fs/promises";
import { network } from "hardhat";
import { keccak256, parseSignature, signatureToCompactSignature, toHex, type Address, type Hash } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { claimVoucherDomain, claimVoucherTypes } from "../../contracts/bindings/index.ts";

const BARS: Record<string, number> = {
  mint_single_new_holder: 60_000,
  mint_membership_new_holder: 85_000,
  airdrop_per_recipient_100: 30_000,
  claim_voucher: 90_000,
  transfer_collectible: 60_000,
  burn_redeem: 40_000,
  renew_membership: 40_000,
};

/** How far apart (gas) pause() on 10 and on 1,000 token types may be: pausing must not depend on the type count. */
const PAUSE_SPREAD = 10;

const { viem } = await network.create();
const publicClient = await viem.getPublicClient();
const [brand, member, relayer] = await viem.getWalletClients();
if (!brand || !member || !relayer) throw new Error("the local chain needs three funded accounts");

let fresh = 0n;
/** A new address that has never held anything. */
const freshAddress = (): Address => privateKeyToAccount(keccak256(toHex(`stampbook-gas-${++fresh}`))).address;

const deployCollection = () =>
  viem.deployContract("StampbookCollection", ["Bench Brand", "BENCH", brand.account.address, brand.account.address, "ipfs://collection", 500n]);
const collection = await deployCollection();

async function gasOf(tx: Promise<Hash>): Promise<number> {
  const receipt = await publicClient.waitForTransactionReceipt({ hash: await tx });
  if (receipt.status !== "success") throw new Error("benchmark transaction reverted");
  return Number(receipt.gasUsed);
}

const MEMBERSHIP = 1, COLLECTIBLE = 2;
async function createType(config: {
  kind: number; maxSupply?: bigint; duration?: number; soulbound?: boolean; consumable?: boolean; renewalPrice?: bigint;
}, on = collection): Promise<bigint> {
  await gasOf(on.write.createTokenType([{
    kind: config.kind,
    maxSupply: config.maxSupply ?? 0n,
    duration: config.duration ?? 0,
    soulbound: config.soulbound ?? false,
    consumable: config.consumable ?? false,
    renewalPrice: config.renewalPrice ?? 0n,
    points: 10n,
    uri: "ipfs://type",
  }]));
  return (await on.read.tokenTypeCount()) as bigint;
}

const collectible = await createType({ kind: COLLECTIBLE, maxSupply: 1_000_000n });
const membership = await createType({ kind: MEMBERSHIP, duration: 30 * 24 * 3600, renewalPrice: 10n ** 15n });
const consumable = await createType({ kind: COLLECTIBLE, maxSupply: 1_000_000n, consumable: true });

// Warm each type: its first mint ever also turns the type's supply counters from zero to non-zero.
for (const id of [collectible, membership, consumable]) {
  await gasOf(collection.write.mint([freshAddress(), id, 1n]));
}

const results: Record<string, number> = {};

results.mint_single_new_holder = await gasOf(collection.write.mint([freshAddress(), collectible, 1n]));
results.mint_membership_new_holder = await gasOf(collection.write.mint([freshAddress(), membership, 1n]));

const recipients = Array.from({ length: 100 }, freshAddress);
results.airdrop_per_recipient_100 = Math.ceil((await gasOf(collection.write.airdrop([collectible, recipients, 1n]))) / 100);

// A voucher signed by the brand's minter key, submitted by a relayer that pays the gas.
const chainId = await publicClient.getChainId();
const now = BigInt((await publicClient.getBlock()).timestamp);
const voucher = {
  to: freshAddress(),
  id: collectible,
  amount: 1n,
  validAfter: now - 60n,
  validUntil: now + 3600n,
  uid: keccak256(toHex("bench-voucher-1")),
  price: 0n,
};
const signature = await brand.signTypedData({
  domain: claimVoucherDomain(collection.address, chainId),
  types: claimVoucherTypes,
  primaryType: "ClaimVoucher",
  message: voucher,
});
const { r, yParityAndS } = signatureToCompactSignature(parseSignature(signature));
results.claim_voucher = await gasOf(collection.write.claim([voucher, r, yParityAndS], { account: relayer.account }));

// The member holds 2 and gives 1 to a friend who holds none.
await gasOf(collection.write.mint([member.account.address, collectible, 2n]));
results.transfer_collectible = await gasOf(
  collection.write.safeTransferFrom([member.account.address, freshAddress(), collectible, 1n, "0x"], { account: member.account }),
);

// The member holds 2 consumable stamps and redeems 1 (keeping a balance: no storage refund helps).
await gasOf(collection.write.mint([member.account.address, consumable, 2n]));
results.burn_redeem = await gasOf(
  collection.write.redeem([consumable, 1n, keccak256(toHex("order-1"))], { account: member.account }),
);

// The brand renews a member's active membership by one period.
await gasOf(collection.write.mint([member.account.address, membership, 1n]));
results.renew_membership = await gasOf(collection.write.renewFor([member.account.address, membership, 1]));
// The member pays for the renewal themselves (the price goes to the treasury).
results.renew_membership_paid = await gasOf(
  collection.write.renew([member.account.address, membership, 1], { account: member.account, value: 10n ** 15n }),
);

// pause() on collections of their own, so that the figures above stay as they are.
for (const types of [10, 1_000]) {
  const paused = await deployCollection();
  for (let i = 0; i < types; ++i) {
    await createType({ kind: i % 2 === 0 ? COLLECTIBLE : MEMBERSHIP, duration: i % 2 === 0 ? 0 : 30 * 24 * 3600 }, paused);
  }
  results[`pause_${types}_types`] = await gasOf(paused.write.pause());
}
const pauseSpread = Math.abs(results.pause_1000_types! - results.pause_10_types!);

const rows = Object.entries(results).map(([op, gas]) => {
  const bar = BARS[op];
  return { op, gas, bar, ok: bar === undefined || gas <= bar };
});
console.table(rows.map(({ op, gas, bar }) => ({ op, gas, bar: bar ?? "-" })));

if (!process.argv.includes("--check")) {
  await mkdir(new URL("../../bench/results/", import.meta.url), { recursive: true });
  await writeFile(new URL("../../bench/results/gas.json", import.meta.url), JSON.stringify(results, null, 2) + "\n");
  await updateReadmeTable(rows);
}

/** Keeps the README's table in step with the measured figures. */
async function updateReadmeTable(measured: typeof rows): Promise<void> {
  const readmeUrl = new URL("../../README.md", import.meta.url);
  const table = [
    "| operation | gas | bar |",
    "|---|---:|---:|",
    ...measured.map((r) => `| \`${r.op}\` | ${r.gas.toLocaleString("en-US")} | ${r.bar === undefined ? "–" : r.bar.toLocaleString("en-US")} |`),
  ].join("\n");
  const readme = await readFile(readmeUrl, "utf8");
  const start = "<!-- gas-table:start -->", end = "<!-- gas-table:end -->";
  if (!readme.includes(start) || !readme.includes(end)) throw new Error("README.md lacks the gas table markers");
  await writeFile(readmeUrl, readme.slice(0, readme.indexOf(start) + start.length) + "\n" + table + "\n" + readme.slice(readme.indexOf(end)));
}

const failed = rows.filter((r) => !r.ok);
if (failed.length > 0) {
  console.error(`over the bar: ${failed.map((r) => r.op).join(", ")}`);
  process.exitCode = 1;
}
if (pauseSpread > PAUSE_SPREAD) {
  console.error(`pause() depends on the number of token types: ${results.pause_10_types} gas with 10, ${results.pause_1000_types} with 1,000`);
  process.exitCode = 1;
}
