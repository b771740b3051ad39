/**
 * Cache invalidation between instances. Each instance caches what listings read (offer lists, the
 * collection directory) and which sessions are live; when one instance changes such a thing it
 * publishes what changed, and every instance drops what it cached of it.
 *
 * Without Redis the bus is local: this instance's handlers run, and other instances see the change
 * when their caches expire (the bounds in the README). With Redis it is also broadcast on one
 * channel, so other instances drop it at once. A broadcast is best effort: one published while
 * Redis is down, or while an instance is not subscribed, is lost, and the cache bounds apply; an
 * instance that (re)subscribes drops everything it cached (`resync`), since it may have missed some.
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";

/** What changed somewhere. */
export type Invalidation =
  /** A brand created, changed or deleted an offer. */
  | { type: "offers" }
  /** A brand registered a collection. */
  | { type: "collections" }
  /** A brand added or removed one of its storefronts' origins. */
  | { type: "origins" }
  /** A brand changed what its rules are worded with: a token type's name or picture, or its levels. */
  | { type: "terms" }
  /** A brand created, changed or deleted a journey. */
  | { type: "journeys" }
  /** A brand's owner added, changed or removed a staff member. */
  | { type: "staff" }
  /** A member granted or revoked a data consent: what was cached of their grants is stale. */
  | { type: "consents"; member: string }
  /** A member erased their data: every session of theirs ended, and their grants are gone. */
  | { type: "member-erased"; member: string }
  /** A member signed out of this session. */
  | { type: "session-revoked"; sessionId: string };

/** Handlers see what changed, or `resync`: messages may have been missed, drop everything cached. */
export type InvalidationEvent = Invalidation | { type: "resync" };

export type InvalidationHandler = (event: InvalidationEvent) => void;

export type InvalidationBus = {
  /**
   * This instance changed something: its own handlers run now, and (with Redis) the other instances'
   * as soon as Redis delivers. Resolves once Redis took the message; never rejects (a failure is
   * reported to `onError`, and the cache bounds apply).
   */
  publish(event: Invalidation): Promise<void>;
  /** Runs `handler` for every event from now on; returns what stops it. */
  subscribe(handler: InvalidationHandler): () => void;
  /** Stops listening to Redis (the connections are the Redis plugin's to close). */
  close(): void;
};

/** The longest session id a message may carry (ours are UUID-sized). */
const MAX_ID_LENGTH = 200;

/**
 * @param options.redis Redis connections to broadcast on, or null for a bus local to this instance.
 * @param options.channel the Redis channel (instances of one deployment must use the same).
 * @param options.origin this instance's id in its messages (default a random one).
 * @param options.onError told about publish and subscribe failures, and handler errors.
 */
export function createInvalidationBus(options: {
  redis: { publisher: Redis; subscriber: Redis } | null;
  channel: string;
  origin?: string;
  onError?: (what: string, error: unknown) => void;
}): InvalidationBus {
  const handlers = new Set<InvalidationHandler>();
  const onError = options.onError ?? (() => {});
  // Lets an instance tell its own messages (already handled) from others'.
  const origin = options.origin ?? randomUUID();

  function deliver(event: InvalidationEvent): void {
    for (const handler of handlers) {
      try {
        handler(event);
      } catch (error) {
        onError("a cache invalidation handler failed", error);
      }
    }
  }

  const bus: InvalidationBus = {
    async publish(event) {
      deliver(event);
      if (options.redis === null) return;
      try {
        await options.redis.publisher.publish(options.channel, JSON.stringify({ origin, event }));
      } catch (error) {
        onError("a cache invalidation could not be broadcast; other instances see the change within their cache bounds", error);
      }
    },
    subscribe(handler) {
      handlers.add(handler);
      return () => void handlers.delete(handler);
    },
    close() {},
  };
  if (options.redis === null) return bus;

  const { subscriber } = options.redis;
  const { channel } = options;
  const onMessage = (from: string, text: string) => {
    if (from !== channel) return;
    const message = parse(text);
    if (message === null) return onError("a malformed cache invalidation message was ignored", new Error(`${text.length} characters on ${channel}`));
    if (message.origin !== origin) deliver(message.event);
  };
  // Subscribed anew on every (re)connection; whatever was published meanwhile was missed.
  const onReady = () => {
    subscriber.subscribe(channel).then(
      () => deliver({ type: "resync" }),
      (error: unknown) => {
        onError("could not subscribe to cache invalidations; reconnecting", error);
        // A connection that is up but not subscribed would miss every change: start over.
        subscriber.disconnect(true);
      },
    );
  };
  subscriber.on("message", onMessage);
  subscriber.on("ready", onReady);
  if (subscriber.status === "ready") onReady();
  bus.close = () => {
    subscriber.off("message", onMessage);
    subscriber.off("ready", onReady);
  };
  return bus;
}

/** A message from the channel, or null when it is not one of ours. */
function parse(text: string): { origin: string; event: Invalidation } | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const { origin, event } = value as { origin?: unknown; event?: unknown };
  if (typeof origin !== "string" || typeof event !== "object" || event === null) return null;
  const { type, sessionId, member } = event as { type?: unknown; sessionId?: unknown; member?: unknown };
  switch (type) {
    case "offers":
    case "collections":
    case "origins":
    case "terms":
    case "journeys":
    case "staff":
      return { origin, event: { type } };
    case "consents":
    case "member-erased":
      if (typeof member !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(member)) return null;
      return { origin, event: { type, member } };
    case "session-revoked":
      if (typeof sessionId !== "string" || sessionId.length === 0 || sessionId.length > MAX_ID_LENGTH) return null;
      return { origin, event: { type, sessionId } };
    default:
      return null;
  }
}

/**
 * Drops a cache whenever one of `types` arrives, and on `resync` (messages may have been missed):
 * the one way a feature ties a cache it keeps to the changes that make it stale.
 */
export function forgetOn<T extends InvalidationEvent["type"]>(bus: InvalidationBus, types: readonly T[], forget: (event: Extract<InvalidationEvent, { type: T | "resync" }>) => void): () => void {
  const wanted = new Set<string>([...types, "resync"]);
  return bus.subscribe((event) => {
    if (wanted.has(event.type)) forget(event as Extract<InvalidationEvent, { type: T | "resync" }>);
  });
}
