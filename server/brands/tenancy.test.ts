/**
 * Brands as tenants, end to end on a real chain: a brand serves a collection only after its on-chain
 * admin signs the registration; each brand mints with its own minter, only on its own collections;
 * rules may read any served collection; and one brand cannot degrade another.
 */
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPublicClient, custom, getAddress, parseEther, type Address, type Hex, type PublicClient, type WalletClient } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { createSiweMessage } from "viem/siwe";
import { DEFAULT_ADMIN_ROLE, MINTER_ROLE, stampbookCollectionAbi } from "../../contracts/bindings/index.ts";
import { build } from "../app.ts";
import { loadConfig } from "../config.ts";
import { SqliteStore } from "../storage/index.ts";
import { DEMO_TYPES, KIND, startChain, type DemoChain } from "../../test/support/chain.ts";
import { bearer, startServer, TEST_MINTER_KEY_SECRET, type TestServer } from "../../test/support/server.ts";
import { registerCollection, signRegistration } from "../../test/support/tenancy.ts";
import { devAccount } from "../../scripts/demo/accounts.ts";
import { registrationDomain, registrationTypes } from "./registration.ts";
import { expectProblem } from "../../test/support/problems.ts";

const OPERATOR = "operator-token-for-tenancy-tests-0123456789";

let chain: DemoChain;
let server: TestServer;
/** Brand A's collection (the demo's), administered by chain.brand; brand B's, administered by `adminB`. */
let A: Address;
let B: Address;
let adminB: WalletClient;
let brandB: { id: string; apiKey: string };
let minterB: Address;

beforeAll(async () => {
  chain = await startChain();
  server = await startServer(chain, { operatorToken: OPERATOR }, { minterKey: devAccount(0).privateKey });
  A = getAddress(chain.collection.address);
  adminB = chain.members[10]!;
  const collectionB = await chain.viem.deployContract("StampbookCollection", ["Other Brand", "OTH", adminB.account!.address, adminB.account!.address, "", 0n], { client: { wallet: adminB as never } });
  B = getAddress(collectionB.address);
  const asB = { address: B, abi: stampbookCollectionAbi, account: adminB.account!, chain: adminB.chain } as const;
  await waitFor(await adminB.writeContract({ ...asB, functionName: "createTokenType", args: [{ kind: KIND.collectible, maxSupply: 0n, duration: 0, soulbound: false, consumable: false, renewalPrice: 0n, points: 1n, uri: "" }] }));

  const created = await operator("POST", "/v1/operator/brands", { name: "Other Brand" });
  expect(created.statusCode, created.body).toBe(201);
  brandB = { id: created.json().brand.id, apiKey: created.json().key.apiKey };
  expect((await registerCollection(server.app, brandB.apiKey, adminB, B)).statusCode).toBe(201);
  const minter = await admin(brandB.apiKey, "POST", "/v1/admin/minter", {});
  expect(minter.statusCode, minter.body).toBe(201);
  minterB = getAddress(minter.json().address);
  await waitFor(await adminB.writeContract({ ...asB, functionName: "grantRole", args: [MINTER_ROLE, minterB] }));
  await waitFor(await adminB.sendTransaction({ account: adminB.account!, chain: adminB.chain, to: minterB, value: parseEther("1") }));
});
afterAll(async () => server?.close());

async function waitFor(hash: Hex) {
  const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
  expect(receipt.status).toBe("success");
  return receipt;
}

function operator(method: "GET" | "POST", url: string, payload?: object, token: string | null = OPERATOR) {
  return server.app.inject({ method, url, headers: token === null ? {} : bearer(token), ...(payload === undefined ? {} : { payload }) });
}

function admin(apiKey: string, method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: object) {
  return server.app.inject({ method, url, headers: bearer(apiKey), ...(payload === undefined ? {} : { payload }) });
}

const totalMinted = (collection: Address, id: bigint) => chain.publicClient.readContract({ address: collection, abi: stampbookCollectionAbi, functionName: "totalMinted", args: [id] });

describe("the operator", () => {
  it("creates brands on the running deployment, each with an API key shown once; nobody else can", async () => {
    expectProblem(await operator("POST", "/v1/operator/brands", { name: "Nope" }, null), 401, "unauthenticated");
    expectProblem(await operator("POST", "/v1/operator/brands", { name: "Nope" }, "x".repeat(44)), 401, "unauthenticated");
    expectProblem(await operator("POST", "/v1/operator/brands", { name: "Nope" }, server.apiKey), 401, "unauthenticated");
    const created = await operator("POST", "/v1/operator/brands", { name: "Acme" });
    expect(created.statusCode).toBe(201);
    const { brand, key } = created.json();
    expect((await admin(key.apiKey, "GET", "/v1/admin/perks")).statusCode).toBe(200);
    const another = await operator("POST", `/v1/operator/brands/${brand.id}/keys`, { label: "till" });
    expect(another.statusCode).toBe(201);
    expect(another.json().apiKey).not.toBe(key.apiKey);
    expectProblem(await operator("POST", "/v1/operator/brands/brand_nope/keys", {}), 404, "brand_not_found");
    const names = (await operator("GET", "/v1/operator/brands")).json().items.map((b: { name: string }) => b.name);
    expect(names).toEqual(expect.arrayContaining(["Demo Coffee Club", "Other Brand", "Acme"]));
  });

  it("has no door at all when OPERATOR_TOKEN is not set", async () => {
    const closed = await startServer(chain);
    try {
      const response = await closed.app.inject({ method: "POST", url: "/v1/operator/brands", headers: bearer(OPERATOR), payload: { name: "x" } });
      expectProblem(response, 401, "unauthenticated");
    } finally {
      await closed.close();
    }
  });
});

describe("registering a collection", () => {
  it("lists the brand's collections, and only its own", async () => {
    const mine = (await admin(brandB.apiKey, "GET", "/v1/admin/collections")).json().items;
    expect(mine).toEqual([expect.objectContaining({ collection: B, brandId: brandB.id, admin: getAddress(adminB.account!.address) })]);
    expect((await admin(server.apiKey, "GET", "/v1/admin/collections")).json().items.map((c: { collection: string }) => c.collection)).toEqual([A]);
  });

  it("is refused when the signer does not hold DEFAULT_ADMIN_ROLE on it: 403, nothing registered", async () => {
    // Brand B's own admin signs for brand B, but administers B, not A.
    expectProblem(await registerCollection(server.app, brandB.apiKey, adminB, A), 403, "not_collection_admin");
    expect((await admin(brandB.apiKey, "GET", "/v1/admin/collections")).json().items).toHaveLength(1);
  });

  it("is refused when the signature is another brand's, or not the signer's", async () => {
    // A's admin signs a registration of A for brand A; brand B sends it as its own.
    const forA = await signRegistration(server.app, server.apiKey, chain.brand, A);
    expectProblem(await admin(brandB.apiKey, "POST", "/v1/admin/collections", forA), 400, "registration_invalid");
    // Claiming someone else signed it.
    expectProblem(await admin(server.apiKey, "POST", "/v1/admin/collections", { ...forA, signer: adminB.account!.address }), 400, "registration_invalid");
    // A changed field breaks the signature.
    expectProblem(await admin(server.apiKey, "POST", "/v1/admin/collections", { ...forA, expiresAt: forA.expiresAt - 1 }), 400, "registration_invalid");
  });

  it("works once per signature: a replay is 409 registration_replayed", async () => {
    const signed = await signRegistration(server.app, server.apiKey, chain.brand, A);
    expect((await admin(server.apiKey, "POST", "/v1/admin/collections", signed)).statusCode).toBe(200); // A owns it already
    expectProblem(await admin(server.apiKey, "POST", "/v1/admin/collections", signed), 409, "registration_replayed");
  });

  it("refuses an expired registration, and one that claims too long a life", async () => {
    const now = Math.floor(Date.now() / 1000);
    const sign = async (expiresAt: number) => {
      const message = { brand: brandB.id, brandName: "Other Brand", collection: B, nonce: `0x${"ab".repeat(32)}` as Hex, expiresAt: BigInt(expiresAt) };
      const signature = await adminB.signTypedData({ account: adminB.account!, domain: registrationDomain(31337), types: registrationTypes, primaryType: "RegisterCollection", message });
      return { collection: B, signer: adminB.account!.address, nonce: message.nonce, expiresAt, signature };
    };
    expectProblem(await admin(brandB.apiKey, "POST", "/v1/admin/collections", await sign(now - 5)), 400, "registration_expired");
    expectProblem(await admin(brandB.apiKey, "POST", "/v1/admin/collections", await sign(now + 10 * 24 * 3600)), 400, "registration_invalid");
  });

  it("of a collection another brand serves is 409 collection_taken, even with its admin's signature", async () => {
    // A's admin (by mistake, or colluding) signs a registration of A for brand B.
    const signed = await signRegistration(server.app, brandB.apiKey, chain.brand, A);
    expectProblem(await admin(brandB.apiKey, "POST", "/v1/admin/collections", signed), 409, "collection_taken");
  });

  it("of an address that is not a Stampbook collection is 400 collection_unsupported", async () => {
    const notACollection = getAddress(chain.members[11]!.account!.address);
    expectProblem(await registerCollection(server.app, brandB.apiKey, chain.members[11]!, notACollection), 400, "collection_unsupported");
  });

  it("accepts a smart-contract wallet (EIP-1271) that holds the admin role", async () => {
    const owner = chain.members[12]!;
    const wallet = await chain.viem.deployContract("OwnedWallet", [owner.account!.address]);
    const collection = await chain.viem.deployContract("StampbookCollection", ["Wallet Brand", "WAL", wallet.address, wallet.address, "", 0n]);
    const created = (await operator("POST", "/v1/operator/brands", { name: "Wallet Brand" })).json();
    const signed = await signRegistration(server.app, created.key.apiKey, owner, collection.address);
    const response = await admin(created.key.apiKey, "POST", "/v1/admin/collections", { ...signed, signer: wallet.address });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json()).toMatchObject({ collection: getAddress(collection.address), admin: getAddress(wallet.address) });
    expect(await chain.publicClient.readContract({ address: collection.address, abi: stampbookCollectionAbi, functionName: "hasRole", args: [DEFAULT_ADMIN_ROLE, wallet.address] })).toBe(true);
  });
});

describe("minting never crosses brands", () => {
  const drop = (collection: Address, tokenId: string, extra: object = {}) => ({ title: "Gift", collection, tokenId, ...extra });

  it("brand B cannot create a drop on brand A's collection, in either mode: 403 collection_not_owned, nothing created", async () => {
    for (const mode of ["mint", "voucher"]) {
      expectProblem(await admin(brandB.apiKey, "POST", "/v1/admin/drops", drop(A, String(DEMO_TYPES.gold), { mode })), 403, "collection_not_owned");
    }
    expect((await admin(brandB.apiKey, "GET", "/v1/admin/drops")).json().items).toEqual([]);
  });

  it("brand B cannot exhaust A's capped supply: a voucher drop of 98 Founder badges is refused and A's supply is untouched", async () => {
    const before = await totalMinted(A, DEMO_TYPES.founder);
    expectProblem(await admin(brandB.apiKey, "POST", "/v1/admin/drops", drop(A, String(DEMO_TYPES.founder), { mode: "voucher", amount: "98", limits: { perMember: null } })), 403, "collection_not_owned");
    expect(await totalMinted(A, DEMO_TYPES.founder)).toBe(before);
  });

  it("a collection the operator serves belongs to no brand: nobody's drops mint there", async () => {
    const served = await startServer(chain, { collections: [B] });
    try {
      expectProblem(await served.app.inject({ method: "POST", url: "/v1/admin/drops", headers: bearer(served.apiKey), payload: drop(B, "1") }), 403, "collection_not_owned");
    } finally {
      await served.close();
    }
  });

  it("each brand's claims are minted by its own minter, on its own collection", async () => {
    const created = await admin(brandB.apiKey, "POST", "/v1/admin/drops", drop(B, "1"));
    expect(created.statusCode, created.body).toBe(201);
    const member = chain.members[13]!;
    const token = await server.signIn(member);
    const claim = await server.app.inject({ method: "POST", url: `/v1/drops/${created.json().id}/claim`, headers: { ...bearer(token), "idempotency-key": "tenancy-1" } });
    expect(claim.statusCode, claim.body).toBe(201);
    const tx = await chain.publicClient.getTransaction({ hash: claim.json().txHash });
    expect(getAddress(tx.from)).toBe(minterB);
    expect(getAddress(tx.to!)).toBe(B);
    expect(minterB).not.toBe(getAddress(devAccount(0).account.address));
  });

  it("the brands' minters are theirs: each sees its own address, never a key", async () => {
    const a = (await admin(server.apiKey, "GET", "/v1/admin/minter")).json().minter;
    const b = await admin(brandB.apiKey, "GET", "/v1/admin/minter");
    expect(a.address).toBe(getAddress(devAccount(0).account.address));
    expect(a.collections).toEqual([{ collection: A, canMint: true }]);
    expect(b.json().minter).toMatchObject({ address: minterB, source: "generated", collections: [{ collection: B, canMint: true }] });
    expect(b.body).not.toMatch(/[0-9a-f]{64}/i);
    // At rest the key is sealed: the store holds no key in clear.
    const stored = await server.store.getMinter(server.brand.id);
    expect(stored!.sealedKey).not.toContain(devAccount(0).privateKey.slice(2));
  });

  it("a brand may supply its own minter key; a malformed one is 400 and changes nothing", async () => {
    const created = (await operator("POST", "/v1/operator/brands", { name: "Own Key" })).json();
    const key = generatePrivateKey();
    const response = await admin(created.key.apiKey, "POST", "/v1/admin/minter", { privateKey: key });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ address: privateKeyToAccount(key).address, source: "supplied" });
    expect(response.body).not.toContain(key.slice(2));
    expectProblem(await admin(created.key.apiKey, "POST", "/v1/admin/minter", { privateKey: `0x${"0".repeat(64)}` }), 400, "validation_failed");
    expect((await admin(created.key.apiKey, "GET", "/v1/admin/minter")).json().minter.address).toBe(privateKeyToAccount(key).address);
  });

  it("two brands that supply the same key share one send queue: concurrent claims of both never collide on a nonce", async () => {
    // Brand C runs its own collection, administered (and minted) by the same key as brand A's minter.
    const collectionC = await chain.viem.deployContract("StampbookCollection", ["Sister", "SIS", chain.brand.account!.address, chain.brand.account!.address, "", 0n]);
    await waitFor(await collectionC.write.createTokenType([{ kind: KIND.collectible, maxSupply: 0n, duration: 0, soulbound: false, consumable: false, renewalPrice: 0n, points: 1n, uri: "" }]));
    const c = (await operator("POST", "/v1/operator/brands", { name: "Sister" })).json();
    expect((await registerCollection(server.app, c.key.apiKey, chain.brand, collectionC.address)).statusCode).toBe(201);
    expect((await admin(c.key.apiKey, "POST", "/v1/admin/minter", { privateKey: devAccount(0).privateKey })).statusCode).toBe(201);
    const dropA = (await admin(server.apiKey, "POST", "/v1/admin/drops", drop(A, String(DEMO_TYPES.stamp), { limits: { perMember: null } }))).json();
    const dropC = (await admin(c.key.apiKey, "POST", "/v1/admin/drops", drop(getAddress(collectionC.address), "1", { limits: { perMember: null } }))).json();
    const token = await server.signIn(chain.members[15]!);
    const claims = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        server.app.inject({ method: "POST", url: `/v1/drops/${i % 2 ? dropA.id : dropC.id}/claim`, headers: { ...bearer(token), "idempotency-key": `shared-key-${i}` } }),
      ),
    );
    expect(claims.map((r) => r.statusCode)).toEqual(Array(20).fill(201));
  });

  it("without MINTER_KEY_SECRET the server keeps no minters: 503 minter_unavailable", async () => {
    const keyless = await startServer(chain, { minterKeySecret: null });
    try {
      expectProblem(await keyless.app.inject({ method: "POST", url: "/v1/admin/minter", headers: bearer(keyless.apiKey), payload: {} }), 503, "minter_unavailable");
    } finally {
      await keyless.close();
    }
  });

  it("rules may read any served collection: brand B's perk for brand A's Gold members", async () => {
    const perk = await admin(brandB.apiKey, "POST", "/v1/admin/perks", { title: "Partner perk", rule: { type: "member", collection: A, tokenId: String(DEMO_TYPES.gold) } });
    expect(perk.statusCode, perk.body).toBe(201);
    const unserved = getAddress(chain.members[14]!.account!.address);
    expectProblem(await admin(brandB.apiKey, "POST", "/v1/admin/perks", { title: "x", rule: { type: "holds", collection: unserved, tokenId: "1" } }), 400, "invalid_rule");
  });

  it("a tokenId of 2^256 or more is 400, not 503", async () => {
    const body = expectProblem(await admin(server.apiKey, "POST", "/v1/admin/drops", drop(A, (2n ** 256n).toString())), 400, "invalid_drop");
    expect(body.path).toBe("tokenId");
    expectProblem(await admin(server.apiKey, "POST", "/v1/admin/perks", { title: "x", rule: { type: "holds", collection: A, tokenId: (2n ** 256n).toString() } }), 400, "invalid_rule");
  });
});

describe("per-brand bounds", () => {
  it("cap live perks and drops, and the distinct token types a brand's rules read, with a 409 naming the bound", async () => {
    const bounded = await startServer(chain, { brandMaxOffers: { perk: 2, drop: 1 }, brandMaxTokenTypes: 3 }, { minterKey: devAccount(0).privateKey });
    const call = (method: "POST" | "DELETE", url: string, payload?: object) => bounded.app.inject({ method, url, headers: bearer(bounded.apiKey), ...(payload ? { payload } : {}) });
    const holds = (id: number) => ({ type: "holds", collection: A, tokenId: String(id) });
    try {
      const first = (await call("POST", "/v1/admin/perks", { title: "1", rule: holds(1) })).json();
      expect((await call("POST", "/v1/admin/perks", { title: "2", rule: { type: "all", rules: [holds(1), holds(2)] } })).statusCode).toBe(201);
      const full = expectProblem(await call("POST", "/v1/admin/perks", { title: "3", rule: holds(1) }), 409, "quota_exceeded");
      expect(full).toMatchObject({ quota: "perks", limit: 2 });
      expect(full.detail).toContain("BRAND_MAX_PERKS");
      // Deleting one frees its place.
      expect((await call("DELETE", `/v1/admin/perks/${first.id}`)).statusCode).toBe(204);
      // Token types: 1 and 2 are read; a rule reading 3 more is over the bound of 3.
      const tokens = expectProblem(await call("POST", "/v1/admin/perks", { title: "3", rule: { type: "all", rules: [holds(3), holds(4)] } }), 409, "quota_exceeded");
      expect(tokens).toMatchObject({ quota: "token_types", limit: 3 });
      expect((await call("POST", "/v1/admin/perks", { title: "3", rule: holds(3) })).statusCode).toBe(201);
      // Drops have their own bound.
      expect((await call("POST", "/v1/admin/drops", { title: "d1", collection: A, tokenId: "3" })).statusCode).toBe(201);
      expect(expectProblem(await call("POST", "/v1/admin/drops", { title: "d2", collection: A, tokenId: "3" }), 409, "quota_exceeded")).toMatchObject({ quota: "drops", limit: 1 });
      // Another brand's bounds are its own.
      expect((await admin(brandB.apiKey, "POST", "/v1/admin/perks", { title: "B's", rule: holds(5) })).statusCode).toBe(201);
    } finally {
      await bounded.close();
    }
  });
});

describe("one brand cannot degrade another", () => {
  it("200 perks of 32 token types each from brand B leave brand A's members' listings working", async () => {
    const heavy = await startServer(chain, { operatorToken: OPERATOR, brandMaxOffers: { perk: 200, drop: 100 }, brandMaxTokenTypes: 6_400 });
    try {
      const created = (await heavy.app.inject({ method: "POST", url: "/v1/operator/brands", headers: bearer(OPERATOR), payload: { name: "Heavy" } })).json();
      for (let p = 0; p < 200; p++) {
        const rule = { type: "any", rules: Array.from({ length: 32 }, (_, i) => ({ type: "holds", collection: A, tokenId: String(1_000 + p * 32 + i) })) };
        const response = await heavy.app.inject({ method: "POST", url: "/v1/admin/perks", headers: bearer(created.key.apiKey), payload: { title: `B${p}`, rule } });
        expect(response.statusCode, response.body).toBe(201);
      }
      await heavy.app.inject({ method: "POST", url: "/v1/admin/perks", headers: bearer(heavy.apiKey), payload: { title: "A's gold perk", rule: { type: "member", collection: A, tokenId: String(DEMO_TYPES.gold) } } });
      const goldMember = chain.members[0]!;
      await chain.mint(goldMember.account!.address, DEMO_TYPES.gold);
      const token = await heavy.signIn(goldMember);
      const listing = await heavy.app.inject({ method: "GET", url: "/v1/perks", headers: bearer(token) });
      expect(listing.statusCode, listing.body.slice(0, 500)).toBe(200);
      const items = listing.json().items as { title: string; eligible: boolean; checked: boolean }[];
      expect(items).toHaveLength(201);
      expect(items.find((p) => p.title === "A's gold perk")).toMatchObject({ eligible: true, checked: true });
      expect(items.filter((p) => p.checked)).toHaveLength(201);
    } finally {
      await heavy.close();
    }
  });

  it("a brand whose read fails or is slow shows as unavailable, the others answer; logs and responses carry no RPC detail", async () => {
    const lines: string[] = [];
    const stream = new Writable({ write: (chunk, _encoding, done) => (lines.push(...String(chunk).split("\n").filter(Boolean)), done()) });
    // A collection whose reads fail with a huge error body, and one whose reads hang.
    const broken = getAddress(`0x${"b0".repeat(20)}`);
    const slow = getAddress(`0x${"5e".repeat(20)}`);
    const client = createPublicClient({
      chain: { id: 31337, name: "test", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [] } } },
      transport: custom({
        async request(args: { method: string; params?: unknown[] }) {
          const to = (args.params?.[0] as { to?: string } | undefined)?.to?.toLowerCase();
          if (args.method === "eth_call" && to === broken.toLowerCase()) throw Object.assign(new Error(`node said: ${"de".repeat(100_000)} while calling ${JSON.stringify(args)}`), { code: -32000 });
          if (args.method === "eth_call" && to === slow.toLowerCase()) await new Promise((resolve) => setTimeout(resolve, 2_500));
          return chain.publicClient.request(args as never);
        },
      }, { retryCount: 0 }),
    }) as PublicClient;
    const config = loadConfig(
      { PUBLIC_URL: "http://localhost:8787", OWNERSHIP_CACHE_MS: "0", AUTH_RATE_LIMIT_PER_MINUTE: "100000", CLAIM_SWEEP_MS: "86400000", MINTER_KEY_SECRET: TEST_MINTER_KEY_SECRET, LISTING_READ_TIMEOUT_MS: "1000", OPERATOR_TOKEN: OPERATOR },
      { collections: [A, broken, slow] },
    );
    const store = SqliteStore.open(":memory:");
    const app = await build({ config, store, client, logger: { level: "warn", stream } });
    try {
      const brand = async (name: string, collection: Address) => {
        const created = (await app.inject({ method: "POST", url: "/v1/operator/brands", headers: bearer(OPERATOR), payload: { name } })).json();
        const perk = await app.inject({ method: "POST", url: "/v1/admin/perks", headers: bearer(created.key.apiKey), payload: { title: `${name}'s perk`, rule: { type: "holds", collection, tokenId: "1" } } });
        expect(perk.statusCode, perk.body).toBe(201);
      };
      await brand("Healthy", A);
      await brand("Broken", broken);
      await brand("Slow", slow);
      const member = chain.members[1]!;
      await chain.mint(member.account!.address, 1n);
      const grant = (await app.inject({ method: "GET", url: "/v1/auth/nonce" })).json();
      const message = createSiweMessage({ address: member.account!.address, domain: grant.domain, uri: grant.uri, chainId: grant.chainId, nonce: grant.nonce, statement: grant.statement, version: "1", issuedAt: new Date(grant.issuedAt) });
      const signature = await member.signMessage({ account: member.account!, message });
      const token = (await app.inject({ method: "POST", url: "/v1/auth/verify", payload: { message, signature } })).json().token;

      const started = Date.now();
      const listing = await app.inject({ method: "GET", url: "/v1/perks", headers: bearer(token) });
      // The slow brand did not hold it up for its whole read (2.5 s); the healthy one had a second, room for a busy machine.
      expect(Date.now() - started).toBeLessThan(2_300);
      expect(listing.statusCode, listing.body.slice(0, 300)).toBe(200);
      const byTitle = Object.fromEntries((listing.json().items as { title: string }[]).map((p) => [p.title, p]));
      expect(byTitle["Healthy's perk"]).toMatchObject({ eligible: true, checked: true });
      for (const title of ["Broken's perk", "Slow's perk"]) {
        expect(byTitle[title]).toMatchObject({ eligible: false, checked: false, reasons: [{ code: "unavailable" }] });
      }
      const me = await app.inject({ method: "GET", url: "/v1/me", headers: bearer(token) });
      expect(me.statusCode).toBe(200);
      expect(me.json().collections.find((c: { address: string }) => c.address === broken)).toMatchObject({ available: false, holdings: [] });

      for (const body of [listing.body, me.body]) expect(body).not.toMatch(/dede|node said|eth_call/);
      await new Promise((resolve) => setTimeout(resolve, 2_600)); // the slow read ends, and may log
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        expect(line.length).toBeLessThan(1_500);
        expect(line).not.toMatch(/dedede|"params"|0x[0-9a-f]{100}/i);
      }
    } finally {
      await app.close();
      await store.close();
    }
  });
});
