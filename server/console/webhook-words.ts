/**
 * The Webhooks screen's words: what each event type means to staff, grouped as the form offers them;
 * an endpoint's state (and why it is off, or since when it fails); a test message's, a delivery's and
 * an attempt's outcome. Pure, so they are tested without a browser.
 */
import type { Webhook, WebhookDelivery, WebhookEventType } from "../../sdk/src/protocol/webhooks.ts";

/** Each event type in staff's words (a record, so a new type in the protocol fails to compile until it is worded). */
export const EVENT_WORDS: Record<WebhookEventType, string> = {
  "redemption.created": "A member redeemed a perk",
  "redemption.consumed": "A till used a code",
  "claim.minted": "A claim was minted",
  "claim.failed": "A claim failed",
  "award.sent": "A stamp was sent (award)",
  "journey.completed": "A journey was completed",
  "level.changed": "A member's level changed",
  "membership.granted": "A membership was granted",
  "membership.renewed": "A membership was renewed",
  "membership.expiring": "A membership is about to expire (72 h)",
  "membership.expired": "A membership expired",
  "token.transferred": "A token was transferred",
  "consent.granted": "A member granted consent",
  "consent.revoked": "A member revoked consent",
  "member.erased": "A member erased their data",
  "webhook.disabled": "An endpoint was turned off",
  "webhook.test": "A test message",
};

/** The event types an endpoint may be sent, grouped as the form shows them (a test message is sent on demand only). */
export const EVENT_GROUPS: ReadonlyArray<{ title: string; types: readonly WebhookEventType[] }> = [
  { title: "Perks and the till", types: ["redemption.created", "redemption.consumed"] },
  { title: "Drops and stamps", types: ["claim.minted", "claim.failed", "award.sent"] },
  { title: "Journeys and levels", types: ["journey.completed", "level.changed"] },
  { title: "Memberships", types: ["membership.granted", "membership.renewed", "membership.expiring", "membership.expired"] },
  { title: "Tokens", types: ["token.transferred"] },
  { title: "Members' data", types: ["consent.granted", "consent.revoked", "member.erased"] },
  { title: "Endpoints", types: ["webhook.disabled"] },
];

/** How an endpoint fares: turned off by Stampbook (410, days of failures), failing, off by the brand, or on and delivering. */
export type EndpointHealth = "turned-off" | "failing" | "off" | "on";

export function endpointHealth(endpoint: Pick<Webhook, "enabled" | "disabledReason" | "failingSince">): EndpointHealth {
  if (!endpoint.enabled) return endpoint.disabledReason ? "turned-off" : "off";
  return endpoint.failingSince ? "failing" : "on";
}

export const HEALTH_BADGE: Record<EndpointHealth, string> = { "turned-off": "Turned off", failing: "Failing", off: "Off", on: "On" };

/** Endpoints that need the brand's attention first (failing, or turned off by Stampbook), then those on, then those the brand turned off; otherwise as listed. */
export function inAttentionOrder<T extends Pick<Webhook, "enabled" | "disabledReason" | "failingSince">>(endpoints: readonly T[]): T[] {
  const rank = (e: T) => (e.failingSince || (!e.enabled && e.disabledReason) ? 0 : e.enabled ? 1 : 2);
  return endpoints.map((e, i) => ({ e, i })).sort((a, b) => rank(a.e) - rank(b.e) || a.i - b.i).map(({ e }) => e);
}

/** A moment as staff read it: "3 Dec, 14:02" in their locale, with the year when it is not this one. */
export function moment(timestamp: string | Date, now: Date = new Date(), locale?: string): string {
  const at = new Date(timestamp);
  const year = at.getFullYear() === now.getFullYear() ? {} : { year: "numeric" as const };
  return at.toLocaleString(locale, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", ...year });
}

/** How long an endpoint may fail before Stampbook turns it off (the dispatcher's FAILING_DISABLES_AFTER_MS). */
const FAILING_DAYS = 5;

/** A sentence from the API's words, lower-cased at its start when it starts with an ordinary word. */
const continuing = (text: string) => (/^[A-Z][a-z]/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text);
const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

/** The endpoint's state in a sentence: why it is off, since when it fails, or that it is on. */
export function healthWords(endpoint: Pick<Webhook, "enabled" | "disabledReason" | "failingSince">, now: Date = new Date(), locale?: string): string {
  switch (endpointHealth(endpoint)) {
    case "turned-off":
      return `Turned off: ${sentence(continuing(endpoint.disabledReason!))} Nothing is sent to it until you turn it on again.`;
    case "failing": {
      const since = new Date(endpoint.failingSince!);
      const offAt = new Date(since.getTime() + FAILING_DAYS * 24 * 3600_000);
      return `Failing since ${moment(since, now, locale)}: every attempt since then failed. Messages are tried again; if it still fails on ${moment(offAt, now, locale)}, it is turned off.`;
    }
    case "off":
      return "Off: you turned it off, and nothing is sent to it.";
    case "on":
      return "On: messages are sent to it as things happen.";
  }
}

/** The event types an endpoint is sent, in words, in the form's order. */
export function eventList(events: readonly WebhookEventType[]): string {
  const chosen = new Set(events);
  const ordered = [...EVENT_GROUPS.flatMap((g) => g.types), "webhook.test" as const].filter((t) => chosen.has(t));
  return ordered.map((t) => EVENT_WORDS[t]).join(" · ");
}

const STATUS_TEXT: Record<number, string> = {
  200: "OK",
  201: "Created",
  202: "Accepted",
  204: "No Content",
  301: "Moved Permanently",
  302: "Found",
  307: "Temporary Redirect",
  308: "Permanent Redirect",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  410: "Gone",
  413: "Content Too Large",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** An HTTP status with its name where it is a common one: "HTTP 410 Gone". */
export function httpWords(status: number): string {
  const text = STATUS_TEXT[status];
  return text ? `HTTP ${status} ${text}` : `HTTP ${status}`;
}

/** The start of an endpoint's answer, on one line and short. */
export function excerptWords(excerpt: string, max = 120): string {
  const line = excerpt.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** What a test message came to: "Delivered in 42 ms (HTTP 200)." or "Not delivered: …". */
export function testResultWords(result: { delivered: boolean; status: number | null; latencyMs: number; error: string | null; excerpt: string }): string {
  if (result.delivered) return `Delivered in ${result.latencyMs} ms (HTTP ${result.status}).`;
  if (result.error) return `Not delivered: ${sentence(continuing(result.error))}`;
  const said = excerptWords(result.excerpt);
  return `Not delivered: the endpoint answered ${result.status === null ? "nothing" : httpWords(result.status)}${said ? ` (“${said}”)` : ""}.`;
}

/** A delivery's state in words. */
export function deliveryStateWords(delivery: Pick<WebhookDelivery, "state" | "attempts" | "lastStatus">): string {
  if (delivery.state === "delivered") return "Delivered";
  if (delivery.state === "failed") return "Failed: no more attempts";
  if (delivery.attempts === 0) return "Waiting to be sent";
  // Pending after an answer that was a success: it was asked for again (a resend, a replay).
  const delivered = delivery.lastStatus !== null && delivery.lastStatus >= 200 && delivery.lastStatus < 300;
  return delivered ? "Waiting to be sent again" : "Failed, will be tried again";
}

/** What the endpoint last answered, or why no answer came ("—" before any attempt). */
export function lastAnswerWords(delivery: Pick<WebhookDelivery, "lastStatus" | "lastError">): string {
  if (delivery.lastStatus !== null) return httpWords(delivery.lastStatus);
  return delivery.lastError ?? "—";
}

/** One attempt of the log in a line: "Attempt 2, 3 Dec, 14:02: HTTP 500 Internal Server Error in 31 ms." */
export function attemptWords(attempt: WebhookDelivery["log"][number], now: Date = new Date(), locale?: string): string {
  const outcome = attempt.status === null ? `no answer after ${attempt.latencyMs} ms` : `${httpWords(attempt.status)} in ${attempt.latencyMs} ms`;
  return `Attempt ${attempt.attempt}, ${moment(attempt.at, now, locale)}: ${outcome}${attempt.error ? `. ${sentence(attempt.error)}` : "."}`;
}

/** How many messages a replay queued, in words. */
export function replayWords(queued: number, since: string | Date, now: Date = new Date(), locale?: string): string {
  if (queued === 0) return `Nothing to send again: no message for this endpoint since ${moment(since, now, locale)}.`;
  return queued === 1 ? "1 message is on its way again." : `${queued} messages are on their way again.`;
}
