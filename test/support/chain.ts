/**
 * A local chain with a brand collection on it, for tests that need real ownership: an in-process
 * Hardhat (EDR) network, the Delegate Registry at its canonical address, the collection deployed by
 * the brand account, and token types of every kind.
 */
import { network } from "hardhat";
import type { Address } from "viem";
import { TOKEN_KIND } from "../../contracts/bindings/index.ts";
import { installDelegateRegistry } from "../../scripts/demo/delegate-registry.ts";

export const DAY = 24 * 3600;
export const KIND = TOKEN_KIND;

/** The token types a demo brand creates, in id order (ids 1..5). */
export const DEMO_TYPES = {
  gold: 1n, // membership, 30 days, renewable
  lifetime: 2n, // soulbound membership, never expires
  stamp: 3n, // capped collectible
  coffee: 4n, // consumable collectible (burn to redeem)
  founder: 5n, // soulbound collectible
} as const;

/** What the demo brand calls its types (set by startServer), as members read them. */
export const DEMO_NAMES: Record<keyof typeof DEMO_TYPES, string> = {
  gold: "Gold membership",
  lifetime: "Lifetime membership",
  stamp: "Journey stamp",
  coffee: "Coffee coupon",
  founder: "Founder badge",
};

export async function startChain() {
  const connection = await network.create();
  const { viem, networkHelpers } = connection;
  const publicClient = await viem.getPublicClient();
  const wallets = await viem.getWalletClients();
  const [brand, ...members] = wallets;
  if (!brand || members.length < 5) throw new Error("the local chain needs at least six accounts");
  await installDelegateRegistry(connection.provider);

  const collection = await viem.deployContract("StampbookCollection", [
    "Demo Coffee Club",
    "DCC",
    brand.account.address,
    brand.account.address,
    "ipfs://demo/collection.json",
    250n,
  ]);
  const types = [
    { kind: KIND.membership, maxSupply: 0n, duration: 30 * DAY, soulbound: false, consumable: false, renewalPrice: 10n ** 15n, points: 100n, uri: "ipfs://demo/gold.json" },
    { kind: KIND.membership, maxSupply: 0n, duration: 0, soulbound: true, consumable: false, renewalPrice: 0n, points: 500n, uri: "ipfs://demo/lifetime.json" },
    { kind: KIND.collectible, maxSupply: 10_000n, duration: 0, soulbound: false, consumable: false, renewalPrice: 0n, points: 10n, uri: "ipfs://demo/stamp.json" },
    { kind: KIND.collectible, maxSupply: 0n, duration: 0, soulbound: false, consumable: true, renewalPrice: 0n, points: 5n, uri: "ipfs://demo/coffee.json" },
    { kind: KIND.collectible, maxSupply: 100n, duration: 0, soulbound: true, consumable: false, renewalPrice: 0n, points: 50n, uri: "ipfs://demo/founder.json" },
  ];
  for (const t of types) await publicClient.waitForTransactionReceipt({ hash: await collection.write.createTokenType([t]) });

  async function mint(to: Address, id: bigint, amount = 1n) {
    await publicClient.waitForTransactionReceipt({ hash: await collection.write.mint([to, id, amount]) });
  }

  return { connection, viem, networkHelpers, publicClient, brand, members, collection, mint };
}

export type DemoChain = Awaited<ReturnType<typeof startChain>>;
