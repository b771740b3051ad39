/**
 * Turns every error into RFC 9457 problem+json with a stable `code`. Anything the framework rejects
 * (schema validation, malformed JSON, oversized bodies, wrong media types, unknown routes, a known
 * path with the wrong method) is a 4xx; only a genuine bug reaches the 500 branch, and it never
 * echoes internals.
 */
import fp from "fastify-plugin";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Problem, PROBLEM_CONTENT_TYPE } from "../errors.ts";
import { StoreBusyError, StoreInputError, StoreUnavailableError } from "../storage/index.ts";

function toProblem(error: FastifyError): Problem {
  if (error instanceof Problem) return error;
  // The store refuses input it cannot accept (e.g. a paging cursor it did not issue).
  if (error instanceof StoreInputError) return new Problem(400, "bad_request", "The request is not valid", error.message);
  // Another process held the database too long: nothing was recorded, and a retry may pass.
  if (error instanceof StoreBusyError) return new Problem(503, "store_busy", "Too busy to record this right now", "Nothing was recorded; try again.", { retryAfter: 1 });
  // The database could not be reached: a write under way may or may not have committed, so the
  // retry carries the same Idempotency-Key and gets the one outcome.
  if (error instanceof StoreUnavailableError) return storeUnavailable();
  if (error.validation) {
    return new Problem(400, "validation_failed", "The request is not valid", error.message, {
      errors: error.validation.map((v) => ({ in: error.validationContext ?? "request", path: v.instancePath || "/", message: v.message ?? "invalid" })),
    });
  }
  switch (error.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new Problem(413, "payload_too_large", "The request body is too large");
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return new Problem(415, "unsupported_media_type", "Send application/json", error.message);
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new Problem(400, "bad_request", "The JSON body is empty");
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return new Problem(400, "bad_request", "The body is not valid JSON");
    case "FST_ERR_BAD_URL":
      return new Problem(400, "bad_request", "The URL is not valid", "A path segment is not valid percent-encoding.");
    case "FST_ERR_MAX_PARAM_LENGTH":
      return new Problem(414, "bad_request", "A path segment is too long");
  }
  if (error.statusCode === 429) return new Problem(429, "rate_limited", "Too many requests", error.message);
  // Body parser errors (e.g. invalid JSON) carry a 4xx status but no Fastify code.
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return new Problem(error.statusCode, "bad_request", "The request could not be read", error.message);
  }
  return new Problem(500, "internal", "Something went wrong on our side");
}

export function storeUnavailable(): Problem {
  return new Problem(503, "store_unavailable", "The service's database cannot be reached just now", "Try again shortly. A change you asked for is applied at most once: retry it with the same Idempotency-Key.", { retryAfter: 2 });
}

function sendProblem(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const problem = toProblem(error);
  if (problem.status >= 500 && problem.code === "internal") {
    request.log.error({ err: error }, "unhandled error");
  } else if (problem.status >= 500) {
    // Under `err`, so the logger's error serializer keeps it short (see server/logging.ts).
    request.log.warn({ code: problem.code, err: error.cause ?? error }, problem.title);
  }
  if (problem.extensions.retryAfter !== undefined) reply.header("retry-after", String(problem.extensions.retryAfter));
  return reply.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem.toBody(request.url));
}

/**
 * For Fastify's `frameworkErrors` option. The router answers a few requests before any plugin's
 * error handler can see them (a path segment over `maxParamLength`: 414; bad percent-encoding in a
 * path parameter: 400) with its own plain JSON; passing this as `frameworkErrors` makes those
 * problem+json too: `Fastify({ frameworkErrors, ... })`.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  return sendProblem(error, request, reply);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A route path (`/v1/perks/:id`, `/docs/*`) as a regular expression for concrete paths. */
function routePattern(url: string): RegExp {
  const segments = url.split("/").map((segment) => {
    if (segment === "*") return ".*";
    if (segment.startsWith(":")) return "[^/]*"; // the router matches an empty parameter too
    return escapeRegExp(segment);
  });
  return new RegExp(`^${segments.join("/")}$`);
}

export const problemsPlugin = fp(
  async (app: FastifyInstance) => {
    // Every route registered after this plugin, to tell an unknown path (404) from a known path
    // asked with a method it does not serve (405 with Allow).
    const routes: { pattern: RegExp; methods: string[] }[] = [];
    app.addHook("onRoute", (route) => {
      // A catch-all (e.g. the CORS preflight route `OPTIONS *`) would make every path look known.
      if (route.url === "*" || route.url === "/*") return;
      routes.push({ pattern: routePattern(route.url), methods: ([] as string[]).concat(route.method) });
    });

    app.setErrorHandler((error: FastifyError, request, reply) => sendProblem(error, request, reply));

    app.setNotFoundHandler((request, reply) => {
      const path = request.url.split("?")[0]!;
      const allowed = [...new Set(routes.filter((r) => r.pattern.test(path)).flatMap((r) => r.methods))];
      if (allowed.length > 0 && !allowed.includes(request.method)) {
        const problem = new Problem(405, "method_not_allowed", "This path does not take that method", `${request.method} ${path}`, { allow: allowed });
        reply.header("allow", allowed.join(", "));
        return reply.status(405).type(PROBLEM_CONTENT_TYPE).send(problem.toBody(request.url));
      }
      const problem = new Problem(404, "not_found", "No such route", `${request.method} ${path}`);
      return reply.status(404).type(PROBLEM_CONTENT_TYPE).send(problem.toBody(request.url));
    });
  },
  { name: "problems", fastify: "5.x" },
);
