/**
 * `@stampbook/sdk/server` against the REAL API and chain, in the three frameworks brands run: Next.js
 * (real NextRequest objects, as middleware and route handlers get them), Express and Fastify (real
 * apps on ports). Entitlements are real: a member signs in with a real signer and the SDK asks the API.
 */
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import express from "express";
import Fastify, { type FastifyInstance } from "fastify";
import { decodeJwt, decodeProtectedHeader, SignJWT, generateKeyPair } from "jose";
import { NextRequest, NextResponse } from "next/server.js";
import { createWalletClient, custom } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_TYPES } from "../../../test/support/chain.ts";
import { memberOn, OPERATOR_TOKEN, SHOP, startGateStack, type GateStack } from "../../../test/support/gate.ts";
import { startServerSession } from "../actions/startServerSession.ts";
import type { StampbookClient } from "../types/client.ts";
import { createStampbookServer, sendResponse, type StampbookServer } from "./index.ts";

let stack: GateStack;
let gate: StampbookServer;
let client: StampbookClient;
let token: string;
let jwksFetches = 0;

const SESSION = { origin: SHOP, "x-stampbook-session": "1", "content-type": "application/json" };
const gateFor = (options: Partial<Parameters<typeof createStampbookServer>[0]> = {}) => createStampbookServer({ apiUrl: stack.apiUrl, brand: stack.server.brand.id, audience: SHOP, jwksCooldownMs: 0, ...options });
const cookieOf = (response: Response) => response.headers.getSetCookie()[0]!.split(";")[0]!;

beforeAll(async () => {
  stack = await startGateStack({}, (app) =>
    app.addHook("onRequest", async (request) => {
      if (request.url === "/.well-known/jwks.json") jwksFetches++;
    }),
  );
  const { server, chain, collection } = stack;
  await server.store.setLevels(server.brand.id, [{ key: "green", name: "Green", minPoints: 0 }, { key: "silver", name: "Silver", minPoints: 100 }, { key: "gold", name: "Gold", minPoints: 1000 }], new Date().toISOString());
  const perk = await server.app.inject({ method: "POST", url: "/v1/admin/perks", headers: { authorization: `Bearer ${server.apiKey}` }, payload: { title: "Free refill", rule: { type: "member", collection, tokenId: "1" } } });
  expect(perk.statusCode, perk.body).toBe(201);
  const member = await memberOn(stack);
  client = member.client;
  await chain.mint(member.account.address, DEMO_TYPES.gold);
  token = (await client.getEntitlement()).token;
  gate = gateFor();
});
afterAll(async () => stack?.close());

describe("Next.js: NextRequest in middleware and route handlers", () => {
  const page = (cookie?: string) => new NextRequest(`${SHOP}/members`, { headers: cookie ? { cookie } : {} });

  async function middleware(request: NextRequest) {
    const result = await gate.requireMembership(request, { level: "Silver" });
    return result.ok ? NextResponse.next() : NextResponse.redirect(new URL(`/join?why=${result.reason}`, request.url));
  }

  it("a route handler sets the session cookie from the entitlement; the middleware lets a Silver member through", async () => {
    const response = await gate.handleSession(new NextRequest(`${SHOP}/api/stampbook/session`, { method: "POST", headers: SESSION, body: JSON.stringify({ token }) }));
    expect(response.status).toBe(200);
    const [setCookie] = response.headers.getSetCookie();
    expect(setCookie).toMatch(/^stampbook=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=(29\d|300)$/);
    const passed = await middleware(page(cookieOf(response)));
    expect(passed.headers.get("x-middleware-next")).toBe("1");
    const member = await gate.getMember(page(cookieOf(response)));
    expect(member).toMatchObject({ brand: { id: stack.server.brand.id, name: "Demo Coffee Club" }, points: 100n, level: { key: "silver", name: "Silver" } });
    expect(member!.memberships.map((m) => m.name)).toEqual(["Gold membership"]);
  });

  it("no cookie: signed out, redirected with the reason", async () => {
    const response = await middleware(page());
    expect(response.status).toBe(307);
    expect(response.headers.get("location")).toBe(`${SHOP}/join?why=signed_out`);
    expect(await gate.getMember(page())).toBeNull();
  });

  it("not enough: the Gold level is out of reach, said in words", async () => {
    expect(await gate.requireMembership(page(`stampbook=${token}`), { level: "gold" })).toMatchObject({ ok: false, reason: "not_enough", message: "Needs the Gold level (1000 points); you have 100." });
  });

  it("refuses a cross-site POST, and one without the SDK's header", async () => {
    const post = (headers: Record<string, string>) => gate.handleSession(new NextRequest(`${SHOP}/api/stampbook/session`, { method: "POST", headers, body: JSON.stringify({ token }) }));
    const refused: Record<string, string>[] = [{ ...SESSION, origin: "http://evil.example" }, { origin: SHOP, "content-type": "application/json" }, { "x-stampbook-session": "1", "content-type": "application/json" }];
    for (const headers of refused) {
      const response = await post(headers);
      expect(response.status).toBe(403);
      expect(response.headers.getSetCookie()).toEqual([]);
    }
  });

  it("DELETE clears the cookie", async () => {
    const response = await gate.handleSession(new NextRequest(`${SHOP}/api/stampbook/session`, { method: "DELETE", headers: SESSION }));
    expect(response.headers.getSetCookie()[0]).toBe("stampbook=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
  });
});

describe("tokens the gate refuses", () => {
  const page = (value: string) => new NextRequest(`${SHOP}/members`, { headers: { cookie: `stampbook=${value}` } });

  it("an expired token", async () => {
    const later = gateFor({ now: () => new Date(Date.now() + 10 * 60_000) });
    expect(await later.requireMembership(page(token), { level: "green" })).toMatchObject({ ok: false, reason: "expired", member: null });
    const response = await later.handleSession(new NextRequest(`${SHOP}/api/stampbook/session`, { method: "POST", headers: SESSION, body: JSON.stringify({ token }) }));
    expect(response.status).toBe(401);
  });

  it("a token verified before and remembered still expires", async () => {
    let clock = Date.now();
    const remembering = gateFor({ now: () => new Date(clock) });
    expect(await remembering.requireMembership(page(token), { level: "green" })).toMatchObject({ ok: true });
    clock += 10 * 60_000;
    expect(await remembering.requireMembership(page(token), { level: "green" })).toMatchObject({ ok: false, reason: "expired" });
  });

  it("a token for another audience, or another brand's gate", async () => {
    expect(await gateFor({ audience: "http://other.example" }).requireMembership(page(token), { level: "green" })).toMatchObject({ ok: false, reason: "invalid" });
    expect(await gateFor({ brand: "another-brand" }).requireMembership(page(token), { level: "green" })).toMatchObject({ ok: false, reason: "invalid" });
  });

  it("a forged token: the same claims signed by another key, under the real key's id", async () => {
    const { privateKey } = await generateKeyPair("ES256");
    const forged = await new SignJWT(decodeJwt(token)).setProtectedHeader({ alg: "ES256", kid: decodeProtectedHeader(token).kid! }).sign(privateKey);
    expect(await gate.requireMembership(page(forged), { level: "green" })).toMatchObject({ ok: false, reason: "invalid" });
    const unsigned = `${token.split(".").slice(0, 2).join(".")}.`;
    expect(await gate.requireMembership(page(unsigned), { level: "green" })).toMatchObject({ ok: false, reason: "invalid" });
  });
});

describe("requirements", () => {
  const page = () => new NextRequest(`${SHOP}/members`, { headers: { cookie: `stampbook=${token}` } });

  it("a membership by name, a perk by title or id, a rule in the perks' language", async () => {
    expect(await gate.requireMembership(page(), { membership: "gold membership" })).toMatchObject({ ok: true });
    expect(await gate.requireMembership(page(), { membership: "Lifetime membership" })).toMatchObject({ ok: false, reason: "not_enough", message: "Needs an active Lifetime membership." });
    expect(await gate.requireMembership(page(), { perk: "Free refill" })).toMatchObject({ ok: true });
    const { collection } = stack;
    expect(await gate.requireMembership(page(), { rule: { type: "all", rules: [{ type: "member", collection, tokenId: "1" }, { type: "points", min: 50 }] } })).toMatchObject({ ok: true });
    expect(await gate.requireMembership(page(), { rule: { type: "holds", collection, tokenId: "3", min: 2 } })).toMatchObject({ ok: false, reason: "not_enough" });
  });

  it("refuses clearly what cannot be decided offline", async () => {
    const elsewhere = { type: "holds", collection: "0x000000000000000000000000000000000000dEaD", tokenId: "1" };
    expect(await gate.requireMembership(page(), { rule: elsewhere })).toMatchObject({ ok: false, reason: "undecidable" });
    // Settled without the undecidable part: an "any" with a met branch.
    expect(await gate.requireMembership(page(), { rule: { type: "any", rules: [elsewhere, { type: "level", min: "silver" }] } })).toMatchObject({ ok: true });
    await expect(gate.requireMembership(page(), { rule: { type: "consent", request: "birthday" } })).rejects.toThrow(/cannot be decided offline/);
  });

  it("calls the API no more once the keys are cached", async () => {
    await gate.requireMembership(page(), { level: "green" });
    const before = jwksFetches;
    for (let i = 0; i < 50; i++) expect((await gate.requireMembership(page(), { level: "green" })).ok).toBe(true);
    expect(jwksFetches).toBe(before);
  });
});

describe("Express: a real app on a port", () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const app = express();
    app.use(express.json());
    app.all("/api/stampbook/session", async (req, res) => sendResponse(await gate.handleSession(req), res));
    app.get("/members", async (req, res) => {
      const result = await gate.requireMembership(req, { membership: "Gold membership" });
      res.status(result.ok ? 200 : 403).json(result.ok ? { address: result.member.address } : { reason: result.reason, message: result.message });
    });
    server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it("the SDK hands the entitlement to the brand's session endpoint; the gated route lets the member in", async () => {
    let cookie = "";
    const browser = { ...client, fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
      const response = await fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), origin: SHOP } });
      cookie = response.headers.getSetCookie()[0]?.split(";")[0] ?? cookie;
      return response;
    } };
    const session = await startServerSession(browser, { endpoint: `${base}/api/stampbook/session` });
    session.stop();
    expect(session.expiresAt.getTime()).toBeGreaterThan(Date.now());
    const allowed = await fetch(`${base}/members`, { headers: { cookie } });
    expect(allowed.status).toBe(200);
    expect((await allowed.json()).address).toBe(decodeJwt(token).sub);
    await session.end();
    expect(cookie).toBe("stampbook=");
  });

  it("no cookie: 403 signed_out; a cross-site POST is refused", async () => {
    expect(await (await fetch(`${base}/members`)).json()).toMatchObject({ reason: "signed_out" });
    const crossSite = await fetch(`${base}/api/stampbook/session`, { method: "POST", headers: { ...SESSION, origin: "http://evil.example" }, body: JSON.stringify({ token }) });
    expect(crossSite.status).toBe(403);
    expect(crossSite.headers.getSetCookie()).toEqual([]);
  });
});

describe("Fastify: a real app", () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    app = Fastify();
    app.route({ method: ["POST", "DELETE"], url: "/api/stampbook/session", handler: async (request, reply) => sendResponse(await gate.handleSession(request), reply) });
    app.get("/members", async (request, reply) => {
      const result = await gate.requireMembership(request, { perk: "Free refill" });
      return reply.code(result.ok ? 200 : 403).send(result.ok ? { perks: result.member.perks.map((p) => p.title) } : { reason: result.reason });
    });
    await app.listen({ port: 0, host: "127.0.0.1" });
  });
  afterAll(async () => app?.close());

  it("sets the cookie from a POST and lets the member in; without it, signed_out; cross-site, refused", async () => {
    const posted = await app.inject({ method: "POST", url: "/api/stampbook/session", headers: SESSION, payload: { token } });
    expect(posted.statusCode, posted.body).toBe(200);
    const cookie = String(posted.headers["set-cookie"]).split(";")[0]!;
    expect((await app.inject({ method: "GET", url: "/members", headers: { cookie } })).json()).toEqual({ perks: ["Free refill"] });
    expect((await app.inject({ method: "GET", url: "/members" })).json()).toEqual({ reason: "signed_out" });
    expect((await app.inject({ method: "POST", url: "/api/stampbook/session", headers: { ...SESSION, origin: "http://evil.example" }, payload: { token } })).statusCode).toBe(403);
  });

  it("rotation: a token of the previous key verifies during the overlap; the new key is picked up", async () => {
    const old = (await client.getEntitlement()).token;
    const rotated = await fetch(`${stack.apiUrl}/v1/operator/entitlement-keys/rotate`, { method: "POST", headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
    expect(rotated.status).toBe(200);
    const fresh = (await client.getEntitlement()).token;
    expect(decodeProtectedHeader(fresh).kid).not.toBe(decodeProtectedHeader(old).kid);
    for (const value of [old, fresh]) expect((await app.inject({ method: "GET", url: "/members", headers: { cookie: `stampbook=${value}` } })).statusCode).toBe(200);
    // A gate that never saw the old key fetches the keys and finds both.
    expect(await gateFor().getMember(new NextRequest(`${SHOP}/`, { headers: { cookie: `stampbook=${old}` } }))).not.toBeNull();
  });

  it("a burned membership: the next entitlement lacks it, and the gate says no", async () => {
    const member = await memberOn(stack);
    const { chain, collection } = stack;
    await chain.mint(member.account.address, DEMO_TYPES.gold);
    const before = (await member.client.getEntitlement()).token;
    expect((await app.inject({ method: "GET", url: "/members", headers: { cookie: `stampbook=${before}` } })).statusCode).toBe(200);
    // The member burns it from their own wallet (given some gas money).
    await chain.networkHelpers.setBalance(member.account.address, 10n ** 18n);
    const wallet = createWalletClient({ account: member.account, chain: chain.publicClient.chain!, transport: custom(chain.connection.provider as never) });
    const hash = await wallet.writeContract({ address: collection, abi: chain.collection.abi, functionName: "burn", args: [member.account.address, DEMO_TYPES.gold, 1n] });
    await chain.publicClient.waitForTransactionReceipt({ hash });
    const after = (await member.client.getEntitlement()).token;
    expect(decodeJwt(after).memberships).toEqual([]);
    expect((await app.inject({ method: "GET", url: "/members", headers: { cookie: `stampbook=${after}` } })).json()).toEqual({ reason: "not_enough" });
  });
});
