/**
 * Per-route rate limits (routes opt in with `config.rateLimit`). With Redis every instance counts
 * against one limit (while Redis fails, each counts on its own: see sharedRateLimitStore); without it
 * each instance counts alone.
 */
import fp from "fastify-plugin";
import type { FastifyInstance } from "fastify";
import rateLimit from "@fastify/rate-limit";
import { throttled } from "../logging.ts";
import { sharedRateLimitStore } from "./redis.ts";

export const rateLimitsPlugin = fp(
  async (app: FastifyInstance, opts: { keyPrefix: string }) => {
    const onLocalCount = throttled(30_000, (_key, error) => app.log.warn({ err: error }, "rate limits count on this instance alone: Redis did not answer"));
    const store = app.redis && sharedRateLimitStore(app.redis.client, opts.keyPrefix, (error) => onLocalCount("", error));
    await app.register(rateLimit, { global: false, ...(store ? { store } : {}) });
  },
  { name: "rate-limits", fastify: "5.x", dependencies: ["redis"] },
);
