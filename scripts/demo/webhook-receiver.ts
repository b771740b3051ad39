/**
 * The demo's webhook receiver: what a brand's own service does with Stampbook's webhooks, on this
 * machine. It verifies every POST with the SDK's `verifyWebhook` and the endpoint's secret, answers
 * 204 at once (400 when the message does not verify), drops repeats by `webhook-id`, and prints one
 * line per event. `npm start` registers it as an endpoint of the demo brand (`registerDemoReceiver`),
 * replacing the one an earlier run left behind: that run's secret is gone with it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { FastifyInstance } from "fastify";
import { verifyWebhook, WebhookVerificationError } from "../../sdk/src/server/index.ts";
import type { WebhookEventData } from "../../sdk/src/protocol/webhook-events.ts";
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from "../../sdk/src/protocol/webhooks.ts";

/** The description the demo's endpoint carries: how a restart finds the one an earlier run made. */
export const DEMO_RECEIVER_DESCRIPTION = "Local demo receiver";
/** Every event type but the console's test message. */
export const DEMO_RECEIVER_EVENTS = WEBHOOK_EVENT_TYPES.filter((type) => type !== "webhook.test");

/** A body larger than this is not a Stampbook message (theirs stay far below 64 KB). */
const MAX_BODY_BYTES = 256 * 1024;
/** How many webhook-ids are remembered to drop repeats; the oldest are forgotten first. */
const REMEMBERED_IDS = 10_000;

export type WebhookReceiverOptions = {
  /** The endpoint's `whsec_` secret; without it every message is answered 503 until `useSecret` gives one. */
  secret?: string;
  /** Whose endpoint it is, at the start of each line (the brand's name). */
  label?: string;
  host?: string;
  /** 0 (the default): any free port. */
  port?: number;
  /** Where the lines go; default the console. */
  print?: (line: string) => void;
};

export type WebhookReceiver = {
  /** Where it listens: the URL to register. */
  url: string;
  port: number;
  /** Verifies with this secret from now on (the one the API answered when the endpoint was created). */
  useSecret(secret: string): void;
  close(): Promise<void>;
};

export async function startWebhookReceiver(options: WebhookReceiverOptions = {}): Promise<WebhookReceiver> {
  const print = options.print ?? ((line: string) => console.log(line));
  const prefix = options.label ? `${options.label}: ` : "";
  let secret = options.secret;
  const seen = new Set<string>();

  async function receive(request: IncomingMessage, response: ServerResponse) {
    const answer = (status: number, text?: string) => {
      if (text === undefined) response.writeHead(status).end();
      else response.writeHead(status, { "content-type": "text/plain; charset=utf-8" }).end(text);
    };
    if (request.method !== "POST") return answer(405, "POST webhooks here");
    if (secret === undefined) return answer(503, "no secret yet");
    const body = await rawBody(request);
    if (body === undefined) return answer(413, "too large");
    let event;
    try {
      event = await verifyWebhook({ headers: request.headers, body }, secret);
    } catch (error) {
      if (error instanceof WebhookVerificationError) return answer(400, error.code);
      return answer(500, "could not verify");
    }
    // Verified, so the id is Stampbook's: a retry of a message already handled is answered 2xx
    // (or the retries go on) and not acted on again.
    const id = String(request.headers["webhook-id"]);
    const type = event.type.padEnd(19);
    if (seen.has(id)) {
      print(`webhook  ${type}  ${id}  repeat of a message already received: dropped`);
      return answer(204);
    }
    seen.add(id);
    if (seen.size > REMEMBERED_IDS) seen.delete(seen.values().next().value!);
    print(`webhook  ${type}  ${id}  ${prefix}${describeEvent(event.type, event.data)}`);
    answer(204);
  }

  // A request that breaks off while its body is read is dropped; the sender tries again.
  const server = createServer((request, response) => void receive(request, response).catch(() => response.destroy()));

  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}/webhooks`,
    port,
    useSecret: (value) => void (secret = value),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // The API keeps its connections alive between deliveries: they would hold the close.
        server.closeAllConnections();
      }),
  };
}

/** The request's body as sent, or undefined when it is larger than a message can be. */
async function rawBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** `0xf39F…2266`: enough of an address to tell the demo's accounts apart. */
const short = (address: string) => (address.length > 12 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address);
const day = (timestamp: string) => timestamp.slice(0, 10);
const until = (timestamp: string | null) => (timestamp === null ? "for good" : `until ${day(timestamp)}`);
const times = (amount: string, name: string) => (amount === "1" ? name : `${amount} × ${name}`);

type Describe = { [T in WebhookEventType]?: (data: WebhookEventData[T]) => string };

const DESCRIBE: Describe = {
  "redemption.created": (d) => `${short(d.member.address)} redeemed "${d.perk.title}"`,
  "redemption.consumed": (d) => `${short(d.member.address)}'s code for "${d.perk.title}" was used at the till`,
  "claim.minted": (d) => `${short(d.member.address)} claimed ${times(d.amount, d.tokenType.name)} from "${d.drop.title}"`,
  "claim.failed": (d) => `${short(d.member.address)}'s claim from "${d.drop.title}" failed: ${d.error.message}`,
  "award.sent": (d) => `${short(d.member.address)} was sent ${times(d.amount, d.tokenType.name)} for "${d.journey.title}"`,
  "journey.completed": (d) => `${short(d.member.address)} completed "${d.journey.title}"`,
  "level.changed": (d) => `${short(d.member.address)} went from ${d.from?.name ?? "no level"} to ${d.to?.name ?? "no level"} (${d.points} points)`,
  "membership.granted": (d) => `${short(d.member.address)} got ${d.tokenType.name} ${until(d.expiresAt)}`,
  "membership.renewed": (d) => `${short(d.member.address)} renewed ${d.tokenType.name} ${until(d.expiresAt)}`,
  "membership.expiring": (d) => `${short(d.member.address)}'s ${d.tokenType.name} ends on ${day(d.expiresAt)}`,
  "membership.expired": (d) => `${short(d.member.address)}'s ${d.tokenType.name} ended`,
  "token.transferred": (d) =>
    `${times(d.amount, d.tokenType.name)} from ${short(d.from)} to ${short(d.to)}${d.reverted ? " (undone by a reorg)" : d.confirmed ? "" : " (not confirmed yet)"}`,
  "consent.granted": (d) => `${short(d.member.address)} agreed to share ${d.fields.join(", ")}`,
  "consent.revoked": (d) => `${short(d.member.address)} took back consent ${d.consentId}`,
  "member.erased": (d) => `${short(d.member.address)} erased their data`,
  "webhook.disabled": (d) => `endpoint ${d.endpoint.url} was turned off: ${d.reason}`,
  "webhook.test": (d) => `test message for endpoint ${d.endpointId}`,
};

/** One short line about an event; a type it does not know gets its data, cut short. */
export function describeEvent(type: string, data: unknown): string {
  const describe = DESCRIBE[type as WebhookEventType] as ((data: unknown) => string) | undefined;
  if (describe !== undefined) {
    try {
      return describe(data);
    } catch {
      // Data of another shape than this version knows: the generic line below.
    }
  }
  const text = JSON.stringify(data) ?? "";
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

/**
 * Makes `url` the demo brand's "Local demo receiver" endpoint, through the API with the brand's key:
 * the endpoints an earlier run registered under that description are deleted first (their secret
 * went with that run). Resolves to the new endpoint's id and secret, and how many were replaced.
 */
export async function registerDemoReceiver(options: { app: FastifyInstance; apiKey: string; url: string }): Promise<{ id: string; secret: string; replaced: number }> {
  const { app, apiKey } = options;
  const call = async (method: "GET" | "POST" | "DELETE", url: string, payload?: object) => {
    const response = await app.inject({ method, url, headers: { authorization: `Bearer ${apiKey}` }, ...(payload === undefined ? {} : { payload }) });
    if (response.statusCode >= 300) {
      let detail = response.body;
      try {
        detail = response.json().detail ?? detail;
      } catch {
        // Not JSON: the body as it is.
      }
      throw new Error(`${method} ${url} answered ${response.statusCode}: ${detail}`);
    }
    return response.statusCode === 204 ? undefined : response.json();
  };
  const { items } = (await call("GET", "/v1/admin/webhooks")) as { items: Array<{ id: string; description: string }> };
  const earlier = items.filter((endpoint) => endpoint.description === DEMO_RECEIVER_DESCRIPTION);
  for (const endpoint of earlier) await call("DELETE", `/v1/admin/webhooks/${endpoint.id}`);
  const created = (await call("POST", "/v1/admin/webhooks", { url: options.url, events: DEMO_RECEIVER_EVENTS, description: DEMO_RECEIVER_DESCRIPTION })) as { id: string; secret: string };
  return { id: created.id, secret: created.secret, replaced: earlier.length };
}
