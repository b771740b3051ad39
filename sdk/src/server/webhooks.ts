/**
 * `verifyWebhook`: the brand's server checks that a webhook came from Stampbook, unaltered and
 * recently, before acting on it. Messages are signed the Standard Webhooks v1 way
 * (standardwebhooks.com): an HMAC-SHA256 over `webhook-id.webhook-timestamp.body` with the endpoint's
 * `whsec_` secret, one `v1,` signature per secret while a secret is being rotated.
 *
 * Web Crypto rather than node:crypto: the same code runs in Node, Next.js (either runtime) and
 * anywhere `@stampbook/sdk/server` is imported, and `crypto.subtle.verify` compares HMACs in
 * constant time.
 */
import type { WebhookEventData } from "../protocol/webhook-events.ts";
import type { WebhookEventType } from "../protocol/webhooks.ts";
import { StampbookError } from "../errors/base.ts";
import { header } from "./http.ts";

/** A webhook as it arrives: a Fetch `Request`, or headers with the raw body (Express `express.raw()`, Fastify with a buffer parser). */
export type WebhookRequest = Request | { headers: Headers | Record<string, string | string[] | undefined>; body: string | Uint8Array };

/** A verified event. `timestamp` is when it happened (ISO 8601). */
export type WebhookEvent<Data = unknown> = { type: string; timestamp: string; data: Data };

/**
 * Any of Stampbook's events, typed by `type`: `if (event.type === "redemption.created")` narrows
 * `event.data` to that event's payload.
 */
export type StampbookWebhookEvent = { [T in WebhookEventType]: { type: T; timestamp: string; data: WebhookEventData[T] } }[WebhookEventType];

export type VerifyWebhookOptions = {
  /** How far the `webhook-timestamp` may be from now, either way, in seconds; default 300. */
  toleranceSeconds?: number;
  /** The clock messages are judged by; default the system's. */
  now?: () => Date;
};

export type WebhookVerificationErrorCode = "missing_headers" | "timestamp_out_of_range" | "bad_signature" | "bad_body";

export type WebhookVerificationErrorType = WebhookVerificationError & { name: "WebhookVerificationError" };

/**
 * A webhook that did not verify: answer it with a 400 and do not act on it. `code` says why.
 *
 * @example
 * if (error instanceof WebhookVerificationError) return new Response(error.code, { status: 400 });
 */
export class WebhookVerificationError extends StampbookError {
  override name = "WebhookVerificationError";
  declare readonly code: WebhookVerificationErrorCode;
  constructor(code: WebhookVerificationErrorCode, details: string) {
    super("The webhook did not verify", { code, details });
  }
}

const DEFAULT_TOLERANCE_SECONDS = 5 * 60;
const SECRET_PREFIX = "whsec_";

/**
 * Verifies a webhook and returns its event; throws {@link WebhookVerificationError} if it is not
 * Stampbook's, was altered, or is older (or newer) than the tolerance. Pass the body exactly as
 * received: a parsed and re-serialized body no longer matches its signature.
 *
 * @param secret The endpoint's `whsec_` secret, or both secrets while one is being rotated.
 *
 * @example
 * // app/api/stampbook/webhooks/route.ts (Next.js)
 * import { verifyWebhook } from "@stampbook/sdk/server";
 * export async function POST(request: Request) {
 *   const event = await verifyWebhook(request, process.env.STAMPBOOK_WEBHOOK_SECRET!);
 *   if (event.type === "member.joined") { … }
 *   return new Response(null, { status: 204 });
 * }
 *
 * @example
 * // Express: the raw body, not express.json()
 * app.post("/webhooks/stampbook", express.raw({ type: "application/json" }), async (req, res) => {
 *   const event = await verifyWebhook({ headers: req.headers, body: req.body }, secret);
 *   res.sendStatus(204);
 * });
 */
export async function verifyWebhook<Event extends WebhookEvent = StampbookWebhookEvent>(request: WebhookRequest, secret: string | readonly string[], options: VerifyWebhookOptions = {}): Promise<Event> {
  const keys = (typeof secret === "string" ? [secret] : secret).map(secretBytes);
  if (keys.length === 0) throw new TypeError("verifyWebhook needs the endpoint's secret.");

  const id = header(request, "webhook-id");
  const timestamp = header(request, "webhook-timestamp");
  const signatures = header(request, "webhook-signature");
  if (!id || !timestamp || !signatures) throw new WebhookVerificationError("missing_headers", "The webhook-id, webhook-timestamp and webhook-signature headers are all needed.");

  // The timestamp is signed too: an old message replayed later is refused here.
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const now = Math.floor((options.now?.() ?? new Date()).getTime() / 1000);
  if (!/^\d{1,15}$/.test(timestamp)) throw new WebhookVerificationError("timestamp_out_of_range", `webhook-timestamp is not a time in unix seconds: ${timestamp.slice(0, 32)}`);
  if (Math.abs(now - Number(timestamp)) > tolerance) throw new WebhookVerificationError("timestamp_out_of_range", `The message is from ${timestamp}, more than ${tolerance} s from now (${now}).`);

  const body = await bodyBytes(request);
  const signed = concat(new TextEncoder().encode(`${id}.${timestamp}.`), body);
  const candidates = signatures
    .split(" ")
    .filter((entry) => entry.startsWith("v1,"))
    .map((entry) => base64Bytes(entry.slice(3)))
    .filter((bytes) => bytes !== null);
  if (!(await matchesAny(signed, candidates, keys))) throw new WebhookVerificationError("bad_signature", "No v1 signature matches the secret: the message was altered, or is signed with another endpoint's secret.");

  let event: unknown;
  try {
    event = JSON.parse(new TextDecoder().decode(body));
  } catch {
    throw new WebhookVerificationError("bad_body", "The body is not JSON.");
  }
  if (event === null || typeof event !== "object" || typeof (event as { type?: unknown }).type !== "string" || typeof (event as { timestamp?: unknown }).timestamp !== "string") throw new WebhookVerificationError("bad_body", "The body is not an event: it needs a type and a timestamp.");
  const { type, timestamp: happened, data } = event as { type: string; timestamp: string; data?: unknown };
  return { type, timestamp: happened, data } as Event;
}

/** Whether any candidate signature is the HMAC of `signed` under any key. */
async function matchesAny(signed: Uint8Array<ArrayBuffer>, candidates: Uint8Array<ArrayBuffer>[], keys: Uint8Array<ArrayBuffer>[]): Promise<boolean> {
  for (const raw of keys) {
    const key = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
    for (const candidate of candidates) if (await crypto.subtle.verify("HMAC", key, candidate, signed)) return true;
  }
  return false;
}

async function bodyBytes(request: WebhookRequest): Promise<Uint8Array<ArrayBuffer>> {
  if (typeof (request as Request).arrayBuffer === "function") {
    if ((request as Request).bodyUsed) throw new WebhookVerificationError("bad_body", "The request's body was already read: verify first, or pass request.clone().");
    return new Uint8Array(await (request as Request).arrayBuffer());
  }
  const { body } = request as { body: unknown };
  if (typeof body === "string") return new TextEncoder().encode(body);
  // A Buffer is a Uint8Array: copied so the bytes are the view's, not the whole pool's.
  if (body instanceof Uint8Array) return new Uint8Array(body);
  throw new WebhookVerificationError("bad_body", "Pass the raw body (a string, Buffer or Uint8Array), not a parsed object: the signature covers the bytes as sent.");
}

/** The HMAC key in a `whsec_` secret (a bare base64 key is taken as is). */
function secretBytes(secret: string): Uint8Array<ArrayBuffer> {
  const key = base64Bytes(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret);
  if (key === null || key.length === 0) throw new TypeError("A webhook secret is `whsec_` followed by base64, as shown when the endpoint was created.");
  return key;
}

function base64Bytes(text: string): Uint8Array<ArrayBuffer> | null {
  try {
    return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
  } catch {
    return null;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
