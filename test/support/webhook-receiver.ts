/**
 * A brand's webhook receiver, as a test runs it on loopback (node:http): every request is verified
 * with the standardwebhooks library (the reference a brand's receiver uses) and counted by its
 * webhook-id, and answered 200 after `delayMs` (or once resumed, while paused), so that deliveries are in flight for a while. A
 * request whose signature does not verify is answered 400 and counted as bad; a webhook-id seen
 * again with another body is counted as changed.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import { Webhook } from "standardwebhooks";

export type ReceivedMessage = { id: string; type: string; body: any; raw: string; arrivedAt: number };

export type WebhookReceiver = {
  /** http://127.0.0.1:<port>/hooks */
  url: string;
  /** The secret messages must verify with (the endpoint's, from its creation's answer). */
  secret: string | null;
  /** How long each request waits before its 200. */
  delayMs: number;
  /** Holds every request (before its delay) until resume(): deliveries pile up in flight and in the outbox. */
  pause(): void;
  resume(): void;
  /** Verified requests per webhook-id (more than 1: a duplicate, with the same id). */
  readonly counts: Map<string, number>;
  /** The first arrival of each webhook-id. */
  readonly first: Map<string, ReceivedMessage>;
  /** Requests that did not verify. */
  readonly bad: number;
  /** Repeated webhook-ids whose body differed from the first arrival's (each a bug). */
  readonly changed: number;
  /** Requests being held now (received, not yet answered). */
  readonly inFlight: number;
  /** Every verified request so far, duplicates included. */
  readonly requests: number;
  /** Deliveries that arrived more than once, summed over the extra arrivals. */
  duplicates(): number;
  close(): Promise<void>;
};

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => resolve(body));
    request.on("error", reject);
  });
}

export async function startWebhookReceiver(options: { delayMs?: number } = {}): Promise<WebhookReceiver> {
  const counts = new Map<string, number>();
  const first = new Map<string, ReceivedMessage>();
  let bad = 0;
  let changed = 0;
  let inFlight = 0;
  let requests = 0;
  let verifier: { secret: string; webhook: Webhook } | null = null;
  let gate: { opened: Promise<void>; open: () => void } | null = null;

  const receiver: WebhookReceiver = {
    url: "",
    secret: null,
    delayMs: options.delayMs ?? 0,
    counts,
    first,
    get bad() {
      return bad;
    },
    get changed() {
      return changed;
    },
    get inFlight() {
      return inFlight;
    },
    get requests() {
      return requests;
    },
    pause() {
      if (gate !== null) return;
      let open = () => {};
      const opened = new Promise<void>((resolve) => (open = resolve));
      gate = { opened, open };
    },
    resume() {
      gate?.open();
      gate = null;
    },
    duplicates: () => [...counts.values()].reduce((sum, n) => sum + n - 1, 0),
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };

  const server: Server = createServer(async (request, response) => {
    inFlight++;
    response.on("close", () => inFlight--);
    let body: string;
    try {
      body = await readBody(request);
    } catch {
      return;
    }
    const headers = { "webhook-id": String(request.headers["webhook-id"] ?? ""), "webhook-timestamp": String(request.headers["webhook-timestamp"] ?? ""), "webhook-signature": String(request.headers["webhook-signature"] ?? "") };
    let payload: any;
    try {
      if (receiver.secret === null) throw new Error("no secret yet");
      if (verifier?.secret !== receiver.secret) verifier = { secret: receiver.secret, webhook: new Webhook(receiver.secret) };
      payload = verifier.webhook.verify(body, headers);
    } catch {
      bad++;
      response.writeHead(400).end("signature does not verify");
      return;
    }
    const id = headers["webhook-id"];
    const arrivedAt = Date.now();
    requests++;
    counts.set(id, (counts.get(id) ?? 0) + 1);
    const seen = first.get(id);
    if (seen === undefined) first.set(id, { id, type: payload.type, body: payload, raw: body, arrivedAt });
    else if (seen.raw !== body) changed++;
    if (gate !== null) await gate.opened;
    if (receiver.delayMs > 0) await new Promise((r) => setTimeout(r, receiver.delayMs));
    if (response.destroyed) return;
    response.writeHead(200, { "content-type": "text/plain" }).end("ok");
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", () => resolve()));
  receiver.url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks`;
  return receiver;
}
