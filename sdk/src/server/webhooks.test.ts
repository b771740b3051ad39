/**
 * `verifyWebhook` against signatures it did not make: the standardwebhooks library's (what any
 * Standard Webhooks sender produces) and the API's own signer, through a Fetch `Request`, an
 * Express-style raw body and a real Express app.
 */
import type { AddressInfo } from "node:net";
import express from "express";
import { Webhook } from "standardwebhooks";
import { afterAll, describe, expect, it } from "vitest";
import { newSigningSecret, webhookHeaders } from "../../../server/webhooks/signing.ts";
import { verifyWebhook, WebhookVerificationError, type WebhookEvent } from "./index.ts";

const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const event = { type: "member.joined", timestamp: "2025-01-01T00:00:00.000Z", data: { address: "0xabc", level: "Gold" } };
const body = JSON.stringify(event);
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Headers as the library signs them, for `secrets` (several: one signature each, as in a rotation). */
function librarySigned(secrets: string[], options: { id?: string; timestamp?: number; payload?: string } = {}) {
  const { id = "msg_1", timestamp = nowSeconds(), payload = body } = options;
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": secrets.map((s) => new Webhook(s).sign(id, new Date(timestamp * 1000), payload)).join(" "),
  };
}

async function codeOf(verifying: Promise<unknown>): Promise<string> {
  const error = await verifying.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(WebhookVerificationError);
  expect((error as WebhookVerificationError).name).toBe("WebhookVerificationError");
  return (error as WebhookVerificationError).code;
}

describe("verifyWebhook", () => {
  it("verifies what the standardwebhooks library signs, and returns the event", async () => {
    const verified = await verifyWebhook<WebhookEvent<{ address: string }>>({ headers: librarySigned([secret]), body }, secret);
    expect(verified).toEqual(event);
  });

  it("verifies what the API's signer produces", async () => {
    const fresh = newSigningSecret();
    expect(await verifyWebhook({ headers: webhookHeaders("msg_2", nowSeconds(), body, [fresh]), body }, fresh)).toEqual(event);
  });

  it("takes a Fetch Request, as a Next.js route handler gets it", async () => {
    const request = new Request("https://shop.example/api/stampbook/webhooks", { method: "POST", headers: { ...librarySigned([secret]), "content-type": "application/json" }, body });
    expect(await verifyWebhook(request, secret)).toEqual(event);
  });

  it("takes Express-style headers with a Buffer body", async () => {
    const request = { headers: { ...librarySigned([secret]), "content-type": "application/json" } as Record<string, string | string[] | undefined>, body: Buffer.from(body) };
    expect(await verifyWebhook(request, secret)).toEqual(event);
  });

  it("accepts either secret during a rotation, and both given together", async () => {
    const [old, next] = [newSigningSecret(), newSigningSecret()];
    const headers = webhookHeaders("msg_3", nowSeconds(), body, [old, next]);
    expect(await verifyWebhook({ headers, body }, old)).toEqual(event);
    expect(await verifyWebhook({ headers, body }, next)).toEqual(event);
    expect(await verifyWebhook({ headers: librarySigned([next]), body }, [old, next])).toEqual(event);
  });

  it("refuses a tampered body, id or signature, and another secret: bad_signature", async () => {
    const headers = librarySigned([secret]);
    expect(await codeOf(verifyWebhook({ headers, body: body.replace("Gold", "Plat") }, secret))).toBe("bad_signature");
    expect(await codeOf(verifyWebhook({ headers: { ...headers, "webhook-id": "msg_9" }, body }, secret))).toBe("bad_signature");
    expect(await codeOf(verifyWebhook({ headers: { ...headers, "webhook-signature": "v1,not-base64!" }, body }, secret))).toBe("bad_signature");
    expect(await codeOf(verifyWebhook({ headers: { ...headers, "webhook-signature": headers["webhook-signature"].replace("v1,", "v2,") }, body }, secret))).toBe("bad_signature");
    expect(await codeOf(verifyWebhook({ headers, body }, newSigningSecret()))).toBe("bad_signature");
  });

  it("refuses a message outside the tolerance either way: timestamp_out_of_range", async () => {
    const sent = nowSeconds() - 301;
    const old = librarySigned([secret], { timestamp: sent });
    expect(await codeOf(verifyWebhook({ headers: old, body }, secret))).toBe("timestamp_out_of_range");
    expect(await codeOf(verifyWebhook({ headers: librarySigned([secret], { timestamp: nowSeconds() + 301 }), body }, secret))).toBe("timestamp_out_of_range");
    expect(await codeOf(verifyWebhook({ headers: { ...old, "webhook-timestamp": "soon" }, body }, secret))).toBe("timestamp_out_of_range");
    // The same message is fine by a clock at the time it was sent, or with a wider tolerance.
    expect(await verifyWebhook({ headers: old, body }, secret, { now: () => new Date(sent * 1000) })).toEqual(event);
    expect(await verifyWebhook({ headers: old, body }, secret, { toleranceSeconds: 600 })).toEqual(event);
  });

  it("refuses a message without its headers: missing_headers", async () => {
    const { "webhook-signature": _signature, ...unsigned } = librarySigned([secret]);
    expect(await codeOf(verifyWebhook({ headers: unsigned, body }, secret))).toBe("missing_headers");
    expect(await codeOf(verifyWebhook({ headers: new Headers(), body }, secret))).toBe("missing_headers");
  });

  it("refuses a signed body that is not an event, or a body already parsed: bad_body", async () => {
    expect(await codeOf(verifyWebhook({ headers: librarySigned([secret], { payload: "not json" }), body: "not json" }, secret))).toBe("bad_body");
    expect(await codeOf(verifyWebhook({ headers: librarySigned([secret], { payload: "[1]" }), body: "[1]" }, secret))).toBe("bad_body");
    expect(await codeOf(verifyWebhook({ headers: librarySigned([secret]), body: event as unknown as string }, secret))).toBe("bad_body");
  });

  it("says a missing or malformed secret is the caller's mistake, not the message's", async () => {
    await expect(verifyWebhook({ headers: librarySigned([secret]), body }, [])).rejects.toThrow(TypeError);
    await expect(verifyWebhook({ headers: librarySigned([secret]), body }, "whsec_")).rejects.toThrow(/`whsec_` followed by base64/);
  });
});

describe("verifyWebhook in a real Express app", () => {
  const app = express();
  app.post("/webhooks/stampbook", express.raw({ type: "application/json" }), async (req, res) => {
    try {
      const verified = await verifyWebhook({ headers: req.headers, body: req.body as Buffer }, secret);
      res.status(200).json(verified);
    } catch (error) {
      res.status(400).send((error as WebhookVerificationError).code);
    }
  });
  const server = app.listen(0, "127.0.0.1");
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  const post = (headers: Record<string, string>, payload: string) => fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/stampbook`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: payload });

  it("verifies the raw body and refuses a tampered one", async () => {
    const good = await post(librarySigned([secret]), body);
    expect(good.status).toBe(200);
    expect(await good.json()).toEqual(event);
    const tampered = await post(librarySigned([secret]), body.replace("Gold", "Plat"));
    expect(tampered.status).toBe(400);
    expect(await tampered.text()).toBe("bad_signature");
  });
});
