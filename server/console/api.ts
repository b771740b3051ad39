/**
 * The console's calls to the API: JSON in and out, with credentials (the staff cookie) and, while the
 * page holds one, the staff session as a bearer token. Failures arrive as RFC 9457 problems and are
 * thrown as {@link ApiProblem}, whose title and detail the screens show as they are.
 */

export class ApiProblem extends Error {
  override name = "ApiProblem";
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string | undefined;
  /** The whole problem body, with any members the route adds (e.g. `consumedAt`). */
  readonly body: Record<string, unknown>;

  constructor(status: number, code: string, title: string, detail: string | undefined, body: Record<string, unknown>) {
    super(detail ? `${title}: ${detail}` : title);
    this.status = status;
    this.code = code;
    this.title = title;
    this.detail = detail;
    this.body = body;
  }
}

let base = "";
let token: string | null = null;
const signedOutListeners = new Set<() => void>();

export function configureApi(apiUrl: string) {
  base = apiUrl.replace(/\/+$/, "");
}

/** The staff session token from sign-in (null: rely on the cookie alone, e.g. after a reload). */
export function setToken(next: string | null) {
  token = next;
}

/** Called when the API says the session is gone (401), so the page can ask to sign in again. */
export function onSignedOut(listener: () => void) {
  signedOutListeners.add(listener);
}

export function apiUrl(path: string): string {
  return `${base}${path}`;
}

type RequestOptions = {
  /** A raw body (a picture's bytes) with its content type, instead of JSON. */
  raw?: { body: Blob | ArrayBuffer | Uint8Array; type: string };
  headers?: Record<string, string>;
  /** Not a session call (the nonce): a 401 does not mean the session ended. */
  anonymous?: boolean;
};

async function send(method: string, path: string, body: unknown, options: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { accept: "application/json, text/csv;q=0.9", ...options.headers };
  if (token !== null && !options.anonymous) headers.authorization = `Bearer ${token}`;
  let payload: BodyInit | undefined;
  if (options.raw) {
    headers["content-type"] = options.raw.type;
    payload = options.raw.body as BodyInit;
  } else if (body !== undefined) {
    headers["content-type"] = "application/json";
    payload = JSON.stringify(body);
  }
  let response: Response;
  try {
    response = await fetch(apiUrl(path), { method, headers, body: payload, credentials: "include" });
  } catch {
    // A browser cannot tell a down API from one that refuses this page's origin (CORS).
    throw new Error(`The API at ${base} did not answer: is it running, and does its CORS_ORIGINS list ${location.origin}?`);
  }
  if (!response.ok) throw await problemOf(response, options);
  return response;
}

async function problemOf(response: Response, options: RequestOptions): Promise<Error> {
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Not problem+json (a proxy's page): the status says enough.
  }
  const title = typeof body.title === "string" ? body.title : `HTTP ${response.status}`;
  const detail = typeof body.detail === "string" ? body.detail : undefined;
  const code = typeof body.code === "string" ? body.code : "unknown";
  if (response.status === 401 && !options.anonymous) for (const listener of signedOutListeners) listener();
  return new ApiProblem(response.status, code, title, detail, body);
}

/** A JSON call; 204 resolves to undefined. */
export async function api<T>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
  const response = await send(method, path, body, options);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** A call whose answer is text (CSV). */
export async function apiText(path: string): Promise<string> {
  return (await send("GET", path, undefined, {})).text();
}

/** `?a=1&b=2` from the defined, non-empty values of `query` ("" when none). */
export function queryString(query: Record<string, string | number | boolean | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : "";
}
