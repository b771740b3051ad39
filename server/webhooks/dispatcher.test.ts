/**
 * The webhook dispatcher end to end: a real store (SQLite in memory) with endpoints created as the
 * API creates them (sealed secrets), real receivers (node:http on 127.0.0.1), and a clock the test
 * moves, so retries minutes or days apart are driven by moving it, never by sleeping. Every attempt
 * is checked with the Standard Webhooks reference library; the receivers count what reaches them
 * (and how much of it at once), the store's delivery log says what the dispatcher made of it.
 *
 * Long because each behaviour needs its own receivers and endpoints: retries, 410, five days of
 * failures, per-endpoint and global caps, a database away while results wait, and refused targets.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import { Socket, type AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { WebhookEventType } from "../../sdk/src/protocol/webhooks.ts";
import { createKeySealer } from "../sealing.ts";
import { SqliteStore, StoreUnavailableError, toTimestamp, type Store } from "../storage/index.ts";
import type { Resolver } from "./deliver.ts";
import { createWebhookDispatcher, FAILING_DISABLES_AFTER_MS, RETRY_SCHEDULE_MS, type WebhookDispatcher, type WebhookDispatcherOptions } from "./dispatcher.ts";
import { createWebhookEndpoints, type WebhookEndpoints } from "./endpoints.ts";
import type { WebhookDeliveryStore, WebhookMessageDraft } from "./types.ts";

const BRAND = "brand-a";
const T0 = Date.parse("2025-06-01T12:00:00.000Z");
const SECOND = 1_000;
const DAY = 24 * 3600_000;

// ---------------------------------------------------------------------------------------------
// Receivers

type Hit = { headers: IncomingHttpHeaders; body: string; at: number };
/** How many requests are open at once, and the most there were. */
type Gauge = { open: number; peak: number };
type Receiver = { url: string; port: number; hits: Hit[]; gauge: Gauge; server: Server };
/** Answers a request (the `index`th to reach the receiver), now or later. */
type Answer = (response: ServerResponse, index: number, hit: Hit) => void;

const servers: Server[] = [];

async function receiver(answer: Answer, shared?: Gauge): Promise<Receiver> {
  const hits: Hit[] = [];
  const gauge: Gauge = { open: 0, peak: 0 };
  const gauges = shared === undefined ? [gauge] : [gauge, shared];
  const server = createServer((request, response) => {
    for (const g of gauges) g.peak = Math.max(g.peak, ++g.open);
    response.on("close", () => gauges.forEach((g) => g.open--));
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    request.on("end", () => {
      const hit = { headers: request.headers, body, at: clock };
      hits.push(hit);
      answer(response, hits.length - 1, hit);
    });
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", resolve));
  servers.push(server);
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks`, port, hits, gauge, server };
}

const status =
  (code: number, text = String(code)): Answer =>
  (response) =>
    response.writeHead(code, { "content-type": "text/plain" }).end(text);

/** Verifies a request with the Standard Webhooks reference library, as of the time it says it was sent. */
function verify(secret: string, hit: Hit): unknown {
  vi.useFakeTimers({ toFake: ["Date"], now: Number(hit.headers["webhook-timestamp"]) * 1000 });
  try {
    return new Webhook(secret).verify(hit.body, hit.headers as Record<string, string>);
  } finally {
    vi.useRealTimers();
  }
}

// ---------------------------------------------------------------------------------------------
// The store, the clock and the dispatcher

let clock = T0;
let store: Store;
let endpoints: WebhookEndpoints;
let dispatcher: WebhookDispatcher | null = null;
const errors: { what: string; error: unknown }[] = [];

/**
 * What the dispatcher did: `looks` at the clock (one at the start of every round, so rounds while no
 * attempt ends), deliveries claimed, outcomes recorded; `down` makes recording fail.
 */
const watched = { looks: 0, claiming: 0, claimed: 0, recorded: 0, down: false };

function watchedStore(inner: Store): WebhookDeliveryStore {
  return {
    ...inner,
    async claimWebhookDeliveries(endpointId, limit, now, leaseUntil) {
      watched.claiming += 1;
      try {
        const claimed = await inner.claimWebhookDeliveries(endpointId, limit, now, leaseUntil);
        watched.claimed += claimed.length;
        return claimed;
      } finally {
        watched.claiming -= 1;
      }
    },
    async recordWebhookAttempts(outcomes, now, cutoff, message) {
      if (watched.down) throw new StoreUnavailableError(new Error("connection refused"));
      const disabled = await inner.recordWebhookAttempts(outcomes, now, cutoff, message);
      watched.recorded += outcomes.length;
      return disabled;
    },
  };
}

beforeEach(async () => {
  clock = T0;
  Object.assign(watched, { looks: 0, claiming: 0, claimed: 0, recorded: 0, down: false });
  errors.length = 0;
  store = SqliteStore.open(":memory:");
  await store.createBrand({ id: BRAND, name: "Brand A", createdAt: toTimestamp(T0) });
  // Endpoints are saved as a local demo's deployment allows (private addresses, plain http); the
  // dispatcher of each test decides what it may reach.
  endpoints = createWebhookEndpoints({
    store,
    sealer: createKeySealer({ store, secret: "dispatcher-test-secret", purpose: "webhook-secret-sealing" }),
    allowPrivate: true,
    allowHttp: true,
    maxEndpoints: 20,
    now: () => new Date(clock),
  });
});

afterEach(async () => {
  // Receivers first: attempts still hanging end at once, and their results are written before the store closes.
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  watched.down = false;
  await dispatcher?.stop(5_000);
  dispatcher = null;
  await store.close();
});

function start(options: Partial<WebhookDispatcherOptions> = {}): WebhookDispatcher {
  dispatcher = createWebhookDispatcher({
    store: watchedStore(store),
    signingSecrets: endpoints.signingSecrets,
    allowPrivate: true,
    allowHttp: true,
    now: () => {
      watched.looks += 1;
      return new Date(clock);
    },
    pollMs: 5,
    timeoutMs: 5_000,
    // No jitter: a retry is due exactly when the schedule says.
    random: () => 0.5,
    onError: (what, error) => errors.push({ what, error }),
    ...options,
  });
  dispatcher.start();
  return dispatcher;
}

async function endpoint(url: string, events: WebhookEventType[] = ["award.sent"]): Promise<{ id: string; secret: string }> {
  const { endpoint: created, secret } = await endpoints.create(BRAND, { url, events });
  return { id: created.id, secret };
}

/** Writes an award.sent message for the brand's endpoints (stamped now); resolves to it. */
async function write(expectWritten = true): Promise<WebhookMessageDraft> {
  const createdAt = toTimestamp(clock);
  const draft: WebhookMessageDraft = { id: `msg_${randomUUID().replaceAll("-", "")}`, brandId: BRAND, type: "award.sent", body: JSON.stringify({ type: "award.sent", timestamp: createdAt, data: { awardId: randomUUID() } }), createdAt };
  expect(await store.writeWebhookMessage(draft)).toBe(expectWritten);
  dispatcher?.wake();
  return draft;
}

/** Waits until everything due now was claimed, attempted, and its outcome recorded. */
async function settled(): Promise<void> {
  const idle = async () =>
    watched.claiming === 0 && watched.claimed === watched.recorded && dispatcher!.inFlight === 0 && (await store.dueWebhookEndpoints(toTimestamp(clock), 10)).length === 0;
  await expect.poll(idle, { timeout: 10_000 }).toBe(true);
}

/** Waits for the dispatcher to go round (look for due deliveries) at least `n` more times. */
async function rounds(n: number): Promise<void> {
  const target = watched.looks + n;
  await expect.poll(() => watched.looks, { timeout: 10_000 }).toBeGreaterThanOrEqual(target);
}

async function log(endpointId: string) {
  return (await store.listWebhookDeliveries(BRAND, endpointId, { limit: 100 })).items;
}

// ---------------------------------------------------------------------------------------------

describe("webhook dispatcher: retries", () => {
  it("tries a message again on the schedule until it is taken, always with the same webhook-id, each attempt signed", async () => {
    const hook = await receiver((response, index) => response.writeHead(index < 2 ? 500 : 200).end(index < 2 ? "busy" : "thanks"));
    const { id, secret } = await endpoint(hook.url);
    start();
    const message = await write();

    await settled();
    expect(hook.hits).toHaveLength(1);
    expect(await log(id)).toEqual([expect.objectContaining({ state: "pending", attempts: 1, lastStatus: 500, nextAttemptAt: toTimestamp(T0 + RETRY_SCHEDULE_MS[1]) })]);
    // Not tried again before its time, however often the dispatcher looks.
    await rounds(5);
    expect(hook.hits).toHaveLength(1);

    clock += RETRY_SCHEDULE_MS[1];
    await settled();
    expect(hook.hits).toHaveLength(2);
    expect((await log(id))[0]).toMatchObject({ state: "pending", attempts: 2, nextAttemptAt: toTimestamp(clock + RETRY_SCHEDULE_MS[2]) });
    clock += RETRY_SCHEDULE_MS[2] - SECOND;
    await rounds(5);
    expect(hook.hits).toHaveLength(2);

    clock += SECOND;
    await settled();
    expect(hook.hits).toHaveLength(3);
    const sentAt = [T0, T0 + RETRY_SCHEDULE_MS[1], T0 + RETRY_SCHEDULE_MS[1] + RETRY_SCHEDULE_MS[2]];
    for (const [i, hit] of hook.hits.entries()) {
      expect(hit.headers["webhook-id"]).toBe(message.id);
      expect(hit.headers["webhook-timestamp"]).toBe(String(sentAt[i]! / 1000));
      expect(hit.body).toBe(message.body);
      expect(verify(secret, hit)).toEqual(JSON.parse(message.body));
    }

    const [delivery, ...others] = await log(id);
    expect(others).toEqual([]);
    expect(delivery).toMatchObject({ messageId: message.id, state: "delivered", attempts: 3, lastStatus: 200, lastError: null, nextAttemptAt: null });
    expect(delivery!.log.map((a) => [a.attempt, a.status, a.excerpt, a.at])).toEqual([
      [3, 200, "thanks", toTimestamp(sentAt[2]!)],
      [2, 500, "busy", toTimestamp(sentAt[1]!)],
      [1, 500, "busy", toTimestamp(sentAt[0]!)],
    ]);
    // Delivered: never sent again.
    clock += DAY;
    await rounds(5);
    expect(hook.hits).toHaveLength(3);
    expect(errors).toEqual([]);
  });
});

describe("webhook dispatcher: turning endpoints off", () => {
  it("a 410 turns the endpoint off and nothing more is sent to it; the brand's endpoint for webhook.disabled is told which", async () => {
    const gone = await receiver(status(410, "gone for good"));
    const ops = await receiver(status(200));
    const crm = await endpoint(gone.url);
    const watcher = await endpoint(ops.url, ["webhook.disabled"]);
    const messages = [await write(), await write(), await write()];
    // One attempt at a time at the endpoint: the first answer decides what happens to the others.
    start({ perEndpoint: 1 });

    await expect.poll(() => ops.hits.length, { timeout: 10_000 }).toBe(1);
    await settled();
    expect(gone.hits).toHaveLength(1);
    expect(messages.map((m) => m.id)).toContain(gone.hits[0]!.headers["webhook-id"]);
    const off = await store.getWebhook(BRAND, crm.id);
    expect(off).toMatchObject({ enabled: false, disabledReason: expect.stringMatching(/410/) });

    const notice = verify(watcher.secret, ops.hits[0]!);
    expect(notice).toMatchObject({ type: "webhook.disabled", data: { endpoint: { id: crm.id, url: gone.url }, reason: off!.disabledReason } });
    expect(ops.hits[0]!.headers["webhook-id"]).toMatch(/^msg_/);
    expect((await log(watcher.id))[0]).toMatchObject({ type: "webhook.disabled", state: "delivered" });

    // Its other messages wait unsent, and new ones are not even written while it is off.
    expect((await log(crm.id)).map((d) => d.state).sort()).toEqual(["failed", "pending", "pending"]);
    await write(false);
    clock += DAY;
    await rounds(5);
    expect(gone.hits).toHaveLength(1);
    expect(ops.hits).toHaveLength(1);
  });

  it("five days of failed attempts turn the endpoint off; four do not", async () => {
    const failing = await receiver(status(503, "down for maintenance"));
    const crm = await endpoint(failing.url);
    start();
    // A new message every day, and every retry due by then tried again: every attempt fails.
    for (let day = 0; day <= 4; day++) {
      clock = T0 + day * DAY;
      await write();
      await settled();
      expect(await store.getWebhook(BRAND, crm.id), `day ${day}`).toMatchObject({ enabled: true, failingSince: toTimestamp(T0) });
    }
    const attempts = failing.hits.length;
    expect(attempts).toBeGreaterThan(5);

    clock = T0 + FAILING_DISABLES_AFTER_MS + SECOND;
    await write();
    await settled();
    expect(await store.getWebhook(BRAND, crm.id)).toMatchObject({ enabled: false, disabledReason: expect.stringMatching(/5 days/) });
    const sent = failing.hits.length;
    expect(sent).toBeGreaterThan(attempts);

    clock += DAY;
    await rounds(5);
    expect(failing.hits).toHaveLength(sent);
    expect(new Set(failing.hits.map((hit) => hit.headers["webhook-id"])).size).toBe(6);
  });
});

describe("webhook dispatcher: concurrency caps", () => {
  it("an endpoint whose receiver hangs fills its own lane only: another endpoint's messages go through meanwhile", async () => {
    const hanging = await receiver(() => {});
    const fast = await receiver(status(200));
    const stuck = await endpoint(hanging.url);
    const quick = await endpoint(fast.url);
    for (let i = 0; i < 6; i++) await write();
    start({ perEndpoint: 2, maxInFlight: 8, timeoutMs: 1_500 });
    await expect.poll(() => hanging.hits.length, { timeout: 10_000 }).toBe(2);

    await expect.poll(async () => (await log(quick.id)).filter((d) => d.state === "delivered").length, { timeout: 10_000 }).toBe(6);
    // All six went through while the hanging receiver still held its first two, unanswered.
    expect(hanging.hits).toHaveLength(2);
    expect(hanging.gauge.open).toBe(2);
    expect(hanging.gauge.peak).toBe(2);
    expect((await log(stuck.id)).flatMap((d) => d.log)).toEqual([]);
    expect(fast.hits).toHaveLength(6);
    expect(fast.gauge.peak).toBeLessThanOrEqual(2);

    // The hung attempts end at the timeout, are logged as such, and free the lane for the next two.
    await expect.poll(async () => (await log(stuck.id)).flatMap((d) => d.log).length, { timeout: 10_000 }).toBe(2);
    for (const attempt of (await log(stuck.id)).flatMap((d) => d.log)) expect(attempt).toMatchObject({ status: null, error: expect.stringMatching(/did not answer within 1500 ms/) });
    await expect.poll(() => hanging.hits.length, { timeout: 10_000 }).toBe(4);
  });

  it("never has more than maxInFlight attempts open across endpoints, nor more than perEndpoint at one", async () => {
    const all: Gauge = { open: 0, peak: 0 };
    const held: ServerResponse[] = [];
    let gate = false;
    const answer: Answer = (response) => (gate ? setTimeout(() => response.writeHead(200).end("ok"), 5) : held.push(response));
    const hooks = [await receiver(answer, all), await receiver(answer, all), await receiver(answer, all)];
    const ids: string[] = [];
    for (const hook of hooks) ids.push((await endpoint(hook.url)).id);
    for (let i = 0; i < 4; i++) await write();
    start({ perEndpoint: 2, maxInFlight: 3 });

    await expect.poll(() => all.open, { timeout: 10_000 }).toBe(3);
    await rounds(5);
    expect(all.open).toBe(3);
    expect(hooks.reduce((n, hook) => n + hook.hits.length, 0)).toBe(3);

    gate = true;
    for (const response of held.splice(0)) response.writeHead(200).end("ok");
    await settled();
    for (const id of ids) expect((await log(id)).map((d) => d.state)).toEqual(["delivered", "delivered", "delivered", "delivered"]);
    expect(all.peak).toBe(3);
    for (const hook of hooks) {
      expect(hook.hits).toHaveLength(4);
      expect(hook.gauge.peak).toBeLessThanOrEqual(2);
    }
  });
});

describe("webhook dispatcher: members' requests first", () => {
  it("while the instance is busy answering requests it starts a few attempts per poll, and catches up once it is not", async () => {
    const hook = await receiver(status(200));
    await endpoint(hook.url);
    let busy = true;
    // 10 attempts a second at a poll of 100 ms: one per poll while busy.
    start({ busy: () => busy, busyPerSecond: 10, pollMs: 100 });
    for (let i = 0; i < 30; i++) await write();
    await rounds(8);
    const whileBusy = hook.hits.length;
    expect(whileBusy).toBeGreaterThan(0);
    expect(whileBusy).toBeLessThan(30);
    busy = false;
    await expect.poll(() => hook.hits.length, { timeout: 10_000 }).toBe(30);
    await settled();
    expect(new Set(hook.hits.map((h) => h.headers["webhook-id"])).size).toBe(30);
  });

  it("reuses a connection to the same receiver between attempts", async () => {
    const sockets = new Set<unknown>();
    const hook = await receiver((response) => response.writeHead(200).end("ok"));
    hook.server.on("connection", (socket) => sockets.add(socket));
    await endpoint(hook.url);
    start({ perEndpoint: 1 });
    for (let i = 0; i < 10; i++) {
      await write();
      await expect.poll(() => hook.hits.length, { timeout: 10_000 }).toBe(i + 1);
    }
    expect(sockets.size).toBeLessThan(10);
  });
});

describe("webhook dispatcher: the database away while results wait", () => {
  it("stopped while results cannot be written, it keeps them and writes them once started again: nothing sent twice", async () => {
    const hook = await receiver(status(200));
    const { id, secret } = await endpoint(hook.url);
    const messages = [await write(), await write(), await write()];
    watched.down = true;
    const running = start();

    await expect.poll(() => hook.hits.length, { timeout: 10_000 }).toBe(3);
    await expect.poll(() => errors.some((e) => e.what === "webhook-results"), { timeout: 10_000 }).toBe(true);
    await running.stop(500);
    expect((await log(id)).map((d) => d.state)).toEqual(["pending", "pending", "pending"]);

    watched.down = false;
    running.start();
    await expect.poll(async () => (await log(id)).map((d) => d.state), { timeout: 10_000 }).toEqual(["delivered", "delivered", "delivered"]);
    for (const delivery of await log(id)) expect(delivery.log).toHaveLength(1);
    expect(hook.hits.map((hit) => hit.headers["webhook-id"]).sort()).toEqual(messages.map((m) => m.id).sort());
    for (const hit of hook.hits) verify(secret, hit);
  });

  it("results that wait past their lease: the delivery is tried again with the same id, and every attempt is logged once the database is back", async () => {
    const hook = await receiver(status(200));
    const { id, secret } = await endpoint(hook.url);
    const messages = [await write(), await write()];
    watched.down = true;
    start({ leaseMs: 60 * SECOND });

    await expect.poll(() => hook.hits.length, { timeout: 10_000 }).toBe(2);
    // The results cannot be written; the leases lapse and the deliveries are due again.
    clock += 61 * SECOND;
    await expect.poll(() => hook.hits.length, { timeout: 10_000 }).toBe(4);

    watched.down = false;
    await expect.poll(async () => (await log(id)).map((d) => d.state), { timeout: 10_000 }).toEqual(["delivered", "delivered"]);
    for (const delivery of await log(id)) expect(delivery.log.map((a) => a.attempt).sort()).toEqual([1, 2]);
    // Each message reached the receiver twice, both times with its own id, body and a valid signature.
    for (const message of messages) {
      const copies = hook.hits.filter((hit) => hit.headers["webhook-id"] === message.id);
      expect(copies).toHaveLength(2);
      for (const copy of copies) expect(verify(secret, copy)).toEqual(JSON.parse(message.body));
    }
  });
});

describe("webhook dispatcher: targets it may not reach", () => {
  const connects = vi.spyOn(Socket.prototype, "connect");
  beforeEach(() => {
    connects.mockClear();
  });

  it("never connects to a loopback, private or link-local target, and logs why", async () => {
    const inside = await receiver(status(200));
    const lookup: Resolver = async (hostname) => {
      const addresses: Record<string, string> = { "internal.shop.test": "10.0.0.1", "rebind.shop.test": "127.0.0.1" };
      const address = addresses[hostname];
      if (address === undefined) throw new Error(`unexpected lookup of ${hostname}`);
      return [{ address, family: 4 }];
    };
    const targets = {
      loopback: await endpoint(inside.url),
      v6Loopback: await endpoint(`http://[::1]:${inside.port}/hooks`),
      metadata: await endpoint("http://169.254.169.254/latest/meta-data"),
      privateName: await endpoint(`http://internal.shop.test:${inside.port}/hooks`),
      rebound: await endpoint(`http://rebind.shop.test:${inside.port}/hooks`),
    };
    await write();
    start({ allowPrivate: false, lookup });
    await settled();

    expect(inside.hits).toEqual([]);
    expect(connects).not.toHaveBeenCalled();
    const why = async (endpointId: string) => {
      const [delivery] = await log(endpointId);
      expect(delivery).toMatchObject({ state: "pending", attempts: 1, lastStatus: null });
      expect(delivery!.log).toHaveLength(1);
      return delivery!.log[0]!.error;
    };
    expect(await why(targets.loopback.id)).toMatch(/private, loopback or reserved address/);
    expect(await why(targets.v6Loopback.id)).toMatch(/private, loopback or reserved address/);
    expect(await why(targets.metadata.id)).toMatch(/private, loopback or reserved address/);
    expect(await why(targets.privateName.id)).toBe("internal.shop.test resolves to 10.0.0.1, a private, loopback or reserved address: webhooks go to public servers only.");
    expect(await why(targets.rebound.id)).toMatch(/rebind\.shop\.test resolves to 127\.0\.0\.1/);

    // Tried again on the schedule, and refused again, never connecting.
    clock += RETRY_SCHEDULE_MS[1];
    await settled();
    expect(inside.hits).toEqual([]);
    expect(connects).not.toHaveBeenCalled();
    for (const target of Object.values(targets)) expect((await log(target.id))[0]!.log).toHaveLength(2);
  });

  it("does not follow a redirect: a 3xx is a failed attempt, and where it points receives nothing", async () => {
    const internal = await receiver(status(200, "internal admin"));
    const redirecting = await receiver((response) => response.writeHead(302, { location: `http://127.0.0.1:${internal.port}/admin` }).end());
    // The public-looking name is sent to the local receiver; private targets are allowed here, so even
    // a redirect the dispatcher would be allowed to reach is not followed.
    const lookup: Resolver = async () => [{ address: "127.0.0.1", family: 4 }];
    const { id, secret } = await endpoint(`http://hooks.shop.example:${redirecting.port}/stampbook`);
    const message = await write();
    start({ lookup });
    await settled();

    expect(redirecting.hits).toHaveLength(1);
    expect(redirecting.hits[0]!.headers.host).toBe(`hooks.shop.example:${redirecting.port}`);
    verify(secret, redirecting.hits[0]!);
    expect(internal.hits).toEqual([]);
    const [delivery] = await log(id);
    expect(delivery).toMatchObject({ messageId: message.id, state: "pending", attempts: 1, lastStatus: 302, lastError: "HTTP 302", nextAttemptAt: toTimestamp(clock + RETRY_SCHEDULE_MS[1]) });
  });
});
