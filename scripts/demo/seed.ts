/**
 * The demo: deploys a collection, creates its token types, gives test members different holdings;
 * then seeds the demo brand through the API (operator, registration, minter, the types' names and
 * pictures, levels, perks with different rules and limits, gasless drops: one minted by the brand's
 * minter, one claimed with a voucher; journeys that award stamps; data requests, one of which a
 * birthday perk needs granted).
 */
import { readFile } from "node:fs/promises";
import type { FastifyInstance } from "fastify";
import { createPublicClient, createWalletClient, getAddress, http, parseEther, type Address, type Chain, type Hex } from "viem";
import { MINTER_ROLE, stampbookCollectionAbi } from "../../contracts/bindings/index.ts";
import { metadataUriOf } from "../../server/catalog/urls.ts";
import { devAccount } from "./accounts.ts";
import { installDelegateRegistry } from "./delegate-registry.ts";

const DAY = 24 * 3600;
const MEMBERSHIP = 1;
const COLLECTIBLE = 2;

/**
 * The demo's token types in id order (ids 1, 2, …): what the chain keeps, and the name, words and
 * picture (scripts/demo/images/<image>.png) the brand gives each through the API.
 */
export const DEMO_TOKEN_TYPES = [
  {
    key: "gold",
    name: "Gold membership",
    description: "Thirty days of member prices and a free coffee. Renew it any time.",
    image: "gold-membership",
    attributes: { Perks: "member prices, a free coffee" },
    kind: MEMBERSHIP, maxSupply: 0n, duration: 30 * DAY, soulbound: false, consumable: false, renewalPrice: 10n ** 15n, points: 100n,
  },
  {
    key: "lifetime",
    name: "Lifetime membership",
    description: "A membership for life. It stays with the wallet that earned it.",
    image: "lifetime-membership",
    attributes: {},
    kind: MEMBERSHIP, maxSupply: 0n, duration: 0, soulbound: true, consumable: false, renewalPrice: 0n, points: 500n,
  },
  {
    key: "stamp",
    name: "Journey stamp",
    description: "A stamp for every step with us. Only 10,000 will ever exist.",
    image: "journey-stamp",
    attributes: {},
    kind: COLLECTIBLE, maxSupply: 10_000n, duration: 0, soulbound: false, consumable: false, renewalPrice: 0n, points: 10n,
  },
  {
    key: "coffee",
    name: "Coffee voucher",
    description: "One drink of your choice. Show it at the counter: redeeming it uses it up.",
    image: "coffee-voucher",
    attributes: {},
    kind: COLLECTIBLE, maxSupply: 0n, duration: 0, soulbound: false, consumable: true, renewalPrice: 0n, points: 5n,
  },
  {
    key: "founder",
    name: "Founder badge",
    description: "For the first hundred members, who believed in us before anyone else.",
    image: "founder-badge",
    attributes: {},
    kind: COLLECTIBLE, maxSupply: 100n, duration: 0, soulbound: true, consumable: false, renewalPrice: 0n, points: 50n,
  },
  {
    key: "coffee101",
    name: "Coffee 101 stamp",
    description: "You know your beans: you completed the Coffee 101 journey.",
    image: "coffee-101-stamp",
    attributes: { Journey: "Coffee 101" },
    kind: COLLECTIBLE, maxSupply: 0n, duration: 0, soulbound: true, consumable: false, renewalPrice: 0n, points: 50n,
  },
  {
    key: "visit",
    name: "Store visit stamp",
    description: "You came by one of our stores and said the word.",
    image: "store-visit-stamp",
    attributes: { Journey: "Visit a store" },
    kind: COLLECTIBLE, maxSupply: 0n, duration: 0, soulbound: true, consumable: false, renewalPrice: 0n, points: 100n,
  },
  {
    key: "latte",
    name: "Latte lover stamp",
    description: "You bought a latte in one of our stores.",
    image: "latte-lover-stamp",
    attributes: { Journey: "Latte lover" },
    kind: COLLECTIBLE, maxSupply: 0n, duration: 0, soulbound: true, consumable: false, renewalPrice: 0n, points: 25n,
  },
  {
    key: "friend",
    name: "Friend stamp",
    description: "A friend joined the club with your invitation.",
    image: "friend-stamp",
    attributes: { Journey: "Bring a friend" },
    kind: COLLECTIBLE, maxSupply: 0n, duration: 0, soulbound: true, consumable: false, renewalPrice: 0n, points: 50n,
  },
] as const;

type TypeKey = (typeof DEMO_TOKEN_TYPES)[number]["key"];
const tokenId = (key: TypeKey) => BigInt(DEMO_TOKEN_TYPES.findIndex((t) => t.key === key) + 1);

/** The brand's levels: points from the stamps and memberships held. */
export const DEMO_LEVELS = [
  { key: "green", name: "Green", minPoints: 0 },
  { key: "silver", name: "Silver", minPoints: 100 },
  { key: "reserve", name: "Reserve", minPoints: 300 },
] as const;

/** The code printed at the counter of every demo store (the "Visit a store" journey). */
export const DEMO_STORE_CODE = "BEANS-2026";

/** The demo's journeys; each awards one stamp of its type, once per member. Quiz answers are choice indices. */
export const DEMO_JOURNEYS = [
  {
    title: "Coffee 101",
    description: "Two short quizzes: where coffee comes from, and how to brew it.",
    ordered: true,
    stamp: "coffee101",
    steps: [
      {
        id: "beans",
        title: "Know your beans",
        kind: "quiz",
        questions: [
          { prompt: "Where did coffee first grow wild?", choices: ["Ethiopia", "Iceland", "Argentina"], answer: 0 },
          { prompt: "Which species gives most of the world's coffee?", choices: ["Robusta", "Arabica", "Liberica"], answer: 1 },
        ],
      },
      {
        id: "brew",
        title: "Brew it right",
        kind: "quiz",
        questions: [
          { prompt: "Which water suits a pour-over best?", choices: ["Just off the boil, about 93 °C", "Lukewarm, about 60 °C", "Ice cold"], answer: 0 },
          { prompt: "What is an espresso pulled long, with about twice the water, called?", choices: ["A ristretto", "A cortado", "A lungo"], answer: 2 },
        ],
      },
    ],
  },
  {
    title: "Visit a store",
    description: `Drop by any Demo Coffee Club store and ask the barista for today's code. In this demo it is ${DEMO_STORE_CODE}.`,
    ordered: false,
    stamp: "visit",
    steps: [{ id: "visit", title: "Enter the code from the counter", kind: "code", mode: "shared", code: DEMO_STORE_CODE }],
  },
  {
    title: "Latte lover",
    description: "Buy a latte in any of our stores: the till tells us, and the stamp is yours.",
    ordered: false,
    stamp: "latte",
    steps: [{ id: "latte", title: "Buy a latte", kind: "event", event: "purchase", match: { sku: "latte" } }],
  },
  {
    title: "Bring a friend",
    description: "Share your invitation. When a friend joins with it, you get the Friend stamp.",
    ordered: false,
    stamp: "friend",
    steps: [{ id: "invite", title: "A friend joins with your invitation", kind: "referral" }],
  },
] as const;

/** Who holds what at the start of the demo (accounts 1–4; account 0 is the brand). */
const MEMBERS: Array<{ role: string; index: number; holdings: Partial<Record<TypeKey, bigint>> }> = [
  { role: "gold member with stamps and coffee vouchers", index: 1, holdings: { gold: 1n, stamp: 3n, coffee: 2n } },
  { role: "lifetime founder", index: 2, holdings: { lifetime: 1n, founder: 1n, stamp: 1n } },
  { role: "new member holding nothing", index: 3, holdings: {} },
  { role: "stamp collector without a membership", index: 4, holdings: { stamp: 5n } },
];

function chainClients(options: { rpcUrl: string; chain: Chain }) {
  const transport = http(options.rpcUrl);
  const publicClient = createPublicClient({ chain: options.chain, transport });
  const admin = devAccount(0);
  const adminWallet = createWalletClient({ account: admin.account, chain: options.chain, transport });
  const wait = async (hash: Hex) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`demo transaction ${hash} reverted`);
    return receipt;
  };
  return { publicClient, admin, adminWallet, wait };
}

/**
 * Creates the demo's token types the collection lacks, in id order, and points every type's metadata
 * URI at the API: a collection seeded by an older demo gets the types added since.
 */
export async function ensureDemoTokenTypes(options: { rpcUrl: string; chain: Chain; collection: Address; publicUrl?: URL }) {
  const { publicClient, adminWallet, wait } = chainClients(options);
  const { collection } = options;
  // Without the API's public URL (a bench, a test), no metadata URI.
  const uri = options.publicUrl === undefined ? "" : metadataUriOf(options.publicUrl, collection);
  const count = await publicClient.readContract({ address: collection, abi: stampbookCollectionAbi, functionName: "tokenTypeCount" });
  for (const [i, t] of DEMO_TOKEN_TYPES.entries()) {
    const id = BigInt(i + 1);
    if (id > count) {
      const config = { kind: t.kind, maxSupply: t.maxSupply, duration: t.duration, soulbound: t.soulbound, consumable: t.consumable, renewalPrice: t.renewalPrice, points: t.points, uri };
      await wait(await adminWallet.writeContract({ address: collection, abi: stampbookCollectionAbi, functionName: "createTokenType", args: [config] }));
    } else if (options.publicUrl !== undefined && (await publicClient.readContract({ address: collection, abi: stampbookCollectionAbi, functionName: "uri", args: [id] })) !== uri) {
      await wait(await adminWallet.writeContract({ address: collection, abi: stampbookCollectionAbi, functionName: "setTokenURI", args: [id, uri] }));
    }
  }
}

/**
 * Puts the Delegate Registry on the chain (when it has none), deploys the demo collection, creates its
 * token types (their metadata served by the API at `publicUrl`, when given) and mints the members'
 * starting holdings.
 */
export async function deployDemoCollection(options: { rpcUrl: string; chain: Chain; publicUrl?: URL }) {
  const { publicClient, admin, adminWallet, wait } = chainClients(options);
  await installDelegateRegistry(publicClient);
  const artifactUrl = new URL("../../artifacts/contracts/StampbookCollection.sol/StampbookCollection.json", import.meta.url);
  const { bytecode } = JSON.parse(await readFile(artifactUrl, "utf8")) as { bytecode: Hex };
  const deployment = await wait(
    await adminWallet.deployContract({
      abi: stampbookCollectionAbi,
      bytecode,
      args: ["Demo Coffee Club", "DCC", admin.account.address, admin.account.address, "", 250n],
    }),
  );
  const collection = deployment.contractAddress!;
  await ensureDemoTokenTypes({ ...options, collection });
  for (const m of MEMBERS) {
    for (const [key, amount] of Object.entries(m.holdings) as Array<[TypeKey, bigint]>) {
      await wait(await adminWallet.writeContract({ address: collection, abi: stampbookCollectionAbi, functionName: "mint", args: [devAccount(m.index).account.address, tokenId(key), amount] }));
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
 * names and pictures its token types, sets its levels, then its perks, drops and journeys.
 * Everything already there from an earlier run against the same chain and database is kept, not
 * made twice; only a new API key is issued (the old one is not shown again).
 */
export async function seedDemoBrand(options: { app: FastifyInstance; operatorToken: string; collection: Address; rpcUrl: string; chain: Chain; publicUrl?: URL }) {
  const { app, collection } = options;
  const { publicClient, admin, adminWallet, wait } = chainClients(options);

  async function api(method: "GET" | "POST" | "PUT" | "PATCH", url: string, token: string, payload?: unknown, ok: number[] = [200, 201]) {
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

  // A collection from an older demo gets the types added since (and the API's metadata URI).
  await ensureDemoTokenTypes(options);

  // The collection's admin proves the brand controls it.
  const typed = await api("GET", `/v1/admin/collections/registration?collection=${collection}`, apiKey);
  const signature = await admin.account.signTypedData({ domain: typed.domain, types: typed.types, primaryType: "RegisterCollection", message: { ...typed.message, expiresAt: BigInt(typed.message.expiresAt) } });
  await api("POST", "/v1/admin/collections", apiKey, { collection, signer: admin.account.address, nonce: typed.message.nonce, expiresAt: Number(typed.message.expiresAt), signature });

  // The brand's own minter: made by the server, granted MINTER_ROLE (and made the issuing minter) and gas money by the admin.
  let minter = (await api("GET", "/v1/admin/minter", apiKey)).minter;
  if (minter === null) minter = await api("POST", "/v1/admin/minter", apiKey, {});
  if (!(await publicClient.readContract({ address: collection, abi: stampbookCollectionAbi, functionName: "hasRole", args: [MINTER_ROLE, minter.address] }))) {
    await wait(await adminWallet.writeContract({ address: collection, abi: stampbookCollectionAbi, functionName: "grantRole", args: [MINTER_ROLE, minter.address] }));
  }
  // The issuing minter's mints read one storage slot for its role and the pause flag together.
  if ((await publicClient.readContract({ address: collection, abi: stampbookCollectionAbi, functionName: "issuingMinter" })).toLowerCase() !== minter.address.toLowerCase()) {
    await wait(await adminWallet.writeContract({ address: collection, abi: stampbookCollectionAbi, functionName: "setIssuingMinter", args: [minter.address] }));
  }
  if ((await publicClient.getBalance({ address: minter.address })) < parseEther("1")) {
    await wait(await adminWallet.sendTransaction({ to: minter.address, value: parseEther("10") }));
  }

  // Names, words and pictures: what members read instead of token ids.
  for (const t of DEMO_TOKEN_TYPES) {
    const path = `/v1/admin/collections/${collection}/types/${tokenId(t.key)}`;
    await api("PUT", `${path}/metadata`, apiKey, { name: t.name, description: t.description, attributes: t.attributes });
    const png = await readFile(new URL(`./images/${t.image}.png`, import.meta.url));
    const uploaded = await app.inject({ method: "PUT", url: `${path}/image`, headers: { authorization: `Bearer ${apiKey}`, "content-type": "image/png" }, payload: png });
    if (uploaded.statusCode !== 200) throw new Error(`demo seed: PUT ${path}/image answered ${uploaded.statusCode}: ${uploaded.body}`);
  }

  const levels: Array<{ key: string; name: string; minPoints: number }> = (await api("PUT", "/v1/admin/levels", apiKey, { levels: DEMO_LEVELS })).levels;

  // Data requests: what the brand asks members to share, and why. Sharing the birthday unlocks a
  // treat: the perk is made first (its rule names the request, the request names the perk), then
  // given its consent rule.
  const TREAT = { title: "A birthday treat", description: "A cake with a candle, on us, for members who share their birthday.", limits: { perMember: 1 } };
  const treat: { id: string; rule: unknown } =
    ((await api("GET", "/v1/admin/perks", apiKey)).items as { id: string; title: string; rule: unknown }[]).find((p) => p.title === TREAT.title) ??
    (await api("POST", "/v1/admin/perks", apiKey, { ...TREAT, rule: { type: "points", min: 1_000_000 } }, [201]));
  const requestSpecs = [
    { fields: ["birthday"], purpose: "to send you a birthday treat", retentionDays: 365, perkId: treat.id },
    { fields: ["email", "name", "city"], purpose: "to invite you to tastings near you", retentionDays: 180 },
  ];
  const listedRequests: Array<{ id: string; purpose: string }> = (await api("GET", "/v1/admin/data-requests", apiKey)).items;
  const dataRequests: Array<{ id: string; purpose: string; fields: string[]; perkId: string | null }> = [];
  for (const spec of requestSpecs) {
    const made = listedRequests.find((r) => r.purpose === spec.purpose) ?? (await api("POST", "/v1/admin/data-requests", apiKey, spec, [201]));
    dataRequests.push({ id: made.id, purpose: spec.purpose, fields: spec.fields, perkId: spec.perkId ?? null });
  }
  const treatRule = { type: "consent", request: dataRequests[0]!.id };
  if (JSON.stringify(treat.rule) !== JSON.stringify(treatRule)) await api("PATCH", `/v1/admin/perks/${treat.id}`, apiKey, { rule: treatRule });

  const leaf = (type: "member" | "holds", key: TypeKey, min?: number) => ({ type, collection, tokenId: tokenId(key).toString(), ...(min ? { min } : {}) });
  const perkSpecs = [
    { title: "Free coffee for Gold members", description: "One free drink of your choice, once.", rule: leaf("member", "gold"), limits: { perMember: 1 } },
    { title: "10% off for stamp collectors", description: "Collect three Journey stamps and take 10% off, five times.", rule: leaf("holds", "stamp", 3), limits: { perMember: 5 } },
    { title: "A cookie for your first stamp", description: "Claim your welcome stamp, then enjoy a cookie on us.", rule: leaf("holds", "stamp"), limits: { perMember: 1 } },
    { title: "Founders' lounge", description: "A quiet corner for lifetime members and founders.", rule: { type: "any", rules: [leaf("member", "lifetime"), leaf("holds", "founder")] }, limits: {} },
    { title: "Roastery tour (20 places)", description: "See how we roast: for members who have collected a stamp.", rule: { type: "all", rules: [{ type: "any", rules: [leaf("member", "gold"), leaf("member", "lifetime")] }, leaf("holds", "stamp")] }, limits: { perMember: 1, total: 20 } },
    { title: "Go lifetime: upgrade offer", description: "Gold members who are not lifetime members yet upgrade at a discount.", rule: { type: "all", rules: [leaf("member", "gold"), { type: "not", rule: leaf("member", "lifetime") }] }, limits: { perMember: 1 } },
    { title: "Holiday blend preview", description: "Taste our holiday blend before anyone else. Opens next month.", rule: leaf("member", "gold"), limits: {}, startsAt: new Date(Date.now() + 30 * DAY * 1000).toISOString() },
    { title: "Silver tasting flight", description: "Three single-origin coffees side by side, on us, once.", rule: { type: "level", min: "silver" }, limits: { perMember: 1 } },
    { title: "Pastry of the day", description: "Any pastry from the counter, once you have 200 points.", rule: { type: "points", min: 200 }, limits: { perMember: 1 } },
    { title: "Reserve roastery dinner", description: "Dinner at the roastery with our head roaster. Twelve seats.", rule: { type: "level", min: "reserve" }, limits: { perMember: 1, total: 12 } },
    { ...TREAT, rule: treatRule },
  ];
  // Drops members claim without gas: the brand's minter mints, or signs a voucher.
  const dropSpecs = [
    { title: "Welcome stamp", description: "A Journey stamp for every member who signs in, on us.", collection, tokenId: tokenId("stamp").toString(), mode: "mint", rule: null, limits: { perMember: 1 } },
    {
      title: "Coffee voucher for Gold members",
      description: "A Coffee voucher for each Gold member, on us. 100 in total.",
      collection,
      tokenId: tokenId("coffee").toString(),
      mode: "voucher",
      rule: leaf("member", "gold"),
      limits: { perMember: 1, total: 100 },
    },
  ];
  const journeySpecs = DEMO_JOURNEYS.map(({ stamp, ...journey }) => ({ ...journey, startsAt: null, endsAt: null, stamp: { collection, tokenId: tokenId(stamp).toString(), amount: "1" } }));

  /** Creates what is not there yet (by title); returns all of them in the specs' order. */
  async function ensure<Spec extends { title: string }>(path: string, specs: Spec[]) {
    const have = new Map<string, { id: string }>(((await api("GET", path, apiKey)).items as { id: string; title: string }[]).map((o) => [o.title, o]));
    const out: Array<{ id: string; title: string } & Omit<Spec, "title">> = [];
    for (const spec of specs) {
      const made = have.get(spec.title) ?? (await api("POST", path, apiKey, spec, [201]));
      out.push({ ...spec, id: made.id });
    }
    return out;
  }
  const perks = (await ensure("/v1/admin/perks", perkSpecs)).map(({ id, title }) => ({ id, title }));
  const drops = (await ensure("/v1/admin/drops", dropSpecs)).map(({ id, title, mode }) => ({ id, title, mode }));
  // Members see the newest journey first: made last to first, Coffee 101 leads.
  const journeys = (await ensure("/v1/admin/journeys", journeySpecs.toReversed())).toReversed().map(({ id, title, steps }) => ({
    id,
    title,
    steps: steps.map((s): { id: string; kind: string; code?: string } => ({ id: s.id, kind: s.kind, ...(s.kind === "code" ? { code: s.code } : {}) })),
  }));

  return { brand: { id: brand.id, name: brand.name, apiKey }, minter: minter.address as Address, levels, perks, drops, journeys, dataRequests };
}
