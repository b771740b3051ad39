/**
 * Brand drop routes end to end: API keys, drop CRUD with validation against the brand's own
 * collections, the served ones and the chain, brand isolation, and the claims list.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWalletClient, custom, getAddress, type Address, type WalletClient } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { devAccount } from "../../scripts/demo/accounts.ts";
import { createBrand, issueApiKey } from "../brands/accounts.ts";
import { DEMO_TYPES, KIND, startChain, type DemoChain } from "../../test/support/chain.ts";
import { bearer, startServer, type TestServer } from "../../test/support/server.ts";
import { registerCollection, setMinter } from "../../test/support/tenancy.ts";
import { expectProblem } from "../../test/support/problems.ts";

let chain: DemoChain;
let server: TestServer;
let C: Address; // the demo collection, the brand's own
let D: Address; // a second collection of the brand's, registered, with no token types
let E: Address; // a collection the operator serves (COLLECTIONS): rules may read it, no brand owns it
const NOT_SERVED = getAddress("0x00000000000000000000000000000000deadbeef");
/** The brand account: it deploys every collection here, so it holds DEFAULT_ADMIN_ROLE and MINTER_ROLE on each. */
const MINTER_KEY = devAccount(0).privateKey;

/** A collection deployed by the brand account, with `collectibles` collectible token types (ids from 1). */
async function deployCollection(name: string, collectibles = 0): Promise<Address> {
  const collection = await chain.viem.deployContract("StampbookCollection", [name, "TWO", chain.brand.account.address, chain.brand.account.address, "", 0n]);
  for (let i = 0; i < collectibles; i++) {
    const type = { kind: KIND.collectible, maxSupply: 0n, duration: 0, soulbound: false, consumable: false, renewalPrice: 0n, points: 1n, uri: "" };
    await chain.publicClient.waitForTransactionReceipt({ hash: await collection.write.createTokenType([type]) });
  }
  return getAddress(collection.address);
}

/** Another brand with its own collection (one collectible, token 1), registered with its admin's signature, and its own minter. */
async function otherBrand(name: string) {
  const brand = await createBrand(server.store, name);
  const key = (await issueApiKey(server.store, brand.id, "tests")).key;
  const collection = await deployCollection(name, 1);
  const registered = await registerCollection(server.app, key, chain.brand, collection);
  expect(registered.statusCode, registered.body).toBe(201);
  await setMinter(server.app, key, MINTER_KEY);
  return { key, brandId: brand.id, collection };
}

beforeAll(async () => {
  chain = await startChain();
  C = getAddress(chain.collection.address);
  D = await deployCollection("Second");
  E = await deployCollection("Operator's", 1);
  server = await startServer(chain, { collections: [E] }, { minterKey: MINTER_KEY });
  const registered = await registerCollection(server.app, server.apiKey, chain.brand, D);
  expect(registered.statusCode, registered.body).toBe(201);
});
afterAll(async () => server?.close());

function freshWallet(): WalletClient {
  return createWalletClient({ account: privateKeyToAccount(generatePrivateKey()), transport: custom({ request: async () => Promise.reject(new Error("offline")) }) });
}

function admin(method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: unknown, key: string = server.apiKey) {
  return server.app.inject({ method, url, headers: bearer(key), ...(payload === undefined ? {} : { payload: payload as object }) });
}


async function createDrop(body: Record<string, unknown> = {}, key: string = server.apiKey) {
  const response = await admin("POST", "/v1/admin/drops", { title: "Drop", collection: C, tokenId: "3", ...body }, key);
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

let keyCounter = 0;
async function claim(wallet: WalletClient, dropId: string) {
  const token = await server.signIn(wallet);
  const response = await server.app.inject({ method: "POST", url: `/v1/drops/${dropId}/claim`, headers: { ...bearer(token), "idempotency-key": `admin-drops-${++keyCounter}` } });
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe("API key authentication", () => {
  it("every drop admin route requires a brand key", async () => {
    const member = await server.signIn(freshWallet());
    for (const [method, url] of [
      ["GET", "/v1/admin/drops"],
      ["POST", "/v1/admin/drops"],
      ["PATCH", "/v1/admin/drops/drop_x"],
      ["DELETE", "/v1/admin/drops/drop_x"],
      ["GET", "/v1/admin/claims"],
    ] as const) {
      // A valid body, so that only the missing key is wrong (bodies are validated before authentication).
      const payload = method === "POST" ? { title: "x", collection: C, tokenId: "3" } : method === "PATCH" ? { title: "x" } : undefined;
      expectProblem(await server.app.inject({ method, url, ...(payload ? { payload } : {}) }), 401, "unauthenticated");
      expectProblem(await server.app.inject({ method, url, headers: bearer(member), ...(payload ? { payload } : {}) }), 401, "unauthenticated");
    }
  });
});

describe("POST /v1/admin/drops", () => {
  it("201 with defaults: amount 1, mode mint, any signed-in member, 1 per member, no total, no window", async () => {
    const drop = await createDrop({ title: "Welcome stamp", collection: C.toLowerCase() });
    expect(drop).toEqual({
      id: expect.stringMatching(/^drop_[0-9a-f]{32}$/),
      brandId: server.brand.id,
      title: "Welcome stamp",
      description: "",
      collection: C,
      tokenId: "3",
      amount: "1",
      rule: null,
      limits: { perMember: 1, total: null },
      mode: "mint",
      startsAt: null,
      endsAt: null,
      createdAt: expect.stringMatching(ISO),
      updatedAt: drop.createdAt,
    });
  });

  it("201 with everything given; the rule in canonical form; token ids as numbers too", async () => {
    const drop = await createDrop({
      title: "Gold coffee",
      description: "For gold members",
      tokenId: 4,
      amount: 2,
      mode: "voucher",
      rule: { type: "member", collection: C.toLowerCase(), tokenId: 1 },
      limits: { perMember: null, total: 50 },
      startsAt: "2030-01-01T01:00:00+01:00",
      endsAt: "2030-02-01T00:00:00Z",
    });
    expect(drop).toMatchObject({
      tokenId: "4",
      amount: "2",
      mode: "voucher",
      rule: { type: "member", collection: C, tokenId: "1" },
      limits: { perMember: null, total: 50 },
      startsAt: "2030-01-01T00:00:00.000Z",
      endsAt: "2030-02-01T00:00:00.000Z",
    });
    expect((await admin("GET", "/v1/admin/drops")).json().items[0]).toEqual(drop);
  });

  const invalidDrops: Array<[string, Record<string, unknown>, string]> = [
    ["a token type the collection does not have", { tokenId: "99" }, "tokenId"],
    ["a token type of another of the brand's collections that has none", { get collection() { return D; } }, "tokenId"],
    ["a token id of 2^256", { tokenId: (2n ** 256n).toString() }, "tokenId"],
    ["a membership given 2 at a time", { tokenId: DEMO_TYPES.gold.toString(), amount: "2" }, "amount"],
    ["amount 0", { amount: "0" }, "amount"],
    ["an amount over 2^64 - 1", { amount: (2n ** 64n).toString() }, "amount"],
  ];
  for (const [name, body, path] of invalidDrops) {
    it(`400 invalid_drop: ${name}`, async () => {
      expect(expectProblem(await admin("POST", "/v1/admin/drops", { title: "x", collection: C, tokenId: "3", ...body }), 400, "invalid_drop").path).toBe(path);
    });
  }

  it("403 collection_not_owned on a collection the brand did not register, served or not; rules may still read a served one", async () => {
    for (const collection of [NOT_SERVED, E]) {
      const body = expectProblem(await admin("POST", "/v1/admin/drops", { title: "x", collection, tokenId: "1" }), 403, "collection_not_owned");
      expect(body.detail).toContain(collection);
    }
    const gated = await createDrop({ rule: { type: "holds", collection: E, tokenId: "1" } });
    expect(gated).toMatchObject({ collection: C, rule: { type: "holds", collection: E, tokenId: "1" } });
  });

  it("400 invalid_rule for a malformed rule or one reading an unserved collection", async () => {
    expectProblem(await admin("POST", "/v1/admin/drops", { title: "x", collection: C, tokenId: "3", rule: { type: "owns" } }), 400, "invalid_rule");
    expectProblem(
      await admin("POST", "/v1/admin/drops", { title: "x", collection: C, tokenId: "3", rule: { type: "holds", collection: NOT_SERVED, tokenId: "1" } }),
      400,
      "invalid_rule",
    );
  });

  const malformed: Array<[string, Record<string, unknown>]> = [
    ["an unknown field", { supply: 5 }],
    ["an unknown mode", { mode: "airdrop" }],
    ["a negative token id", { tokenId: "-1" }],
    ["a token id with a leading zero", { tokenId: "03" }],
    ["a misspelt limit", { limits: { perMemeber: 1 } }],
    ["a negative limit", { limits: { total: -1 } }],
    ["an empty title", { title: "" }],
    ["a window that ends before it starts", { startsAt: "2030-01-02T00:00:00Z", endsAt: "2030-01-01T00:00:00Z" }],
    ["a date that is not RFC 3339", { startsAt: "tomorrow" }],
    ["no collection", { collection: undefined }],
  ];
  for (const [name, body] of malformed) {
    it(`400 validation_failed: ${name}`, async () => {
      const payload = JSON.parse(JSON.stringify({ title: "x", collection: C, tokenId: "3", ...body }));
      expectProblem(await admin("POST", "/v1/admin/drops", payload), 400, "validation_failed");
    });
  }

  it("nothing is stored for a refused drop", async () => {
    const before = (await admin("GET", "/v1/admin/drops")).json().items.length;
    await admin("POST", "/v1/admin/drops", { title: "x", collection: C, tokenId: "99" });
    await admin("POST", "/v1/admin/drops", { title: "x", collection: C, tokenId: "3", mode: "later" });
    expectProblem(await admin("POST", "/v1/admin/drops", { title: "x", collection: C, tokenId: (2n ** 256n).toString() }), 400, "invalid_drop");
    await admin("POST", "/v1/admin/drops", { title: "x", collection: E, tokenId: "1" });
    expect((await admin("GET", "/v1/admin/drops")).json().items).toHaveLength(before);
  });
});

describe("PATCH /v1/admin/drops/:id", () => {
  it("changes only the fields sent, merging limits; a null rule opens it to everyone", async () => {
    const drop = await createDrop({ rule: { type: "holds", collection: C, tokenId: "5" }, limits: { perMember: 2, total: 10 } });
    const response = await admin("PATCH", `/v1/admin/drops/${drop.id}`, { title: "Renamed", limits: { total: null } });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ ...drop, title: "Renamed", limits: { perMember: 2, total: null }, updatedAt: expect.stringMatching(ISO) });
    const opened = (await admin("PATCH", `/v1/admin/drops/${drop.id}`, { rule: null, endsAt: "2031-01-01T00:00:00Z" })).json();
    expect(opened).toMatchObject({ rule: null, endsAt: "2031-01-01T00:00:00.000Z", title: "Renamed" });
  });

  it("400 for what a drop gives and how (fixed), invalid rules, empty patches and windows; the drop is unchanged", async () => {
    const drop = await createDrop({ startsAt: "2030-01-01T00:00:00Z" });
    for (const body of [{ tokenId: "4" }, { amount: "2" }, { mode: "voucher" }, { collection: D }, {}]) {
      expectProblem(await admin("PATCH", `/v1/admin/drops/${drop.id}`, body), 400, "validation_failed");
    }
    expectProblem(await admin("PATCH", `/v1/admin/drops/${drop.id}`, { rule: { type: "nope" } }), 400, "invalid_rule");
    expectProblem(await admin("PATCH", `/v1/admin/drops/${drop.id}`, { endsAt: "2029-12-31T00:00:00Z" }), 400, "validation_failed");
    expect((await admin("GET", "/v1/admin/drops")).json().items.find((d: { id: string }) => d.id === drop.id)).toEqual(drop);
  });

  it("404 drop_not_found for an unknown or deleted drop", async () => {
    expectProblem(await admin("PATCH", "/v1/admin/drops/drop_nope", { title: "x" }), 404, "drop_not_found");
    const drop = await createDrop();
    expect((await admin("DELETE", `/v1/admin/drops/${drop.id}`)).statusCode).toBe(204);
    expectProblem(await admin("PATCH", `/v1/admin/drops/${drop.id}`, { title: "x" }), 404, "drop_not_found");
    expectProblem(await admin("DELETE", `/v1/admin/drops/${drop.id}`), 404, "drop_not_found");
  });
});

describe("DELETE /v1/admin/drops/:id", () => {
  it("204; members no longer see or claim it; its claims stay listed", async () => {
    const drop = await createDrop({ title: "Short-lived" });
    const member = freshWallet();
    const made = await claim(member, drop.id);
    expect((await admin("DELETE", `/v1/admin/drops/${drop.id}`)).statusCode).toBe(204);
    expect((await admin("GET", "/v1/admin/drops")).json().items.map((d: { id: string }) => d.id)).not.toContain(drop.id);
    const token = await server.signIn(member);
    const listed = (await server.app.inject({ method: "GET", url: "/v1/drops", headers: bearer(token) })).json();
    expect(listed.items.map((d: { id: string }) => d.id)).not.toContain(drop.id);
    expect((await admin("GET", `/v1/admin/claims?drop=${drop.id}`)).json().items.map((c: { id: string }) => c.id)).toEqual([made.id]);
  });
});

describe("brand isolation", () => {
  let other: { key: string; brandId: string; collection: Address };
  let drop: { id: string; [k: string]: unknown };

  beforeAll(async () => {
    other = await otherBrand("Other Brand");
    drop = await createDrop({ title: "First brand's", limits: { perMember: null } });
    await claim(freshWallet(), drop.id);
  });

  it("another brand cannot see, change or delete the first brand's drops, nor see its claims", async () => {
    expect((await admin("GET", "/v1/admin/drops", undefined, other.key)).json()).toEqual({ items: [] });
    expectProblem(await admin("PATCH", `/v1/admin/drops/${drop.id}`, { title: "Hijacked" }, other.key), 404, "drop_not_found");
    expectProblem(await admin("DELETE", `/v1/admin/drops/${drop.id}`, undefined, other.key), 404, "drop_not_found");
    expect(await server.store.getOffer(drop.id)).toMatchObject({ kind: "drop", title: "First brand's" });
    expect((await admin("GET", "/v1/admin/claims", undefined, other.key)).json()).toEqual({ items: [], nextCursor: null });
    expect((await admin("GET", `/v1/admin/claims?drop=${drop.id}`, undefined, other.key)).json()).toEqual({ items: [], nextCursor: null });

    // Nor mint on its collection: a brand's drops mint only on collections it registered.
    expectProblem(await admin("POST", "/v1/admin/drops", { title: "Hijack", collection: C, tokenId: "3" }, other.key), 403, "collection_not_owned");
    expect((await admin("GET", "/v1/admin/drops", undefined, other.key)).json()).toEqual({ items: [] });

    const own = await createDrop({ title: "Second brand's", collection: other.collection, tokenId: "1" }, other.key);
    expect(own).toMatchObject({ brandId: other.brandId, collection: other.collection });
    expect((await admin("GET", "/v1/admin/drops", undefined, other.key)).json().items.map((d: { id: string }) => d.id)).toEqual([own.id]);
    expect((await admin("GET", "/v1/admin/drops")).json().items.map((d: { id: string }) => d.id)).not.toContain(own.id);
    // Members can filter drops by brand.
    const token = await server.signIn(freshWallet());
    const filtered = (await server.app.inject({ method: "GET", url: `/v1/drops?brand=${other.brandId}`, headers: bearer(token) })).json();
    expect(filtered.items.map((d: { id: string }) => d.id)).toEqual([own.id]);
  });
});

describe("GET /v1/admin/claims", () => {
  let key: string;
  let dropA: { id: string };
  let dropB: { id: string };
  const members = Array.from({ length: 5 }, freshWallet);
  const made: Array<{ id: string; member: string; dropId: string; status: string }> = [];

  beforeAll(async () => {
    const brand = await otherBrand("Claims Brand");
    key = brand.key;
    dropA = await createDrop({ collection: brand.collection, tokenId: "1", limits: { perMember: null } }, key);
    dropB = await createDrop({ collection: brand.collection, tokenId: "1", mode: "voucher" }, key);
    for (const m of members) made.push(await claim(m, dropA.id));
    made.push(await claim(members[0]!, dropB.id));
  });

  it("lists the brand's claims newest first, with what each gave", async () => {
    const page = (await admin("GET", "/v1/admin/claims", undefined, key)).json();
    expect(page.items.map((c: { id: string }) => c.id)).toEqual([...made].reverse().map((c) => c.id));
    expect(page.nextCursor).toBeNull();
    expect(page.items[0]).toMatchObject({ dropId: dropB.id, mode: "voucher", status: "issued", voucher: { to: getAddress(members[0]!.account!.address) } });
    expect(page.items[1]).toMatchObject({ dropId: dropA.id, mode: "mint", status: "minted", txHash: expect.stringMatching(/^0x[0-9a-f]{64}$/) });
    expect(page.items[0]).not.toHaveProperty("idempotencyKey");
    expect(page.items[0]).not.toHaveProperty("rawTx");
  });

  it("filters by drop, member (any case) and status, combined with AND", async () => {
    const ids = async (query: string) => (await admin("GET", `/v1/admin/claims?${query}`, undefined, key)).json().items.map((c: { id: string }) => c.id);
    const first = members[0]!.account!.address;
    expect(await ids(`drop=${dropB.id}`)).toEqual([made[5]!.id]);
    expect(await ids(`member=${first.toLowerCase()}`)).toEqual([made[5]!.id, made[0]!.id]);
    expect(await ids(`member=${first}&drop=${dropA.id}`)).toEqual([made[0]!.id]);
    expect(await ids("status=issued")).toEqual([made[5]!.id]);
    expect(await ids("status=failed")).toEqual([]);
  });

  it("pages with limit and cursor", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Array<{ id: string }>; nextCursor: string | null } = (
        await admin("GET", `/v1/admin/claims?limit=4${cursor ? `&cursor=${cursor}` : ""}`, undefined, key)
      ).json();
      seen.push(...page.items.map((c) => c.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual([...made].reverse().map((c) => c.id));
  });

  it("400 for bad filters, limits and cursors", async () => {
    for (const query of ["status=lost", "member=0x123", "limit=0", "limit=101", "cursor=garbage", "drop=a%20b", "extra=1"]) {
      const response = await admin("GET", `/v1/admin/claims?${query}`, undefined, key);
      expect(response.statusCode, query).toBe(400);
    }
  });
});

describe("OpenAPI", () => {
  it("documents the drop routes", async () => {
    const doc = (await server.app.inject({ method: "GET", url: "/docs/json" })).json();
    for (const path of ["/v1/drops", "/v1/drops/{id}", "/v1/drops/{id}/claim", "/v1/claims", "/v1/claims/{id}", "/v1/admin/drops", "/v1/admin/drops/{id}", "/v1/admin/claims"]) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    expect(Object.keys(doc.paths["/v1/drops/{id}/claim"].post.responses).sort()).toEqual(["200", "201", "202", "400", "401", "403", "404", "409", "422", "502", "503"]);
    // A drop on a collection the brand did not register is refused.
    expect(Object.keys(doc.paths["/v1/admin/drops"].post.responses)).toContain("403");
  });
});
