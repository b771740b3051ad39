/** `GET /v1/me/entitlement`, `GET /.well-known/jwks.json` and key rotation, against the real chain and store. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from "jose";
import { createPublicClient, getAddress, http, type Address, type PublicClient } from "viem";
import { DEMO_TYPES, startChain, type DemoChain } from "../../test/support/chain.ts";
import { registerOrigins } from "../../test/support/origins.ts";
import { createBrand, issueApiKey } from "../brands/accounts.ts";
import { bearer, startServer, type TestServer } from "../../test/support/server.ts";

const SHOP = "http://shop.localhost:3000";
const OTHER_SHOP = "http://other.localhost:3000";
const OPERATOR_TOKEN = "operator-token-for-entitlement-tests-0123456789";

let chain: DemoChain;
let server: TestServer;
let C: Address;

beforeAll(async () => {
  chain = await startChain();
  server = await startServer(chain, { operatorToken: OPERATOR_TOKEN });
  await registerOrigins(server.app, server.apiKey, [SHOP]);
  const other = await createBrand(server.store, "Another brand");
  await registerOrigins(server.app, (await issueApiKey(server.store, other.id, "tests")).key, [OTHER_SHOP]);
  C = getAddress(chain.collection.address);
});
afterAll(async () => server?.close());

const addr = (i: number): Address => getAddress(chain.members[i]!.account.address);

function entitlement(token: string | null, query: string, headers: Record<string, string> = { origin: SHOP }, s: TestServer = server) {
  return s.app.inject({ method: "GET", url: `/v1/me/entitlement?${query}`, headers: { ...(token === null ? {} : bearer(token)), ...headers } });
}

async function jwks(s: TestServer = server): Promise<JSONWebKeySet> {
  return (await s.app.inject({ method: "GET", url: "/.well-known/jwks.json" })).json();
}

async function verified(token: string) {
  return (await jwtVerify(token, createLocalJWKSet(await jwks()), { issuer: "http://localhost:8787", audience: SHOP, algorithms: ["ES256"] })).payload;
}

describe("GET /v1/me/entitlement", () => {
  let session: string;
  let gold: { id: string };

  beforeAll(async () => {
    await chain.mint(addr(0), DEMO_TYPES.gold);
    await chain.mint(addr(0), DEMO_TYPES.stamp, 3n);
    await server.store.setLevels(server.brand.id, [{ key: "green", name: "Green", minPoints: 0 }, { key: "silver", name: "Silver", minPoints: 100 }, { key: "gold", name: "Gold", minPoints: 500 }], new Date().toISOString());
    session = await server.signIn(chain.members[0]!);
    const create = async (title: string, rule: unknown) => {
      const response = await server.app.inject({ method: "POST", url: "/v1/admin/perks", headers: bearer(server.apiKey), payload: { title, rule } });
      expect(response.statusCode, response.body).toBe(201);
      return response.json() as { id: string };
    };
    gold = await create("Free refill", { type: "member", collection: C, tokenId: "1" });
    await create("Founders' table", { type: "holds", collection: C, tokenId: "5" });
    // Something personal the brand could read with consent: never in a token.
    const profile = await server.app.inject({ method: "PUT", url: "/v1/me/profile", headers: bearer(session), payload: { email: "ada@example.com", name: "Ada Lovelace", birthday: null, city: "Lyon", preferences: {} } });
    expect(profile.statusCode, profile.body).toBe(200);
  });

  it("signs the brand's view of the member for the asking origin, verifiable with the published keys", async () => {
    const response = await entitlement(session, `brand=${server.brand.id}`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers["cache-control"]).toBe("no-store");
    const { token, expiresAt } = response.json();
    const claims = await verified(token);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: "ES256", kid: (await jwks()).keys[0]!.kid });
    expect(claims.exp! - claims.iat!).toBe(300);
    expect(new Date(claims.exp! * 1000).toISOString()).toBe(expiresAt);
    const expiry = await chain.collection.read.expiresAt([addr(0), DEMO_TYPES.gold]);
    expect({ ...claims, iat: 0, exp: 0, jti: "" }).toEqual({
      iss: "http://localhost:8787",
      sub: addr(0),
      aud: SHOP,
      iat: 0,
      exp: 0,
      jti: "",
      v: 1,
      brand: { id: server.brand.id, name: "Demo Coffee Club" },
      // 100 for the membership, 3 x 10 for the stamps.
      points: "130",
      level: { key: "silver", name: "Silver" },
      levels: [{ key: "green", name: "Green", minPoints: 0 }, { key: "silver", name: "Silver", minPoints: 100 }, { key: "gold", name: "Gold", minPoints: 500 }],
      memberships: [{ collection: C, tokenId: "1", name: "Gold membership", expiresAt: new Date(Number(expiry) * 1000).toISOString() }],
      holdings: [
        { collection: C, tokenId: "1", name: "Gold membership", balance: "1" },
        { collection: C, tokenId: "3", name: "Journey stamp", balance: "3" },
      ],
      collections: [C],
      perks: [{ id: gold.id, title: "Free refill" }],
    });
    expect(typeof claims.jti).toBe("string");
  });

  it("without a brand named, is for the brand that registered the asking site", async () => {
    const response = await entitlement(session, "");
    expect(response.statusCode, response.body).toBe(200);
    expect(decodeJwt(response.json().token)).toMatchObject({ aud: SHOP, brand: { id: server.brand.id } });
    const unknownSite = await entitlement(session, "", { origin: "http://evil.example" });
    expect(unknownSite.json()).toMatchObject({ status: 403, code: "origin_not_registered" });
  });

  it("holds nothing personal: no profile field appears in the token", async () => {
    const { token } = (await entitlement(session, `brand=${server.brand.id}`)).json();
    const text = JSON.stringify(decodeJwt(token));
    for (const personal of ["ada@example.com", "Ada Lovelace", "Lyon", "email", "city"]) expect(text).not.toContain(personal);
  });

  it("a server with the member's bearer session names the audience; it must be the brand's", async () => {
    const named = await entitlement(session, `brand=${server.brand.id}&audience=${encodeURIComponent(SHOP)}`, {});
    expect(named.statusCode, named.body).toBe(200);
    expect(decodeJwt(named.json().token).aud).toBe(SHOP);
    const unnamed = await entitlement(session, `brand=${server.brand.id}`, {});
    expect(unnamed.statusCode).toBe(403);
    expect(unnamed.json().code).toBe("origin_not_registered");
    const notAnOrigin = await entitlement(session, `brand=${server.brand.id}&audience=${encodeURIComponent(`${SHOP}/path`)}`, {});
    expect(notAnOrigin.json().code).toBe("origin_not_registered");
  });

  it("403 for an origin not registered, or registered to another brand", async () => {
    for (const origin of ["http://evil.example", OTHER_SHOP]) {
      const response = await entitlement(session, `brand=${server.brand.id}`, { origin });
      expect(response.statusCode).toBe(403);
      expect(response.headers["content-type"]).toBe("application/problem+json; charset=utf-8");
      expect(response.json()).toMatchObject({ code: "origin_not_registered", status: 403 });
    }
  });

  it("404 for an unknown brand, 401 without a session, 400 for a malformed brand", async () => {
    expect((await entitlement(session, "brand=no-such-brand")).json()).toMatchObject({ status: 404, code: "brand_not_found" });
    const none = await entitlement(null, `brand=${server.brand.id}`);
    expect(none.statusCode).toBe(401);
    expect(none.json().code).toBe("unauthenticated");
    expect((await entitlement(session, "brand=not%20an%20id")).json()).toMatchObject({ status: 400, code: "validation_failed" });
  });

  it("reads the chain fresh: a burned membership is gone from the next token, and its perk with it", async () => {
    const member = await server.signIn(chain.members[1]!);
    await chain.mint(addr(1), DEMO_TYPES.gold);
    const before = decodeJwt((await entitlement(member, `brand=${server.brand.id}`)).json().token);
    expect(before.memberships).toEqual([expect.objectContaining({ tokenId: "1" })]);
    expect(before.perks).toEqual([{ id: gold.id, title: "Free refill" }]);
    // The member burns it from their own wallet.
    const wallet = chain.members[1]!;
    const hash = await wallet.writeContract({ address: C, abi: chain.collection.abi, functionName: "burn", args: [addr(1), DEMO_TYPES.gold, 1n], account: wallet.account!, chain: wallet.chain });
    await chain.publicClient.waitForTransactionReceipt({ hash });
    const after = decodeJwt((await entitlement(member, `brand=${server.brand.id}`)).json().token);
    expect(after.memberships).toEqual([]);
    expect(after.holdings).toEqual([]);
    expect(after.perks).toEqual([]);
    expect(after.points).toBe("0");
    expect(after.level).toEqual({ key: "green", name: "Green" });
  });
});

describe("the signing keys", () => {
  it("publishes the public keys for anyone, with a max-age a verifier can honour, and nothing private", async () => {
    const response = await server.app.inject({ method: "GET", url: "/.well-known/jwks.json" });
    expect(response.statusCode).toBe(200);
    expect(response.headers["cache-control"]).toBe("public, max-age=60");
    const { keys } = response.json() as JSONWebKeySet;
    expect(keys.length).toBeGreaterThanOrEqual(1);
    for (const key of keys) {
      expect(Object.keys(key).sort()).toEqual(["alg", "crv", "kid", "kty", "use", "x", "y"]);
      expect(key).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig" });
    }
  });

  it("rotates for the operator: the new key signs, the previous stays published and its tokens still verify", async () => {
    const session = await server.signIn(chain.members[2]!);
    const old = (await entitlement(session, `brand=${server.brand.id}`)).json().token as string;
    expect((await server.app.inject({ method: "POST", url: "/v1/operator/entitlement-keys/rotate" })).statusCode).toBe(401);
    const rotated = await server.app.inject({ method: "POST", url: "/v1/operator/entitlement-keys/rotate", headers: bearer(OPERATOR_TOKEN) });
    expect(rotated.statusCode, rotated.body).toBe(200);
    const { kid } = rotated.json();
    expect(kid).not.toBe(decodeProtectedHeader(old).kid);
    const published = (await jwks()).keys.map((k) => k.kid);
    expect(published).toEqual([kid, decodeProtectedHeader(old).kid]);
    const fresh = (await entitlement(session, `brand=${server.brand.id}`)).json().token as string;
    expect(decodeProtectedHeader(fresh).kid).toBe(kid);
    expect((await verified(old)).sub).toBe(addr(2));
    expect((await verified(fresh)).sub).toBe(addr(2));
  });

  it("every instance sharing the store signs with the same key", async () => {
    const second = await startServer(chain, {}, {});
    try {
      // Another store: its own ring. The same store: the same ring.
      expect((await jwks(second)).keys[0]!.kid).not.toBe((await jwks()).keys[0]!.kid);
    } finally {
      await second.close();
    }
  });
});

describe("when the chain cannot be read", () => {
  it("signs nothing: 503 chain_unavailable", async () => {
    const down = await startServer(chain, {}, { client: createPublicClient({ transport: http("http://127.0.0.1:9", { retryCount: 0 }) }) as PublicClient });
    await registerOrigins(down.app, down.apiKey, [SHOP]);
    try {
      const session = await down.signIn(chain.members[0]!);
      const response = await entitlement(session, `brand=${down.brand.id}`, { origin: SHOP }, down);
      expect(response.statusCode, response.body).toBe(503);
      expect(response.json().code).toBe("chain_unavailable");
      expect(response.json().token).toBeUndefined();
    } finally {
      await down.close();
    }
  });
});
