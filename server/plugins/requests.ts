/**
 * Every answer names its request (`x-request-id`); once the instance is stopping, a request still
 * arriving on an open connection starts nothing it might not finish: a 503, so the client (or the
 * load balancer) tries another instance. `app.requestsInFlight()` says how many requests are being
 * answered now (background work such as webhook deliveries steps back while many are).
 */
import fp from "fastify-plugin";
import type { FastifyInstance } from "fastify";
import { Problem } from "../errors.ts";

declare module "fastify" {
  interface FastifyInstance {
    /** Requests being answered by this instance right now. */
    requestsInFlight: () => number;
  }
}

export const requestsPlugin = fp(
  async (app: FastifyInstance) => {
    let inFlight = 0;
    const answered = () => void inFlight--;
    app.decorate("requestsInFlight", () => inFlight);
    app.addHook("onRequest", (request, reply, done) => {
      reply.header("x-request-id", request.id);
      inFlight++;
      reply.raw.once("close", answered);
      done();
    });
    let closing = false;
    app.addHook("preClose", (done) => {
      closing = true;
      done();
    });
    app.addHook("onRequest", (_request, reply, done) => {
      if (!closing) return done();
      reply.header("connection", "close");
      done(new Problem(503, "shutting_down", "This server is stopping", "Nothing was done; try again (another server will answer).", { retryAfter: 1 }));
    });
  },
  { name: "requests", fastify: "5.x" },
);
