/**
 * Gasless claims end to end: a real (in-process) chain with the demo collection, the API built by
 * `build()` on a real SQLite store, the brand API to define drops, and members who hold no ETH.
 *
 * Long because claims are one flow on one chain (define, claim, mint or voucher, settle, sweep);
 * split, each file would start its own chain and server.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  createPublicClient,
  createWalletClient,
  custom,
  getAddress,
  HttpRequestError,
  keccak256,
  stringToHex,
  type Address,
  type Hex,
  type PublicClient,
  type WalletClient,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { devAccount } from "../../scripts/demo/accounts.ts";
import { stampbookCollectionAbi } from "../../contracts/bindings/index.ts";
import { DEMO_TYPES, startChain, type DemoChain } from "../../test/support/chain.ts";
import { bearer, startServer, type TestServer } from "../../test/support/server.ts";
import type { NewOffer } from "../offers/types.ts";
import { expectProblem } from "../../test/support/problems.ts";
import { dropKind } from "../drops/kind.ts";

let chain: DemoChain;
let server: TestServer;
let C: Address;
let MINTER: Address;
const BRAND_KEY = devAccount(0).privateKey; // the brand's account: it deployed the collection and has MINTER_ROLE
const MINTER_ROLE = keccak256(stringToHex("MINTER_ROLE"));

beforeAll(async () => {
  chain = await startChain();
  server = await startServer(chain, {}, { minterKey: BRAND_KEY });
  C = getAddress(chain.collection.address);
  MINTER = getAddress(chain.brand.account.address);
  expect(privateKeyToAccount(BRAND_KEY).address).toBe(MINTER);
});
afterAll(async () => server?.close());

/** A brand-new wallet: it can sign in, and it has never held any ETH. */
function freshWallet(): WalletClient & { account: { address: Address } } {
  const account = privateKeyToAccount(generatePrivateKey());
  // Signing happens locally; nothing here ever talks to a node.
  return createWalletClient({ account, transport: custom({ request: async () => Promise.reject(new Error("offline")) }) }) as never;
}

const sessions = new Map<string, string>();
async function session(wallet: WalletClient, s: TestServer = server): Promise<string> {
  const key = `${wallet.account!.address}@${s.brand.id}`;
  if (!sessions.has(key)) sessions.set(key, await s.signIn(wallet));
  return sessions.get(key)!;
}

let keyCounter = 0;
const newKey = () => `claim-${Date.now()}-${++keyCounter}`;

type DropInput = { title?: string; tokenId?: bigint | string; amount?: string; mode?: "mint" | "voucher"; rule?: unknown; limits?: { perMember?: number | null; total?: number | null }; startsAt?: string | null; endsAt?: string | null };

async function createDrop(input: DropInput = {}, s: TestServer = server) {
  const response = await s.app.inject({
    method: "POST",
    url: "/v1/admin/drops",
    headers: bearer(s.apiKey),
    payload: { title: input.title ?? "A drop", collection: C, ...input, tokenId: String(input.tokenId ?? DEMO_TYPES.stamp) },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; [k: string]: unknown };
}

async function claim(wallet: WalletClient, dropId: string, key: string | null = newKey(), s: TestServer = server) {
  const headers: Record<string, string> = bearer(await session(wallet, s));
  if (key !== null) headers["idempotency-key"] = key;
  return s.app.inject({ method: "POST", url: `/v1/drops/${dropId}/claim`, headers });
}

/** A chain_unavailable problem: the fixed title, and nothing of what the RPC said (that stays in the log). */
function expectChainUnavailable(response: { statusCode: number; headers: Record<string, unknown>; body: string; json: () => any }, ...rpcText: string[]) {
  const body = expectProblem(response, 503, "chain_unavailable");
  expect(body.title).toBe("The chain cannot be reached right now");
  expect(body).not.toHaveProperty("cause");
  for (const text of rpcText) expect(response.body).not.toContain(text);
  return body;
}

/** The member's counted claims per drop, as the store has them. */
const claimCounts = (s: TestServer, member: Address) => s.store.memberTakeCounts("drop", member, dropKind.takes.counted);
/** A drop's claims (or every claim), newest first, as the store has them. */
const storedClaims = async (s: TestServer, dropId?: string) => (await s.store.listTakes({ kind: "drop", limit: 100, ...(dropId === undefined ? {} : { offerId: dropId }) })).items;

/** Writes a drop straight into the store (for servers that cannot create one through the API). */
async function storeDrop(s: TestServer, fields: Pick<NewOffer, "id" | "title" | "limits">) {
  const result = await s.store.createOffer(
    {
      ...fields,
      brandId: s.brand.id,
      kind: "drop",
      description: "",
      rule: null,
      tokens: [],
      startsAt: null,
      endsAt: null,
      reward: { type: "token", collection: C.toLowerCase() as Address, tokenId: "3", amount: "1", mode: "mint" },
      createdAt: new Date().toISOString(),
    },
    { offers: 1_000, tokens: 1_000 },
  );
  expect(result.status).toBe("created");
}

const balanceOf = (who: Address, id: bigint = DEMO_TYPES.stamp) => chain.collection.read.balanceOf([who, id]);
const ethOf = (who: Address) => chain.publicClient.getBalance({ address: who });
/** TransferSingle events minting to `to` (any token), over the whole chain. */
async function mintsTo(to: Address) {
  return chain.publicClient.getContractEvents({ address: C, abi: stampbookCollectionAbi, eventName: "TransferSingle", args: { to }, fromBlock: 0n });
}

const holds = (tokenId: bigint, min?: number) => ({ type: "holds", collection: C, tokenId: tokenId.toString(), ...(min === undefined ? {} : { min }) });
const TX = /^0x[0-9a-f]{64}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe("mode mint: the server mints and pays the gas", () => {
  it("a member who never held ETH claims a stamp: 201, the stamp is theirs on chain, their balance stays 0", async () => {
    const drop = await createDrop({ title: "Welcome stamp" });
    expect(drop).toMatchObject({ mode: "mint", amount: "1", rule: null, limits: { perMember: 1, total: null } });
    const member = freshWallet();
    const address = getAddress(member.account.address);
    expect(await ethOf(address)).toBe(0n);
    const minterEth = await ethOf(MINTER);

    const response = await claim(member, drop.id);
    expect(response.statusCode, response.body).toBe(201);
    const body = response.json();
    expect(body).toEqual({
      id: expect.stringMatching(/^claim_[0-9a-f]{32}$/),
      dropId: drop.id,
      brandId: server.brand.id,
      member: address,
      collection: C,
      tokenId: "3",
      amount: "1",
      mode: "mint",
      status: "minted",
      txHash: expect.stringMatching(TX),
      voucher: null,
      error: null,
      createdAt: expect.stringMatching(ISO),
      updatedAt: expect.stringMatching(ISO),
    });

    expect(await balanceOf(address)).toBe(1n);
    expect(await ethOf(address)).toBe(0n);
    const receipt = await chain.publicClient.getTransactionReceipt({ hash: body.txHash as Hex });
    expect(receipt.status).toBe("success");
    expect(getAddress(receipt.from)).toBe(MINTER);
    expect(await ethOf(MINTER)).toBe(minterEth - receipt.gasUsed * receipt.effectiveGasPrice);
    const events = await mintsTo(address);
    expect(events.map((e) => [e.transactionHash, e.args.id, e.args.value])).toEqual([[body.txHash, DEMO_TYPES.stamp, 1n]]);

    // The member sees the claim, and the drop as claimed.
    const token = await session(member);
    const one = await server.app.inject({ method: "GET", url: `/v1/claims/${body.id}`, headers: bearer(token) });
    expect(one.statusCode).toBe(200);
    expect(one.json()).toEqual(body);
    const mine = await server.app.inject({ method: "GET", url: "/v1/claims", headers: bearer(token) });
    expect(mine.json()).toEqual({ items: [body], nextCursor: null });
    const listed = await server.app.inject({ method: "GET", url: `/v1/drops/${drop.id}`, headers: bearer(token) });
    expect(listed.json()).toMatchObject({ id: drop.id, status: "open", eligible: true, reasons: [], checked: true, claimed: 1, usedUp: true, requires: "any signed-in member", rule: null });
  });

  it("mints several units and memberships: a membership gives exactly one, active", async () => {
    const coffee = await createDrop({ tokenId: DEMO_TYPES.coffee, amount: "3" });
    const gold = await createDrop({ tokenId: DEMO_TYPES.gold });
    const member = freshWallet();
    expect((await claim(member, coffee.id)).statusCode).toBe(201);
    expect((await claim(member, gold.id)).statusCode).toBe(201);
    expect(await balanceOf(member.account.address, DEMO_TYPES.coffee)).toBe(3n);
    expect(await chain.collection.read.isMembershipActive([member.account.address, DEMO_TYPES.gold])).toBe(true);
  });

  it("another member cannot read someone else's claim", async () => {
    const drop = await createDrop();
    const owner = freshWallet();
    const body = (await claim(owner, drop.id)).json();
    const other = freshWallet();
    expectProblem(await server.app.inject({ method: "GET", url: `/v1/claims/${body.id}`, headers: bearer(await session(other)) }), 404, "claim_not_found");
    expect((await server.app.inject({ method: "GET", url: "/v1/claims", headers: bearer(await session(other)) })).json()).toEqual({ items: [], nextCursor: null });
    expectProblem(await server.app.inject({ method: "GET", url: `/v1/claims/${body.id}` }), 401, "unauthenticated");
  });
});

describe("exactly once", () => {
  it("a retry with the same key returns the same claim (200) and mints nothing more; the key on another drop is 422", async () => {
    const drop = await createDrop({ limits: { perMember: 5 } });
    const other = await createDrop();
    const member = freshWallet();
    const key = newKey();
    const first = await claim(member, drop.id, key);
    expect(first.statusCode).toBe(201);
    const again = await claim(member, drop.id, key);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    expectProblem(await claim(member, other.id, key), 422, "idempotency_conflict");
    expect(await balanceOf(member.account.address)).toBe(1n);
    expect(await mintsTo(member.account.address)).toHaveLength(1);
    // One claim of five allowed: the drop is not used up.
    const listed = await server.app.inject({ method: "GET", url: `/v1/drops/${drop.id}`, headers: bearer(await session(member)) });
    expect(listed.json()).toMatchObject({ claimed: 1, usedUp: false });
  });

  it("200 concurrent claims by one member (distinct keys), 1 per member: one mint, one claim", async () => {
    const drop = await createDrop({ limits: { perMember: 1, total: null } });
    const member = freshWallet();
    await session(member);
    const responses = await Promise.all(Array.from({ length: 200 }, () => claim(member, drop.id)));
    const statuses = responses.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(199);
    for (const r of responses.filter((x) => x.statusCode === 409)) expect(r.json().code).toBe("member_limit_reached");
    expect(await balanceOf(member.account.address)).toBe(1n);
    expect(await mintsTo(member.account.address)).toHaveLength(1);
    expect((await storedClaims(server, drop.id)).map((c) => c.status)).toEqual(["minted"]);
  });

  it("50 concurrent claims with the same key: one claim, one mint, every answer is that claim", async () => {
    const drop = await createDrop({ limits: { perMember: 10 } });
    const member = freshWallet();
    await session(member);
    const key = newKey();
    const responses = await Promise.all(Array.from({ length: 50 }, () => claim(member, drop.id, key)));
    expect(responses.filter((r) => r.statusCode === 201)).toHaveLength(1);
    expect(responses.filter((r) => r.statusCode === 200)).toHaveLength(49);
    const ids = new Set(responses.map((r) => r.json().id));
    expect(ids.size).toBe(1);
    // Retries that came in while the mint was under way waited for it.
    expect(new Set(responses.map((r) => r.json().status))).toEqual(new Set(["minted"]));
    expect(await mintsTo(member.account.address)).toHaveLength(1);
  });

  it("a total limit across members: 8 members race for 3, three mints with distinct nonces", async () => {
    const drop = await createDrop({ limits: { perMember: 1, total: 3 } });
    const members = Array.from({ length: 8 }, freshWallet);
    for (const m of members) await session(m);
    const minted = await chain.collection.read.totalMinted([DEMO_TYPES.stamp]);
    const responses = await Promise.all(members.map((m) => claim(m, drop.id)));
    expect(responses.filter((r) => r.statusCode === 201)).toHaveLength(3);
    const refused = responses.filter((r) => r.statusCode !== 201);
    expect(refused).toHaveLength(5);
    for (const r of refused) expectProblem(r, 409, "total_limit_reached");
    expect(await chain.collection.read.totalMinted([DEMO_TYPES.stamp])).toBe(minted + 3n);
    const txs = await Promise.all(responses.filter((r) => r.statusCode === 201).map((r) => chain.publicClient.getTransaction({ hash: r.json().txHash })));
    expect(new Set(txs.map((t) => t.nonce)).size).toBe(3);
  });

  it("many members at once: every mint gets its own nonce and succeeds", async () => {
    const drop = await createDrop();
    const members = Array.from({ length: 20 }, freshWallet);
    for (const m of members) await session(m);
    const responses = await Promise.all(members.map((m) => claim(m, drop.id)));
    expect(responses.map((r) => r.statusCode)).toEqual(members.map(() => 201));
    for (const m of members) expect(await balanceOf(m.account.address)).toBe(1n);
  });
});

describe("eligibility and window", () => {
  it("ineligible: 403 not_eligible with the reasons, nothing recorded, nothing minted", async () => {
    const drop = await createDrop({ rule: holds(DEMO_TYPES.founder) });
    const member = freshWallet();
    const body = expectProblem(await claim(member, drop.id), 403, "not_eligible");
    expect(body.reasons).toEqual([
      { code: "holds_too_few", message: "needs a Founder badge", collection: C, tokenId: "5", have: "0", need: "1" },
    ]);
    expect(await storedClaims(server, drop.id)).toEqual([]);
    expect(await mintsTo(member.account.address)).toEqual([]);

    // The listing says why, and changes once the member holds it (read fresh at claim time).
    const listed = (await server.app.inject({ method: "GET", url: "/v1/drops", headers: bearer(await session(member)) })).json();
    expect(listed.items.find((d: { id: string }) => d.id === drop.id)).toMatchObject({ eligible: false, checked: true, claimed: 0, usedUp: false, requires: "a Founder badge", reasons: body.reasons });
    await chain.mint(member.account.address, DEMO_TYPES.founder);
    expect((await claim(member, drop.id)).statusCode).toBe(201);
  });

  it("outside the window: 409 drop_not_started / drop_ended, nothing recorded", async () => {
    const later = await createDrop({ startsAt: new Date(Date.now() + 3_600_000).toISOString() });
    const over = await createDrop({ startsAt: "2020-01-01T00:00:00Z", endsAt: "2020-02-01T00:00:00Z" });
    const member = freshWallet();
    expectProblem(await claim(member, later.id), 409, "drop_not_started");
    expectProblem(await claim(member, over.id), 409, "drop_ended");
    const listed = (await server.app.inject({ method: "GET", url: "/v1/drops", headers: bearer(await session(member)) })).json();
    const byId = Object.fromEntries(listed.items.map((d: { id: string }) => [d.id, d]));
    expect(byId[later.id]).toMatchObject({ status: "upcoming" });
    expect(byId[over.id]).toMatchObject({ status: "ended" });
    expect(await claimCounts(server, member.account.address)).toEqual(new Map());
  });

  it("unknown or deleted drop: 404 drop_not_found", async () => {
    const drop = await createDrop();
    const member = freshWallet();
    expectProblem(await claim(member, "drop_missing"), 404, "drop_not_found");
    await server.app.inject({ method: "DELETE", url: `/v1/admin/drops/${drop.id}`, headers: bearer(server.apiKey) });
    expectProblem(await claim(member, drop.id), 404, "drop_not_found");
    expectProblem(await server.app.inject({ method: "GET", url: `/v1/drops/${drop.id}`, headers: bearer(await session(member)) }), 404, "drop_not_found");
  });

  it("lists drops by brand", async () => {
    const drop = await createDrop({ title: "Listed" });
    const member = freshWallet();
    const all = (await server.app.inject({ method: "GET", url: "/v1/drops", headers: bearer(await session(member)) })).json();
    expect(all.items.map((d: { id: string }) => d.id)).toContain(drop.id);
    // What the drop gives, by the brand's name (the test server names the demo's types).
    expect(all.items.find((d: { id: string }) => d.id === drop.id).item.name).toMatch(/^(Gold membership|Lifetime membership|Journey stamp|Coffee coupon|Founder badge)$/);
    expect(all.items[0]).toEqual({
      id: expect.any(String),
      brandId: server.brand.id,
      title: expect.any(String),
      description: expect.any(String),
      item: { name: expect.any(String), image: null },
      collection: C,
      tokenId: expect.any(String),
      amount: expect.any(String),
      mode: expect.stringMatching(/^(mint|voucher)$/),
      requires: expect.any(String),
      limits: expect.any(Object),
      startsAt: null,
      endsAt: null,
      status: "open",
      eligible: expect.any(Boolean),
      reasons: expect.any(Array),
      vault: null,
      checked: true,
      claimed: 0,
      usedUp: false,
    });
    // A brand that does not exist is not an empty list: the storefront has the wrong brand id.
    expectProblem(await server.app.inject({ method: "GET", url: "/v1/drops?brand=brand_nobody", headers: bearer(await session(member)) }), 404, "brand_not_found");
    expectProblem(await server.app.inject({ method: "GET", url: "/v1/drops" }), 401, "unauthenticated");
  });
});

describe("mode voucher: the member gets a signed voucher anyone may submit", () => {
  it("a relayer submits it; the zero-ETH member holds the token; the voucher works once", async () => {
    const drop = await createDrop({ mode: "voucher", tokenId: DEMO_TYPES.coffee, amount: "2" });
    const member = freshWallet();
    const address = getAddress(member.account.address);
    const key = newKey();
    const response = await claim(member, drop.id, key);
    expect(response.statusCode, response.body).toBe(201);
    const body = response.json();
    const now = BigInt((await chain.publicClient.getBlock()).timestamp);
    expect(body).toMatchObject({ mode: "voucher", status: "issued", txHash: null, error: null, tokenId: "4", amount: "2" });
    const v = body.voucher;
    expect(v).toEqual({
      chainId: 31337,
      collection: C,
      to: address,
      id: "4",
      amount: "2",
      validAfter: expect.stringMatching(/^\d+$/),
      validUntil: expect.stringMatching(/^\d+$/),
      uid: keccak256(stringToHex(body.id)),
      price: "0",
      signature: expect.stringMatching(/^0x[0-9a-f]{130}$/),
      r: expect.stringMatching(/^0x[0-9a-f]{64}$/),
      vs: expect.stringMatching(/^0x[0-9a-f]{64}$/),
    });
    expect(BigInt(v.validAfter)).toBeLessThanOrEqual(now);
    expect(BigInt(v.validUntil) - BigInt(v.validAfter)).toBe(3600n + 60n);
    // Nothing was minted by the server.
    expect(await mintsTo(address)).toEqual([]);

    // A relayer (here: another member's funded account) submits it and pays.
    const relayer = chain.members[0]!;
    const voucher = { to: v.to, id: BigInt(v.id), amount: BigInt(v.amount), validAfter: BigInt(v.validAfter), validUntil: BigInt(v.validUntil), uid: v.uid, price: BigInt(v.price) };
    const hash = await chain.collection.write.claim([voucher, v.r, v.vs], { account: relayer.account });
    expect((await chain.publicClient.waitForTransactionReceipt({ hash })).status).toBe("success");
    expect(await balanceOf(address, DEMO_TYPES.coffee)).toBe(2n);
    expect(await ethOf(address)).toBe(0n);
    await expect(chain.collection.write.claim([voucher, v.r, v.vs], { account: relayer.account })).rejects.toThrow(/VoucherAlreadyUsed/);

    // The claim follows the chain: the voucher was used, so it is minted now.
    const read = await server.app.inject({ method: "GET", url: `/v1/claims/${body.id}`, headers: bearer(await session(member)) });
    expect(read.json()).toEqual({ ...body, status: "minted", updatedAt: expect.any(String) });
    // Replays give the same claim and voucher; the limit holds.
    const again = await claim(member, drop.id, key);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(read.json());
    expectProblem(await claim(member, drop.id), 409, "member_limit_reached");
  });

  it("an issued voucher that expired unused stops counting; one that was used is minted and keeps counting", async () => {
    const short = await startServer(chain, { voucherTtlSeconds: 60 }, { minterKey: BRAND_KEY });
    try {
      const drop = await createDrop({ mode: "voucher" }, short);
      const idle = freshWallet();
      const user = freshWallet();
      const first = (await claim(idle, drop.id, newKey(), short)).json();
      const used = (await claim(user, drop.id, newKey(), short)).json();
      const v = used.voucher;
      await chain.collection.write.claim(
        [{ to: v.to, id: BigInt(v.id), amount: BigInt(v.amount), validAfter: BigInt(v.validAfter), validUntil: BigInt(v.validUntil), uid: v.uid, price: 0n }, v.r, v.vs],
        { account: chain.members[0]!.account },
      );
      expectProblem(await claim(idle, drop.id, newKey(), short), 409, "member_limit_reached");

      await chain.networkHelpers.time.increase(120);
      const second = await claim(idle, drop.id, newKey(), short);
      expect(second.statusCode, second.body).toBe(201);
      expect(second.json().voucher.uid).not.toBe(first.voucher.uid);
      expect((await short.store.getTake(first.id))?.status).toBe("expired");
      expectProblem(await claim(user, drop.id, newKey(), short), 409, "member_limit_reached");
      expect((await short.store.getTake(used.id))?.status).toBe("minted");
    } finally {
      await short.close();
    }
  });
});

describe("when minting fails", () => {
  it("a minter without MINTER_ROLE: 502 mint_failed, the claim is failed and frees the member's place", async () => {
    const keyless = devAccount(19);
    const bad = await startServer(chain, {}, { minterKey: keyless.privateKey });
    try {
      // Creating a drop checks the role up front.
      const refused = await bad.app.inject({ method: "POST", url: "/v1/admin/drops", headers: bearer(bad.apiKey), payload: { title: "x", collection: C, tokenId: "3" } });
      expect(expectProblem(refused, 409, "minter_unauthorized").minter).toBe(keyless.account.address);
      // The role is granted, the drop created, then the role revoked: claims now fail.
      await chain.publicClient.waitForTransactionReceipt({ hash: await chain.collection.write.grantRole([MINTER_ROLE, keyless.account.address]) });
      const drop = await createDrop({ limits: { perMember: 1, total: 1 } }, bad);
      await chain.publicClient.waitForTransactionReceipt({ hash: await chain.collection.write.revokeRole([MINTER_ROLE, keyless.account.address]) });

      const member = freshWallet();
      const key = newKey();
      const body = expectProblem(await claim(member, drop.id, key, bad), 502, "mint_failed");
      expect(body.detail).toMatch(/AccessControlUnauthorizedAccount/);
      expect(body.claim).toMatchObject({ status: "failed", txHash: null, error: { code: "mint_failed", message: expect.stringMatching(/AccessControlUnauthorizedAccount/) } });
      expect(await mintsTo(member.account.address)).toEqual([]);
      const detail = async () => (await bad.app.inject({ method: "GET", url: `/v1/drops/${drop.id}`, headers: bearer(await session(member, bad)) })).json();
      expect(await detail()).toMatchObject({ claimed: 0, usedUp: false });
      // A replay answers the same problem.
      expect(expectProblem(await claim(member, drop.id, key, bad), 502, "mint_failed").claim.id).toBe(body.claim.id);
      // The failed claim counts against neither limit: once the role is back, the member claims.
      await chain.publicClient.waitForTransactionReceipt({ hash: await chain.collection.write.grantRole([MINTER_ROLE, keyless.account.address]) });
      const ok = await claim(member, drop.id, newKey(), bad);
      expect(ok.statusCode, ok.body).toBe(201);
      expect(await balanceOf(member.account.address)).toBe(1n);
      expect(await detail()).toMatchObject({ claimed: 1, usedUp: true });
      const statuses = (await storedClaims(bad, drop.id)).map((c) => c.status);
      expect(statuses).toEqual(["minted", "failed"]);
    } finally {
      await chain.publicClient.waitForTransactionReceipt({ hash: await chain.collection.write.revokeRole([MINTER_ROLE, keyless.account.address]) });
      await bad.close();
    }
  });

  it("a claim reserved by a process that stopped before sending anything is taken over and minted: the retry gets it, once", async () => {
    const drop = await createDrop();
    const member = freshWallet();
    const address = member.account.address;
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    const stuck = await server.store.take({ offerId: drop.id, kind: "drop", member: address, idempotencyKey: "crashed", id: "claim_crashed", code: null, policy: dropKind.takes, now: hourAgo });
    expect(stuck.status).toBe("created");
    // A recent one is left alone: its process may still be sending it.
    const recent = freshWallet();
    await server.store.take({ offerId: drop.id, kind: "drop", member: recent.account.address, idempotencyKey: "busy", id: "claim_busy", code: null, policy: dropKind.takes, now: new Date().toISOString() });
    const busy = await claim(recent, drop.id, "busy");
    expect(busy.statusCode, busy.body).toBe(202);
    expect(await server.store.getTake("claim_busy")).toMatchObject({ status: "pending", txHash: null });

    // The member's retry with the same key: this instance takes the claim over and mints it.
    const response = await claim(member, drop.id, "crashed");
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ id: "claim_crashed", status: "minted" });
    expect(await balanceOf(address)).toBe(1n);
    // It was the member's one claim: another is refused, and nothing more is minted.
    expectProblem(await claim(member, drop.id), 409, "member_limit_reached");
    expect(await balanceOf(address)).toBe(1n);
  });

  it("a membership the member already holds is refused up front: 409, nothing sent, not counted", async () => {
    const drop = await createDrop({ tokenId: DEMO_TYPES.gold });
    const member = freshWallet();
    await chain.mint(member.account.address, DEMO_TYPES.gold);
    const sent = await chain.publicClient.getTransactionCount({ address: MINTER });
    const body = expectProblem(await claim(member, drop.id), 409, "membership_already_held");
    expect(body.detail).toMatch(/renew/);
    expect(await chain.publicClient.getTransactionCount({ address: MINTER })).toBe(sent);
    expect(await claimCounts(server, member.account.address)).toEqual(new Map());
    // A collectible the member already holds is no reason to refuse: they get another.
    const stamps = await createDrop({ tokenId: DEMO_TYPES.stamp });
    await chain.mint(member.account.address, DEMO_TYPES.stamp);
    expect((await claim(member, stamps.id)).statusCode).toBe(201);
  });
});

/** A client for the test chain whose requests pass through `intercept` first. */
function interceptedClient(intercept: (method: string) => "fail" | "null" | "pass"): PublicClient {
  return createPublicClient({
    chain: { id: 31337, name: "test", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [] } } },
    transport: custom(
      {
        async request(args: { method: string; params?: unknown }) {
          const action = intercept(args.method);
          if (action === "fail") throw new HttpRequestError({ url: "http://chain.test", details: "connection refused" });
          if (action === "null") return null;
          return chain.publicClient.request(args as never);
        },
      },
      { retryCount: 0 },
    ),
  }) as PublicClient;
}

describe("when the chain is unavailable", () => {
  it("before the claim: 503 chain_unavailable, nothing recorded (the drop's place stays free)", async () => {
    const client = createPublicClient({ transport: custom({ request: async () => Promise.reject(new HttpRequestError({ url: "http://127.0.0.1:9" })) }, { retryCount: 0 }) }) as PublicClient;
    const dead = await startServer(chain, {}, { client, minterKey: BRAND_KEY });
    try {
      // Creating a drop needs the chain too; what the RPC said is not in the answer.
      expectChainUnavailable(
        await dead.app.inject({ method: "POST", url: "/v1/admin/drops", headers: bearer(dead.apiKey), payload: { title: "x", collection: C, tokenId: "3" } }),
        "127.0.0.1:9",
        "HTTP request failed",
      );
      expect((await dead.app.inject({ method: "GET", url: "/v1/admin/drops", headers: bearer(dead.apiKey) })).json()).toEqual({ items: [] });
      await storeDrop(dead, { id: "drop_dead", title: "Offline", limits: { perMember: 1, total: 1 } });
      const member = freshWallet();
      expectChainUnavailable(await claim(member, "drop_dead", newKey(), dead), "127.0.0.1:9", "HTTP request failed");
      expect(await storedClaims(dead)).toEqual([]);
    } finally {
      await dead.close();
    }
  });

  it("between the eligibility check and the mint: 503 chain_unavailable, the claim is failed and not counted", async () => {
    let down = false;
    const flaky = await startServer(chain, {}, { client: interceptedClient((method) => (down && method === "eth_estimateGas" ? "fail" : "pass")), minterKey: BRAND_KEY });
    try {
      const drop = await createDrop({ limits: { perMember: 1, total: 1 } }, flaky);
      const member = freshWallet();
      down = true;
      const body = expectChainUnavailable(await claim(member, drop.id, newKey(), flaky), "chain.test", "connection refused");
      expect(body.claim).toMatchObject({ status: "failed", error: { code: "chain_unavailable" } });
      down = false;
      expect((await claim(member, drop.id, newKey(), flaky)).statusCode).toBe(201);
      expect(await balanceOf(member.account.address)).toBe(1n);
    } finally {
      await flaky.close();
    }
  });

  it("no receipt in time: 202 with the claim pending (it counts); reading it later settles it from the chain", async () => {
    let hideReceipts = false;
    const slow = await startServer(
      chain,
      { mintTimeoutMs: 300 },
      { client: interceptedClient((method) => (hideReceipts && method === "eth_getTransactionReceipt" ? "null" : "pass")), minterKey: BRAND_KEY },
    );
    try {
      const drop = await createDrop({}, slow);
      const member = freshWallet();
      const key = newKey();
      hideReceipts = true;
      const response = await claim(member, drop.id, key, slow);
      expect(response.statusCode, response.body).toBe(202);
      const pending = response.json();
      expect(pending).toMatchObject({ status: "pending", txHash: expect.stringMatching(TX) });
      // It may still mine, so it holds the member's place.
      expectProblem(await claim(member, drop.id, newKey(), slow), 409, "member_limit_reached");
      const stillPending = await slow.app.inject({ method: "GET", url: `/v1/claims/${pending.id}`, headers: bearer(await session(member, slow)) });
      expect(stillPending.json().status).toBe("pending");

      hideReceipts = false;
      const settled = await slow.app.inject({ method: "GET", url: `/v1/claims/${pending.id}`, headers: bearer(await session(member, slow)) });
      expect(settled.json()).toMatchObject({ id: pending.id, status: "minted", txHash: pending.txHash });
      const replay = await claim(member, drop.id, key, slow);
      expect(replay.statusCode).toBe(200);
      expect(replay.json().status).toBe("minted");
      expect(await balanceOf(member.account.address)).toBe(1n);
    } finally {
      await slow.close();
    }
  });
});

describe("claims nobody reads", () => {
  it("are settled by the sweep: a pending mint once its receipt shows, a lapsed voucher as expired", async () => {
    let hideReceipts = false;
    const swept = await startServer(
      chain,
      { mintTimeoutMs: 300, voucherTtlSeconds: 60, claimSweepMs: 50 },
      { client: interceptedClient((method) => (hideReceipts && method === "eth_getTransactionReceipt" ? "null" : "pass")), minterKey: BRAND_KEY },
    );
    try {
      const mintDrop = await createDrop({}, swept);
      const voucherDrop = await createDrop({ mode: "voucher" }, swept);
      const member = freshWallet();
      const voucher = (await claim(member, voucherDrop.id, newKey(), swept)).json();
      expect(voucher.status).toBe("issued");
      hideReceipts = true;
      const pending = await claim(member, mintDrop.id, newKey(), swept);
      expect(pending.statusCode, pending.body).toBe(202);
      // Receipts hidden: the sweep looks and leaves it pending.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect((await swept.store.getTake(pending.json().id))?.status).toBe("pending");

      hideReceipts = false;
      await vi.waitFor(async () => expect((await swept.store.getTake(pending.json().id))?.status).toBe("minted"), { timeout: 10_000, interval: 50 });
      expect((await swept.store.getTake(voucher.id))?.status).toBe("issued");
      await chain.networkHelpers.time.increase(120);
      await chain.networkHelpers.mine();
      await vi.waitFor(async () => expect((await swept.store.getTake(voucher.id))?.status).toBe("expired"), { timeout: 10_000, interval: 50 });
    } finally {
      await swept.close();
    }
  });
});

describe("when the broadcast itself fails", () => {
  let down = false;
  let flaky: TestServer;
  beforeAll(async () => {
    flaky = await startServer(chain, { mintTimeoutMs: 300 }, { client: interceptedClient((method) => (down && method === "eth_sendRawTransaction" ? "fail" : "pass")), minterKey: BRAND_KEY });
  });
  afterAll(async () => flaky?.close());

  const read = async (member: WalletClient, id: string) =>
    (await flaky.app.inject({ method: "GET", url: `/v1/claims/${id}`, headers: bearer(await session(member, flaky)) })).json();

  it("the node may not have it: 202 pending with its hash; read later, it is sent again and settles", async () => {
    const drop = await createDrop({}, flaky);
    const member = freshWallet();
    await session(member, flaky);
    down = true;
    const response = await claim(member, drop.id, newKey(), flaky);
    expect(response.statusCode, response.body).toBe(202);
    const pending = response.json();
    expect(pending).toMatchObject({ status: "pending", txHash: expect.stringMatching(TX) });
    expect(await read(member, pending.id)).toMatchObject({ status: "pending" });
    expect(await balanceOf(member.account.address)).toBe(0n);

    down = false;
    expect(await read(member, pending.id)).toMatchObject({ status: "minted", txHash: pending.txHash });
    expect(await balanceOf(member.account.address)).toBe(1n);
  });

  it("one that never reached the node and whose nonce went to another mint is signed again: minted once, with a new transaction", async () => {
    const drop = await createDrop({}, flaky);
    const lost = freshWallet();
    const next = freshWallet();
    await session(lost, flaky);
    await session(next, flaky);
    down = true;
    const pending = (await claim(lost, drop.id, newKey(), flaky)).json();
    expect(pending.status).toBe("pending");
    down = false;
    // The next mint takes the nonce the lost transaction had.
    const other = (await claim(next, drop.id, newKey(), flaky)).json();
    expect(other.status).toBe("minted");
    const lostTx = await flaky.store.getTake(pending.id);
    const { parseTransaction } = await import("viem");
    expect(parseTransaction(lostTx!.rawTx as Hex).nonce).toBe((await chain.publicClient.getTransaction({ hash: other.txHash })).nonce);

    const resent = await read(lost, pending.id);
    expect(resent).toMatchObject({ id: pending.id, status: "minted" });
    expect(resent.txHash).not.toBe(pending.txHash);
    expect(await balanceOf(lost.account.address)).toBe(1n);
    // Read again: settled, nothing more is sent.
    expect(await read(lost, pending.id)).toMatchObject({ status: "minted", txHash: resent.txHash });
    expect(await balanceOf(lost.account.address)).toBe(1n);
  });
});

describe("without a minter key", () => {
  it("claims answer 503 minter_unavailable and brands cannot create drops", async () => {
    const keyless = await startServer(chain);
    try {
      expectProblem(
        await keyless.app.inject({ method: "POST", url: "/v1/admin/drops", headers: bearer(keyless.apiKey), payload: { title: "x", collection: C, tokenId: "3" } }),
        503,
        "minter_unavailable",
      );
      await storeDrop(keyless, { id: "drop_nokey", title: "No key", limits: { perMember: 1, total: null } });
      expectProblem(await claim(freshWallet(), "drop_nokey", newKey(), keyless), 503, "minter_unavailable");
      expect(await storedClaims(keyless)).toEqual([]);
    } finally {
      await keyless.close();
    }
  });
});

describe("a mint refreshes the member's cached holdings on this instance", () => {
  it("a perk that needs the claimed token shows as unlocked right after the claim, even with a long listing cache", async () => {
    const cached = await startServer(chain, { ownershipCacheMs: 60_000 }, { minterKey: BRAND_KEY });
    try {
      const member = freshWallet();
      const token = await session(member, cached);
      const perk = await cached.app.inject({ method: "POST", url: "/v1/admin/perks", headers: bearer(cached.apiKey), payload: { title: "Stamp holders", rule: holds(DEMO_TYPES.stamp) } });
      expect(perk.statusCode).toBe(201);
      const listed = async () => (await cached.app.inject({ method: "GET", url: "/v1/perks", headers: bearer(token) })).json().items.find((p: { id: string }) => p.id === perk.json().id);
      expect(await listed()).toMatchObject({ eligible: false });

      const drop = await createDrop({ title: "Stamp for the cache test" }, cached);
      const claimed = await claim(member, drop.id, newKey(), cached);
      expect(claimed.statusCode, claimed.body).toBe(201);
      expect(claimed.json().status).toBe("minted");
      expect(await listed()).toMatchObject({ eligible: true, reasons: [] });
    } finally {
      await cached.close();
    }
  });
});
