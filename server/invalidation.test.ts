/**
 * The invalidation bus on its own: local delivery without Redis, and over a real Redis between two
 * buses (two instances' worth of connections). Redis tests are skipped with a loud line where Redis
 * cannot be reached, never under CI=true.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { REDIS_SKIPS, redisForTests } from "../test/support/services.ts";
import { createInvalidationBus, type InvalidationBus, type InvalidationEvent } from "./invalidation.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually(probe: () => boolean, limitMs = 2_000): Promise<void> {
  const until = Date.now() + limitMs;
  while (!probe()) {
    if (Date.now() > until) throw new Error("not within time");
    await sleep(10);
  }
}

describe("without Redis", () => {
  it("publish runs this instance's handlers at once, and only theirs", async () => {
    const bus = createInvalidationBus({ redis: null, channel: "unused" });
    const seen: InvalidationEvent[] = [];
    const stop = bus.subscribe((event) => seen.push(event));
    await bus.publish({ type: "offers" });
    await bus.publish({ type: "session-revoked", sessionId: "s1" });
    expect(seen).toEqual([{ type: "offers" }, { type: "session-revoked", sessionId: "s1" }]);
    stop();
    await bus.publish({ type: "collections" });
    expect(seen).toHaveLength(2);
  });

  it("a failing handler is reported and does not keep the others from running", async () => {
    const errors: string[] = [];
    const bus = createInvalidationBus({ redis: null, channel: "unused", onError: (what) => errors.push(what) });
    const seen: string[] = [];
    bus.subscribe(() => {
      throw new Error("boom");
    });
    bus.subscribe((event) => seen.push(event.type));
    await bus.publish({ type: "offers" });
    expect(seen).toEqual(["offers"]);
    expect(errors).toEqual(["a cache invalidation handler failed"]);
  });
});

const url = redisForTests("the cache invalidation bus over Redis (server/invalidation.test.ts)");

describe.skipIf(url === null)(`over Redis (${REDIS_SKIPS})`, () => {
  const connections: Redis[] = [];
  const buses: InvalidationBus[] = [];
  afterAll(async () => {
    for (const bus of buses) bus.close();
    await Promise.all(connections.map((c) => c.quit()));
  });

  /** A bus with its own two connections, as one instance has; its events in `seen`. */
  async function instance(channel: string) {
    const publisher = new Redis(url!, { enableOfflineQueue: false });
    const subscriber = new Redis(url!, { autoResubscribe: false });
    connections.push(publisher, subscriber);
    await Promise.all([publisher, subscriber].map((c) => new Promise((resolve) => (c.status === "ready" ? resolve(null) : c.once("ready", resolve)))));
    const errors: string[] = [];
    const bus = createInvalidationBus({ redis: { publisher, subscriber }, channel, onError: (what) => errors.push(what) });
    buses.push(bus);
    const seen: InvalidationEvent[] = [];
    bus.subscribe((event) => seen.push(event));
    // Subscribed once the first resync arrived.
    await eventually(() => seen.some((e) => e.type === "resync"));
    seen.length = 0;
    return { bus, publisher, subscriber, seen, errors };
  }

  describe("over Redis", () => {
    it("an event published on one instance reaches the other; the publisher handles its own once", async () => {
      const channel = `test-${randomUUID()}`;
      const a = await instance(channel);
      const b = await instance(channel);
      await a.bus.publish({ type: "offers" });
      expect(a.seen).toEqual([{ type: "offers" }]);
      await eventually(() => b.seen.length === 1);
      expect(b.seen).toEqual([{ type: "offers" }]);

      await b.bus.publish({ type: "session-revoked", sessionId: "sess-1" });
      await eventually(() => a.seen.length === 2);
      expect(a.seen[1]).toEqual({ type: "session-revoked", sessionId: "sess-1" });
      // Its own message came back over Redis too, and was ignored.
      await sleep(50);
      expect(b.seen).toEqual([{ type: "offers" }, { type: "session-revoked", sessionId: "sess-1" }]);
    });

    it("other channels and malformed messages are ignored (the latter reported)", async () => {
      const channel = `test-${randomUUID()}`;
      const a = await instance(channel);
      const other = await instance(`test-${randomUUID()}`);
      await other.bus.publish({ type: "collections" });
      for (const junk of ["not json", "{}", JSON.stringify({ origin: "x", event: { type: "everything" } }), JSON.stringify({ origin: "x", event: { type: "session-revoked" } })]) {
        await a.publisher.publish(channel, junk);
      }
      await a.publisher.publish(channel, JSON.stringify({ origin: "elsewhere", event: { type: "collections", extra: true } }));
      await eventually(() => a.seen.length === 1);
      expect(a.seen).toEqual([{ type: "collections" }]);
      expect(a.errors).toEqual(Array(4).fill("a malformed cache invalidation message was ignored"));
    });

    it("a consents event carries the member's address across; one without a well-formed address is refused", async () => {
      const channel = `test-${randomUUID()}`;
      const a = await instance(channel);
      const b = await instance(channel);
      const member = `0x${"ab".repeat(20)}`;
      await b.bus.publish({ type: "consents", member });
      await eventually(() => a.seen.length === 1);
      expect(a.seen).toEqual([{ type: "consents", member }]);
      for (const junk of [{ type: "consents" }, { type: "consents", member: "0x12" }, { type: "consents", member: 7 }]) {
        await a.publisher.publish(channel, JSON.stringify({ origin: "elsewhere", event: junk }));
      }
      await eventually(() => a.errors.length === 3);
      expect(a.seen).toEqual([{ type: "consents", member }]);
    });

    it("after a lost connection it subscribes again and tells its handlers to drop everything (resync)", async () => {
      const channel = `test-${randomUUID()}`;
      const a = await instance(channel);
      const b = await instance(channel);
      a.subscriber.disconnect(true);
      await eventually(() => a.seen.some((e) => e.type === "resync"));
      await b.bus.publish({ type: "offers" });
      await eventually(() => a.seen.some((e) => e.type === "offers"));
    });

    it("a publish while Redis is unreachable still runs local handlers, reports, and does not throw", async () => {
      const publisher = new Redis("redis://127.0.0.1:1", { enableOfflineQueue: false, lazyConnect: true, retryStrategy: () => null });
      const subscriber = new Redis("redis://127.0.0.1:1", { lazyConnect: true, retryStrategy: () => null });
      const errors: string[] = [];
      const bus = createInvalidationBus({ redis: { publisher, subscriber }, channel: "x", onError: (what) => errors.push(what) });
      const seen: string[] = [];
      bus.subscribe((event) => seen.push(event.type));
      await bus.publish({ type: "offers" });
      expect(seen).toEqual(["offers"]);
      expect(errors).toEqual(["a cache invalidation could not be broadcast; other instances see the change within their cache bounds"]);
      bus.close();
      publisher.disconnect();
      subscriber.disconnect();
    });
  });
});
