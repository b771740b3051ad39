/**
 * Turns every error into RFC 9457 problem+json with a stable `code`. Anything the framework rejects
 * (schema validation, malformed JSON, oversized bodies, wrong media types, unknown routes) is a 4xx;
 * only a genuine bug reaches the 500 branch, and it never echoes internals.
 */
import fp from "fastify-plugin";
import type { FastifyError, FastifyInstance } from "fastify";
import { Problem, PROBLEM_CONTENT_TYPE } from "../errors.ts";
import { StoreInputError } from "../storage/index.ts";

function toProblem(error: FastifyError): Problem {
  if (error instanceof Problem) return error;
  // The store refuses input it cannot accept (e.g. a paging cursor it did not issue).
  if (error instanceof StoreInputError) return new Problem(400, "bad_request", "The request is not valid", error.message);
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
  }
  if (error.statusCode === 429) return new Problem(429, "rate_limited", "Too many requests", error.message);
  // Body parser errors (e.g. invalid JSON) carry a 4xx status but no Fastify code.
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return new Problem(error.statusCode, "bad_request", "The request could not be read", error.message);
  }
  return new Problem(500, "internal", "Something went wrong on our side");
}

export const problemsPlugin = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      const problem = toProblem(error);
      if (problem.status >= 500 && problem.code === "internal") {
        request.log.error({ err: error }, "unhandled error");
      } else if (problem.status >= 500) {
        request.log.warn({ code: problem.code, err: error.cause ?? error.message }, problem.title);
      }
      if (problem.extensions.retryAfter !== undefined) reply.header("retry-after", String(problem.extensions.retryAfter));
      return reply.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem.toBody(request.url));
    });

    app.setNotFoundHandler((request, reply) => {
      const problem = new Problem(404, "not_found", "No such route", `${request.method} ${request.url.split("?")[0]}`);
      return reply.status(404).type(PROBLEM_CONTENT_TYPE).send(problem.toBody(request.url));
    });
  },
  { name: "problems", fastify: "5.x" },
);
