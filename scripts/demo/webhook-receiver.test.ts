/**
 * The demo's webhook receiver (webhook-receiver.ts) over HTTP, with messages signed by the
 * standardwebhooks library as a Standard Webhooks sender signs them: a verified message is answered
 * 204 and printed on one line; a tampered one, or one signed with another secret, 400 and nothing
 * printed; a repeated webhook-id is said to be a repeat; before it has a secret it answers 503.
 * Registered through the API, it replaces the endpoint an earlier run left and keeps the brand's
 * others, and takes a test message the API signs.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import { startChain, type DemoChain } from "../../test/support/chain.ts";
import { bearer, startServer, type TestServer } from "../../test/support/server.ts";
import { describeEvent, DEMO_RECEIVER_DESCRIPTION, DEMO_RECEIVER_EVENTS, registerDemoReceiver, startWebhookReceiver, type WebhookReceiver } from "./webhook-receiver.ts";

const secret = `whsec_${randomBytes(32).toString("base64")}`;
const lines: string[] = [];
let receiver: WebhookReceiver;

const member = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const redemption = {
  type: "redemption.created",
  timestamp: "2026-03-01T10:00:00.000Z",
  data: { redemptionId: "rd_1", perk: { id: "pk_1", title: "Free pastry" }, member: { address: member }, vault: null, code: "ABCD-EFGH-JKLM", createdAt: "2026-03-01T10:00:00.000Z" },
};

/** POSTs `body` to the receiver, signed as `id` with `signingSecret` (the receiver's unless told). */
async function send(id: string, body: string, options: { signingSecret?: string; sentBody?: string } = {}) {
  const signature = new Webhook(options.signingSecret ?? secret).sign(id, new Date(), body);
  return fetch(receiver.url, {
    method: "POST",
    headers: { "content-type": "application/json", "webhook-id": id, "webhook-timestamp": String(Math.floor(Date.now() / 1000)), "webhook-signature": signature },
    body: options.sentBody ?? body,
  });
}

beforeAll(async () => {
  receiver = await startWebhookReceiver({ secret, label: "Demo Coffee Club", print: (line) => lines.push(line) });
});

afterAll(async () => {
  await receiver?.close();
});

describe("the demo webhook receiver", () => {
  it("listens on 127.0.0.1, on a port of its own", () => {
    expect(receiver.url).toBe(`http://127.0.0.1:${receiver.port}/webhooks`);
    expect(receiver.port).toBeGreaterThan(0);
  });

  it("answers a verified message 204 and prints one line about it", async () => {
    lines.length = 0;
    const response = await send("msg_first", JSON.stringify(redemption));
    expect(response.status).toBe(204);
    expect(lines).toEqual([`webhook  redemption.created   msg_first  Demo Coffee Club: 0xf39F…2266 redeemed "Free pastry"`]);
  });

  it("answers a tampered body 400 and prints nothing", async () => {
    lines.length = 0;
    const body = JSON.stringify(redemption);
    const response = await send("msg_tampered", body, { sentBody: body.replace("Free pastry", "Free dinner") });
    expect(response.status).toBe(400);
    expect(await response.text()).toBe("bad_signature");
    expect((await send("msg_other_secret", body, { signingSecret: `whsec_${randomBytes(32).toString("base64")}` })).status).toBe(400);
    const unsigned = await fetch(receiver.url, { method: "POST", headers: { "content-type": "application/json" }, body });
    expect(unsigned.status).toBe(400);
    expect(lines).toEqual([]);
  });

  it("says a repeated webhook-id is a repeat, answers it 204, and does not print it as new", async () => {
    lines.length = 0;
    const body = JSON.stringify({ ...redemption, data: { ...redemption.data, redemptionId: "rd_2" } });
    expect((await send("msg_twice", body)).status).toBe(204);
    expect((await send("msg_twice", body)).status).toBe(204);
    expect(lines).toEqual([
      `webhook  redemption.created   msg_twice  Demo Coffee Club: 0xf39F…2266 redeemed "Free pastry"`,
      `webhook  redemption.created   msg_twice  repeat of a message already received: dropped`,
    ]);
  });

  it("prints a type it does not special-case with its data, cut short", async () => {
    lines.length = 0;
    const body = JSON.stringify({ type: "something.new", timestamp: "2026-03-01T10:00:00.000Z", data: { note: "x".repeat(200) } });
    expect((await send("msg_new_type", body)).status).toBe(204);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^webhook {2}something\.new {8}msg_new_type {2}Demo Coffee Club: \{"note":"x+…$/);
    expect(lines[0]!.split("Demo Coffee Club: ")[1]).toHaveLength(80);
  });

  it("describes every event type it is subscribed to in words", () => {
    const address = { address: member };
    const token = { collection: member, tokenId: "1", name: "Gold membership" };
    expect(describeEvent("level.changed", { member: address, from: { key: "green", name: "Green" }, to: { key: "silver", name: "Silver" }, points: "140" })).toBe("0xf39F…2266 went from Green to Silver (140 points)");
    expect(describeEvent("membership.granted", { member: address, tokenType: token, expiresAt: "2026-04-01T00:00:00.000Z" })).toBe("0xf39F…2266 got Gold membership until 2026-04-01");
    expect(describeEvent("token.transferred", { tokenType: { ...token, name: "Journey stamp" }, from: member, to: member, amount: "3", confirmed: true, reverted: false })).toBe("3 × Journey stamp from 0xf39F…2266 to 0xf39F…2266");
    // A shape this version does not know falls back to the data.
    expect(describeEvent("redemption.created", { odd: true })).toBe('{"odd":true}');
    expect(DEMO_RECEIVER_EVENTS).not.toContain("webhook.test");
    expect(DEMO_RECEIVER_EVENTS).toContain("redemption.created");
  });

  it("answers 503 until it is given a secret, then verifies with it", async () => {
    const printed: string[] = [];
    const later = await startWebhookReceiver({ print: (line) => printed.push(line) });
    try {
      const body = JSON.stringify(redemption);
      const post = () =>
        fetch(later.url, {
          method: "POST",
          headers: { "webhook-id": "msg_later", "webhook-timestamp": String(Math.floor(Date.now() / 1000)), "webhook-signature": new Webhook(secret).sign("msg_later", new Date(), body) },
          body,
        });
      expect((await post()).status).toBe(503);
      later.useSecret(secret);
      expect((await post()).status).toBe(204);
      expect(printed).toEqual([`webhook  redemption.created   msg_later  0xf39F…2266 redeemed "Free pastry"`]);
    } finally {
      await later.close();
    }
  });
});

describe("registering the demo receiver through the API", () => {
  let chain: DemoChain;
  let open: TestServer;
  let strict: TestServer;
  beforeAll(async () => {
    chain = await startChain();
    // The local demo's deployment (private addresses and plain http allowed, as npm start sets), and a public one's.
    open = await startServer(chain, { webhooks: { allowPrivate: true, allowHttp: true } });
    strict = await startServer(chain);
  });
  afterAll(async () => {
    await open?.close();
    await strict?.close();
    await chain?.connection.close();
  });

  it("replaces the endpoint an earlier run registered, keeps the brand's others, and verifies what the API signs", async () => {
    const list = async () => (await open.app.inject({ method: "GET", url: "/v1/admin/webhooks", headers: bearer(open.apiKey) })).json().items;
    const crm = await open.app.inject({ method: "POST", url: "/v1/admin/webhooks", headers: bearer(open.apiKey), payload: { url: "http://127.0.0.1:1/crm", events: ["award.sent"], description: "CRM" } });
    expect(crm.statusCode).toBe(201);
    const earlier = await registerDemoReceiver({ app: open.app, apiKey: open.apiKey, url: "http://127.0.0.1:2/webhooks" });
    expect(earlier.replaced).toBe(0);

    const printed: string[] = [];
    const demo = await startWebhookReceiver({ label: "Demo Coffee Club", print: (line) => printed.push(line) });
    try {
      const registered = await registerDemoReceiver({ app: open.app, apiKey: open.apiKey, url: demo.url });
      expect(registered).toMatchObject({ replaced: 1, secret: expect.stringMatching(/^whsec_/) });
      expect(registered.secret).not.toBe(earlier.secret);
      expect((await list()).map((e: any) => [e.description, e.url, e.events])).toEqual([
        ["CRM", "http://127.0.0.1:1/crm", ["award.sent"]],
        [DEMO_RECEIVER_DESCRIPTION, demo.url, DEMO_RECEIVER_EVENTS],
      ]);

      demo.useSecret(registered.secret);
      const test = await open.app.inject({ method: "POST", url: `/v1/admin/webhooks/${registered.id}/test`, headers: bearer(open.apiKey) });
      expect(test.json()).toMatchObject({ delivered: true, status: 204 });
      expect(printed).toEqual([`webhook  webhook.test         ${test.json().messageId}  Demo Coffee Club: test message for endpoint ${registered.id}`]);
    } finally {
      await demo.close();
    }
  });

  it("says what the API answered when it refuses the receiver's address", async () => {
    await expect(registerDemoReceiver({ app: strict.app, apiKey: strict.apiKey, url: receiver.url })).rejects.toThrow(/^POST \/v1\/admin\/webhooks answered 400: Webhooks are sent over https only/);
  });
});
