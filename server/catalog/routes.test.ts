/**
 * Token metadata end to end on a real chain: brands name and picture the types of their own
 * collections (never another brand's), and anyone reads them as ERC-1155 metadata.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAddress, type Address } from "viem";
import { stampbookCollectionAbi } from "../../contracts/bindings/index.ts";
import { DAY, DEMO_TYPES, KIND, startChain, type DemoChain } from "../../test/support/chain.ts";
import { expectProblem } from "../../test/support/problems.ts";
import { bearer, startServer, type TestServer } from "../../test/support/server.ts";
import { createBrand, issueApiKey } from "../brands/accounts.ts";
import { toTimestamp } from "../storage/time.ts";

let chain: DemoChain;
let server: TestServer;
let A: Address; // the demo brand's collection
let B: Address; // brand B's collection
let brandB: { id: string; apiKey: string };
const UNSERVED = getAddress(`0x${"5e".repeat(20)}`);

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from("IHDR-and-the-rest")]);
const GIF = Buffer.concat([Buffer.from("GIF89a"), Buffer.alloc(20, 7)]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(20, 1)]);
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>');
const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

beforeAll(async () => {
  chain = await startChain();
  server = await startServer(chain, {}, { unnamed: true });
  A = getAddress(chain.collection.address);
  const other = await chain.viem.deployContract("StampbookCollection", ["Other", "OTH", chain.brand.account.address, chain.brand.account.address, "", 0n]);
  await chain.publicClient.waitForTransactionReceipt({
    hash: await other.write.createTokenType([{ kind: KIND.collectible, maxSupply: 0n, duration: 0, soulbound: false, consumable: false, renewalPrice: 0n, points: 7n, uri: "" }]),
  });
  B = getAddress(other.address);
  const brand = await createBrand(server.store, "Other Brand");
  brandB = { id: brand.id, apiKey: (await issueApiKey(server.store, brand.id, "tests")).key };
  const now = toTimestamp();
  await server.store.registerCollection({ brandId: brand.id, collection: B, admin: chain.brand.account.address, nonce: "setup-b", nonceExpiresAt: now, now });
  await chain.mint(chain.members[0]!.account.address, DEMO_TYPES.stamp, 3n);
});
afterAll(async () => server?.close());

type Method = "GET" | "PUT";
function admin(method: Method, url: string, payload?: object, key: string = server.apiKey) {
  return server.app.inject({ method, url, headers: bearer(key), ...(payload === undefined ? {} : { payload }) });
}
function upload(collection: Address, tokenId: string | bigint, body: Buffer | string, contentType: string | null, key: string | null = server.apiKey) {
  const headers: Record<string, string> = {};
  if (contentType !== null) headers["content-type"] = contentType;
  if (key !== null) headers["authorization"] = `Bearer ${key}`;
  return server.app.inject({ method: "PUT", url: `/v1/admin/collections/${collection}/types/${tokenId}/image`, headers, payload: body });
}
const metadataUrl = (collection: Address, tokenId: string | bigint) => `/v1/admin/collections/${collection}/types/${tokenId}/metadata`;
const listTypes = async (collection: Address = A) => {
  const response = await admin("GET", `/v1/admin/collections/${collection}/types`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json().items as { tokenId: string; [k: string]: unknown }[];
};
const typeOf = async (tokenId: bigint, collection: Address = A) => (await listTypes(collection)).find((t) => t.tokenId === tokenId.toString())!;
const hex64 = (id: bigint) => id.toString(16).padStart(64, "0");
const pub = (url: string, headers: Record<string, string> = {}) => server.app.inject({ method: "GET", url, headers });

describe("GET /v1/admin/collections/:collection/types", () => {
  it("lists every type with the chain's facts; a type nobody named is called by its kind, never its id", async () => {
    const types = await listTypes();
    expect(types.map((t) => t.tokenId)).toEqual(["1", "2", "3", "4", "5"]);
    expect(types[0]).toEqual({
      collection: A,
      tokenId: "1",
      name: "Membership",
      description: "",
      image: null,
      kind: "membership",
      points: "100",
      soulbound: false,
      consumable: false,
      maxSupply: null,
      minted: "0",
      duration: 30 * DAY,
      attributes: {},
      metadataUrl: `http://localhost:8787/v1/metadata/${A.toLowerCase()}/1`,
      updatedAt: null,
    });
    expect(types[1]).toMatchObject({ name: "Membership", soulbound: true, duration: null, points: "500" });
    expect(types[2]).toMatchObject({ name: "Collectible", kind: "collectible", maxSupply: "10000", minted: "3", duration: null });
    expect(types[3]).toMatchObject({ consumable: true });
  });

  it("takes the address in any case", async () => {
    expect((await admin("GET", `/v1/admin/collections/${A.toLowerCase()}/types`)).statusCode).toBe(200);
  });
});

describe("PUT …/types/:tokenId/metadata", () => {
  it("names a type: 200 with the view, and the listing and public metadata show it", async () => {
    const response = await admin("PUT", metadataUrl(A, DEMO_TYPES.gold), {
      name: "Gold",
      description: "Our best members",
      imageUrl: "https://cdn.example/gold.png",
      attributes: { tier: "top", rank: 1, lounge: true },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ collection: A, tokenId: "1", name: "Gold", description: "Our best members", image: "https://cdn.example/gold.png", kind: "membership", attributes: { tier: "top", rank: 1, lounge: true } });
    expect(response.json().updatedAt).toMatch(/Z$/);
    expect(await typeOf(DEMO_TYPES.gold)).toMatchObject({ name: "Gold" });

    const metadata = await pub(`/v1/metadata/${A.toLowerCase()}/${hex64(DEMO_TYPES.gold)}`);
    expect(metadata.statusCode, metadata.body).toBe(200);
    expect(metadata.headers["cache-control"]).toBe("public, max-age=60");
    expect(metadata.headers["access-control-allow-origin"]).toBe("*");
    expect(metadata.json()).toEqual({
      name: "Gold",
      description: "Our best members",
      image: "https://cdn.example/gold.png",
      attributes: [
        { trait_type: "kind", value: "membership" },
        { trait_type: "points", value: 100 },
        { trait_type: "soulbound", value: false },
        { trait_type: "consumable", value: false },
        { trait_type: "duration", value: 30 * DAY },
        { trait_type: "tier", value: "top" },
        { trait_type: "rank", value: 1 },
        { trait_type: "lounge", value: true },
      ],
    });
    // The decimal id and an upper-case address name the same type.
    expect((await pub(`/v1/metadata/${A}/1`)).json()).toEqual(metadata.json());
  });

  it("replaces what was said before: fields left out are gone", async () => {
    await admin("PUT", metadataUrl(A, DEMO_TYPES.coffee), { name: "Coffee", description: "A free one", attributes: { size: "large" } });
    const response = await admin("PUT", metadataUrl(A, DEMO_TYPES.coffee), { name: "Free coffee" });
    expect(response.json()).toMatchObject({ name: "Free coffee", description: "", attributes: {}, image: null });
  });

  it("404 token_type_not_found for a type the chain does not have (0, past the last, beyond uint256); nothing stored", async () => {
    for (const tokenId of ["0", "6", "99", (2n ** 256n).toString(), "9".repeat(78)]) {
      expectProblem(await admin("PUT", metadataUrl(A, tokenId), { name: "Ghost" }), 404, "token_type_not_found");
    }
    expect(await server.store.getTokenMetadata(A, "6")).toBeNull();
  });

  it("400 validation_failed for every malformed body, changing nothing", async () => {
    const before = await typeOf(DEMO_TYPES.lifetime);
    const bad: unknown[] = [
      {},
      { name: "" },
      { name: "   " },
      { name: "x".repeat(81) },
      { name: 5 },
      { name: "Ok", description: "x".repeat(2001) },
      { name: "Ok", imageUrl: "javascript:alert(1)" },
      { name: "Ok", imageUrl: "ftp://cdn.example/a.png" },
      { name: "Ok", imageUrl: "data:image/svg+xml,<svg/>" },
      { name: "Ok", imageUrl: `https://cdn.example/${"a".repeat(2048)}` },
      { name: "Ok", imageUrl: "https://exa mple.com/a.png" },
      { name: "Ok", attributes: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, i])) },
      { name: "Ok", attributes: { nested: { no: 1 } } },
      { name: "Ok", attributes: { list: [1] } },
      { name: "Ok", attributes: { nothing: null } },
      { name: "Ok", attributes: { "": "empty name" } },
      { name: "Ok", attributes: { long: "x".repeat(501) } },
      { name: "Ok", attributes: { Points: 1_000_000 } },
      { name: "Ok", attributes: { kind: "legendary" } },
      { name: "Ok", extra: true },
      [],
      "Gold",
    ];
    for (const body of bad) {
      const response = await server.app.inject({ method: "PUT", url: metadataUrl(A, DEMO_TYPES.lifetime), headers: { ...bearer(server.apiKey), "content-type": "application/json" }, payload: JSON.stringify(body) });
      expectProblem(response, 400, "validation_failed");
    }
    expect(await typeOf(DEMO_TYPES.lifetime)).toEqual(before);
  });

  it("400 for malformed path parameters", async () => {
    expectProblem(await admin("PUT", metadataUrl("0x1234" as Address, "1"), { name: "x" }), 400, "validation_failed");
    expectProblem(await admin("PUT", metadataUrl(A, "01"), { name: "x" }), 400, "validation_failed");
    expectProblem(await admin("PUT", metadataUrl(A, "-1"), { name: "x" }), 400, "validation_failed");
  });
});

describe("one brand never touches another's collection", () => {
  it("another brand's collection is 404 collection_not_found, exactly like an unregistered address; nothing changes", async () => {
    await admin("PUT", metadataUrl(B, 1n), { name: "B's stamp" }, brandB.apiKey);
    for (const collection of [B, UNSERVED]) {
      const list = expectProblem(await admin("GET", `/v1/admin/collections/${collection}/types`), 404, "collection_not_found");
      const put = expectProblem(await admin("PUT", metadataUrl(collection, 1n), { name: "Hijacked" }), 404, "collection_not_found");
      const image = expectProblem(await upload(collection, 1n, PNG, "image/png"), 404, "collection_not_found");
      // Nothing tells B's collection apart from an address nobody serves.
      for (const body of [list, put, image]) expect(body.detail).not.toContain(collection);
    }
    const theirs = await admin("GET", `/v1/admin/collections/${B}/types`, undefined, brandB.apiKey);
    expect(theirs.json().items[0]).toMatchObject({ name: "B's stamp", points: "7" });
    // And B cannot touch A's.
    expectProblem(await admin("PUT", metadataUrl(A, DEMO_TYPES.gold), { name: "Hijacked" }, brandB.apiKey), 404, "collection_not_found");
    expect((await typeOf(DEMO_TYPES.gold)).name).toBe("Gold");
  });

  it("every admin route needs the brand's key: 401 first, for uploads before the body is read", async () => {
    expectProblem(await server.app.inject({ method: "GET", url: `/v1/admin/collections/${A}/types` }), 401, "unauthenticated");
    expectProblem(await server.app.inject({ method: "PUT", url: metadataUrl(A, 1n), payload: { name: "x" } }), 401, "unauthenticated");
    expectProblem(await upload(A, 1n, PNG, "image/png", null), 401, "unauthenticated");
    expectProblem(await upload(A, 1n, Buffer.alloc(2 * 1024 * 1024), "image/png", null), 401, "unauthenticated");
    expectProblem(await upload(A, 1n, PNG, "image/png", "sbk_unknown"), 401, "unauthenticated");
  });
});

describe("PUT …/types/:tokenId/image", () => {
  it("stores the picture and serves it with its type, a digest ETag, nosniff and a cache lifetime; If-None-Match is a 304", async () => {
    const response = await upload(A, DEMO_TYPES.stamp, PNG, "image/png");
    expect(response.statusCode, response.body).toBe(200);
    const imageUrl = `http://localhost:8787/v1/metadata/${A.toLowerCase()}/3/image?v=${sha(PNG).slice(0, 16)}`;
    expect(response.json()).toMatchObject({ tokenId: "3", name: "Collectible", image: imageUrl });

    const path = imageUrl.slice("http://localhost:8787".length);
    const image = await pub(path);
    expect(image.statusCode).toBe(200);
    expect(image.rawPayload.equals(PNG)).toBe(true);
    expect(image.headers).toMatchObject({
      "content-type": "image/png",
      etag: `"${sha(PNG)}"`,
      "x-content-type-options": "nosniff",
      "cache-control": "public, max-age=300",
      "access-control-allow-origin": "*",
    });
    expect(image.headers["content-security-policy"]).toContain("default-src 'none'");

    const notModified = await pub(path, { "if-none-match": `"${sha(PNG)}"` });
    expect(notModified.statusCode).toBe(304);
    expect(notModified.body).toBe("");
    expect(notModified.headers.etag).toBe(`"${sha(PNG)}"`);
    expect((await pub(path, { "if-none-match": `W/"other", "${sha(PNG)}"` })).statusCode).toBe(304);
    const changed = await pub(path, { "if-none-match": `"${"0".repeat(64)}"` });
    expect(changed.statusCode).toBe(200);
    expect(changed.rawPayload.equals(PNG)).toBe(true);
    // The ERC-1155 {id} form names the same picture.
    expect((await pub(`/v1/metadata/${A}/${hex64(3n)}/image`)).rawPayload.equals(PNG)).toBe(true);

    // The public metadata points at it.
    expect((await pub(`/v1/metadata/${A}/3`)).json().image).toBe(imageUrl);
  });

  it("takes a picture up to IMAGE_MAX_BYTES; one byte more is 413 image_too_large, changing nothing", async () => {
    const limit = server.config.imageMaxBytes;
    expect(limit).toBe(512 * 1024);
    const exact = Buffer.concat([GIF, Buffer.alloc(limit - GIF.length, 1)]);
    expect((await upload(A, DEMO_TYPES.founder, exact, "image/gif")).statusCode).toBe(200);
    const before = await server.store.getTokenMetadata(A, "5");
    expectProblem(await upload(A, DEMO_TYPES.founder, Buffer.concat([exact, Buffer.from([0])]), "image/gif"), 413, "image_too_large");
    expectProblem(await upload(A, DEMO_TYPES.founder, Buffer.concat([JPEG, Buffer.alloc(limit)]), "image/jpeg"), 413, "image_too_large");
    expect(await server.store.getTokenMetadata(A, "5")).toEqual(before);
  });

  it("refuses SVG, lying Content-Types and bodies that are no picture: 415 image_type_unsupported, changing nothing", async () => {
    const before = await server.store.getTokenMetadata(A, "3");
    for (const [body, type] of [
      [SVG, "image/svg+xml"],
      [SVG, "image/png"],
      [GIF, "image/png"],
      [PNG, "image/jpeg"],
      [PNG, "text/html"],
      [PNG, "application/octet-stream"],
      [PNG, "application/json"],
      [Buffer.from("<html><script>alert(1)</script></html>"), "image/gif"],
      [Buffer.alloc(0), "image/png"],
      [PNG, null],
    ] as const) {
      expectProblem(await upload(A, DEMO_TYPES.stamp, body, type), 415, "image_type_unsupported");
    }
    expect(await server.store.getTokenMetadata(A, "3")).toEqual(before);
  });

  it("404 for a type the chain does not have, changing nothing", async () => {
    expectProblem(await upload(A, 42n, PNG, "image/png"), 404, "token_type_not_found");
    expect(await server.store.getTokenMetadata(A, "42")).toBeNull();
  });

  it("a picture URL replaces the uploaded picture, and a new upload replaces the URL", async () => {
    await upload(A, DEMO_TYPES.coffee, JPEG, "image/jpeg; charset=binary");
    const withUrl = await admin("PUT", metadataUrl(A, DEMO_TYPES.coffee), { name: "Free coffee", imageUrl: "https://cdn.example/coffee.jpg" });
    expect(withUrl.json().image).toBe("https://cdn.example/coffee.jpg");
    expectProblem(await pub(`/v1/metadata/${A}/4/image`), 404, "image_not_found");
    const uploaded = await upload(A, DEMO_TYPES.coffee, GIF, "image/gif");
    expect(uploaded.json()).toMatchObject({ name: "Free coffee", image: expect.stringContaining(`/4/image?v=${sha(GIF).slice(0, 16)}`) });
    // Words without a URL keep the picture.
    expect((await admin("PUT", metadataUrl(A, DEMO_TYPES.coffee), { name: "Coffee" })).json().image).toContain("/4/image?v=");
  });
});

describe("GET /v1/metadata/:collection/:id", () => {
  it("answers a type nobody named yet with its kind in words and the chain's attributes", async () => {
    const response = await pub(`/v1/metadata/${A}/2`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      name: "Membership",
      description: "",
      attributes: [
        { trait_type: "kind", value: "membership" },
        { trait_type: "points", value: 500 },
        { trait_type: "soulbound", value: true },
        { trait_type: "consumable", value: false },
        { trait_type: "duration", value: 0 },
      ],
    });
  });

  it("404 token_type_not_found for an unserved collection or a type the chain does not have; 400 for a malformed id", async () => {
    for (const url of [`/v1/metadata/${UNSERVED}/1`, `/v1/metadata/${A}/0`, `/v1/metadata/${A}/77`, `/v1/metadata/${A}/${"f".repeat(64)}`, `/v1/metadata/${A}/${"9".repeat(80)}`]) {
      const response = await pub(url);
      expectProblem(response, 404, "token_type_not_found");
      expect(response.headers["cache-control"]).toBeUndefined();
    }
    for (const url of [`/v1/metadata/${A}/0x01`, `/v1/metadata/${A}/01`, `/v1/metadata/${A}/${"f".repeat(63)}`, `/v1/metadata/${A}/1.5`, "/v1/metadata/0x12/1"]) {
      expectProblem(await pub(url), 400, "validation_failed");
    }
    expectProblem(await pub(`/v1/metadata/${UNSERVED}/1/image`), 404, "token_type_not_found");
    expectProblem(await pub(`/v1/metadata/${A}/1/image`), 404, "image_not_found");
    expectProblem(await pub(`/v1/metadata/${A}/${"9".repeat(80)}/image`), 404, "image_not_found");
  });

  it("serves another brand's served collection too (metadata is public)", async () => {
    expect((await pub(`/v1/metadata/${B}/1`)).json()).toMatchObject({ name: "B's stamp", attributes: expect.arrayContaining([{ trait_type: "points", value: 7 }]) });
  });

  it("a type created a moment ago is found without waiting for the cache", async () => {
    await chain.publicClient.waitForTransactionReceipt({
      hash: await chain.collection.write.createTokenType([{ kind: KIND.collectible, maxSupply: 0n, duration: 0, soulbound: false, consumable: false, renewalPrice: 0n, points: 3n, uri: "" }]),
    });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const named = await admin("PUT", metadataUrl(A, 6n), { name: "Fresh" });
    expect(named.statusCode, named.body).toBe(200);
    expect((await pub(`/v1/metadata/${A}/6`)).json().name).toBe("Fresh");
    const onChain = await chain.publicClient.readContract({ address: A, abi: stampbookCollectionAbi, functionName: "tokenTypeCount" });
    expect(onChain).toBe(6n);
  });
});

describe("the routes' documentation and HEAD", () => {
  it("names the API key for the brand's routes (the upload's too) and nothing for the public ones", async () => {
    const paths = (await pub("/docs/json")).json().paths;
    expect(paths["/v1/admin/collections/{collection}/types"].get.security).toEqual([{ apiKey: [] }]);
    expect(paths["/v1/admin/collections/{collection}/types/{tokenId}/metadata"].put.security).toEqual([{ apiKey: [] }]);
    expect(paths["/v1/admin/collections/{collection}/types/{tokenId}/image"].put.security).toEqual([{ apiKey: [] }]);
    expect(paths["/v1/metadata/{collection}/{id}"].get.security).toBeUndefined();
    expect(paths["/v1/metadata/{collection}/{id}/image"].get.security).toBeUndefined();
  });

  it("HEAD of a picture answers its headers without the bytes", async () => {
    const head = await server.app.inject({ method: "HEAD", url: `/v1/metadata/${A}/3/image` });
    expect(head.statusCode).toBe(200);
    expect(head.headers).toMatchObject({ "content-type": "image/png", etag: `"${sha(PNG)}"` });
    expect(head.body).toBe("");
  });
});
