/**
 * Decorates the instance with the {@link InvalidationBus}: what one instance changes, the others drop
 * from their caches (at once with Redis, else when their caches expire). Each feature subscribes the
 * caches it keeps to the events that make them stale.
 */
import fp from "fastify-plugin";
import type { FastifyInstance } from "fastify";
import { createInvalidationBus, type InvalidationBus } from "../invalidation.ts";
import { throttled } from "../logging.ts";

declare module "fastify" {
  interface FastifyInstance {
    bus: InvalidationBus;
  }
}

export const invalidationPlugin = fp(
  async (app: FastifyInstance, opts: { channel: string }) => {
    const bus = createInvalidationBus({
      redis: app.redis && { publisher: app.redis.client, subscriber: app.redis.subscriber },
      channel: opts.channel,
      origin: app.instanceId,
      onError: throttled(30_000, (what, error) => app.log.warn({ err: error }, what)),
    });
    app.decorate("bus", bus);
    app.addHook("onClose", async () => bus.close());
  },
  { name: "invalidation", fastify: "5.x", dependencies: ["context", "redis"] },
);
