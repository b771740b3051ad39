/**
 * Per-route rate limits (routes opt in with `config.rateLimit`). With Redis every instance counts
 * against one limit (while Redis fails, each counts on its own: see sharedRateLimitStore); without it
 * each instance counts alone.
 */
import fp from "fastify-plugin";
import type { FastifyInstance, FastifyRequest } from "fastify";
import rateLimit, { normalizeIP } from "@fastify/rate-limit";
import { throttled } from "../logging.ts";
import { sharedRateLimitStore } from "./redis.ts";

/**
 * Whom a limit counts a request against: its client's address (TRUST_PROXY honoured; IPv6 by /64).
 * A request whose connection already closed has none (`request.ip` is undefined; it cannot be
 * answered anyway): all such count under one key rather than throw.
 */
export function clientAddress(request: Pick<FastifyRequest, "ip">): string {
  const ip = request.ip as string | undefined;
  return ip === undefined ? "connection-closed" : normalizeIP(ip);
}

export const rateLimitsPlugin = fp(
  async (app: FastifyInstance, opts: { keyPrefix: string }) => {
    const onLocalCount = throttled(30_000, (_key, error) => app.log.warn({ err: error }, "rate limits count on this instance alone: Redis did not answer"));
    const store = app.redis && sharedRateLimitStore(app.redis.client, opts.keyPrefix, (error) => onLocalCount("", error));
    await app.register(rateLimit, { global: false, keyGenerator: clientAddress, ...(store ? { store } : {}) });
  },
  { name: "rate-limits", fastify: "5.x", dependencies: ["redis"] },
);
