/**
 * Members' data: getProfile(), updateProfile(), getDataRequests(), grantConsent(), getConsents(),
 * revokeConsent(), getAccessLog(), exportData() and eraseData(), against a fake fetch that plays the API's wire formats.
 * Consent templates are built with the server's own code (sdk/src/protocol/recap.ts and its EIP-4361
 * formatter), so grantConsent() is checked against what the server really sends; the wallet is a real viem
 * local account, so signatures are real.
 *
 * Long because every data action is checked against one fake API that plays the wire formats, with
 * real signatures.
 */
import { verifyMessage } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { parseSiweMessage } from "viem/siwe";
import { afterEach, describe, expect, it, vi } from "vitest";
import { formatSiweMessage } from "../../../server/auth/siwe/format.ts";
import { encodeRecap, grantRecap, withRecapStatement } from "../protocol/recap.ts";
import { createStampbookClient } from "../client.ts";
import {
  ApiError,
  ChainMismatchError,
  ConsentTemplateMismatchError,
  DataRequestNotFoundError,
  ERASURE_STATEMENT,
  NotSignedInError,
  UserRejectedError,
  type AccessLogPage,
  type Consent,
  type ConsentTemplate,
  type DataExport,
  type DataRequest,
  type Profile,
  type StampbookEvents,
  type StampbookWallet,
} from "../index.ts";
import { memoryStorage } from "../storage.ts";
import { eraseData } from "./eraseData.ts";
import { getAccessLog } from "./getAccessLog.ts";
import { grantConsent } from "./grantConsent.ts";
import { revokeConsent } from "./revokeConsent.ts";
import { updateProfile } from "./updateProfile.ts";
import { verifyReceipt } from "./verifyReceipt.ts";

const apiUrl = "https://api.example.com";
/** Hardhat's first and second development keys: public test keys, never for value. */
const KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const OTHER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const account = privateKeyToAccount(KEY);
const other = privateKeyToAccount(OTHER_KEY);
const DAY_MS = 86_400_000;
const ISSUED_AT = "2026-11-22T10:00:00.000Z";

type Seen = { method: string; url: string; authorization: string | null; body: unknown };
type Handler = Response | ((seen: Seen) => Response | Promise<Response>);

/**
 * A fetch that records each request and answers by "METHOD /path" (a list answers in turn, its last
 * one repeating); anything else is a 404 problem. The client is signed in as `account`.
 */
function fakeApi(routes: Record<string, Handler | Handler[]>, wallet: unknown = account) {
  const seen: Seen[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = new URL(String(input));
    const headers = new Headers(init?.headers);
    const request: Seen = { method: init?.method ?? "GET", url: String(input), authorization: headers.get("authorization"), body: init?.body === undefined ? undefined : JSON.parse(String(init.body)) };
    seen.push(request);
    const route = routes[`${request.method} ${url.pathname}`];
    const answer = Array.isArray(route) ? (route.length > 1 ? route.shift()! : route[0]!) : route;
    if (answer === undefined) return problem(404, "not_found", "Not found");
    return typeof answer === "function" ? answer(request) : answer.clone();
  };
  const storage = memoryStorage();
  const client = createStampbookClient({ apiUrl, fetch, wallet: wallet as never, storage, retryDelay: 1 });
  const session = { token: "sbs_t", address: account.address, chainId: 31337, expiresAt: "2999-01-01T00:00:00.000Z" };
  client.session = { ...session };
  void storage.setItem(client.storageKey, JSON.stringify(session));
  const ended: StampbookEvents["sessionEnded"][] = [];
  client.on("sessionEnded", (payload) => ended.push(payload));
  return { client, seen, storage, ended };
}

const problem = (status: number, code: string, title: string) =>
  new Response(JSON.stringify({ type: `urn:stampbook:problem:${code}`, title, status, code }), { status, headers: { "content-type": "application/problem+json", "x-request-id": "req-1" } });

const request: DataRequest = {
  id: "01JREQ0000000000000000000A",
  brandId: "01JBRAND00000000000000000A",
  brandName: "Bean There",
  fields: ["email", "birthday"],
  purpose: "Birthday offers: a free coffee on your day",
  retentionDays: 30,
  perkId: null,
  createdAt: "2026-11-01T09:00:00.000Z",
};
const otherRequest: DataRequest = { ...request, id: "01JREQ0000000000000000000B", fields: ["email", "name", "city"], purpose: "Newsletter", retentionDays: 365 };

type TemplateInput = { brandId: string; requestId: string; fields: string[]; purpose: string; expirationTime: string };

/** What the server's `GET /v1/consents/template` answers (server/member-data/consents.ts), built with its own code. */
function serverTemplate(overrides: Partial<TemplateInput & { address: string; issuedAt: string; nonce: string; extraResources: string[] }> = {}): ConsentTemplate {
  const issuedAt = overrides.issuedAt ?? ISSUED_AT;
  const grant: TemplateInput = {
    brandId: request.brandId,
    requestId: request.id,
    fields: request.fields,
    purpose: request.purpose,
    expirationTime: new Date(Date.parse(issuedAt) + request.retentionDays * DAY_MS).toISOString(),
    ...overrides,
  };
  const details = grantRecap({ brandId: grant.brandId, request: grant.requestId, fields: grant.fields as never, purpose: grant.purpose, expires: grant.expirationTime });
  const fields = {
    domain: "shop.example",
    address: (overrides.address ?? account.address) as `0x${string}`,
    statement: withRecapStatement(`Share my ${grant.fields.join(", ")} (purpose: ${grant.purpose}).`, details),
    uri: "https://shop.example",
    version: "1" as const,
    chainId: 31337,
    nonce: overrides.nonce ?? "abcdEF1234567890",
    issuedAt,
    expirationTime: grant.expirationTime,
    resources: [...(overrides.extraResources ?? []), encodeRecap(details)],
  };
  return { ...fields, message: formatSiweMessage(fields) };
}

const consentOf = (message: string, signature: `0x${string}`): Consent => ({
  id: "01JCONSENT0000000000000000",
  brandId: request.brandId,
  requestId: request.id,
  fields: request.fields,
  purpose: request.purpose,
  grantedAt: ISSUED_AT,
  expiresAt: "2026-12-22T10:00:00.000Z",
  revokedAt: null,
  status: "active",
  receipt: { message, signature },
});

/** The routes of a grant: the listed requests, `template`, and a POST that stores what it gets. */
function grantRoutes(template: ConsentTemplate | Response = serverTemplate()) {
  return {
    "GET /v1/data-requests": Response.json({ items: [otherRequest, request] }),
    "GET /v1/consents/template": template instanceof Response ? template : Response.json(template),
    "POST /v1/consents": (seen: Seen) => {
      const { message, signature } = seen.body as { message: string; signature: `0x${string}` };
      return Response.json(consentOf(message, signature), { status: 201 });
    },
  };
}

afterEach(() => vi.restoreAllMocks());

describe("profile and updateProfile", () => {
  const profile: Profile = { email: "ada@example.com", name: "Ada", birthday: { month: 12, day: 10 }, city: null, preferences: { roast: "dark", newsletter: true }, updatedAt: "2026-11-20T08:00:00.000Z" };

  it("GETs /v1/me/profile with the session", async () => {
    const { client, seen } = fakeApi({ "GET /v1/me/profile": Response.json(profile) });
    expect(await client.getProfile()).toEqual(profile);
    expect(seen).toEqual([{ method: "GET", url: `${apiUrl}/v1/me/profile`, authorization: "Bearer sbs_t", body: undefined }]);
  });

  it("PUTs exactly the five keys (a spread profile's updatedAt stays home) and returns the profile saved", async () => {
    const saved = { ...profile, city: "Lyon", updatedAt: "2026-11-22T10:00:00.000Z" };
    const { client, seen } = fakeApi({ "PUT /v1/me/profile": Response.json(saved) });
    expect(await client.updateProfile({ ...profile, city: "Lyon" })).toEqual(saved);
    await updateProfile(client, { email: null, name: null, birthday: null, city: null, preferences: {} });
    expect(seen.map((s) => [s.method, s.url, s.authorization])).toEqual([
      ["PUT", `${apiUrl}/v1/me/profile`, "Bearer sbs_t"],
      ["PUT", `${apiUrl}/v1/me/profile`, "Bearer sbs_t"],
    ]);
    expect(seen[0]!.body).toEqual({ email: "ada@example.com", name: "Ada", birthday: { month: 12, day: 10 }, city: "Lyon", preferences: { roast: "dark", newsletter: true } });
    expect(seen[1]!.body).toEqual({ email: null, name: null, birthday: null, city: null, preferences: {} });
  });

  it("a refused profile is an ApiError with the problem's code, not retried; an outage is retried", async () => {
    const refused = fakeApi({ "PUT /v1/me/profile": problem(400, "validation_failed", "The profile is not valid") });
    const error = await refused.client.updateProfile({ ...profile, birthday: { month: 2, day: 30 } }).catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: "validation_failed", status: 400, method: "PUT", requestId: "req-1" });
    expect(refused.seen).toHaveLength(1);

    const flaky = fakeApi({ "PUT /v1/me/profile": [problem(503, "store_busy", "Busy"), Response.json(profile)] });
    expect(await flaky.client.updateProfile(profile)).toEqual(profile);
    expect(flaky.seen).toHaveLength(2);
  });

  it("needs a session: NotSignedInError before any request", async () => {
    const { client, seen } = fakeApi({});
    client.session = null;
    await expect(client.getProfile()).rejects.toBeInstanceOf(NotSignedInError);
    await expect(client.updateProfile(profile)).rejects.toBeInstanceOf(NotSignedInError);
    expect(seen).toEqual([]);
  });
});

describe("dataRequests", () => {
  it("GETs /v1/data-requests without the session (public) and returns the items", async () => {
    const { client, seen } = fakeApi({ "GET /v1/data-requests": Response.json({ items: [request, otherRequest] }) });
    expect(await client.getDataRequests()).toEqual([request, otherRequest]);
    client.session = null;
    expect(await client.getDataRequests()).toEqual([request, otherRequest]);
    expect(seen.map((s) => [s.method, s.url, s.authorization])).toEqual([
      ["GET", `${apiUrl}/v1/data-requests`, null],
      ["GET", `${apiUrl}/v1/data-requests`, null],
    ]);
  });
});

describe("grant", () => {
  it("signs the message it built, which is the server's template, and POSTs it with the wallet's signature", async () => {
    const template = serverTemplate();
    const sign = vi.spyOn(account, "signMessage");
    const { client, seen } = fakeApi(grantRoutes(template));
    const consent = await client.grantConsent({ requestId: request.id });

    expect(seen.map((s) => [s.method, s.url, s.authorization])).toEqual([
      ["GET", `${apiUrl}/v1/data-requests`, null],
      ["GET", `${apiUrl}/v1/consents/template?request=${request.id}`, "Bearer sbs_t"],
      ["POST", `${apiUrl}/v1/consents`, "Bearer sbs_t"],
    ]);
    expect(sign).toHaveBeenCalledTimes(1);
    expect(sign.mock.calls[0]![0]).toEqual({ message: template.message });
    const body = seen[2]!.body as { message: string; signature: `0x${string}` };
    expect(Object.keys(body).sort()).toEqual(["message", "signature"]);
    expect(body.message).toBe(template.message);
    expect(body.signature).toBe(await sign.mock.results[0]!.value);
    expect(await verifyMessage({ address: account.address, message: body.message, signature: body.signature })).toBe(true);
    expect(consent).toEqual(consentOf(body.message, body.signature));

    // The receipt the server keeps verifies offline.
    const verified = await verifyReceipt(consent.receipt, { now: new Date(ISSUED_AT) });
    expect(verified).toMatchObject({ valid: true, signer: account.address, brandId: request.brandId, requestId: request.id, fields: request.fields, purpose: request.purpose, expired: false });
  });

  it("works as an action, and for each field set and retention the server's template is the message it builds", async () => {
    for (const r of [otherRequest, { ...request, fields: ["preferences"] as DataRequest["fields"], retentionDays: 1 }]) {
      const issuedAt = "2027-02-28T23:59:59.123Z";
      const template = serverTemplate({ brandId: r.brandId, requestId: r.id, fields: r.fields, purpose: r.purpose, issuedAt, expirationTime: new Date(Date.parse(issuedAt) + r.retentionDays * DAY_MS).toISOString() });
      const { client, seen } = fakeApi({ ...grantRoutes(template), "GET /v1/data-requests": Response.json({ items: [r] }) });
      await grantConsent(client, { requestId: r.id });
      expect((seen[2]!.body as { message: string }).message).toBe(template.message);
    }
  });

  it("puts the wallet on the API's chain before asking for the signature", async () => {
    const calls: string[] = [];
    let chainId = 1;
    const wallet: StampbookWallet = {
      kind: "test",
      requestAddress: async () => account.address,
      getChainId: async () => (calls.push("eth_chainId"), chainId),
      switchChain: async (id) => void (calls.push(`switch ${id}`), (chainId = id)),
      signMessage: async (message) => (calls.push("personal_sign"), account.signMessage({ message })),
    };
    const { client } = fakeApi(grantRoutes(), wallet);
    await client.grantConsent({ requestId: request.id });
    expect(calls).toEqual(["eth_chainId", "switch 31337", "eth_chainId", "personal_sign"]);

    const stuck = fakeApi(grantRoutes(), { ...wallet, switchChain: undefined, getChainId: async () => 1 });
    await expect(stuck.client.grantConsent({ requestId: request.id })).rejects.toBeInstanceOf(ChainMismatchError);
    expect(stuck.seen.map((s) => s.method)).not.toContain("POST");
  });

  describe("refuses to sign a template that is not what the request says (the wallet is never asked)", () => {
    const DAY = request.retentionDays * DAY_MS;
    const expires = new Date(Date.parse(ISSUED_AT) + DAY).toISOString();
    const cases: [string, ConsentTemplate, string][] = [
      ["another purpose in the statement", withStatement(serverTemplate(), (s) => s.replace("(purpose: Birthday offers: a free coffee on your day)", "(purpose: Birthday offers)")), "statement"],
      ["another field in the statement", withStatement(serverTemplate(), (s) => s.replace("Share my email, birthday", "Share my email")), "statement"],
      ["the statement of a grant with more fields and its ReCap", serverTemplate({ fields: ["email", "name", "birthday", "city"] }), "statement"],
      ["another purpose in the ReCap, the statement kept", withResources(serverTemplate(), [serverTemplate({ purpose: "Resale to partners" }).resources[0]!]), "resources"],
      ["another brand's ReCap", withResources(serverTemplate(), [serverTemplate({ brandId: "01JBRAND00000000000000000B" }).resources[0]!]), "resources"],
      ["another request's ReCap", withResources(serverTemplate(), [serverTemplate({ requestId: otherRequest.id }).resources[0]!]), "resources"],
      ["an extra resource before the ReCap", serverTemplate({ extraResources: ["https://evil.example/all-your-data"] }), "resources"],
      ["no resources", withResources(serverTemplate(), []), "resources"],
      ["a message with another nonce than its field", { ...serverTemplate(), message: serverTemplate({ nonce: "zzzzZZZZ11112222" }).message }, "message"],
      ["a message with another URI", { ...serverTemplate(), message: serverTemplate().message.replace("URI: https://shop.example", "URI: https://evil.example") }, "message"],
      ["a message with an extra line", { ...serverTemplate(), message: `${serverTemplate().message}\n- https://evil.example` }, "message"],
      ["another account's template", serverTemplate({ address: other.address }), "address"],
      ["a grant for ten years instead of 30 days", serverTemplate({ expirationTime: new Date(Date.parse(ISSUED_AT) + 3650 * DAY_MS).toISOString() }), "expirationTime"],
      ["an expiry one second late", serverTemplate({ expirationTime: new Date(Date.parse(expires) + 1000).toISOString() }), "expirationTime"],
    ];

    for (const [name, template, part] of cases) {
      it(`${name} → ConsentTemplateMismatchError (${part})`, async () => {
        const sign = vi.spyOn(account, "signMessage");
        const { client, seen } = fakeApi(grantRoutes(template));
        const error = await client.grantConsent({ requestId: request.id }).catch((e) => e);
        expect(error).toBeInstanceOf(ConsentTemplateMismatchError);
        expect(error).toMatchObject({ name: "ConsentTemplateMismatchError", code: "consent_template_mismatch", part });
        expect(sign).not.toHaveBeenCalled();
        expect(seen.map((s) => s.method)).toEqual(["GET", "GET"]);
      });
    }

    it("a template whose fields make no EIP-4361 message → ConsentTemplateMismatchError (message)", async () => {
      const template = { ...serverTemplate(), nonce: "short" };
      const { client, seen } = fakeApi(grantRoutes(template));
      await expect(client.grantConsent({ requestId: request.id })).rejects.toMatchObject({ name: "ConsentTemplateMismatchError", part: "message" });
      expect(seen).toHaveLength(2);
    });
  });

  it("a request that is not live → DataRequestNotFoundError (data_request_not_found), nothing else asked", async () => {
    const sign = vi.spyOn(account, "signMessage");
    const { client, seen } = fakeApi(grantRoutes());
    const error = await client.grantConsent({ requestId: "01JGONE0000000000000000000" }).catch((e) => e);
    expect(error).toBeInstanceOf(DataRequestNotFoundError);
    expect(error).toMatchObject({ code: "data_request_not_found", requestId: "01JGONE0000000000000000000" });
    expect(seen.map((s) => s.url)).toEqual([`${apiUrl}/v1/data-requests`]);
    expect(sign).not.toHaveBeenCalled();
  });

  it("the API's refusals are ApiErrors with the problem's code; the POST is never retried (single-use nonce)", async () => {
    for (const [status, code] of [
      [409, "consent_replayed"],
      [400, "consent_invalid"],
      [503, "chain_unavailable"],
    ] as const) {
      const { client, seen } = fakeApi({ ...grantRoutes(), "POST /v1/consents": problem(status, code, "No") });
      const error = await client.grantConsent({ requestId: request.id }).catch((e) => e);
      expect(error).toBeInstanceOf(ApiError);
      expect(error).toMatchObject({ code, status, method: "POST" });
      expect(seen.filter((s) => s.method === "POST")).toHaveLength(1);
    }
    const missing = fakeApi(grantRoutes(problem(404, "data_request_not_found", "No such data request")));
    await expect(missing.client.grantConsent({ requestId: request.id })).rejects.toMatchObject({ name: "ApiError", code: "data_request_not_found", status: 404 });
  });

  it("the member declining in the wallet → UserRejectedError, nothing posted", async () => {
    vi.spyOn(account, "signMessage").mockRejectedValue(Object.assign(new Error("User rejected the request."), { code: 4001 }));
    const { client, seen } = fakeApi(grantRoutes());
    await expect(client.grantConsent({ requestId: request.id })).rejects.toBeInstanceOf(UserRejectedError);
    expect(seen.map((s) => s.method)).toEqual(["GET", "GET"]);
  });

  it("needs a session: NotSignedInError before any request", async () => {
    const { client, seen } = fakeApi(grantRoutes());
    client.session = null;
    await expect(client.grantConsent({ requestId: request.id })).rejects.toBeInstanceOf(NotSignedInError);
    expect(seen).toEqual([]);
  });
});

describe("consents and revoke", () => {
  it("GETs /v1/me/consents and returns the items", async () => {
    const items = [consentOf("m", "0x01"), { ...consentOf("n", "0x02"), id: "c2", status: "revoked" as const, revokedAt: "2026-11-23T00:00:00.000Z" }];
    const { client, seen } = fakeApi({ "GET /v1/me/consents": Response.json({ items }) });
    expect(await client.getConsents()).toEqual(items);
    expect(seen).toEqual([{ method: "GET", url: `${apiUrl}/v1/me/consents`, authorization: "Bearer sbs_t", body: undefined }]);
  });

  it("DELETEs /v1/me/consents/:id (204), retried after an outage; an unknown one is ApiError consent_not_found", async () => {
    const { client, seen } = fakeApi({ "DELETE /v1/me/consents/c%201": [problem(503, "store_busy", "Busy"), new Response(null, { status: 204 })] });
    expect(await client.revokeConsent({ consentId: "c 1" })).toBeUndefined();
    expect(seen.map((s) => [s.method, s.url, s.authorization])).toEqual([
      ["DELETE", `${apiUrl}/v1/me/consents/c%201`, "Bearer sbs_t"],
      ["DELETE", `${apiUrl}/v1/me/consents/c%201`, "Bearer sbs_t"],
    ]);
    const missing = fakeApi({ "DELETE /v1/me/consents/nope": problem(404, "consent_not_found", "No such consent") });
    const error = await revokeConsent(missing.client, { consentId: "nope" }).catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: "consent_not_found", status: 404, method: "DELETE" });
    expect(missing.seen).toHaveLength(1);
  });
});

describe("accessLog", () => {
  const page: AccessLogPage = {
    items: [{ id: "a1", brandId: request.brandId, brandName: "Bean There", consentId: "c1", fields: ["email"], purpose: request.purpose, actor: "staff 0xAbC0000000000000000000000000000000000001 (manager)", at: "2026-11-22T12:00:00.000Z" }],
    nextCursor: "cur_2",
  };

  it("passes limit and cursor as given, and nothing when not given", async () => {
    const { client, seen } = fakeApi({ "GET /v1/me/access-log": Response.json(page) });
    expect(await client.getAccessLog({ limit: 5, cursor: "cur 1/+" })).toEqual(page);
    await client.getAccessLog();
    await getAccessLog(client, { cursor: "cur_2" });
    expect(seen.map((s) => s.url)).toEqual([`${apiUrl}/v1/me/access-log?limit=5&cursor=cur+1%2F%2B`, `${apiUrl}/v1/me/access-log`, `${apiUrl}/v1/me/access-log?cursor=cur_2`]);
    expect(new URL(seen[0]!.url).searchParams.get("cursor")).toBe("cur 1/+");
    expect(seen.every((s) => s.authorization === "Bearer sbs_t")).toBe(true);
  });

  it("a bad cursor is an ApiError with the problem's code", async () => {
    const { client } = fakeApi({ "GET /v1/me/access-log": problem(400, "validation_failed", "Bad cursor") });
    await expect(client.getAccessLog({ cursor: "x" })).rejects.toMatchObject({ name: "ApiError", code: "validation_failed", status: 400 });
  });
});

describe("exportData", () => {
  it("GETs /v1/me/export and returns the document as sent", async () => {
    const document: DataExport & { extra: string } = {
      exportedAt: "2026-11-22T10:00:00.000Z",
      address: account.address,
      firstSignedInAt: "2026-11-01T10:00:00.000Z",
      profile: { email: null, name: null, birthday: null, city: null, preferences: {}, updatedAt: null },
      consents: [consentOf("m", "0x01")],
      accessLog: [],
      redemptions: [{ id: "r1", perkId: "p1", code: "K7QP3XMD" }],
      claims: [],
      journeys: { steps: [{ journeyId: "j1", stepId: "quiz", completedAt: "2026-11-02T10:00:00.000Z" }], invitations: [], awards: [], events: [] },
      extra: "kept",
    };
    const { client, seen } = fakeApi({ "GET /v1/me/export": Response.json(document) });
    expect(await client.exportData()).toEqual(document);
    expect(seen.map((s) => [s.method, s.url, s.authorization])).toEqual([["GET", `${apiUrl}/v1/me/export`, "Bearer sbs_t"]]);
  });
});

describe("eraseData", () => {
  const nonce = { nonce: "n0nceN0nce123456", expiresAt: "2026-11-22T10:05:00.000Z", domain: "shop.example", uri: "https://shop.example", chainId: 31337, statement: "Sign in to see your memberships and perks.", version: "1", issuedAt: ISSUED_AT };
  const erased = { profile: true, consents: 2, accessLog: 5, redemptionsUnlinked: 3, claimsUnlinked: 1, journeyRecordsUnlinked: 4 };

  it("signs exactly ERASURE_STATEMENT with the session's address, DELETEs /v1/me, then forgets the session and emits sessionEnded", async () => {
    expect(ERASURE_STATEMENT).toBe("Erase my Stampbook data: my profile, my consents and my access log, and unlink my past redemptions from me.");
    const { client, seen, storage, ended } = fakeApi({ "GET /v1/auth/nonce": Response.json(nonce), "DELETE /v1/me": Response.json({ erased }) });
    expect(await client.eraseData()).toEqual(erased);

    expect(seen.map((s) => [s.method, s.url, s.authorization])).toEqual([
      ["GET", `${apiUrl}/v1/auth/nonce`, null],
      ["DELETE", `${apiUrl}/v1/me`, "Bearer sbs_t"],
    ]); // no POST /v1/auth/logout: the server ended the sessions itself
    const { message, signature } = seen[1]!.body as { message: string; signature: `0x${string}` };
    expect(parseSiweMessage(message)).toEqual({
      domain: "shop.example",
      address: account.address,
      statement: ERASURE_STATEMENT,
      uri: "https://shop.example",
      version: "1",
      chainId: 31337,
      nonce: nonce.nonce,
      issuedAt: new Date(ISSUED_AT),
    });
    expect(message.split("\n")[3]).toBe(ERASURE_STATEMENT);
    expect(await verifyMessage({ address: account.address, message, signature })).toBe(true);

    expect(client.session).toBeNull();
    expect(await storage.getItem(client.storageKey)).toBeNull();
    expect(ended).toEqual([{ reason: "signedOut", address: account.address }]);
  });

  it("refused or declined: an error, and the session stays", async () => {
    const refused = fakeApi({ "GET /v1/auth/nonce": Response.json(nonce), "DELETE /v1/me": problem(403, "erasure_invalid", "The erasure was not confirmed") });
    const error = await eraseData(refused.client).catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: "erasure_invalid", status: 403, method: "DELETE" });
    expect(refused.seen.filter((s) => s.method === "DELETE")).toHaveLength(1); // not retried: single-use nonce
    expect(refused.client.session).not.toBeNull();
    expect(refused.ended).toEqual([]);

    vi.spyOn(account, "signMessage").mockRejectedValue(Object.assign(new Error("no"), { code: 4001 }));
    const declined = fakeApi({ "GET /v1/auth/nonce": Response.json(nonce), "DELETE /v1/me": Response.json({ erased }) });
    await expect(declined.client.eraseData()).rejects.toBeInstanceOf(UserRejectedError);
    expect(declined.seen.map((s) => s.method)).toEqual(["GET"]);
    expect(declined.client.session).not.toBeNull();
  });

  it("needs a session: NotSignedInError before any request", async () => {
    const { client, seen } = fakeApi({});
    client.session = null;
    await expect(client.eraseData()).rejects.toBeInstanceOf(NotSignedInError);
    expect(seen).toEqual([]);
  });
});

function withStatement(template: ConsentTemplate, edit: (statement: string) => string): ConsentTemplate {
  const statement = edit(template.statement);
  expect(statement).not.toBe(template.statement);
  const { message: _, ...fields } = template;
  return { ...fields, statement, message: formatSiweMessage({ ...fields, statement }) };
}

function withResources(template: ConsentTemplate, resources: string[]): ConsentTemplate {
  const { message: _, ...fields } = template;
  return { ...fields, resources, message: formatSiweMessage({ ...fields, resources: resources.length === 0 ? undefined : resources }) } as ConsentTemplate;
}
