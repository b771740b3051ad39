/**
 * Staff end to end on a real chain: the wallet holding DEFAULT_ADMIN_ROLE on the brand's collection
 * signs in as owner, lists a manager and a till; each role reaches exactly what it may (a till only
 * the till, checked before any body is read, on every brand route the app has); roles are read again
 * within the role cache time (an owner revoked on chain, removed staff); the chain unreadable fails
 * closed; staff and member sessions never stand in for each other; another brand's staff act on their
 * brand only.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPublicClient, custom, getAddress, type Address, type PublicClient, type WalletClient } from "viem";
import { DEFAULT_ADMIN_ROLE } from "../../contracts/bindings/index.ts";
import { createBrand, issueApiKey } from "../brands/accounts.ts";
import { DEMO_TYPES, startChain, type DemoChain } from "../../test/support/chain.ts";
import { expectProblem } from "../../test/support/problems.ts";
import { bearer, startServer, type TestServer } from "../../test/support/server.ts";
import { signedSiwe } from "../../test/support/siwe.ts";
import { staffSignIn, staffSignInAnswer } from "../../test/support/staff.ts";
import { registerCollection } from "../../test/support/tenancy.ts";

/** Short, so tests see roles read again; the default is 30 s. */
const ROLE_CACHE_MS = 300;
const ORIGIN = "http://localhost:8787";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let chain: DemoChain;
let server: TestServer;
let call: ReturnType<typeof injecting>;
let owner: WalletClient;
let manager: WalletClient;
let till: WalletClient;
let stranger: WalletClient;
let customer: WalletClient;
const address = (wallet: WalletClient) => getAddress(wallet.account!.address);
type Method = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";

beforeAll(async () => {
  chain = await startChain();
  server = await startServer(chain, { staffRoleCacheMs: ROLE_CACHE_MS });
  call = injecting(server.app);
  owner = chain.brand;
  [customer, manager, till, stranger] = chain.members as [WalletClient, WalletClient, WalletClient, WalletClient];
  // The customer holds a stamp (10 points): Green, short of Silver.
  await chain.mint(address(customer), DEMO_TYPES.stamp);
  const levels = await withKey("PUT", "/v1/admin/levels", { levels: [{ key: "green", name: "Green", minPoints: 0 }, { key: "silver", name: "Silver", minPoints: 100 }] });
  expect(levels.statusCode, levels.body).toBe(200);
});
afterAll(async () => server?.close());

/** Requests through `app.inject`, answered with its full responses (headers included). */
const injecting = (app: TestServer["app"]) => (method: "GET" | "POST", url: string, body?: unknown) =>
  app.inject(body === undefined ? { method, url } : { method, url, payload: body as object });

function withKey(method: Method, url: string, payload?: unknown, key = server.apiKey) {
  return server.app.inject({ method, url, headers: bearer(key), ...(payload === undefined ? {} : { payload: payload as object }) });
}
function asStaff(token: string, method: Method, url: string, payload?: unknown) {
  return server.app.inject({ method, url, headers: bearer(token), ...(payload === undefined ? {} : { payload: payload as object }) });
}
function withCookie(token: string, method: Method, url: string, origin?: string, payload?: unknown) {
  return server.app.inject({ method, url, cookies: { stampbook_staff: token }, headers: origin === undefined ? {} : { origin }, ...(payload === undefined ? {} : { payload: payload as object }) });
}
const signIn = (wallet: WalletClient, brandId = server.brand.id) => staffSignIn(call, wallet, brandId);

async function redeemedCode(title: string): Promise<{ code: string; perkId: string }> {
  const perk = await withKey("POST", "/v1/admin/perks", { title, rule: { type: "holds", collection: chain.collection.address, tokenId: DEMO_TYPES.stamp.toString() } });
  expect(perk.statusCode, perk.body).toBe(201);
  const redeemed = await server.app.inject({
    method: "POST",
    url: `/v1/perks/${perk.json().id}/redeem`,
    headers: { ...bearer(await server.signIn(customer)), "idempotency-key": crypto.randomUUID() },
  });
  expect(redeemed.statusCode, redeemed.body).toBe(201);
  return { code: redeemed.json().code, perkId: perk.json().id };
}

/** Every route of the app under /v1/admin, read from its route table, with its parameters filled in. */
function adminRoutes(): { method: Method; url: string }[] {
  const routes: { method: Method; url: string }[] = [];
  const stack: string[] = [];
  for (const line of server.app.printRoutes({ commonPrefix: false }).split("\n")) {
    const match = /^([│ ]*)[├└]── (.+?) \(([A-Z, ]+)\)$/.exec(line);
    if (match === null) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    stack.push(match[2]!);
    const path = stack.join("");
    if (!path.startsWith("/v1/admin")) continue;
    // Parameters that pass validation: an API key is checked after it, a staff session before.
    const url = path.replaceAll(/:(address|collection)\b/g, `0x${"0".repeat(39)}1`).replaceAll(/:[A-Za-z]+/g, "x");
    for (const method of match[3]!.split(", ")) routes.push({ method: method as Method, url });
  }
  return routes;
}

describe("staff sign-in", () => {
  it("signs the collection's admin in as owner: a staff token, and an httpOnly, SameSite=Strict cookie of its own", async () => {
    const answer = await staffSignInAnswer(call, owner, server.brand.id);
    expect(answer.statusCode, answer.body).toBe(200);
    const body = answer.json();
    expect(body).toEqual({ token: expect.stringMatching(/^sbt_/), brandId: server.brand.id, brandName: "Demo Coffee Club", address: address(owner), role: "owner", expiresAt: expect.any(String) });
    const hours = (Date.parse(body.expiresAt) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(7.9);
    expect(hours).toBeLessThanOrEqual(8.001);
    const cookie = String(answer.headers["set-cookie"]);
    expect(cookie).toMatch(/^stampbook_staff=sbt_/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toMatch(/stampbook_session/);

    const me = { brandId: server.brand.id, brandName: "Demo Coffee Club", address: address(owner), role: "owner" };
    expect((await asStaff(body.token, "GET", "/v1/staff/me")).json()).toEqual(me);
    expect((await withCookie(body.token, "GET", "/v1/staff/me")).json()).toEqual(me);
  });

  it("refuses an address that is neither an admin nor listed, and a brand that does not exist: 403 not_staff", async () => {
    expectProblem(await staffSignInAnswer(call, stranger, server.brand.id), 403, "not_staff");
    expectProblem(await staffSignInAnswer(call, owner, "brand_doesnotexist"), 403, "not_staff");
  });

  it("checks the message as members' are: single-use nonce, the signer's signature, the domain; and the body's shape", async () => {
    const signed = await signedSiwe(call, owner);
    expect((await call("POST", "/v1/staff/sign-in", { ...signed, brandId: server.brand.id })).statusCode).toBe(200);
    expectProblem(await call("POST", "/v1/staff/sign-in", { ...signed, brandId: server.brand.id }), 401, "siwe_nonce_invalid");
    const forged = await signedSiwe(call, owner);
    const other = await signedSiwe(call, stranger);
    expectProblem(await call("POST", "/v1/staff/sign-in", { message: forged.message, signature: other.signature, brandId: server.brand.id }), 401, "siwe_bad_signature");
    expectProblem(await call("POST", "/v1/staff/sign-in", { ...(await signedSiwe(call, owner, { domain: "evil.example" })), brandId: server.brand.id }), 401, "siwe_domain_mismatch");
    for (const body of [{ ...signed }, { ...signed, brandId: "" }, { ...signed, brandId: "a.b" }, { ...signed, brandId: server.brand.id, extra: 1 }]) {
      expectProblem(await call("POST", "/v1/staff/sign-in", body), 400, "validation_failed");
    }
  });

  it("keeps staff and member sessions apart: neither token opens the other's routes", async () => {
    const staff = (await signIn(owner)).token;
    const member = await server.signIn(customer);
    expectProblem(await asStaff(member, "GET", "/v1/admin/perks"), 401, "unauthenticated");
    expectProblem(await asStaff(member, "GET", "/v1/staff/me"), 401, "unauthenticated");
    expectProblem(await asStaff(`sbt_${member.slice(4)}`, "GET", "/v1/admin/perks"), 401, "session_expired");
    expectProblem(await asStaff(staff, "GET", "/v1/me"), 401, "session_expired");
    expectProblem(await asStaff(staff, "GET", "/v1/perks"), 401, "session_expired");
    expectProblem(await asStaff(`sbs_${staff.slice(4)}`, "GET", "/v1/perks"), 401, "session_expired");
    // Each cookie only where it belongs.
    expectProblem(await server.app.inject({ method: "GET", url: "/v1/me", cookies: { stampbook_staff: staff } }), 401, "unauthenticated");
    expectProblem(await server.app.inject({ method: "GET", url: "/v1/admin/perks", cookies: { stampbook_session: member } }), 401, "unauthenticated");
  });

  it("refuses a change made with the staff cookie unless an allowed origin sent it, before looking at anything else", async () => {
    const { token } = await signIn(owner);
    const put = (origin?: string) => withCookie(token, "PUT", `/v1/admin/staff/${address(stranger)}`, origin, { role: "till" });
    expectProblem(await put(), 403, "origin_not_allowed");
    expectProblem(await put("https://evil.example"), 403, "origin_not_allowed");
    expectProblem(await withCookie(token, "POST", "/v1/staff/sign-out", "https://evil.example"), 403, "origin_not_allowed");
    expect((await withCookie(token, "GET", "/v1/admin/staff")).statusCode).toBe(200);
    expect((await put(ORIGIN)).statusCode).toBe(201);
    expect((await withCookie(token, "DELETE", `/v1/admin/staff/${address(stranger)}`, ORIGIN)).statusCode).toBe(204);
  });

  it("signs out: the token and cookie stop working at once; signing out again needs a live session", async () => {
    const { token } = await signIn(owner);
    const out = await withCookie(token, "POST", "/v1/staff/sign-out", ORIGIN);
    expect(out.statusCode).toBe(204);
    expect(String(out.headers["set-cookie"])).toMatch(/^stampbook_staff=;/);
    expectProblem(await asStaff(token, "GET", "/v1/staff/me"), 401, "session_expired");
    expectProblem(await asStaff(token, "GET", "/v1/admin/perks"), 401, "session_expired");
    expectProblem(await asStaff(token, "POST", "/v1/staff/sign-out"), 401, "session_expired");
    expectProblem(await server.app.inject({ method: "POST", url: "/v1/staff/sign-out" }), 401, "unauthenticated");
  });
});

describe("roles", () => {
  let ownerToken: string;
  let managerToken: string;
  let tillToken: string;

  beforeAll(async () => {
    ownerToken = (await signIn(owner)).token;
  });

  it("an owner lists a manager and a till (201 new, 200 unchanged) and they sign in with those roles", async () => {
    const added = await asStaff(ownerToken, "PUT", `/v1/admin/staff/${address(manager).toLowerCase()}`, { role: "manager" });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json()).toEqual({ address: address(manager), role: "manager", addedBy: address(owner), addedAt: expect.any(String) });
    expect((await asStaff(ownerToken, "PUT", `/v1/admin/staff/${address(manager)}`, { role: "manager" })).statusCode).toBe(200);
    expect((await asStaff(ownerToken, "PUT", `/v1/admin/staff/${address(till)}`, { role: "till" })).statusCode).toBe(201);
    expectProblem(await asStaff(ownerToken, "PUT", `/v1/admin/staff/${address(till)}`, { role: "owner" }), 400, "validation_failed");
    expectProblem(await asStaff(ownerToken, "PUT", "/v1/admin/staff/0x1234", { role: "till" }), 400, "validation_failed");

    const list = (await asStaff(ownerToken, "GET", "/v1/admin/staff")).json();
    expect(list.items.map((s: { address: string; role: string }) => [s.address, s.role])).toEqual([
      [address(manager), "manager"],
      [address(till), "till"],
    ]);
    const asManager = await signIn(manager);
    const asTill = await signIn(till);
    expect([asManager.role, asTill.role]).toEqual(["manager", "till"]);
    managerToken = asManager.token;
    tillToken = asTill.token;
    expect((await asStaff(tillToken, "GET", "/v1/staff/me")).json()).toMatchObject({ address: address(till), role: "till" });
  });

  it("a till verifies a code and sees the perk's title and the member's level; the same code again is 409 with the title", async () => {
    const { code, perkId } = await redeemedCode("Free espresso");
    const first = await asStaff(tillToken, "POST", "/v1/admin/redemptions/verify", { code });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({
      perkId,
      code,
      consumedAt: expect.any(String),
      perk: { id: perkId, title: "Free espresso" },
      member: address(customer),
      standing: { level: { key: "green", name: "Green" }, points: "10" },
    });
    const again = expectProblem(await asStaff(tillToken, "POST", "/v1/admin/redemptions/verify", { code }), 409, "redemption_already_consumed");
    expect(again).toMatchObject({ consumedAt: first.json().consumedAt, perk: { id: perkId, title: "Free espresso" } });
    // With the cookie, from the till page's origin, as the phone does.
    const next = await redeemedCode("Free croissant");
    expect((await withCookie(tillToken, "POST", "/v1/admin/redemptions/verify", ORIGIN, { code: next.code })).json().perk.title).toBe("Free croissant");
  });

  it("a till gets 403 role_forbidden on every other brand route in the app's route table, before its body is read", async () => {
    const routes = adminRoutes();
    // The table is read, not listed here: a new route cannot slip through.
    expect(routes.length).toBeGreaterThan(30);
    expect(routes).toContainEqual({ method: "GET", url: "/v1/admin/staff" });
    expect(routes).toContainEqual({ method: "GET", url: "/v1/admin/redemptions.csv" });
    // A till may verify codes and see which brand it serves; nothing else.
    const tillMay = new Set(["POST /v1/admin/redemptions/verify", "GET /v1/admin/brand", "HEAD /v1/admin/brand"]);
    for (const { method, url } of routes) {
      if (tillMay.has(`${method} ${url}`)) continue;
      const response = await asStaff(tillToken, method, url);
      if (method === "HEAD") expect(response.statusCode, `${method} ${url}`).toBe(403);
      else expect(expectProblem(response, 403, "role_forbidden"), `${method} ${url}`).toMatchObject({ role: "till", needed: expect.stringMatching(/^(manager|owner)$/) });
    }
    expect((await asStaff(tillToken, "GET", "/v1/admin/brand")).json()).toEqual({ id: server.brand.id, name: server.brand.name });
    // A body the route would refuse is never read: the role is refused first.
    expectProblem(await asStaff(tillToken, "POST", "/v1/admin/perks", { nonsense: true }), 403, "role_forbidden");
    expectProblem(await withCookie(tillToken, "GET", "/v1/admin/redemptions"), 403, "role_forbidden");
  });

  it("a manager and an API key do everything but manage staff; only staff routes refuse them", async () => {
    for (const who of [managerToken, server.apiKey]) {
      for (const { method, url } of adminRoutes()) {
        if (method === "HEAD" || (method === "POST" && url.endsWith("/minter"))) continue;
        // A body the staff routes take, so an API key (checked after validation) reaches its check.
        const response = await asStaff(who, method, url, method === "GET" || method === "DELETE" ? undefined : { role: "till" });
        const forbidden = response.statusCode === 403 && response.json().code === "role_forbidden";
        expect(forbidden, `${method} ${url}: ${response.body}`).toBe(url.startsWith("/v1/admin/staff"));
      }
      expect((await asStaff(who, "GET", "/v1/admin/perks")).statusCode).toBe(200);
      expect((await asStaff(who, "GET", "/v1/admin/stats")).statusCode).toBe(200);
      expect((await asStaff(who, "POST", "/v1/admin/perks", { title: "By a manager", rule: { type: "holds", collection: chain.collection.address, tokenId: "3" } })).statusCode).toBe(201);
      expectProblem(await asStaff(who, "PUT", `/v1/admin/staff/${address(stranger)}`, { role: "manager" }), 403, "role_forbidden");
      expectProblem(await asStaff(who, "DELETE", `/v1/admin/staff/${address(till)}`), 403, "role_forbidden");
    }
    expect((await asStaff(managerToken, "GET", "/v1/staff/me")).json().role).toBe("manager");
  });

  it("removed staff lose access at once on this instance; a role changed takes effect at once too", async () => {
    const extra = chain.members[4]!;
    expect((await asStaff(ownerToken, "PUT", `/v1/admin/staff/${address(extra)}`, { role: "manager" })).statusCode).toBe(201);
    const { token } = await signIn(extra);
    expect((await asStaff(token, "GET", "/v1/admin/perks")).statusCode).toBe(200);
    expect((await asStaff(ownerToken, "PUT", `/v1/admin/staff/${address(extra)}`, { role: "till" })).statusCode).toBe(200);
    expectProblem(await asStaff(token, "GET", "/v1/admin/perks"), 403, "role_forbidden");
    expect((await asStaff(ownerToken, "DELETE", `/v1/admin/staff/${address(extra)}`)).statusCode).toBe(204);
    expectProblem(await asStaff(token, "POST", "/v1/admin/redemptions/verify", { code: "AAAA-BBBB-CCCC" }), 403, "not_staff");
    expectProblem(await asStaff(token, "GET", "/v1/staff/me"), 403, "not_staff");
    expectProblem(await asStaff(ownerToken, "DELETE", `/v1/admin/staff/${address(extra)}`), 404, "staff_not_found");
    expectProblem(await staffSignInAnswer(call, extra, server.brand.id), 403, "not_staff");
  });

  it("an owner whose admin role is revoked on chain is no owner within the role cache time", async () => {
    const deputy = chain.members[5]!;
    await chain.publicClient.waitForTransactionReceipt({ hash: await chain.collection.write.grantRole([DEFAULT_ADMIN_ROLE, address(deputy)]) });
    const { token, role } = await signIn(deputy);
    expect(role).toBe("owner");
    expect((await asStaff(token, "GET", "/v1/admin/staff")).statusCode).toBe(200);
    await chain.publicClient.waitForTransactionReceipt({ hash: await chain.collection.write.revokeRole([DEFAULT_ADMIN_ROLE, address(deputy)]) });
    await sleep(ROLE_CACHE_MS + 50);
    expectProblem(await asStaff(token, "GET", "/v1/admin/staff"), 403, "not_staff");
    expectProblem(await staffSignInAnswer(call, deputy, server.brand.id), 403, "not_staff");
  });
});

describe("another brand's staff", () => {
  it("act for their own brand only: they cannot sign in for this one, nor see or use its codes", async () => {
    const adminB = chain.members[6]!;
    const collectionB = await chain.viem.deployContract("StampbookCollection", ["Other Brand", "OTH", address(adminB), address(adminB), "", 0n], { client: { wallet: adminB as never } });
    const brandB = await createBrand(server.store, "Other Brand");
    const keyB = (await issueApiKey(server.store, brandB.id, "tests")).key;
    expect((await registerCollection(server.app, keyB, adminB, collectionB.address)).statusCode).toBe(201);

    const b = await signIn(adminB, brandB.id);
    expect(b.role).toBe("owner");
    expectProblem(await staffSignInAnswer(call, adminB, server.brand.id), 403, "not_staff");
    expectProblem(await staffSignInAnswer(call, owner, brandB.id), 403, "not_staff");

    const { code, perkId } = await redeemedCode("Brand A's perk");
    expect((await asStaff(b.token, "GET", "/v1/admin/redemptions")).json()).toEqual({ items: [], nextCursor: null });
    expect((await asStaff(b.token, "GET", "/v1/admin/perks")).json().items.map((p: { id: string }) => p.id)).not.toContain(perkId);
    expectProblem(await asStaff(b.token, "POST", "/v1/admin/redemptions/verify", { code }), 404, "redemption_not_found");
    expectProblem(await asStaff(b.token, "PATCH", `/v1/admin/perks/${perkId}`, { title: "Hijacked" }), 404, "perk_not_found");
    // Brand B's owner cannot list staff on brand A either: the token names brand B.
    expect((await asStaff(b.token, "PUT", `/v1/admin/staff/${address(stranger)}`, { role: "manager" })).statusCode).toBe(201);
    expectProblem(await staffSignInAnswer(call, stranger, server.brand.id), 403, "not_staff");
    expect((await staffSignIn(call, stranger, brandB.id)).role).toBe("manager");
    // A token whose brand is swapped for another is no token at all.
    const swapped = b.token.replace(brandB.id, server.brand.id);
    expectProblem(await asStaff(swapped, "GET", "/v1/admin/perks"), 401, "session_expired");
    // The code still works for brand A.
    expect((await withKey("POST", "/v1/admin/redemptions/verify", { code })).statusCode).toBe(200);
  });
});

describe("when the chain cannot be read", () => {
  let down = false;
  let flaky: TestServer;

  beforeAll(async () => {
    const client = createPublicClient({
      chain: chain.publicClient.chain,
      transport: custom({
        request: async (args) => {
          if (down) throw new Error("connect ECONNREFUSED");
          return chain.publicClient.request(args as never);
        },
      }, { retryCount: 0 }),
    }) as PublicClient;
    flaky = await startServer(chain, { staffRoleCacheMs: ROLE_CACHE_MS }, { client });
  });
  afterAll(async () => {
    down = false;
    await flaky?.close();
  });

  it("an owner cannot sign in (503, fails closed); listed staff still can; an owner's session fails closed once its role is due", async () => {
    const flakyCall = injecting(flaky.app);
    const { token } = await staffSignIn(flakyCall, owner, flaky.brand.id);
    expect((await flaky.app.inject({ method: "PUT", url: `/v1/admin/staff/${address(manager)}`, headers: bearer(token), payload: { role: "manager" } })).statusCode).toBe(201);

    down = true;
    await sleep(ROLE_CACHE_MS + 50);
    expectProblem(await staffSignInAnswer(flakyCall, owner, flaky.brand.id), 503, "chain_unavailable");
    expectProblem(await staffSignInAnswer(flakyCall, stranger, flaky.brand.id), 503, "chain_unavailable");
    expect((await staffSignIn(flakyCall, manager, flaky.brand.id)).role).toBe("manager");
    expectProblem(await flaky.app.inject({ method: "GET", url: "/v1/admin/staff", headers: bearer(token) }), 503, "chain_unavailable");

    down = false;
    expect((await flaky.app.inject({ method: "GET", url: "/v1/admin/staff", headers: bearer(token) })).statusCode).toBe(200);
  });
});

describe("rate limits", () => {
  it("staff sign-in is limited per client as member sign-in is", async () => {
    const limited = await startServer(chain, { authRateLimitPerMinute: 2 });
    try {
      const attempt = () => limited.app.inject({ method: "POST", url: "/v1/staff/sign-in", payload: {} });
      expect((await attempt()).statusCode).toBe(400);
      expect((await attempt()).statusCode).toBe(400);
      expectProblem(await attempt(), 429, "rate_limited");
    } finally {
      await limited.close();
    }
  });
});

describe("the address in a path", () => {
  it("is any case of a 0x address", async () => {
    const { token } = await signIn(owner);
    const lower = address(stranger).toLowerCase() as Address;
    expect((await asStaff(token, "PUT", `/v1/admin/staff/${lower}`, { role: "till" })).json().address).toBe(address(stranger));
    expect((await asStaff(token, "DELETE", `/v1/admin/staff/${address(stranger)}`)).statusCode).toBe(204);
  });
});
