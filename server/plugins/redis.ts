/**
 * Redis, when REDIS_URL is set: one connection for commands (shared rate-limit counters, publishing
 * cache invalidations, readiness PINGs) and one subscribed to invalidations (a subscribed connection
 * can do nothing else). Without a URL nothing connects and `app.redis` is null.
 *
 * Redis helps; no request depends on it. The command connection queues nothing while it is down and
 * gives up on a command after {@link COMMAND_TIMEOUT_MS}, so an outage costs a request at most that
 * long: rate limits then count on this instance ({@link sharedRateLimitStore}) and other instances'
 * changes show within the cache bounds. Both connections keep reconnecting (at most every 2 s) and
 * the server starts while Redis is down; `/readyz` says so.
 */
import { createRequire } from "node:module";
import fp from "fastify-plugin";
import type { FastifyInstance } from "fastify";
import type { FastifyRateLimitStoreCtor } from "@fastify/rate-limit";
import { Redis, type RedisOptions } from "ioredis";
import { throttled } from "../logging.ts";

/** How long a connection attempt may take. */
export const CONNECT_TIMEOUT_MS = 2_000;
/** How long a command may take before it fails (and a rate limit counts locally instead). */
export const COMMAND_TIMEOUT_MS = 500;
/** How long `/readyz` waits for a PING. */
const PING_TIMEOUT_MS = 1_000;

/** One line of `/readyz`: whether Redis serves this instance, and if not, why (never the URL). */
export type RedisCheck = { ok: boolean; detail?: string };

/** What `app.redis` holds when REDIS_URL is set. */
export type RedisConnections = {
  /** Commands: never queued while disconnected, each failing after {@link COMMAND_TIMEOUT_MS}. */
  client: Redis;
  /** For SUBSCRIBE only (server/invalidation.ts). */
  subscriber: Redis;
  /** PINGs Redis and checks the subscribed connection is up; never throws, never names the URL. */
  check(): Promise<RedisCheck>;
};

declare module "fastify" {
  interface FastifyInstance {
    /** null without REDIS_URL. */
    redis: RedisConnections | null;
  }
}

/** @param opts.name what the connections call themselves (CLIENT LIST): `<name>-commands`, `<name>-invalidations`. */
export const redisPlugin = fp(
  async (app: FastifyInstance, opts: { url: string | null; name: string }) => {
    if (opts.url === null) {
      app.decorate("redis", null);
      return;
    }
    const common: RedisOptions = {
      connectTimeout: CONNECT_TIMEOUT_MS,
      commandTimeout: COMMAND_TIMEOUT_MS,
      // Commands in flight when the connection drops fail at once rather than wait for a reconnect.
      maxRetriesPerRequest: 0,
      retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
    };
    // A rate-limit check must not wait for a Redis that is not there: fail now, count locally.
    const client = new Redis(opts.url, { ...common, enableOfflineQueue: false, connectionName: `${opts.name}-commands` });
    // The invalidation bus subscribes again on every `ready` itself, and then knows it may have missed messages.
    const subscriber = new Redis(opts.url, { ...common, autoResubscribe: false, connectionName: `${opts.name}-invalidations` });

    // ioredis reports every failed (re)connection attempt; one line per connection now and then.
    const report = throttled(30_000, (name, error) => app.log.warn({ err: error, connection: name }, "Redis unavailable: rate limits count per instance and other instances' changes show within the cache bounds until it is back"));
    for (const [name, connection] of [["commands", client], ["invalidations", subscriber]] as const) {
      let failing = false;
      connection.on("error", (error: unknown) => {
        failing = true;
        report(name, error);
      });
      connection.on("ready", () => {
        if (failing) app.log.info({ connection: name }, "Redis connection restored");
        failing = false;
      });
    }

    async function check(): Promise<RedisCheck> {
      if (client.status !== "ready") return { ok: false, detail: "Redis unreachable" };
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<RedisCheck>((resolve) => {
        timer = setTimeout(() => resolve({ ok: false, detail: `Redis did not answer PING within ${PING_TIMEOUT_MS} ms` }), PING_TIMEOUT_MS);
      });
      const ping = client.ping().then(
        (): RedisCheck => (subscriber.status === "ready" ? { ok: true } : { ok: false, detail: "the connection receiving cache invalidations is down" }),
        (): RedisCheck => ({ ok: false, detail: "Redis did not answer PING" }),
      );
      try {
        return await Promise.race([ping, timeout]);
      } finally {
        clearTimeout(timer);
      }
    }

    app.decorate("redis", { client, subscriber, check });
    app.addHook("onClose", async () => {
      await Promise.all([client, subscriber].map(close));
    });
    // Start with both connected when Redis is there; when it is not, start anyway (and keep trying).
    await Promise.all([client, subscriber].map(settled));
  },
  { name: "redis", fastify: "5.x" },
);

/** Resolves once `connection` is ready, has failed once, or after the connect timeout. */
function settled(connection: Redis): Promise<void> {
  if (connection.status === "ready") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      connection.off("ready", done);
      connection.off("error", done);
      resolve();
    };
    const timer = setTimeout(done, CONNECT_TIMEOUT_MS);
    connection.once("ready", done);
    connection.once("error", done);
  });
}

async function close(connection: Redis): Promise<void> {
  if (connection.status === "ready") {
    try {
      await connection.quit();
      return;
    } catch {
      // Fall through: drop the connection.
    }
  }
  connection.disconnect();
}

type Counter = { current: number; ttl: number };
type Callback = (error: Error | null, result: Counter | null) => void;
type StoreMethod = (key: string, callback: Callback, timeWindow: number, max: number) => void;
type Store = { incr: StoreMethod; read: StoreMethod; child(routeOptions: unknown): Store };
type StoreFlags = { continueExceeding?: boolean; exponentialBackoff?: boolean };

// @fastify/rate-limit's own stores (CommonJS, untyped paths): the shared counters are exactly its Redis ones.
const require = createRequire(import.meta.url);
const RedisStore = require("@fastify/rate-limit/store/RedisStore.js") as new (continueExceeding: boolean, exponentialBackoff: boolean, redis: Redis, key: string) => Store;
const LocalStore = require("@fastify/rate-limit/store/LocalStore.js") as new (continueExceeding: boolean, exponentialBackoff: boolean) => Store;

/** Counts in Redis; when Redis fails, in this instance's memory, as without Redis. */
class FallbackStore {
  private readonly shared: Store;
  private readonly local: Store;
  private readonly onFallback: (error: unknown) => void;

  constructor(shared: Store, local: Store, onFallback: (error: unknown) => void) {
    this.shared = shared;
    this.local = local;
    this.onFallback = onFallback;
  }

  incr(key: string, callback: Callback, timeWindow: number, max: number): void {
    this.shared.incr(key, this.orLocally("incr", key, callback, timeWindow, max), timeWindow, max);
  }

  read(key: string, callback: Callback, timeWindow: number, max: number): void {
    this.shared.read(key, this.orLocally("read", key, callback, timeWindow, max), timeWindow, max);
  }

  child(routeOptions: StoreFlags): FallbackStore {
    return new FallbackStore(this.shared.child(routeOptions), this.local.child(routeOptions), this.onFallback);
  }

  private orLocally(method: "incr" | "read", key: string, callback: Callback, timeWindow: number, max: number): Callback {
    return (error, result) => {
      if (error === null) return callback(null, result);
      this.onFallback(error);
      this.local[method](key, callback, timeWindow, max);
    };
  }
}

/**
 * A store for @fastify/rate-limit whose counters live in Redis under `nameSpace`, so every instance
 * counts against one limit. When Redis fails (down, or slower than {@link COMMAND_TIMEOUT_MS}) the
 * request is counted in this instance's memory instead: neither fail closed (sign-in would be down
 * whenever Redis is, though it needs only the store and the chain) nor open (`skipOnError` would
 * leave sign-in unlimited, an open door to nonce floods and signature-checking load): the limits
 * are then per instance, as without Redis, until Redis answers again.
 */
export function sharedRateLimitStore(client: Redis, nameSpace: string, onFallback: (error: unknown) => void): FastifyRateLimitStoreCtor {
  class SharedRateLimitStore extends FallbackStore {
    // @fastify/rate-limit constructs its store with its global options.
    constructor({ continueExceeding = false, exponentialBackoff = false }: StoreFlags) {
      super(new RedisStore(continueExceeding, exponentialBackoff, client, nameSpace), new LocalStore(continueExceeding, exponentialBackoff), onFallback);
    }
  }
  return SharedRateLimitStore as unknown as FastifyRateLimitStoreCtor;
}
