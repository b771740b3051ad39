/**
 * Our signatures against the standardwebhooks library, the reference a brand's receiver is likely
 * to use: what we sign, it verifies, and what it signs, we sign byte for byte.
 */
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { newSigningSecret, signMessage, webhookHeaders } from "./signing.ts";

const now = () => Math.floor(Date.now() / 1000);
const body = JSON.stringify({ type: "member.joined", timestamp: "2025-01-01T00:00:00.000Z", data: { address: "0xabc" } });

describe("webhook signing", () => {
  it("makes whsec_ secrets of 32 random bytes, different each time", () => {
    const secret = newSigningSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), "base64")).toHaveLength(32);
    expect(newSigningSecret()).not.toBe(secret);
  });

  it("signs what the library verifies, with the headers a delivery sends", () => {
    const secret = newSigningSecret();
    const headers = webhookHeaders("msg_1", now(), body, [secret]);
    expect(headers["content-type"]).toBe("application/json");
    expect(headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it("signs with both secrets during a rotation, and each verifies alone", () => {
    const [old, next] = [newSigningSecret(), newSigningSecret()];
    const headers = webhookHeaders("msg_2", now(), body, [old, next]);
    expect(headers["webhook-signature"].split(" ")).toHaveLength(2);
    expect(new Webhook(old).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(next).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it("is refused by the library for a changed body, a changed id or another secret", () => {
    const secret = newSigningSecret();
    const headers = webhookHeaders("msg_3", now(), body, [secret]);
    expect(() => new Webhook(secret).verify(body.replace("0xabc", "0xabd"), headers)).toThrow(WebhookVerificationError);
    expect(() => new Webhook(secret).verify(body, { ...headers, "webhook-id": "msg_4" })).toThrow(WebhookVerificationError);
    expect(() => new Webhook(newSigningSecret()).verify(body, headers)).toThrow(WebhookVerificationError);
  });

  it("equals the library's own signature for a fixed message", () => {
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const timestamp = 1_700_000_000;
    expect(signMessage({ id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp, body }, [secret])).toBe(new Webhook(secret).sign("msg_p5jXN8AQM9LWM0D4loKWxJek", new Date(timestamp * 1000), body));
  });

  it("refuses to sign without a secret or with a fractional timestamp", () => {
    expect(() => signMessage({ id: "m", timestamp: now(), body }, [])).toThrow(/at least one secret/);
    expect(() => signMessage({ id: "m", timestamp: 1.5, body }, [newSigningSecret()])).toThrow(/whole unix seconds/);
  });
});
