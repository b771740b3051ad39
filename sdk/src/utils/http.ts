/** Requests to the API: JSON in and out, problem+json as {@link ApiError}, timeouts, safe retries. */
import type { Client } from "../types/client.ts";
import { ApiError, HttpRequestError, type Problem } from "../errors/api.ts";
import { NotSignedInError } from "../errors/session.ts";
import { endSession } from "./session.ts";
import { handlingOf } from "../errors/codes.ts";

export type ApiRequest = {
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** Send the member's session (default true); without one, throw {@link NotSignedInError}. */
  auth?: boolean;
  idempotencyKey?: string;
  /**
   * Retry network errors, timeouts and 5xx answers (with `client.retryCount` and backoff). Only for
   * requests that are safe to repeat: GETs, idempotent PUTs and DELETEs, and POSTs carrying the same Idempotency-Key.
   */
  retry?: boolean;
};

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A fresh Idempotency-Key: a random UUID (or 128 random bits where randomUUID needs a secure context). */
export function newIdempotencyKey(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === "function") return c.randomUUID();
  const bytes = c.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function url(client: Client, request: ApiRequest): string {
  let href = client.apiUrl + request.path;
  const query = Object.entries(request.query ?? {}).filter((entry): entry is [string, string | number] => entry[1] !== undefined);
  if (query.length > 0) href += `?${new URLSearchParams(query.map(([k, v]) => [k, String(v)])).toString()}`;
  return href;
}

function retryable(error: unknown): boolean {
  if (error instanceof HttpRequestError) return true;
  if (!(error instanceof ApiError) || error.status < 500) return false;
  // A claim that failed answers the same problem to every replay of its key.
  const claim = error.problem.claim as { status?: unknown } | undefined;
  // A 5xx that a repeat with the same request would only get again is final.
  return handlingOf(error.code) !== "final" && claim?.status !== "failed";
}

/** Sends `request` and returns the parsed JSON body (undefined for 204). */
export async function apiRequest<T>(client: Client, request: ApiRequest): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  const auth = request.auth ?? true;
  const session = client.session;
  if (auth) {
    if (!session) throw new NotSignedInError({ action: `${request.method} ${request.path}` });
    headers.authorization = `Bearer ${session.token}`;
  }
  if (request.idempotencyKey !== undefined) headers["idempotency-key"] = request.idempotencyKey;
  if (request.body !== undefined) headers["content-type"] = "application/json";
  const init = { method: request.method, headers, ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }) };
  const href = url(client, request);
  const attempts = request.retry ? client.retryCount + 1 : 1;

  for (let attempt = 1; ; attempt++) {
    try {
      return await send<T>(client, href, init);
    } catch (error) {
      if (auth && error instanceof ApiError && error.status === 401 && client.session === session) {
        // The server no longer knows this session: forget it here too.
        await endSession(client, "expired", { revoke: false });
      }
      if (attempt >= attempts || !retryable(error)) throw error;
      // The server's own estimate (Retry-After, also in the problem's `retryAfter`) when it gives one.
      const retryAfter = error instanceof ApiError && typeof error.problem.retryAfter === "number" ? error.problem.retryAfter * 1000 : 0;
      await sleep(Math.min(Math.max(client.retryDelay * 2 ** (attempt - 1), retryAfter), 10_000));
    }
  }
}

async function send<T>(client: Client, href: string, init: { method: string; headers: Record<string, string>; body?: string }): Promise<T> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, client.requestTimeout);
  let response: Response;
  let text: string;
  try {
    response = await client.fetch(href, { ...init, signal: controller.signal });
    text = await response.text();
  } catch (cause) {
    throw new HttpRequestError({ method: init.method, url: href, cause, timedOut, timeout: client.requestTimeout });
  } finally {
    clearTimeout(timer);
  }
  if (!response.ok) {
    throw new ApiError({ problem: toProblem(response, text), method: init.method, url: href, requestId: response.headers.get("x-request-id") ?? undefined });
  }
  if (response.status === 204 || text === "") return undefined as T;
  return JSON.parse(text) as T;
}

function toProblem(response: Response, text: string): Problem {
  try {
    const body = JSON.parse(text) as Partial<Problem>;
    if (body && typeof body.code === "string") return { type: "about:blank", title: response.statusText, ...body, status: response.status } as Problem;
  } catch {
    // not JSON: a proxy's error page, say
  }
  return { type: "about:blank", title: response.statusText || `HTTP ${response.status}`, status: response.status, code: `http_${response.status}` };
}
