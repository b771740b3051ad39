/**
 * A brand's own storefront on its own web address: the brand registers the origin, and from then on
 * browsers there get CORS grants and sign-in nonces for that origin (its domain and URI), sessions
 * begun there say which brand's storefront they came from, and a brand's origin acts for that brand
 * alone (its consents, its staff). An origin nobody registered gets nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WalletClient } from "viem";
import { createSiweMessage } from "viem/siwe";
import { createBrand, issueApiKey } from "../brands/accounts.ts";
import { startChain, type DemoChain } from "../../test/support/chain.ts";
import { bearer, startServer, type TestServer } from "../../test/support/server.ts";

let chain: DemoChain;
let server: TestServer;
let other: { id: string; key: string };

const SHOP = "http://localhost:5173";
const THEIR_SHOP = "https://matcha.example";

beforeAll(async () => {
  chain = await startChain();
  server = await startServer(chain, { corsOrigins: ["https://demo-store.example"] });
  const brand = await createBrand(server.store, "Acme Matcha");
  other = { id: brand.id, key: (await issueApiKey(server.store, brand.id, "tests")).key };
});
afterAll(async () => server.close());

const admin = (key: string) => ({ authorization: `Bearer ${key}` });
const add = (key: string, origin: unknown) => server.app.inject({ method: "POST", url: "/v1/admin/origins", headers: admin(key), payload: { origin } });
const list = async (key: string) => (await server.app.inject({ method: "GET", url: "/v1/admin/origins", headers: admin(key) })).json().items.map((o: { origin: string }) => o.origin);
const nonceFrom = (origin?: string) => server.app.inject({ method: "GET", url: "/v1/auth/nonce", headers: origin === undefined ? {} : { origin } });
const preflight = (origin: string) =>
  server.app.inject({ method: "OPTIONS", url: "/v1/perks", headers: { origin, "access-control-request-method": "GET", "access-control-request-headers": "authorization" } });

/** A sign-in message from a page at `origin`, signed by `wallet`, as the SDK there builds it: the nonce asked with the page's Origin. */
async function signedFrom(origin: string, wallet: WalletClient, fields: Partial<Parameters<typeof createSiweMessage>[0]> = {}) {
  const grant = (await nonceFrom(origin)).json();
  const account = wallet.account!;
  const message = createSiweMessage({ address: account.address, domain: grant.domain, uri: grant.uri, chainId: grant.chainId, nonce: grant.nonce, statement: grant.statement, version: "1", issuedAt: new Date(grant.issuedAt), ...fields });
  return { message, signature: await wallet.signMessage({ account, message }) };
}

async function signInFrom(origin: string, wallet: WalletClient, fields: Partial<Parameters<typeof createSiweMessage>[0]> = {}) {
  return server.app.inject({ method: "POST", url: "/v1/auth/verify", headers: { origin }, payload: await signedFrom(origin, wallet, fields) });
}

describe("a brand's origins", () => {
  it("are registered once per brand, listed, and refused to another brand or in another shape", async () => {
    const first = await add(server.apiKey, SHOP);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ origin: SHOP });
    // A trailing slash is how people paste it; the same origin again is no change.
    expect((await add(server.apiKey, `${SHOP}/`)).statusCode).toBe(200);
    expect(await list(server.apiKey)).toEqual([SHOP]);

    const taken = await add(other.key, SHOP);
    expect(taken.statusCode).toBe(409);
    expect(taken.json().code).toBe("origin_taken");
    // The deployment's own pages are nobody's to take.
    expect((await add(other.key, "https://demo-store.example")).json().code).toBe("origin_taken");
    for (const bad of ["http://matcha.example", "https://matcha.example/shop", "ftp://matcha.example", "matcha.example", "https://user@matcha.example"]) {
      const refused = await add(other.key, bad);
      expect(refused.statusCode, bad).toBe(400);
      expect(refused.json().code, bad).toBe("origin_invalid");
    }
    expect((await add(other.key, 42)).statusCode).toBe(400);
    expect(await list(other.key)).toEqual([]);
    expect((await add(other.key, THEIR_SHOP)).statusCode).toBe(201);
    expect(await list(other.key)).toEqual([THEIR_SHOP]);
    expect(await list(server.apiKey)).toEqual([SHOP]);
  });

  it("get CORS grants; an origin nobody registered gets none", async () => {
    await add(server.apiKey, SHOP);
    const granted = await preflight(SHOP);
    expect(granted.statusCode).toBe(204);
    expect(granted.headers["access-control-allow-origin"]).toBe(SHOP);
    expect(granted.headers["access-control-allow-credentials"]).toBe("true");
    expect((await preflight("https://demo-store.example")).headers["access-control-allow-origin"]).toBe("https://demo-store.example");
    const refused = await preflight("http://localhost:5174");
    expect(refused.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("get nonces for their own domain and URI; an unknown origin gets no nonce", async () => {
    await add(server.apiKey, SHOP);
    const grant = (await nonceFrom(SHOP)).json();
    expect(grant).toMatchObject({ domain: "localhost:5173", uri: SHOP });
    // Without an Origin (a server, the CLI) the deployment's own sign-in page, as before.
    expect((await nonceFrom()).json()).toMatchObject({ domain: server.config.siweDomain, uri: server.config.siweUri.origin });
    const refused = await nonceFrom("https://evil.example");
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe("origin_not_allowed");
  });

  it("sign members in, and the session says which brand's storefront it began on", async () => {
    await add(server.apiKey, SHOP);
    const session = await signInFrom(SHOP, chain.members[0]!);
    expect(session.statusCode).toBe(200);
    expect(session.json().brandId).toBe(server.brand.id);
    expect((await server.app.inject({ method: "GET", url: "/v1/me", headers: bearer(session.json().token) })).statusCode).toBe(200);
    // From the deployment's own page, no brand.
    const plain = (await server.signIn(chain.members[1]!)) as string;
    expect(plain).toMatch(/^sbs_/);
  });

  it("bind the message to the origin its nonce was issued for", async () => {
    await add(server.apiKey, SHOP);
    await add(other.key, THEIR_SHOP);
    // A nonce issued to the coffee club's storefront, in a message claiming the matcha shop's.
    const forged = await signInFrom(SHOP, chain.members[0]!, { domain: "matcha.example", uri: THEIR_SHOP });
    expect(forged.statusCode).toBe(401);
    expect(forged.json().code).toBe("siwe_nonce_invalid");
    // The right origin but another domain.
    const domain = await signInFrom(SHOP, chain.members[0]!, { domain: "localhost:5174" });
    expect(domain.json().code).toBe("siwe_domain_mismatch");
    // A URI nobody registered.
    const unknown = await signInFrom(SHOP, chain.members[0]!, { domain: "elsewhere.example", uri: "https://elsewhere.example" });
    expect(unknown.json().code).toBe("siwe_uri_mismatch");
  });

  it("once removed, give no CORS grant and no nonce (on this instance at once)", async () => {
    await add(other.key, "https://pop-up.example");
    expect((await nonceFrom("https://pop-up.example")).statusCode).toBe(200);
    const removed = await server.app.inject({ method: "DELETE", url: `/v1/admin/origins/${encodeURIComponent("https://pop-up.example")}`, headers: admin(other.key) });
    expect(removed.statusCode).toBe(204);
    expect((await nonceFrom("https://pop-up.example")).statusCode).toBe(403);
    expect((await preflight("https://pop-up.example")).headers["access-control-allow-origin"]).toBeUndefined();
    // Another brand's origin is not theirs to remove.
    await add(server.apiKey, SHOP);
    const notTheirs = await server.app.inject({ method: "DELETE", url: `/v1/admin/origins/${encodeURIComponent(SHOP)}`, headers: admin(other.key) });
    expect(notTheirs.statusCode).toBe(404);
    expect(notTheirs.json().code).toBe("origin_not_found");
    expect(await list(server.apiKey)).toEqual([SHOP]);
  });

  it("need the brand's credentials", async () => {
    expect((await server.app.inject({ method: "GET", url: "/v1/admin/origins" })).statusCode).toBe(401);
    expect((await server.app.inject({ method: "POST", url: "/v1/admin/origins", payload: { origin: "https://x.example" } })).statusCode).toBe(401);
  });
});

describe("a brand's origin acts for that brand alone", () => {
  it("collects consents to the brand's own data requests only", async () => {
    await add(server.apiKey, SHOP);
    await add(other.key, THEIR_SHOP);
    const request = await server.app.inject({ method: "POST", url: "/v1/admin/data-requests", headers: admin(server.apiKey), payload: { fields: ["birthday"], purpose: "to send you a birthday treat", retentionDays: 30 } });
    expect(request.statusCode).toBe(201);
    const requestId = request.json().id as string;
    const wallet = chain.members[2]!;
    const token = (await signInFrom(SHOP, wallet)).json().token as string;
    const template = (origin: string) => server.app.inject({ method: "GET", url: `/v1/consents/template?request=${requestId}`, headers: { ...bearer(token), origin } });

    // The matcha shop's storefront cannot ask for the coffee club's data.
    const refused = await template(THEIR_SHOP);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe("origin_not_allowed");

    // The coffee club's own storefront can: its domain and URI are in the message.
    const own = (await template(SHOP)).json();
    expect(own.domain).toBe("localhost:5173");
    expect(own.uri).toBe(SHOP);
    const signature = await wallet.signMessage({ account: wallet.account!, message: own.message });
    const granted = await server.app.inject({ method: "POST", url: "/v1/consents", headers: { ...bearer(token), origin: SHOP }, payload: { message: own.message, signature } });
    expect(granted.statusCode).toBe(201);
  });

  it("signs in the brand's own staff only", async () => {
    await add(server.apiKey, SHOP);
    await add(other.key, THEIR_SHOP);
    const owner = chain.brand;
    const staffSignIn = async (origin: string) =>
      server.app.inject({ method: "POST", url: "/v1/staff/sign-in", headers: { origin }, payload: { ...(await signedFrom(origin, owner)), brandId: server.brand.id } });
    const elsewhere = await staffSignIn(THEIR_SHOP);
    expect(elsewhere.statusCode).toBe(403);
    expect(elsewhere.json().code).toBe("origin_not_allowed");
    const own = await staffSignIn(SHOP);
    expect(own.statusCode).toBe(200);
    expect(own.json().brandId).toBe(server.brand.id);
  });
});
