/**
 * One delivery attempt of a webhook: a POST to the brand's endpoint that never reaches a private
 * address, never follows a redirect, never outlives `timeoutMs` and never keeps more of the answer
 * than an excerpt. It never throws: whatever happens comes back in the result, for the attempt log.
 */
import { lookup as dnsLookup } from "node:dns/promises";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
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
    const settle = (answer: Answer) => {
      if (settled) return;
      settled = true;
      request.destroy();
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
        // A socket of its own: no connection pooled from another attempt or another address.
        agent: false,
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
        response.on("end", () => settle({ status: status ?? 0, excerpt: excerpt() }));
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
