/**
 * Members' data and consents over the API: the profile is the member's, validated and bounded;
 * brands publish and withdraw their own data requests, members see every brand's; a grant signed
 * from the template is stored with its receipt; a forged signature, a replayed nonce, a changed
 * purpose, fields or expiry, another brand's or another request's ReCap, and a signer other than
 * the signed-in member are refused with their codes and store nothing; revocation is the member's.
 */
import { encodeFunctionData, getAddress, keccak256, toHex, verifyMessage, type Address, type Hex, type WalletClient } from "viem";
import { serializeErc6492Signature } from "viem/utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChain, type DemoChain } from "../../test/support/chain.ts";
import { expectProblem } from "../../test/support/problems.ts";
import { bearer, startServer, type TestServer } from "../../test/support/server.ts";
import { formatSiweMessage, type SiweMessage } from "../auth/siwe/index.ts";
import { createBrand, issueApiKey } from "../brands/accounts.ts";
import { encodeRecap, grantRecap, withRecapStatement } from "../../sdk/src/protocol/recap.ts";
import { grantWords as grantStatement } from "../../sdk/src/protocol/statements.ts";
import { consentStatus, type Consent } from "./types.ts";

let chain: DemoChain;
let server: TestServer;
let otherKey: string;
let otherBrandId: string;
const tokens = new Map<WalletClient, string>();

beforeAll(async () => {
  chain = await startChain();
  server = await startServer(chain);
  const other = await createBrand(server.store, "Other Bakery");
  otherBrandId = other.id;
  otherKey = (await issueApiKey(server.store, other.id, "tests")).key;
});
afterAll(async () => server?.close());

async function tokenOf(wallet: WalletClient): Promise<string> {
  if (!tokens.has(wallet)) tokens.set(wallet, await server.signIn(wallet));
  return tokens.get(wallet)!;
}

const inject = (method: "GET" | "PUT" | "POST" | "DELETE", url: string, headers: Record<string, string> = {}, payload?: object) =>
  server.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });

async function publish(body: object, key = server.apiKey) {
  const response = await inject("POST", "/v1/admin/data-requests", bearer(key), body);
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

const BIRTHDAY = { fields: ["birthday", "email"], purpose: "to send you a birthday treat", retentionDays: 30 };

type Template = SiweMessage & { expirationTime: string; resources: string[]; message: string };

async function template(wallet: WalletClient, requestId: string): Promise<Template> {
  const response = await inject("GET", `/v1/consents/template?request=${requestId}`, bearer(await tokenOf(wallet)));
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

const sign = (wallet: WalletClient, message: string) => wallet.signMessage({ account: wallet.account!, message });

async function post(wallet: WalletClient, body: { message: string; signature: string }) {
  return inject("POST", "/v1/consents", bearer(await tokenOf(wallet)), body);
}

async function consentsOf(wallet: WalletClient) {
  const response = await inject("GET", "/v1/me/consents", bearer(await tokenOf(wallet)));
  expect(response.statusCode, response.body).toBe(200);
  return response.json().items as { id: string; status: string; requestId: string; receipt: { message: string; signature: string } }[];
}

/** The template's message with its grant changed, statement and ReCap kept consistent with each other. */
function tampered(t: Template, grant: Partial<{ brandId: string; request: string; fields: string[]; purpose: string; expires: string }>): string {
  const { message: _text, ...fields } = t;
  const original = JSON.parse(Buffer.from(t.resources[0]!.slice("urn:recap:".length), "base64url").toString());
  const [resource, abilities] = Object.entries(original.att)[0] as [string, Record<string, any[]>];
  const note = abilities["data/grant"]![0];
  const changed = { brandId: resource.slice("stampbook:".length), request: note.request, fields: note.fields, purpose: note.purpose, expires: note.expires, ...grant };
  const details = grantRecap(changed as never);
  return formatSiweMessage({ ...fields, statement: withRecapStatement(grantStatement(changed as never), details), expirationTime: changed.expires, resources: [encodeRecap(details)] });
}

describe("the member's profile", () => {
  it("is empty at first, replaced whole, and the member's alone", async () => {
    const [ada, bob] = [chain.members[0]!, chain.members[1]!];
    const empty = await inject("GET", "/v1/me/profile", bearer(await tokenOf(ada)));
    expect(empty.json()).toEqual({ email: null, name: null, birthday: null, city: null, preferences: {}, updatedAt: null });
    const profile = { email: "ada@example.com", name: "Ada", birthday: { month: 2, day: 29 }, city: "Lyon", preferences: { newsletter: true, drink: "oat flat white" } };
    const put = await inject("PUT", "/v1/me/profile", bearer(await tokenOf(ada)), profile);
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject(profile);
    expect((await inject("GET", "/v1/me/profile", bearer(await tokenOf(ada)))).json()).toMatchObject(profile);
    expect((await inject("GET", "/v1/me/profile", bearer(await tokenOf(bob)))).json().email).toBeNull();
    expectProblem(await inject("GET", "/v1/me/profile"), 401, "unauthenticated");
  });

  it("refuses what is not a profile: impossible birthdays, bad emails, unknown fields, too many or too long preferences", async () => {
    const headers = bearer(await tokenOf(chain.members[0]!));
    const base = { email: null, name: null, birthday: null, city: null, preferences: {} };
    const bad = [
      { ...base, birthday: { month: 2, day: 30 } },
      { ...base, birthday: { month: 13, day: 1 } },
      { ...base, email: "not an email" },
      { ...base, ssn: "123" },
      { ...base, name: "x".repeat(101) },
      { ...base, preferences: { big: "x".repeat(201) } },
      { ...base, preferences: { nested: { a: 1 } } },
      { ...base, preferences: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`p${i}`, true])) },
    ];
    for (const body of bad) expectProblem(await inject("PUT", "/v1/me/profile", headers, body), 400, "validation_failed");
    expect((await inject("GET", "/v1/me/profile", headers)).json().birthday).toEqual({ month: 2, day: 29 });
  });
});

describe("data requests", () => {
  it("a brand publishes, lists and withdraws its own; members see every brand's, with names", async () => {
    const mine = await publish({ ...BIRTHDAY, fields: ["birthday", "email"] });
    expect(mine).toMatchObject({ brandId: server.brand.id, fields: ["email", "birthday"], purpose: BIRTHDAY.purpose, retentionDays: 30, perkId: null });
    const theirs = await publish({ fields: ["city"], purpose: "to show you nearby shops", retentionDays: 365 }, otherKey);
    expect((await inject("GET", "/v1/admin/data-requests", bearer(server.apiKey))).json().items.map((r: { id: string }) => r.id)).toContain(mine.id);
    expect((await inject("GET", "/v1/admin/data-requests", bearer(server.apiKey))).json().items.map((r: { id: string }) => r.id)).not.toContain(theirs.id);
    const listed = (await inject("GET", "/v1/data-requests")).json().items;
    expect(listed.find((r: { id: string }) => r.id === theirs.id)).toMatchObject({ brandName: "Other Bakery", brandId: otherBrandId });
    expect(listed.find((r: { id: string }) => r.id === mine.id)).toMatchObject({ brandName: "Demo Coffee Club" });

    expectProblem(await inject("DELETE", `/v1/admin/data-requests/${theirs.id}`, bearer(server.apiKey)), 404, "data_request_not_found");
    expect((await inject("DELETE", `/v1/admin/data-requests/${mine.id}`, bearer(server.apiKey))).statusCode).toBe(204);
    expect((await inject("GET", "/v1/data-requests")).json().items.map((r: { id: string }) => r.id)).not.toContain(mine.id);
    expectProblem(await inject("DELETE", `/v1/admin/data-requests/${mine.id}`, bearer(server.apiKey)), 404, "data_request_not_found");
  });

  it("refuses unknown fields, purposes out of bounds or unshowable in a wallet, retention out of 1..3650, another brand's perk, and members", async () => {
    const headers = bearer(server.apiKey);
    for (const body of [
      { ...BIRTHDAY, fields: ["ssn"] },
      { ...BIRTHDAY, fields: [] },
      { ...BIRTHDAY, fields: ["email", "email"] },
      { ...BIRTHDAY, purpose: "" },
      { ...BIRTHDAY, purpose: "x".repeat(201) },
      { ...BIRTHDAY, purpose: 'a "treat"' },
      { ...BIRTHDAY, purpose: "two\nlines" },
      { ...BIRTHDAY, retentionDays: 0 },
      { ...BIRTHDAY, retentionDays: 3651 },
    ]) {
      expectProblem(await inject("POST", "/v1/admin/data-requests", headers, body), 400, "validation_failed");
    }
    expectProblem(await inject("POST", "/v1/admin/data-requests", headers, { ...BIRTHDAY, perkId: "no-such-perk" }), 404, "perk_not_found");
    expectProblem(await inject("POST", "/v1/admin/data-requests", bearer(await tokenOf(chain.members[0]!)), BIRTHDAY), 401, "unauthenticated");
  });
});

describe("consents", () => {
  it("a grant signed from the template is stored with its receipt, which verifies offline", async () => {
    const ada = chain.members[0]!;
    const request = await publish(BIRTHDAY);
    const t = await template(ada, request.id);
    expect(t.address).toBe(getAddress(ada.account!.address));
    expect(t.statement).toBe(
      "Share my email, birthday (purpose: to send you a birthday treat). I further authorize the stated URI to perform the following actions on my behalf: (1) 'data': 'grant' for 'stampbook:" + server.brand.id + "'.",
    );
    const expectedExpiry = Date.parse(t.issuedAt) + 30 * 86_400_000;
    expect(Date.parse(t.expirationTime)).toBe(expectedExpiry);
    expect(JSON.parse(Buffer.from(t.resources[0]!.slice("urn:recap:".length), "base64url").toString())).toEqual({
      att: { [`stampbook:${server.brand.id}`]: { "data/grant": [{ expires: t.expirationTime, fields: ["email", "birthday"], purpose: BIRTHDAY.purpose, request: request.id }] } },
    });
    const signature = await sign(ada, t.message);
    const response = await post(ada, { message: t.message, signature });
    expect(response.statusCode, response.body).toBe(201);
    const grant = response.json();
    expect(grant).toMatchObject({ brandId: server.brand.id, requestId: request.id, fields: ["email", "birthday"], purpose: BIRTHDAY.purpose, status: "active", revokedAt: null, expiresAt: t.expirationTime, receipt: { message: t.message, signature } });
    expect(await verifyMessage({ address: ada.account!.address, message: grant.receipt.message, signature: grant.receipt.signature })).toBe(true);
    expect((await consentsOf(ada)).find((c) => c.id === grant.id)).toMatchObject({ status: "active", receipt: { message: t.message, signature } });
  });

  it("refuses a forged signature, a replayed nonce, changed fields, purpose or expiry, another brand's or another request's ReCap, and stores nothing", async () => {
    const [ada, eve] = [chain.members[2]!, chain.members[3]!];
    const request = await publish({ fields: ["city"], purpose: "to show you nearby shops", retentionDays: 90 });
    const second = await publish({ fields: ["name"], purpose: "to greet you by name", retentionDays: 90 });
    const theirs = await publish({ fields: ["city"], purpose: "to show you nearby shops", retentionDays: 90 }, otherKey);

    const t = await template(ada, request.id);
    // Forged: the right message, someone else's signature. The nonce is not used up by it.
    expectProblem(await post(ada, { message: t.message, signature: await sign(eve, t.message) }), 401, "siwe_bad_signature");
    expectProblem(await post(ada, { message: t.message, signature: `0x${"11".repeat(65)}` }), 401, "siwe_bad_signature");

    const day = 86_400_000;
    const mismatches: [string, string][] = [
      ["purpose", tampered(t, { purpose: "to sell to partners" })],
      ["fields", tampered(t, { fields: ["city", "email"] })],
      ["expiry", tampered(t, { expires: new Date(Date.parse(t.expirationTime) + 2 * day).toISOString() })],
      ["another brand", tampered(t, { brandId: otherBrandId })],
      ["another brand's request", tampered(t, { request: theirs.id })],
      ["another request", tampered(t, { request: second.id })],
      ["statement", t.message.replace("Share my city", "Share my name")],
      ["expiration time", t.message.replace(`Expiration Time: ${t.expirationTime}`, `Expiration Time: ${new Date(Date.parse(t.expirationTime) + day).toISOString()}`)],
      ["no recap", t.message.replace(/\nResources:\n- urn:recap:.*$/, "")],
    ];
    for (const [what, message] of mismatches) {
      expect(message, what).not.toBe(t.message);
      const body = expectProblem(await post(ada, { message, signature: await sign(ada, message) }), 400, "consent_invalid");
      expect(body.detail, what).toBeTypeOf("string");
    }
    expect(await consentsOf(ada)).toEqual([]);

    // The untouched message still works once, then is a replay.
    const body = { message: t.message, signature: await sign(ada, t.message) };
    expect((await post(ada, body)).statusCode).toBe(201);
    expectProblem(await post(ada, body), 409, "consent_replayed");
    expect(await consentsOf(ada)).toHaveLength(1);
    // A sign-in's nonce is not a consent's: used once, whatever for.
    const reused = await template(ada, request.id);
    const signIn = await server.app.inject({ method: "POST", url: "/v1/auth/verify", payload: { message: reused.message, signature: await sign(ada, reused.message) } });
    expect(signIn.statusCode).toBe(200);
    expectProblem(await post(ada, { message: reused.message, signature: await sign(ada, reused.message) }), 401, "siwe_nonce_invalid");
    expect(await consentsOf(ada)).toHaveLength(1);
  });

  it("refuses a consent signed by anyone but the signed-in member, and one for another domain or chain, storing nothing", async () => {
    const [ada, bob] = [chain.members[4]!, chain.members[1]!];
    const request = await publish({ fields: ["email"], purpose: "to send you the newsletter", retentionDays: 7 });
    const t = await template(ada, request.id);
    const before = (await consentsOf(bob)).length;
    // Ada's own consent, posted in Bob's session.
    expectProblem(await post(bob, { message: t.message, signature: await sign(ada, t.message) }), 403, "consent_signer_mismatch");
    // Bob's template signed by Ada.
    const b = await template(bob, request.id);
    expectProblem(await post(bob, { message: b.message, signature: await sign(ada, b.message) }), 401, "siwe_bad_signature");
    const elsewhere = t.message.replace(/^[^ ]+ wants you/, "evil.example wants you");
    expectProblem(await post(ada, { message: elsewhere, signature: await sign(ada, elsewhere) }), 401, "siwe_domain_mismatch");
    const otherChain = t.message.replace(/Chain ID: \d+/, "Chain ID: 1");
    expectProblem(await post(ada, { message: otherChain, signature: await sign(ada, otherChain) }), 401, "siwe_chain_mismatch");
    expectProblem(await inject("POST", "/v1/consents", {}, { message: t.message, signature: await sign(ada, t.message) }), 401, "unauthenticated");
    expect(await consentsOf(ada)).toEqual([]);
    expect(await consentsOf(bob)).toHaveLength(before);
  });

  it("needs a live request: no template for an unknown or withdrawn one, and a grant signed before withdrawal is refused", async () => {
    const ada = chain.members[4]!;
    expectProblem(await inject("GET", "/v1/consents/template?request=nope", bearer(await tokenOf(ada))), 404, "data_request_not_found");
    const request = await publish({ fields: ["preferences"], purpose: "to remember how you like it", retentionDays: 10 });
    const t = await template(ada, request.id);
    expect((await inject("DELETE", `/v1/admin/data-requests/${request.id}`, bearer(server.apiKey))).statusCode).toBe(204);
    expectProblem(await inject("GET", `/v1/consents/template?request=${request.id}`, bearer(await tokenOf(ada))), 404, "data_request_not_found");
    expectProblem(await post(ada, { message: t.message, signature: await sign(ada, t.message) }), 400, "consent_invalid");
    expect((await consentsOf(ada)).map((c) => c.requestId)).not.toContain(request.id);
  });

  it("the member revokes a grant at once; others cannot; revoking again changes nothing", async () => {
    const [ada, bob] = [chain.members[0]!, chain.members[1]!];
    const request = await publish({ fields: ["name"], purpose: "to greet you by name", retentionDays: 1 });
    const t = await template(ada, request.id);
    const grant = (await post(ada, { message: t.message, signature: await sign(ada, t.message) })).json();
    expectProblem(await inject("DELETE", `/v1/me/consents/${grant.id}`, bearer(await tokenOf(bob))), 404, "consent_not_found");
    expect((await consentsOf(ada)).find((c) => c.id === grant.id)?.status).toBe("active");
    expect((await inject("DELETE", `/v1/me/consents/${grant.id}`, bearer(await tokenOf(ada)))).statusCode).toBe(204);
    const revoked = (await consentsOf(ada)).find((c) => c.id === grant.id)!;
    expect(revoked).toMatchObject({ status: "revoked", receipt: { message: t.message } });
    expect((await inject("DELETE", `/v1/me/consents/${grant.id}`, bearer(await tokenOf(ada)))).statusCode).toBe(204);
    expectProblem(await inject("DELETE", "/v1/me/consents/nope", bearer(await tokenOf(ada))), 404, "consent_not_found");
  });

  it("grants from smart-contract wallets: a deployed EIP-1271 wallet and a counterfactual ERC-6492 one", async () => {
    const owner = chain.members[3]!;
    const request = await publish({ fields: ["email"], purpose: "to send you receipts", retentionDays: 5 });
    const ownerSigns = (message: string) => owner.signMessage({ account: owner.account!, message });

    async function grantAs(address: Address, signatureFor: (message: string) => Promise<Hex>) {
      const signInMessage = await server.siweMessage(address);
      const signedIn = await server.app.inject({ method: "POST", url: "/v1/auth/verify", payload: { message: signInMessage, signature: await signatureFor(signInMessage) } });
      expect(signedIn.statusCode, signedIn.body).toBe(200);
      const headers = bearer(signedIn.json().token);
      const t = (await inject("GET", `/v1/consents/template?request=${request.id}`, headers)).json();
      const granted = await inject("POST", "/v1/consents", headers, { message: t.message, signature: await signatureFor(t.message) });
      expect(granted.statusCode, granted.body).toBe(201);
      expect((await inject("GET", "/v1/me/consents", headers)).json().items.map((c: { id: string }) => c.id)).toEqual([granted.json().id]);
    }

    const deployed = await chain.viem.deployContract("OwnedWallet", [owner.account!.address]);
    await grantAs(deployed.address, ownerSigns);

    const factory = await chain.viem.deployContract("OwnedWalletFactory", []);
    const salt = keccak256(toHex("consent-wallet-1"));
    const counterfactual = await factory.read.addressOf([owner.account!.address, salt]);
    const deploy = encodeFunctionData({ abi: factory.abi, functionName: "deploy", args: [owner.account!.address, salt] });
    await grantAs(counterfactual, async (message) => serializeErc6492Signature({ address: factory.address, data: deploy, signature: await ownerSigns(message) }));
  });

  it("a grant is active until it expires or is revoked", () => {
    const consent = { revokedAt: null, expiresAt: "2027-01-01T00:00:00.000Z" } as Consent;
    expect(consentStatus(consent, "2026-12-31T23:59:59.999Z")).toBe("active");
    expect(consentStatus(consent, "2027-01-01T00:00:00.000Z")).toBe("expired");
    expect(consentStatus({ ...consent, revokedAt: "2026-06-01T00:00:00.000Z" }, "2026-12-31T00:00:00.000Z")).toBe("revoked");
  });
});
