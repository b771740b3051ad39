/**
 * A brand's webhook endpoints through the API: created with a secret shown once, listed, changed,
 * deleted, a brand seeing only its own; URLs refused as the server would fetch them; a test message
 * delivered to a real receiver, signed so that the Standard Webhooks reference library accepts it,
 * and during a rotation signed with the old and the new secret.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBrand, issueApiKey } from "../brands/accounts.ts";
import { startChain, type DemoChain } from "../../test/support/chain.ts";
import { expectProblem } from "../../test/support/problems.ts";
import { bearer, startServer, type TestServer } from "../../test/support/server.ts";

let chain: DemoChain;
let open: TestServer;
let strict: TestServer;
let receiver: Server;
let receiverUrl: string;
let otherKey: string;
const received: { headers: IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  chain = await startChain();
  // A local demo's deployment (private addresses and plain http allowed), and a public one's.
  open = await startServer(chain, { webhooks: { allowPrivate: true, allowHttp: true } });
  strict = await startServer(chain);
  const other = await createBrand(open.store, "Other Brand");
  otherKey = (await issueApiKey(open.store, other.id, "tests")).key;
  receiver = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    request.on("end", () => {
      received.push({ headers: request.headers, body });
      response.writeHead(200, { "content-type": "text/plain" }).end("thanks");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
});
afterAll(async () => {
  await open?.close();
  await strict?.close();
  await new Promise((resolve) => receiver?.close(resolve));
  await chain?.connection.close();
});

const call = (server: TestServer, method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: object, key = server.apiKey) =>
  server.app.inject({ method, url, headers: bearer(key), ...(payload === undefined ? {} : { payload }) });

describe("webhook endpoints", () => {
  it("created with a secret shown once; listed, changed and deleted; another brand sees none of it", async () => {
    const created = await call(open, "POST", "/v1/admin/webhooks", { url: receiverUrl, events: ["redemption.created", "claim.minted"], description: "CRM" });
    expect(created.statusCode, created.body).toBe(201);
    const endpoint = created.json();
    expect(endpoint).toMatchObject({ id: expect.stringMatching(/^wh_/), url: receiverUrl, events: ["redemption.created", "claim.minted"], description: "CRM", enabled: true, disabledReason: null });
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(endpoint.secret.slice(6), "base64").length).toBeGreaterThanOrEqual(24);

    const listed = (await call(open, "GET", "/v1/admin/webhooks")).json().items;
    expect(listed).toEqual([{ ...endpoint, secret: undefined }].map(({ secret: _, ...rest }) => rest));
    expect(JSON.stringify(listed)).not.toContain(endpoint.secret);
    const changed = await call(open, "PATCH", `/v1/admin/webhooks/${endpoint.id}`, { events: ["award.sent"], enabled: false });
    expect(changed.json()).toMatchObject({ events: ["award.sent"], enabled: false, description: "CRM" });

    for (const [method, path, payload] of [
      ["GET", "", undefined],
      ["PATCH", "", { enabled: true }],
      ["DELETE", "", undefined],
      ["POST", "/rotate-secret", undefined],
      ["POST", "/test", undefined],
    ] as const) {
      expectProblem(await call(open, method, `/v1/admin/webhooks/${endpoint.id}${path}`, payload, otherKey), 404, "webhook_not_found");
    }
    expect((await call(open, "GET", "/v1/admin/webhooks", undefined, otherKey)).json().items).toEqual([]);
    expect((await call(open, "GET", `/v1/admin/webhooks/${endpoint.id}`)).json().enabled).toBe(false);

    expect((await call(open, "DELETE", `/v1/admin/webhooks/${endpoint.id}`)).statusCode).toBe(204);
    expectProblem(await call(open, "GET", `/v1/admin/webhooks/${endpoint.id}`), 404, "webhook_not_found");
    expectProblem(await call(open, "DELETE", `/v1/admin/webhooks/${endpoint.id}`), 404, "webhook_not_found");
  });

  it("refuses bad input with a clear 4xx and stores nothing", async () => {
    const before = (await call(strict, "GET", "/v1/admin/webhooks")).json().items;
    const refused: [object, number, string][] = [
      [{ url: "http://crm.example/hooks", events: ["award.sent"] }, 400, "invalid_webhook_url"],
      [{ url: "https://127.0.0.1/hooks", events: ["award.sent"] }, 400, "invalid_webhook_url"],
      [{ url: "https://10.1.2.3/hooks", events: ["award.sent"] }, 400, "invalid_webhook_url"],
      [{ url: "https://169.254.169.254/latest/meta-data", events: ["award.sent"] }, 400, "invalid_webhook_url"],
      [{ url: "https://[::1]/hooks", events: ["award.sent"] }, 400, "invalid_webhook_url"],
      [{ url: "https://user:pass@crm.example/hooks", events: ["award.sent"] }, 400, "invalid_webhook_url"],
      [{ url: "not a url", events: ["award.sent"] }, 400, "invalid_webhook_url"],
      [{ url: "https://crm.example/hooks", events: [] }, 400, "validation_failed"],
      [{ url: "https://crm.example/hooks", events: ["everything"] }, 400, "validation_failed"],
      [{ url: "https://crm.example/hooks" }, 400, "validation_failed"],
      [{ url: "https://crm.example/hooks", events: ["award.sent"], secret: "mine" }, 400, "validation_failed"],
    ];
    for (const [payload, status, code] of refused) expectProblem(await call(strict, "POST", "/v1/admin/webhooks", payload), status, code);
    expect((await call(strict, "GET", "/v1/admin/webhooks")).json().items).toEqual(before);
    const good = await call(strict, "POST", "/v1/admin/webhooks", { url: "https://crm.example/hooks", events: ["award.sent"] });
    expect(good.statusCode, good.body).toBe(201);
    expectProblem(await call(strict, "PATCH", `/v1/admin/webhooks/${good.json().id}`, { url: "https://192.168.1.10/x" }), 400, "invalid_webhook_url");
    expect((await call(strict, "GET", `/v1/admin/webhooks/${good.json().id}`)).json().url).toBe("https://crm.example/hooks");
    expectProblem(await call(strict, "PATCH", `/v1/admin/webhooks/${good.json().id}`, {}), 400, "validation_failed");
  });

  it("a test message arrives signed as the reference library verifies it; after a rotation both secrets sign for a day", async () => {
    const created = (await call(open, "POST", "/v1/admin/webhooks", { url: receiverUrl, events: ["membership.expiring"] })).json();
    received.length = 0;
    const sent = await call(open, "POST", `/v1/admin/webhooks/${created.id}/test`);
    expect(sent.statusCode, sent.body).toBe(200);
    expect(sent.json()).toMatchObject({ messageId: expect.stringMatching(/^msg_/), delivered: true, status: 200, error: null, excerpt: "thanks" });
    expect(received).toHaveLength(1);
    const first = received[0]!;
    expect(first.headers["webhook-id"]).toBe(sent.json().messageId);
    const event = new Webhook(created.secret).verify(first.body, first.headers as Record<string, string>) as { type: string; data: { endpointId: string } };
    expect(event).toMatchObject({ type: "webhook.test", data: { endpointId: created.id } });
    expect(() => new Webhook(created.secret).verify(first.body.replace("webhook.test", "webhook.tesT"), first.headers as Record<string, string>)).toThrow();

    const rotated = await call(open, "POST", `/v1/admin/webhooks/${created.id}/rotate-secret`);
    expect(rotated.statusCode, rotated.body).toBe(200);
    const { secret, previousValidUntil } = rotated.json();
    expect(secret).not.toBe(created.secret);
    expect(Date.parse(previousValidUntil) - Date.now()).toBeGreaterThan(23 * 3600 * 1000);
    await call(open, "POST", `/v1/admin/webhooks/${created.id}/test`);
    const second = received[1]!;
    expect(String(second.headers["webhook-signature"]).split(" ")).toHaveLength(2);
    for (const key of [secret, created.secret]) expect(() => new Webhook(key).verify(second.body, second.headers as Record<string, string>)).not.toThrow();
  });

  it("a test message to an address the deployment does not allow is refused, in words, without being sent", async () => {
    // Stored while the deployment allowed it; it no longer does.
    const brandId = (await strict.store.findBrandByApiKeyHash(sha(strict.apiKey)))!.id;
    const stored = await strict.store.createWebhook({ id: "wh_private", brandId, url: receiverUrl, events: ["award.sent"], description: "", enabled: true, sealedSecret: "unused", now: new Date().toISOString() as never }, 20);
    expect(stored.status).toBe("created");
    received.length = 0;
    const sent = await call(strict, "POST", "/v1/admin/webhooks/wh_private/test");
    expect(sent.statusCode, sent.body).toBe(200);
    expect(sent.json()).toMatchObject({ delivered: false, status: null, error: expect.stringMatching(/\w+ \w+/) });
    expect(received).toHaveLength(0);
  });

  it("a brand has at most 20 endpoints", async () => {
    const brand = await createBrand(open.store, "Busy Brand");
    const { key } = await issueApiKey(open.store, brand.id, "tests");
    for (let i = 0; i < 20; i++) expect((await call(open, "POST", "/v1/admin/webhooks", { url: `${receiverUrl}/${i}`, events: ["award.sent"] }, key)).statusCode).toBe(201);
    expectProblem(await call(open, "POST", "/v1/admin/webhooks", { url: receiverUrl, events: ["award.sent"] }, key), 409, "quota_exceeded");
  });
});

const sha = (text: string) => createHash("sha256").update(text).digest("hex");
