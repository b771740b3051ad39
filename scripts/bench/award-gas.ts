/**
 * Award gas benchmark: what one journey stamp costs the brand's minter, per member, when the award
 * queue sends 100 awards. On an in-process Hardhat chain it deploys a collection and creates a
 * collectible stamp type, queues 100 awards (fresh members) through the real award store (SQLite in a
 * temporary directory) and lets the real worker send them until all are awarded; the figure is the
 * gas the airdrop transactions used, summed, over 100. The type is minted for the first time by these
 * airdrops, so the figure includes that one-time cost (about 170 gas a member): slightly pessimistic.
 *
 * `node scripts/bench/award-gas.ts` prints it; with --check it fails when it is over the bar.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { network } from "hardhat";
import { keccak256, toHex, type Address, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { TOKEN_KIND } from "../../contracts/bindings/index.ts";
import { createAwardQueue } from "../../server/awards/queue.ts";
import { createSender } from "../../server/chain/sender/sender.ts";
import { newId, SqliteStore, toTimestamp } from "../../server/storage/index.ts";
import { devAccount } from "../demo/accounts.ts";

/** The bar: gas per member of an award airdrop to 100 members. */
export const AWARD_GAS_BAR = 32_000;
const MEMBERS = 100;

export async function measureAwardGas(): Promise<{ award_gas_per_member: number; members: number; transactions: number }> {
  const { viem } = await network.create();
  const publicClient = (await viem.getPublicClient()) as unknown as PublicClient;
  const brand = devAccount(0); // the collection's admin, with MINTER_ROLE: the brand's minter here
  const collection = await viem.deployContract("StampbookCollection", ["Bench Brand", "BENCH", brand.account.address, brand.account.address, "ipfs://collection", 500n]);
  const stamp = { kind: TOKEN_KIND.collectible, maxSupply: 1_000_000n, duration: 0, soulbound: false, consumable: false, renewalPrice: 0n, points: 10n, uri: "ipfs://stamp" };
  await publicClient.waitForTransactionReceipt({ hash: await collection.write.createTokenType([stamp]) });
  const tokenId = (await collection.read.tokenTypeCount()) as bigint;

  const dir = await mkdtemp(join(tmpdir(), "stampbook-award-gas-"));
  const store = SqliteStore.open(join(dir, "awards.db"));
  try {
    const minter = createSender({ client: publicClient, privateKey: brand.privateKey, chainId: await publicClient.getChainId(), receiptTimeoutMs: 10_000 });
    const queue = createAwardQueue({ store, senders: { forBrand: async () => minter }, client: publicClient, holder: "bench", batchMax: 200, delayMs: 0, intervalMs: 1_000 });
    const brandId = "bench-brand";
    const journeyId = newId();
    const start = Date.now();
    for (let i = 0; i < MEMBERS; i++) {
      // A fresh address each: a new storage slot per holder, the costly and usual case.
      const member: Address = privateKeyToAccount(keccak256(toHex(`stampbook-award-gas-${i}`))).address;
      await store.queueAward({ id: newId(), brandId, journeyId, member, collection: collection.address, tokenId: String(tokenId), amount: "1", createdAt: toTimestamp(start + i) });
    }

    for (let round = 0; ; round++) {
      await queue.runOnce();
      const open = await Promise.all((["pending", "sending", "failed"] as const).map((status) => store.listAwards({ brandId, status, limit: 1 })));
      if (open.every((page) => page.items.length === 0)) break;
      if (round >= 10) throw new Error("the award queue did not award every member within 10 rounds");
    }

    const batches = await store.listAwardBatches({ status: "mined" });
    let gas = 0n;
    for (const batch of batches) {
      const receipt = await publicClient.getTransactionReceipt({ hash: batch.txHash! });
      if (receipt.status !== "success") throw new Error("an award airdrop reverted");
      gas += receipt.gasUsed;
    }
    return { award_gas_per_member: Math.ceil(Number(gas) / MEMBERS), members: MEMBERS, transactions: batches.length };
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await measureAwardGas();
  console.log(JSON.stringify(result, null, 2));
  if (process.argv.includes("--check") && result.award_gas_per_member > AWARD_GAS_BAR) {
    console.error(`award_gas_per_member ${result.award_gas_per_member} is over its bar of ${AWARD_GAS_BAR}`);
    process.exit(1);
  }
}
