/**
 * One delivery attempt of a webhook: a POST to the brand's endpoint that never reaches a private
 * address, never follows a redirect, never outlives `timeoutMs` and never keeps more of the answer
 * than an excerpt. It never throws: whatever happens comes back in the result, for the attempt log.
 */
import { lookup as dnsLookup } from "node:dns/promises";
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { checkWebhookUrl, isPublicAddress, type WebhookUrlRefusal } from "./address-guard.ts";

export type ResolvedAddress = { address: string; family: number };

/** Resolves a host name to all its addresses (default: the system's resolver, as `dns.lookup` with `all`). */
export type Resolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export type DeliveryRequest = {
  url: string;
  headers: Readonly<Record<string, string>>;
  body: string;
  /** The whole attempt: resolving, connecting, sending and reading the answer. Default 15 s. */
  timeoutMs?: number;
  allowPrivate: boolean;
  allowHttp: boolean;
  /** How much of the answer's body is kept (and read at all). Default 1 KiB. */
  maxExcerptBytes?: number;
  lookup?: Resolver;
  /** Keep-alive connections to reuse (the dispatcher's); without one, every attempt has a socket of its own. */
  pool?: ConnectionPool;
};

export type DeliveryResult = {
  /** The answer's HTTP status, null when none came. */
  status: number | null;
  /** A 2xx answer; anything else (3xx included) is retried. */
  ok: boolean;
  latencyMs: number;
  /** The start of the answer's body, for the brand to see why their endpoint said no. */
  excerpt: string;
  /** What went wrong, in words; null when an answer came in full. */
  error: string | null;
  /** Set when the attempt was not made at all because the target is not allowed. */
  refused?: WebhookUrlRefusal;
};

const USER_AGENT = "Stampbook-Webhooks/1";

export async function deliverWebhook(delivery: DeliveryRequest): Promise<DeliveryResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const { timeoutMs = 15_000, maxExcerptBytes = 1024, allowPrivate, allowHttp } = delivery;
  const failed = (error: string, refused?: WebhookUrlRefusal): DeliveryResult => ({ status: null, ok: false, latencyMs: elapsed(), excerpt: "", error, ...(refused ? { refused } : {}) });

  // Literal addresses, schemes and the rest are refused here, before anything is resolved or connected.
  const check = checkWebhookUrl(delivery.url, { allowPrivate, allowHttp });
  if (!check.ok) return failed(check.reason, check.code);
  const url = check.url;
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;

  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), timeoutMs);
  const timedOut = () => failed(`The endpoint did not answer within ${timeoutMs} ms.`);
  try {
    // A name is resolved and judged on every attempt, and the connection goes to the address judged:
    // a name that pointed at a public server when the endpoint was saved cannot be turned (DNS
    // rebinding) towards a private one afterwards.
    let target: ResolvedAddress;
    if (isIP(host) !== 0) target = { address: host, family: isIP(host) };
    else {
      const resolving = (delivery.lookup ?? systemResolver)(host);
      let addresses: readonly ResolvedAddress[];
      try {
        addresses = await Promise.race([resolving, aborted(deadline.signal)]);
      } catch (error) {
        if (deadline.signal.aborted) return timedOut();
        return failed(`${host} could not be resolved (${describe(error)}).`);
      }
      if (addresses.length === 0) return failed(`${host} resolved to no address.`);
      const hidden = allowPrivate ? undefined : addresses.find(({ address }) => !isPublicAddress(address));
      if (hidden) return failed(`${host} resolves to ${hidden.address}, a private, loopback or reserved address: webhooks go to public servers only.`, "private_address");
      target = addresses[0]!;
    }
    const answer = await post(url, host, target, delivery, maxExcerptBytes, deadline.signal);
    if ("error" in answer) {
      if (deadline.signal.aborted) return answer.status === null ? timedOut() : { ...timedOut(), status: answer.status, excerpt: answer.excerpt };
      return failed(`The request failed: ${answer.error}.`);
    }
    const ok = answer.status >= 200 && answer.status < 300;
    return { status: answer.status, ok, latencyMs: elapsed(), excerpt: answer.excerpt, error: null };
  } catch (error) {
    // Nothing above should throw; if something does, the attempt still ends in a result.
    return failed(`The delivery failed unexpectedly: ${describe(error)}.`);
  } finally {
    clearTimeout(timer);
  }
}

type Answer = { status: number; excerpt: string } | { status: number | null; excerpt: string; error: string };

/** POSTs to `target` only (the pinned lookup), with `url`'s host in the Host header and for TLS. */
function post(url: URL, host: string, target: ResolvedAddress, delivery: DeliveryRequest, maxExcerptBytes: number, signal: AbortSignal): Promise<Answer> {
  return new Promise((resolve) => {
    let settled = false;
    let status: number | null = null;
    const chunks: Buffer[] = [];
    let kept = 0;
    const excerpt = () => Buffer.concat(chunks).subarray(0, maxExcerptBytes).toString("utf8");
    /** `whole`: the answer was read to its end, so a pooled connection can carry the next attempt. */
    const settle = (answer: Answer, whole = false) => {
      if (settled) return;
      settled = true;
      if (!whole || delivery.pool === undefined) request.destroy();
      resolve(answer);
    };
    const failure = (error: unknown) => settle({ status, excerpt: excerpt(), error: describe(error) });
    // Node asks with `all: true` when it may try several addresses: it gets the judged one either way.
    const pinned: LookupFunction = (_hostname, options, callback) => {
      if (options.all) (callback as unknown as (error: null, addresses: ResolvedAddress[]) => void)(null, [target]);
      else callback(null, target.address, target.family);
    };
    const body = Buffer.from(delivery.body, "utf8");
    const request = (url.protocol === "https:" ? httpsRequest : httpRequest)(
      {
        method: "POST",
        protocol: url.protocol,
        hostname: host,
        port: url.port === "" ? undefined : Number(url.port),
        path: url.pathname + url.search,
        headers: { "user-agent": USER_AGENT, ...delivery.headers, "content-length": String(body.length) },
        lookup: pinned,
        // Pooled only with attempts to the same host at the same checked address; otherwise a socket of its own.
        agent: delivery.pool === undefined ? false : delivery.pool.agentFor(url.protocol, host, url.port, target),
        signal,
      },
      (response: IncomingMessage) => {
        status = response.statusCode ?? null;
        if (maxExcerptBytes <= 0) return settle({ status: status ?? 0, excerpt: "" });
        response.on("data", (chunk: Buffer) => {
          chunks.push(chunk);
          kept += chunk.length;
          // Enough for the excerpt: the rest of the answer is not read at all.
          if (kept >= maxExcerptBytes) settle({ status: status ?? 0, excerpt: excerpt() });
        });
        response.on("end", () => settle({ status: status ?? 0, excerpt: excerpt() }, true));
        response.on("error", failure);
      },
    );
    request.on("error", failure);
    // A connection that ends without an answer or an error still ends the attempt.
    request.on("close", () => failure(new Error("the connection closed before an answer came")));
    request.end(body);
  });
}

async function systemResolver(hostname: string): Promise<readonly ResolvedAddress[]> {
  return dnsLookup(hostname, { all: true, verbatim: true });
}

/** A promise that rejects when `signal` aborts (the attempt's deadline). */
function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => signal.addEventListener("abort", () => reject(new Error("timed out")), { once: true }));
}

function describe(error: unknown): string {
  if (error instanceof Error) return "code" in error && typeof error.code === "string" && !error.message.includes(error.code) ? `${error.code}: ${error.message}` : error.message;
  return String(error);
}

/**
 * Keep-alive connections for deliveries, one agent per host and checked address: a pooled socket was
 * opened to the address an earlier attempt judged public, and an attempt reuses only a socket to the
 * address it judged itself (names are still resolved and judged on every attempt). An answer read to
 * its end leaves its socket for the next attempt; a longer one closes it. Idle sockets close after a
 * few seconds; the agents least recently made go first past `maxAgents`.
 */
export type ConnectionPool = {
  agentFor(protocol: string, host: string, port: string, target: ResolvedAddress): HttpAgent | HttpsAgent;
  /** Closes every pooled connection. */
  close(): void;
};

export function createConnectionPool(options: { socketsPerAgent?: number; idleMs?: number; maxAgents?: number } = {}): ConnectionPool {
  const agents = new Map<string, HttpAgent | HttpsAgent>();
  const { socketsPerAgent = 16, idleMs = 4_000, maxAgents = 256 } = options;
  return {
    agentFor(protocol, host, port, target) {
      const key = `${protocol}//${host}:${port}@${target.address}`;
      let agent = agents.get(key);
      if (agent === undefined) {
        const settings = { keepAlive: true, maxSockets: socketsPerAgent, maxFreeSockets: socketsPerAgent, timeout: idleMs };
        agent = protocol === "https:" ? new HttpsAgent(settings) : new HttpAgent(settings);
        agents.set(key, agent);
        if (agents.size > maxAgents) {
          const [oldest, old] = agents.entries().next().value!;
          agents.delete(oldest);
          old.destroy();
        }
      }
      return agent;
    },
    close() {
      for (const agent of agents.values()) agent.destroy();
      agents.clear();
    },
  };
}
