/**
 * Seeds the demo brand: deploys a collection, creates its token types, gives test members different
 * holdings, creates the brand with an API key, and defines perks with different rules and limits
 * and gasless drops (one minted by the server, one claimed with a voucher) through the brand API.
 * Returns everything a manifest needs.
 */
import { readFile } from "node:fs/promises";
import type { FastifyInstance } from "fastify";
import { createPublicClient, createWalletClient, http, type Address, type Chain, type Hex } from "viem";
import { stampbookCollectionAbi } from "../../contracts/bindings/index.ts";
import { createBrand, issueApiKey } from "../../server/admin/brands.ts";
import type { Store } from "../../server/storage/index.ts";
import { devAccount } from "./accounts.ts";

const DAY = 24 * 3600;

export const DEMO_TOKEN_TYPES = [
  { key: "gold", name: "Gold membership (30 days, renewable)", kind: 1, maxSupply: 0n, duration: 30 * DAY, soulbound: false, consumable: false, renewalPrice: 10n ** 15n, points: 100n },
  { key: "lifetime", name: "Lifetime membership (soulbound)", kind: 1, maxSupply: 0n, duration: 0, soulbound: true, consumable: false, renewalPrice: 0n, points: 500n },
  { key: "stamp", name: "Journey stamp (collectible, 10,000 max)", kind: 2, maxSupply: 10_000n, duration: 0, soulbound: false, consumable: false, renewalPrice: 0n, points: 10n },
  { key: "coffee", name: "Coffee voucher (burn to redeem)", kind: 2, maxSupply: 0n, duration: 0, soulbound: false, consumable: true, renewalPrice: 0n, points: 5n },
  { key: "founder", name: "Founder badge (soulbound, 100 max)", kind: 2, maxSupply: 100n, duration: 0, soulbound: true, consumable: false, renewalPrice: 0n, points: 50n },
] as const;

type TypeKey = (typeof DEMO_TOKEN_TYPES)[number]["key"];
const tokenId = (key: TypeKey) => BigInt(DEMO_TOKEN_TYPES.findIndex((t) => t.key === key) + 1);

/** Who holds what at the start of the demo (accounts 1–4; account 0 is the brand). */
const MEMBERS: Array<{ role: string; index: number; holdings: Partial<Record<TypeKey, bigint>> }> = [
  { role: "gold member with stamps and coffee vouchers", index: 1, holdings: { gold: 1n, stamp: 3n, coffee: 2n } },
  { role: "lifetime founder", index: 2, holdings: { lifetime: 1n, founder: 1n, stamp: 1n } },
  { role: "new member holding nothing", index: 3, holdings: {} },
  { role: "stamp collector without a membership", index: 4, holdings: { stamp: 5n } },
];

/** Deploys the demo collection, creates its token types and mints the members' starting holdings. */
export async function deployDemoCollection(options: { rpcUrl: string; chain: Chain }) {
  const transport = http(options.rpcUrl);
  const publicClient = createPublicClient({ chain: options.chain, transport });
  const brandAccount = devAccount(0);
  const brandWallet = createWalletClient({ account: brandAccount.account, chain: options.chain, transport });
  const wait = async (hash: Hex) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`demo transaction ${hash} reverted`);
    return receipt;
  };

  const artifactUrl = new URL("../../artifacts/contracts/StampbookCollection.sol/StampbookCollection.json", import.meta.url);
  const { bytecode } = JSON.parse(await readFile(artifactUrl, "utf8")) as { bytecode: Hex };
  const deployment = await wait(
    await brandWallet.deployContract({
      abi: stampbookCollectionAbi,
      bytecode,
      args: ["Demo Coffee Club", "DCC", brandAccount.account.address, brandAccount.account.address, "", 250n],
    }),
  );
  const collection = deployment.contractAddress!;
  const write = (functionName: "createTokenType" | "mint", args: readonly unknown[]) =>
    brandWallet.writeContract({ address: collection, abi: stampbookCollectionAbi, functionName, args } as never);

  for (const t of DEMO_TOKEN_TYPES) {
    await wait(await write("createTokenType", [{ kind: t.kind, maxSupply: t.maxSupply, duration: t.duration, soulbound: t.soulbound, consumable: t.consumable, renewalPrice: t.renewalPrice, points: t.points, uri: `demo:${t.key}` }]));
  }
  for (const m of MEMBERS) {
    for (const [key, amount] of Object.entries(m.holdings) as Array<[TypeKey, bigint]>) {
      await wait(await write("mint", [devAccount(m.index).account.address, tokenId(key), amount]));
    }
  }
  return {
    collection,
    brandAccount,
    tokenTypes: DEMO_TOKEN_TYPES.map((t, i) => ({ tokenId: String(i + 1), key: t.key, name: t.name })),
    accounts: MEMBERS.map((m) => {
      const { account, privateKey } = devAccount(m.index);
      return { role: m.role, address: account.address, privateKey, holdings: Object.fromEntries(Object.entries(m.holdings).map(([k, v]) => [k, String(v)])) };
    }),
  };
}

/**
 * Creates the demo brand, its API key, its perks and its drops through the brand API of a running
 * `app`. The app's minter key must hold MINTER_ROLE on `collection` (the brand's account does).
 */
export async function seedDemoBrand(options: { app: FastifyInstance; store: Store; collection: Address }) {
  const { collection } = options;
  const brand = await createBrand(options.store, "Demo Coffee Club");
  const { key: apiKey } = await issueApiKey(options.store, brand.id, "demo");
  const leaf = (type: "member" | "holds", key: TypeKey, min?: number) => ({ type, collection, tokenId: tokenId(key).toString(), ...(min ? { min } : {}) });
  const perkSpecs = [
    { title: "Free coffee for Gold members", description: "One free drink of your choice, once.", rule: leaf("member", "gold"), limits: { perMember: 1 } },
    { title: "10% off for stamp collectors", description: "Hold 3 or more journey stamps.", rule: leaf("holds", "stamp", 3), limits: { perMember: 5 } },
    { title: "A cookie for your first stamp", description: "Claim the welcome stamp, then enjoy a cookie on us.", rule: leaf("holds", "stamp"), limits: { perMember: 1 } },
    { title: "Founders' lounge", description: "For lifetime members and founders.", rule: { type: "any", rules: [leaf("member", "lifetime"), leaf("holds", "founder")] }, limits: {} },
    { title: "Roastery tour (20 places)", description: "Members with at least one stamp.", rule: { type: "all", rules: [{ type: "any", rules: [leaf("member", "gold"), leaf("member", "lifetime")] }, leaf("holds", "stamp")] }, limits: { perMember: 1, total: 20 } },
    { title: "Go lifetime: upgrade offer", description: "Gold members who are not lifetime members yet.", rule: { type: "all", rules: [leaf("member", "gold"), { type: "not", rule: leaf("member", "lifetime") }] }, limits: { perMember: 1 } },
    { title: "Holiday blend preview", description: "Opens next month.", rule: leaf("member", "gold"), limits: {}, startsAt: new Date(Date.now() + 30 * DAY * 1000).toISOString() },
  ];
  const perks: Array<{ id: string; title: string }> = [];
  for (const spec of perkSpecs) {
    const response = await options.app.inject({ method: "POST", url: "/v1/admin/perks", headers: { authorization: `Bearer ${apiKey}` }, payload: spec });
    if (response.statusCode !== 201) throw new Error(`creating demo perk "${spec.title}" failed: ${response.body}`);
    perks.push({ id: response.json().id, title: spec.title });
  }

  // Drops members claim without gas: the server mints with the brand's key, or signs a voucher.
  const dropSpecs = [
    { title: "Welcome stamp", description: "A free journey stamp for every member who signs in: the brand mints it and pays the gas.", collection, tokenId: tokenId("stamp").toString(), mode: "mint", rule: null, limits: { perMember: 1 } },
    {
      title: "Coffee voucher for Gold members",
      description: "A signed voucher your wallet (or any relayer) submits to mint one coffee voucher. 100 in total.",
      collection,
      tokenId: tokenId("coffee").toString(),
      mode: "voucher",
      rule: leaf("member", "gold"),
      limits: { perMember: 1, total: 100 },
    },
  ];
  const drops: Array<{ id: string; title: string; mode: string }> = [];
  for (const spec of dropSpecs) {
    const response = await options.app.inject({ method: "POST", url: "/v1/admin/drops", headers: { authorization: `Bearer ${apiKey}` }, payload: spec });
    if (response.statusCode !== 201) throw new Error(`creating demo drop "${spec.title}" failed: ${response.body}`);
    drops.push({ id: response.json().id, title: spec.title, mode: spec.mode });
  }

  return { brand: { id: brand.id, name: brand.name, apiKey }, perks, drops };
}
