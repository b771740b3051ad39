/**
 * The demo: deploys a collection, creates its token types, gives test members different holdings;
 * then seeds the demo brand through the API (operator, registration, minter, perks with different
 * rules and limits, gasless drops: one minted by the brand's minter, one claimed with a voucher).
 */
import { readFile } from "node:fs/promises";
import type { FastifyInstance } from "fastify";
import { createPublicClient, createWalletClient, getAddress, http, parseEther, type Address, type Chain, type Hex } from "viem";
import { MINTER_ROLE, stampbookCollectionAbi } from "../../contracts/bindings/index.ts";
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
  return demoDeployment(collection);
}

/** What the manifest says of a demo collection, deployed now or before (the demo's holdings are fixed). */
export function demoDeployment(collection: Address) {
  return {
    collection: getAddress(collection),
    brandAccount: devAccount(0),
    tokenTypes: DEMO_TOKEN_TYPES.map((t, i) => ({ tokenId: String(i + 1), key: t.key, name: t.name })),
    accounts: MEMBERS.map((m) => {
      const { account, privateKey } = devAccount(m.index);
      return { role: m.role, address: account.address, privateKey, holdings: Object.fromEntries(Object.entries(m.holdings).map(([k, v]) => [k, String(v)])) };
    }),
  };
}

export const DEMO_BRAND_NAME = "Demo Coffee Club";

/**
 * Seeds the demo brand through the running `app`'s APIs, as an operator and a brand would: the
 * operator creates the brand (or finds it from an earlier run), the collection's admin signs its
 * registration, the brand gets its own minter (granted MINTER_ROLE and some gas money by the admin),
 * then its perks and drops. Everything already there from an earlier run against the same chain and
 * database is kept, not made twice; only a new API key is issued (the old one is not shown again).
 */
export async function seedDemoBrand(options: { app: FastifyInstance; operatorToken: string; collection: Address; rpcUrl: string; chain: Chain }) {
  const { app, collection } = options;
  const admin = devAccount(0);
  const transport = http(options.rpcUrl);
  const publicClient = createPublicClient({ chain: options.chain, transport });
  const adminWallet = createWalletClient({ account: admin.account, chain: options.chain, transport });
  const wait = async (hash: Hex) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`demo transaction ${hash} reverted`);
  };

  async function api(method: "GET" | "POST", url: string, token: string, payload?: unknown, ok: number[] = [200, 201]) {
    const response = await app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload === undefined ? {} : { payload: payload as object }) });
    if (!ok.includes(response.statusCode)) throw new Error(`demo seed: ${method} ${url} answered ${response.statusCode}: ${response.body}`);
    return response.json();
  }

  // The operator: the demo brand, once per database.
  const existing = (await api("GET", "/v1/operator/brands", options.operatorToken)).items.find((b: { name: string }) => b.name === DEMO_BRAND_NAME);
  let brand: { id: string; name: string };
  let apiKey: string;
  if (existing === undefined) {
    const created = await api("POST", "/v1/operator/brands", options.operatorToken, { name: DEMO_BRAND_NAME, keyLabel: "demo" });
    brand = created.brand;
    apiKey = created.key.apiKey;
  } else {
    brand = existing;
    apiKey = (await api("POST", `/v1/operator/brands/${existing.id}/keys`, options.operatorToken, { label: "demo" })).apiKey;
  }

  // The collection's admin proves the brand controls it.
  const typed = await api("GET", `/v1/admin/collections/registration?collection=${collection}`, apiKey);
  const signature = await admin.account.signTypedData({ domain: typed.domain, types: typed.types, primaryType: "RegisterCollection", message: { ...typed.message, expiresAt: BigInt(typed.message.expiresAt) } });
  await api("POST", "/v1/admin/collections", apiKey, { collection, signer: admin.account.address, nonce: typed.message.nonce, expiresAt: Number(typed.message.expiresAt), signature });

  // The brand's own minter: made by the server, granted MINTER_ROLE and gas money by the admin.
  let minter = (await api("GET", "/v1/admin/minter", apiKey)).minter;
  if (minter === null) minter = await api("POST", "/v1/admin/minter", apiKey, {});
  if (!(await publicClient.readContract({ address: collection, abi: stampbookCollectionAbi, functionName: "hasRole", args: [MINTER_ROLE, minter.address] }))) {
    await wait(await adminWallet.writeContract({ address: collection, abi: stampbookCollectionAbi, functionName: "grantRole", args: [MINTER_ROLE, minter.address] }));
  }
  if ((await publicClient.getBalance({ address: minter.address })) < parseEther("1")) {
    await wait(await adminWallet.sendTransaction({ to: minter.address, value: parseEther("10") }));
  }

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
  // Drops members claim without gas: the brand's minter mints, or signs a voucher.
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

  /** Creates the offers not there yet (by title); returns all of them in the specs' order. */
  async function ensure<Spec extends { title: string }>(path: string, specs: Spec[]) {
    const have = new Map<string, { id: string }>(((await api("GET", path, apiKey)).items as { id: string; title: string }[]).map((o) => [o.title, o]));
    const out: Array<{ id: string; title: string } & Omit<Spec, "title">> = [];
    for (const spec of specs) {
      const offer = have.get(spec.title) ?? (await api("POST", path, apiKey, spec, [201]));
      out.push({ ...spec, id: offer.id });
    }
    return out;
  }
  const perks = (await ensure("/v1/admin/perks", perkSpecs)).map(({ id, title }) => ({ id, title }));
  const drops = (await ensure("/v1/admin/drops", dropSpecs)).map(({ id, title, mode }) => ({ id, title, mode }));

  return { brand: { id: brand.id, name: brand.name, apiKey }, minter: minter.address as Address, perks, drops };
}
