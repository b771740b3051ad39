import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChain, type DemoChain } from "../../test/support/chain.ts";
import { bearer, startServer, type TestServer } from "../../test/support/server.ts";

let chain: DemoChain;
let server: TestServer;

beforeAll(async () => {
  chain = await startChain();
  // The sign-in page lives on its own origin here, so all three sources of allowed origins differ.
  server = await startServer(chain, { corsOrigins: ["https://shop.example"], siweUri: new URL("https://app.example/sign-in") });
});
afterAll(async () => server.close());

const signIn = () => server.signIn(chain.members[0]!);
const withCookie = (token: string, origin?: string) => ({
  cookies: { stampbook_session: token },
  ...(origin === undefined ? {} : { headers: { origin } }),
});
const logout = (token: string, origin?: string) => server.app.inject({ method: "POST", url: "/v1/auth/logout", ...withCookie(token, origin) });
const me = (token: string) => server.app.inject({ method: "GET", url: "/v1/me", ...withCookie(token) });

async function expectRefused(response: Awaited<ReturnType<typeof logout>>) {
  expect(response.statusCode).toBe(403);
  expect(response.headers["content-type"]).toMatch(/^application\/problem\+json/);
  expect(response.json()).toMatchObject({ status: 403, code: "origin_not_allowed" });
}

describe("cookie sessions and Origin (CSRF)", () => {
  it("refuses a cookie sign-out without Origin, and the session keeps working", async () => {
    const token = await signIn();
    const response = await logout(token);
    await expectRefused(response);
    expect(response.headers["set-cookie"]).toBeUndefined();
    expect((await me(token)).statusCode).toBe(200);
  });

  it.each([
    ["another site", "https://evil.example"],
    ["an opaque origin", "null"],
    ["another scheme", "http://shop.example"],
    ["another port", "https://shop.example:8443"],
    ["a suffix of an allowed host", "https://shop.example.evil.example"],
    ["a URL rather than an origin", "https://shop.example/"],
    ["an empty header", ""],
  ])("refuses a cookie sign-out from %s, and the session keeps working", async (_what, origin) => {
    const token = await signIn();
    await expectRefused(await logout(token, origin));
    expect((await me(token)).statusCode).toBe(200);
  });

  it.each([
    ["a CORS origin", "https://shop.example"],
    ["the API's own origin", "http://localhost:8787"],
    ["the sign-in URI's origin", "https://app.example"],
    ["an allowed origin in other case", "HTTPS://Shop.Example"],
  ])("signs out with the cookie from %s", async (_what, origin) => {
    const token = await signIn();
    expect((await logout(token, origin)).statusCode).toBe(204);
    expect((await me(token)).statusCode).toBe(401);
  });

  it("does not ask bearer clients for an Origin", async () => {
    const token = await signIn();
    expect((await server.app.inject({ method: "POST", url: "/v1/auth/logout", headers: bearer(token) })).statusCode).toBe(204);
    const other = await signIn();
    const response = await server.app.inject({ method: "POST", url: "/v1/auth/logout", headers: { ...bearer(other), origin: "https://evil.example" } });
    expect(response.statusCode).toBe(204);
  });

  it("lets cookie reads through without Origin, or from anywhere", async () => {
    const token = await signIn();
    expect((await me(token)).statusCode).toBe(200);
    const anywhere = await server.app.inject({ method: "GET", url: "/v1/me", cookies: { stampbook_session: token }, headers: { origin: "https://evil.example" } });
    expect(anywhere.statusCode).toBe(200);
  });

  it("guards every cookie state change before the route runs: redeem answers 403, not 404", async () => {
    const token = await signIn();
    const redeem = (origin: string) =>
      server.app.inject({
        method: "POST",
        url: "/v1/perks/no-such-perk/redeem",
        cookies: { stampbook_session: token },
        headers: { origin, "idempotency-key": "csrf-test" },
      });
    await expectRefused(await redeem("https://evil.example"));
    const allowed = await redeem("https://shop.example");
    expect(allowed.statusCode).toBe(404);
    expect(allowed.json().code).toBe("perk_not_found");
  });
});
