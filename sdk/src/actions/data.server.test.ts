/**
 * Members' data against the REAL consent routes (server/consents): the template the server sends is
 * the message grant() builds, the server accepts the signature, the receipt it keeps verifies
 * offline, and an erasure ends the session on both sides.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { createStampbookClient } from "../client.ts";
import { ApiError, DataRequestNotFoundError, type StampbookEvents } from "../index.ts";
import { fastOptions, startStack, type Stack } from "../../../test/support/sdk/stack.ts";
import { verifyReceipt } from "./verifyReceipt.ts";

describe("members' data against the real API", () => {
  let stack: Stack;
  let requestId: string;

  beforeAll(async () => {
    stack = await startStack();
    const created = await stack.admin("POST", "/v1/admin/data-requests", { fields: ["birthday", "email"], purpose: "Birthday offers: a free coffee on your day", retentionDays: 30 });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    requestId = created.body.id;
  });
  afterAll(async () => stack?.close());

  async function member() {
    const account = privateKeyToAccount(generatePrivateKey());
    const client = createStampbookClient({ apiUrl: stack.apiUrl, wallet: account, ...fastOptions() });
    await client.signIn();
    return { client, account };
  }

  it("profile, grant, receipt, consents, access log, revoke, export", async () => {
    const { client, account } = await member();
    expect(await client.getProfile()).toEqual({ email: null, name: null, birthday: null, city: null, preferences: {}, updatedAt: null });
    const saved = await client.updateProfile({ email: "ada@example.com", name: "Ada", birthday: { month: 12, day: 10 }, city: null, preferences: { roast: "dark" } });
    expect(saved).toMatchObject({ email: "ada@example.com", birthday: { month: 12, day: 10 }, preferences: { roast: "dark" } });
    expect(await client.updateProfile({ ...saved, city: "Lyon" })).toMatchObject({ city: "Lyon", name: "Ada" });

    const request = (await client.getDataRequests()).find((r) => r.id === requestId)!;
    expect(request).toMatchObject({ fields: ["email", "birthday"], retentionDays: 30 });

    const consent = await client.grantConsent({ requestId });
    expect(consent).toMatchObject({ requestId, brandId: request.brandId, fields: ["email", "birthday"], status: "active", revokedAt: null });
    const verified = await verifyReceipt(consent.receipt);
    expect(verified).toMatchObject({ valid: true, signer: account.address, requestId, brandId: request.brandId, fields: ["email", "birthday"], purpose: request.purpose, expiresAt: consent.expiresAt, expired: false });

    expect((await client.getConsents()).map((c) => c.id)).toEqual([consent.id]);
    expect(await client.getAccessLog()).toEqual({ items: [], nextCursor: null });
    const read = await stack.admin("GET", `/v1/admin/members/${account.address}/profile`);
    expect(read.status, JSON.stringify(read.body)).toBe(200);
    const log = await client.getAccessLog({ limit: 10 });
    expect(log.items).toHaveLength(1);
    expect(log.items[0]).toMatchObject({ consentId: consent.id, brandId: request.brandId, fields: ["email", "birthday"] });

    await client.revokeConsent({ consentId: consent.id });
    expect((await client.getConsents())[0]).toMatchObject({ id: consent.id, status: "revoked" });
    await client.revokeConsent({ consentId: consent.id }); // again: nothing changes

    const exported = await client.exportData();
    expect(exported).toMatchObject({ address: account.address, profile: { city: "Lyon" }, consents: [{ id: consent.id, status: "revoked" }] });
    expect(exported.accessLog).toHaveLength(1);
  });

  it("a request that does not exist is refused before anything is signed; API refusals are ApiErrors", async () => {
    const { client } = await member();
    await expect(client.grantConsent({ requestId: "01JNOSUCHREQUEST0000000000" })).rejects.toBeInstanceOf(DataRequestNotFoundError);
    const error = await client.revokeConsent({ consentId: "01JNOSUCHCONSENT0000000000" }).catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: "consent_not_found", status: 404 });
  });

  it("eraseData: the server erases and ends the session; the client forgets it and says so", async () => {
    const { client } = await member();
    await client.updateProfile({ email: "gone@example.com", name: null, birthday: null, city: null, preferences: {} });
    await client.grantConsent({ requestId });
    const token = client.session!.token;
    const ended: StampbookEvents["sessionEnded"][] = [];
    client.on("sessionEnded", (payload) => ended.push(payload));

    const erased = await client.eraseData();
    expect(erased).toMatchObject({ profile: true, consents: 1, accessLog: 0 });
    expect(client.session).toBeNull();
    expect(ended).toMatchObject([{ reason: "signedOut" }]);
    expect(await stack.statusWith(token)).toBe(401);
  });
});
