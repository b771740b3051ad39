/**
 * The dispatcher: every instance runs one. It claims due deliveries from the store (each is in
 * flight on one instance at a time, under a lease), POSTs them signed, and records every attempt.
 * A failed attempt is tried again on a schedule like Svix's, with jitter; 410 or five days of
 * failures turn the endpoint off. One endpoint gets at most `perEndpoint` attempts at once on an
 * instance and all endpoints together `maxInFlight`, so a slow receiver fills its own lane only.
 * A fast receiver's deliveries are claimed in batches, a little ahead of its lanes (as many as it
 * answers in about a second), and a lane that frees tops its endpoint up without asking the store
 * which endpoints are due: that look (it reads every pending delivery) is made on the poll and when
 * woken.
 * Results are written in batches; if the database is away they wait in memory and are written when
 * it is back (a lease that lapsed meanwhile means one more attempt, with the same webhook-id).
 */
import { toTimestamp, type Timestamp } from "../storage/time.ts";
import { createConnectionPool, deliverWebhook, type DeliveryResult, type Resolver } from "./deliver.ts";
import { webhookMessage } from "./messages.ts";
import { webhookHeaders } from "./signing.ts";
import type { AttemptOutcome, ClaimedDelivery, DisabledEndpoint, WebhookDeliveryStore } from "./types.ts";

/** When each attempt is made, counted from the previous one's failure (the first at once). */
export const RETRY_SCHEDULE_MS = [0, 5_000, 5 * 60_000, 30 * 60_000, 2 * 3600_000, 5 * 3600_000, 10 * 3600_000, 10 * 3600_000] as const;
/** An endpoint failing this long (every attempt) is turned off. */
export const FAILING_DISABLES_AFTER_MS = 5 * 24 * 3600_000;
/** Messages and attempts are kept this long. */
export const HISTORY_KEPT_MS = 30 * 24 * 3600_000;

export type WebhookDispatcherOptions = {
  store: WebhookDeliveryStore;
  /** The secrets that sign for an endpoint now (the previous one too during a rotation). */
  signingSecrets: (endpointId: string) => Promise<string[]>;
  allowPrivate: boolean;
  allowHttp: boolean;
  now: () => Date;
  /** How often the store is asked for due deliveries when idle. */
  pollMs?: number;
  /** How long a claimed delivery is this instance's before another may try it: well above the timeout. */
  leaseMs?: number;
  perEndpoint?: number;
  maxInFlight?: number;
  timeoutMs?: number;
  random?: () => number;
  lookup?: Resolver;
  /**
   * Whether the instance is busy answering requests: deliveries then step back to `busyPerSecond`
   * attempts a second, started by the poll (nothing claimed ahead), and catch up when it is not.
   */
  busy?: () => boolean;
  busyPerSecond?: number;
  onError: (what: string, error: unknown) => void;
  onDisabled?: (endpoint: DisabledEndpoint) => void;
};

export type WebhookDispatcher = {
  start(): void;
  /** Looks for due deliveries now (a message was just written on this instance). */
  wake(): void;
  /** Stops claiming, waits (up to `graceMs`) for attempts under way and writes their results. */
  stop(graceMs?: number): Promise<void>;
  /** Attempts in flight on this instance. */
  readonly inFlight: number;
};

/** When the attempt after failed attempt number `attempt` (from 1) is due, or null when there is none. */
export function retryAt(attempt: number, failedAtMs: number, random: () => number = Math.random): Timestamp | null {
  const delay = RETRY_SCHEDULE_MS[attempt];
  if (delay === undefined) return null;
  // ±10%, so a receiver that was down is not hit by every retry in the same second.
  const jitter = delay * 0.1 * (random() * 2 - 1);
  return toTimestamp(failedAtMs + Math.round(delay + jitter));
}

export function createWebhookDispatcher(options: WebhookDispatcherOptions): WebhookDispatcher {
  const { store, now } = options;
  const pollMs = options.pollMs ?? 100;
  const leaseMs = options.leaseMs ?? 60_000;
  const perEndpoint = options.perEndpoint ?? 8;
  const maxInFlight = options.maxInFlight ?? 64;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const random = options.random ?? Math.random;
  /** Members' requests come first: while the instance is busy, each poll starts a few attempts, no more. */
  const busyPerPoll = Math.max(1, Math.round(((options.busyPerSecond ?? 200) * pollMs) / 1000));
  const busy = () => options.busy?.() ?? false;
  /** Attempts the current poll may still start while busy (refilled by each poll). */
  let allowance = busyPerPoll;
  const cap = () => (busy() ? Math.min(maxInFlight, running.size + allowance) : maxInFlight);
  /** What is claimed ahead of an endpoint's lanes is what it answers in this long (at most a quarter lease). */
  const aheadMs = Math.min(1_000, leaseMs / 4);

  /** An endpoint's lanes on this instance: its attempts under way, and deliveries claimed ahead of them. */
  type Lane = { busy: number; ahead: { delivery: ClaimedDelivery; leaseUntil: number }[]; paceMs: number | null; backlogged: boolean };
  const lanes = new Map<string, Lane>();
  /** Keep-alive connections to receivers, reused across attempts to the same host and checked address. */
  const pool = createConnectionPool({ socketsPerAgent: perEndpoint });
  /** Endpoints that answered 410 here, until the store has recorded it (and turned them off): sent nothing more meanwhile. */
  const gone = new Set<string>();
  const running = new Set<Promise<void>>();
  /** Deliveries claimed ahead, on all lanes. */
  let aheadTotal = 0;
  let results: AttemptOutcome[] = [];
  let stopped = true;
  /** Past a stop's grace: nothing more is attempted. */
  let halted = false;
  let pollTimer: NodeJS.Timeout | null = null;
  let flushTimer: NodeJS.Timeout | null = null;
  let ticking: Promise<void> | null = null;
  let again = false;
  /** The next round asks the store which endpoints are due (else it tops up `topUps` only). */
  let scan = true;
  /** Backlogged endpoints whose lanes ran low since the last round. */
  const topUps = new Set<string>();
  /** A round left due endpoints waiting because every lane was in use. */
  let starved = false;
  let flushing: Promise<void> | null = null;
  let lastPrune = 0;
  const secrets = new Map<string, { value: Promise<string[]>; until: number }>();

  /** Secrets read at most every few seconds per endpoint: a rotation signs with both anyway. */
  function secretsOf(endpointId: string): Promise<string[]> {
    const at = Date.now();
    const cached = secrets.get(endpointId);
    if (cached !== undefined && cached.until > at) return cached.value;
    const value = options.signingSecrets(endpointId);
    secrets.set(endpointId, { value, until: at + 5_000 });
    value.catch(() => secrets.delete(endpointId));
    return value;
  }

  function laneOf(endpointId: string): Lane {
    let lane = lanes.get(endpointId);
    if (lane === undefined) lanes.set(endpointId, (lane = { busy: 0, ahead: [], paceMs: null, backlogged: false }));
    return lane;
  }

  /**
   * How many of an endpoint's deliveries are claimed ahead of its lanes: as many as it answers in
   * about `aheadMs` at its recent pace, so a fast receiver costs one claim per batch rather than one
   * per message, and what is claimed ahead is attempted long before its lease lapses. None until
   * its pace is known, nor for a receiver slower than `aheadMs`.
   */
  function capacity(lane: Lane): number {
    if (lane.paceMs === null || busy()) return 0;
    return Math.max(0, Math.min(maxInFlight, Math.floor((perEndpoint * aheadMs) / Math.max(1, lane.paceMs)) - perEndpoint));
  }

  /** Starts what is claimed ahead on `lane` while it has a lane free. */
  function pump(lane: Lane): void {
    while (!halted && lane.ahead.length > 0 && lane.busy < perEndpoint && running.size < cap()) {
      const next = lane.ahead.shift()!;
      aheadTotal--;
      // Its endpoint answered 410 meanwhile: nothing more goes to it.
      if (gone.has(next.delivery.endpointId)) continue;
      // Too little of its lease left for a whole attempt (the receiver slowed down): not sent here;
      // it is due again when the lease lapses.
      if (now().getTime() + Math.min(timeoutMs, leaseMs / 2) >= next.leaseUntil) continue;
      if (busy()) allowance--;
      launch(lane, next.delivery);
    }
  }

  async function attempt(delivery: ClaimedDelivery): Promise<void> {
    const started = now().getTime();
    let result: DeliveryResult;
    try {
      const signing = await secretsOf(delivery.endpointId);
      if (signing.length === 0) result = { status: null, ok: false, latencyMs: 0, excerpt: "", error: "The endpoint has no signing secret." };
      else {
        const timestamp = Math.floor(started / 1000);
        result = await deliverWebhook({
          url: delivery.url,
          headers: webhookHeaders(delivery.messageId, timestamp, delivery.body, signing),
          body: delivery.body,
          timeoutMs,
          allowPrivate: options.allowPrivate,
          allowHttp: options.allowHttp,
          ...(options.lookup === undefined ? {} : { lookup: options.lookup }),
          pool,
        });
      }
    } catch (error) {
      result = { status: null, ok: false, latencyMs: now().getTime() - started, excerpt: "", error: error instanceof Error ? error.message : String(error) };
    }
    const endedAt = now().getTime();
    if (result.status === 410) gone.add(delivery.endpointId);
    const lane = laneOf(delivery.endpointId);
    lane.paceMs = lane.paceMs === null ? endedAt - started : 0.8 * lane.paceMs + 0.2 * (endedAt - started);
    results.push({
      messageId: delivery.messageId,
      endpointId: delivery.endpointId,
      attempt: delivery.attempt,
      claim: delivery.claim,
      at: toTimestamp(started),
      status: result.status,
      ok: result.ok,
      latencyMs: result.latencyMs,
      excerpt: result.excerpt,
      error: result.error,
      retryAt: result.ok ? null : retryAt(delivery.attempt, endedAt, random),
    });
    scheduleFlush(results.length >= 200 ? 0 : 20);
  }

  function launch(lane: Lane, delivery: ClaimedDelivery): void {
    const { endpointId } = delivery;
    lane.busy++;
    const job = attempt(delivery).finally(() => {
      lane.busy--;
      running.delete(job);
      // While the instance is busy answering requests, only the poll starts attempts.
      if (busy()) {
        if (lane.busy === 0 && lane.ahead.length === 0 && !lane.backlogged) lanes.delete(endpointId);
        return;
      }
      // A lane freed: the next claimed ahead starts. An endpoint with more due is topped up when
      // its lanes run low, without asking the store which endpoints are due (that reads every
      // pending delivery); endpoints left waiting for the cap on all lanes are looked for again.
      pump(lane);
      if (starved) {
        starved = false;
        scan = true;
        for (const other of lanes.values()) pump(other);
      }
      if (lane.backlogged && lane.ahead.length <= capacity(lane) / 2) topUps.add(endpointId);
      if (lane.busy === 0 && lane.ahead.length === 0 && !lane.backlogged) lanes.delete(endpointId);
      if (scan || topUps.size > 0) tick();
    });
    running.add(job);
  }

  async function round(): Promise<void> {
    const at = now().getTime();
    if (at - lastPrune > 3600_000) {
      lastPrune = at;
      await store.pruneWebhookHistory(toTimestamp(at - HISTORY_KEPT_MS));
    }
    const limit = cap();
    if (running.size >= limit) {
      starved = true;
      return;
    }
    const nowTs = toTimestamp(at);
    const leaseUntil = at + leaseMs;
    let endpoints: string[];
    if (scan) {
      scan = false;
      endpoints = await store.dueWebhookEndpoints(nowTs, 100);
    } else endpoints = [...topUps];
    topUps.clear();
    for (const endpointId of endpoints) {
      if (stopped) return;
      if (gone.has(endpointId)) continue;
      const lane = laneOf(endpointId);
      const room = Math.max(0, perEndpoint - lane.busy) + capacity(lane) - lane.ahead.length;
      const want = Math.min(room, limit - running.size + (limit === maxInFlight ? maxInFlight - aheadTotal : 0));
      if (want <= 0) {
        // Its lanes are full (a freed one tops it up) or all lanes are (a freed one looks again).
        if (room > 0) starved = true;
        else lane.backlogged = true;
        continue;
      }
      const claimed = await store.claimWebhookDeliveries(endpointId, want, nowTs, toTimestamp(leaseUntil));
      // All it asked for: more may be due. Fewer: none is, until the next look finds some.
      lane.backlogged = claimed.length >= want;
      for (const delivery of claimed) lane.ahead.push({ delivery, leaseUntil });
      aheadTotal += claimed.length;
      pump(lane);
      if (lane.busy === 0 && lane.ahead.length === 0 && !lane.backlogged) lanes.delete(endpointId);
    }
  }

  function tick(): void {
    if (stopped) return;
    if (ticking !== null) {
      again = true;
      return;
    }
    ticking = round()
      .catch((error) => options.onError("webhook-claims", error))
      .finally(() => {
        ticking = null;
        if (again) {
          again = false;
          setImmediate(tick);
        }
      });
  }

  function wake(): void {
    if (stopped) return;
    scan = true;
    tick();
  }

  function scheduleFlush(delayMs: number): void {
    if (flushTimer !== null) {
      if (delayMs > 0) return;
      clearTimeout(flushTimer);
    }
    flushTimer = setTimeout(() => {
      flushTimer = null;
      void flush();
    }, delayMs);
  }

  async function flush(): Promise<void> {
    if (flushing !== null) {
      await flushing;
      if (results.length > 0) return flush();
      return;
    }
    if (results.length === 0) return;
    const batch = results;
    results = [];
    flushing = (async () => {
      try {
        const at = now().getTime();
        const disabled = await store.recordWebhookAttempts(batch, toTimestamp(at), toTimestamp(at - FAILING_DISABLES_AFTER_MS), (endpoint) =>
          webhookMessage(endpoint.brandId, "webhook.disabled", { endpoint: { id: endpoint.endpointId, url: endpoint.url }, reason: endpoint.reason }, at),
        );
        for (const outcome of batch) if (outcome.status === 410) gone.delete(outcome.endpointId);
        for (const endpoint of disabled) options.onDisabled?.(endpoint);
        if (disabled.length > 0) wake();
      } catch (error) {
        // Kept for the next try; the oldest go first if the database stays away long (their leases
        // lapse and they are attempted again, with the same id).
        results = [...batch, ...results].slice(-50_000);
        options.onError("webhook-results", error);
        if (!stopped) scheduleFlush(1_000);
      } finally {
        flushing = null;
      }
    })();
    await flushing;
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      halted = false;
      scan = true;
      const poll = () => {
        pollTimer = setTimeout(() => {
          scan = true;
          allowance = busyPerPoll;
          tick();
          if (!stopped) poll();
        }, pollMs);
        pollTimer.unref?.();
      };
      poll();
      tick();
      // Results kept from before a stop (the database was away) are written now, not only after the next attempt.
      if (results.length > 0) scheduleFlush(0);
    },
    wake,
    async stop(graceMs = 2_000) {
      stopped = true;
      if (pollTimer !== null) clearTimeout(pollTimer);
      await ticking;
      // Attempts under way end, and what was claimed ahead is attempted too, within the grace.
      const deadline = Date.now() + graceMs;
      let timer: NodeJS.Timeout | undefined;
      while (running.size > 0 && Date.now() < deadline) {
        await Promise.race([Promise.race([...running]).catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, deadline - Date.now())))]);
        clearTimeout(timer);
      }
      // Past it, what is left claimed ahead waits for its lease to lapse.
      halted = true;
      for (const lane of lanes.values()) lane.ahead = [];
      aheadTotal = 0;
      if (flushTimer !== null) clearTimeout(flushTimer);
      flushTimer = null;
      await flush().catch(() => undefined);
      pool.close();
    },
    get inFlight() {
      return running.size;
    },
  };
}
