/**
 * The brand's side of the Stampbook API, with its API key (STAMPBOOK_API_KEY; a staff session
 * token works too). A problem answer (RFC 9457) fails as "title: detail (code)".
 */
import { CliError } from "./errors.ts";

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export type ApiClient = {
  base: string;
  /** JSON in, JSON out. */
  json<T = any>(method: Method, path: string, body?: unknown): Promise<T>;
  /** The same, with the answer's status (201 created, 200 already there). */
  call<T = any>(method: Method, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** Raw bytes out (a picture), JSON in. */
  upload<T = any>(path: string, contentType: string, bytes: Uint8Array): Promise<T>;
};

/** An API problem, kept whole for `--json` and for callers that look at its code. */
export class ApiProblem extends CliError {
  readonly status: number;
  readonly code: string;

  constructor(status: number, problem: { title?: string; detail?: string; code?: string }, what: string) {
    const code = problem.code ?? `http_${status}`;
    const words = `${problem.title ?? `the API answered ${status}`}${problem.detail ? `: ${problem.detail}` : ""} (${code})`;
    super(`${what}: ${words}`, { kind: "api", data: { status, code, title: problem.title, detail: problem.detail } });
    this.status = status;
    this.code = code;
  }
}

export function createApiClient(options: { base: string; apiKey: string | undefined; fetch?: typeof fetch }): ApiClient {
  const doFetch = options.fetch ?? fetch;
  const { base } = options;
  if (!options.apiKey) {
    throw new CliError("no API key: set STAMPBOOK_API_KEY to the brand's API key (or a staff session token) in the environment", { exitCode: 2, kind: "no_key" });
  }
  const authorization = `Bearer ${options.apiKey}`;

  async function send<T>(method: string, path: string, body: BodyInit | undefined, contentType: string | undefined): Promise<{ status: number; body: T }> {
    const what = `${method} ${path}`;
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, {
        method,
        headers: { authorization, accept: "application/json, application/problem+json", ...(contentType === undefined ? {} : { "content-type": contentType }) },
        ...(body === undefined ? {} : { body }),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(`could not reach the API at ${base}: ${cause?.code ?? cause?.message ?? (error as Error).message}`, { kind: "api_unreachable", cause: error });
    }
    const text = await response.text();
    let parsed: unknown = undefined;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      // Not JSON: said below.
    }
    if (!response.ok) {
      const problem = typeof parsed === "object" && parsed !== null ? (parsed as { title?: string; detail?: string; code?: string }) : { detail: text.slice(0, 200) || undefined };
      throw new ApiProblem(response.status, problem, what);
    }
    if (text !== "" && parsed === undefined) throw new CliError(`${what}: the API answered something that is not JSON (is ${base} the Stampbook API?)`, { kind: "api" });
    return { status: response.status, body: parsed as T };
  }

  return {
    base,
    call: (method, path, body) => send(method, path, body === undefined ? undefined : JSON.stringify(body), body === undefined ? undefined : "application/json"),
    json: async (method, path, body) => (await send<any>(method, path, body === undefined ? undefined : JSON.stringify(body), body === undefined ? undefined : "application/json")).body,
    upload: async (path, contentType, bytes) => (await send<any>("PUT", path, bytes as BodyInit, contentType)).body,
  };
}
