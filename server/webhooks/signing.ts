/**
 * Signing a brand's webhooks the Standard Webhooks v1 way (standardwebhooks.com): every message
 * carries its id, its timestamp and an HMAC-SHA256 over `id.timestamp.body` keyed with the
 * endpoint's `whsec_` secret, so any Standard Webhooks library verifies what we send.
 */
import { createHmac, randomBytes } from "node:crypto";

const SECRET_PREFIX = "whsec_";

/** A message as it is signed: its id, its send time in unix seconds and the exact body bytes sent. */
export type SignedMessage = { id: string; timestamp: number; body: string };

export type WebhookHeaders = {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
  "content-type": "application/json";
};

/** A new endpoint secret: `whsec_` and 32 random bytes in base64, the format receivers' libraries take. */
export function newSigningSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString("base64");
}

/**
 * The `webhook-signature` header: one `v1,<base64>` per secret, space-separated, so during a rotation
 * a receiver holding either the old or the new secret accepts the message.
 */
export function signMessage({ id, timestamp, body }: SignedMessage, secrets: readonly string[]): string {
  if (secrets.length === 0) throw new Error("A webhook is signed with at least one secret.");
  if (!Number.isSafeInteger(timestamp)) throw new Error("A webhook timestamp is whole unix seconds.");
  const content = `${id}.${timestamp}.${body}`;
  // node:crypto's native HMAC, not the standardwebhooks library: it runs on every delivery attempt,
  // and the library stays the independent reference verifier in the tests.
  return secrets.map((secret) => `v1,${createHmac("sha256", secretKey(secret)).update(content).digest("base64")}`).join(" ");
}

/** The headers a delivery sends with `body`. */
export function webhookHeaders(id: string, timestamp: number, body: string, secrets: readonly string[]): WebhookHeaders {
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": signMessage({ id, timestamp, body }, secrets),
    "content-type": "application/json",
  };
}

/** The HMAC key: the base64 after `whsec_` (a bare base64 secret is taken as is, as the libraries do). */
function secretKey(secret: string): Buffer {
  const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, "base64");
  if (key.length === 0) throw new Error("A webhook secret is `whsec_` followed by base64 key bytes.");
  return key;
}
