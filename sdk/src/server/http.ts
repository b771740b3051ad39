/**
 * What the gate reads from a request and how it answers, whatever the framework: a Web `Request`
 * (Next.js middleware and route handlers), Node's `IncomingMessage` (Express) or a Fastify request.
 */

/** Any request the gate reads: headers as a Web `Headers` or as Node's plain object. */
export type GateRequest = { headers: Headers | Record<string, string | string[] | undefined>; method?: string; body?: unknown };

export function header(request: GateRequest, name: string): string | undefined {
  const { headers } = request;
  const value = typeof (headers as Headers).get === "function" ? (headers as Headers).get(name) : (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(value) ? value.join(", ") : (value ?? undefined);
}

export function cookie(request: GateRequest, name: string): string | undefined {
  for (const part of (header(request, "cookie") ?? "").split(";")) {
    const at = part.indexOf("=");
    if (at > 0 && part.slice(0, at).trim() === name) return decodeURIComponent(part.slice(at + 1).trim());
  }
  return undefined;
}

/** The JSON body: read from a Web request, or as Express or Fastify parsed it, or from Node's stream. */
export async function jsonBody(request: GateRequest): Promise<unknown> {
  if (typeof (request as Request).json === "function" && typeof (request.headers as Headers).get === "function") return (request as Request).json();
  let body = request.body;
  if (body === undefined && Symbol.asyncIterator in request) {
    let text = "";
    for await (const chunk of request as AsyncIterable<Uint8Array | string>) text += typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk);
    body = text;
  }
  return typeof body === "string" ? JSON.parse(body) : body;
}

/** A reply Express (`res`) or Fastify (`reply`) takes. */
type NodeReply = { statusCode: number; setHeader(name: string, value: string | string[]): unknown; end(body: string): unknown } | { code(status: number): unknown; header(name: string, value: string | string[]): unknown; send(body: string): unknown };

/** Sends a Web `Response` (what `handleSession` answers) through Express's `res` or Fastify's `reply`. */
export async function sendResponse(response: Response, reply: NodeReply): Promise<void> {
  const body = await response.text();
  const headers: [string, string | string[]][] = [...response.headers].filter(([name]) => name !== "set-cookie");
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers.push(["set-cookie", cookies]);
  if ("code" in reply) {
    reply.code(response.status);
    for (const [name, value] of headers) reply.header(name, value);
    await reply.send(body);
    return;
  }
  reply.statusCode = response.status;
  for (const [name, value] of headers) reply.setHeader(name, value);
  reply.end(body);
}
