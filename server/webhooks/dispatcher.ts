/**
 * The dispatcher: every instance runs one. It claims due deliveries from the store (each is in
 * flight on one instance at a time, under a lease), POSTs them signed, and records every attempt.
 * A failed attempt is tried again on a schedule like Svix's, with jitter; 410 or five days of
 * failures turn the endpoint off. One endpoint gets at most `perEndpoint` attempts at once on an
 * instance and all endpoints together `maxInFlight`, so a slow receiver fills its own lane only.
 * Results are written in batches; if the database is away they wait in memory and are written when
 * it is back (a lease that lapsed meanwhile means one more attempt, with the same webhook-id).
 */
import { toTimestamp, type Timestamp } from "../storage/time.ts";
import { deliverWebhook, type DeliveryResult, type Resolver } from "./deliver.ts";
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

  const busy = new Map<string, number>();
  /** Endpoints that answered 410 here, until the store has recorded it (and turned them off): sent nothing more meanwhile. */
  const gone = new Set<string>();
  const running = new Set<Promise<void>>();
  let results: AttemptOutcome[] = [];
  let stopped = true;
  let pollTimer: NodeJS.Timeout | null = null;
  let flushTimer: NodeJS.Timeout | null = null;
  let ticking: Promise<void> | null = null;
  let again = false;
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
        });
      }
    } catch (error) {
      result = { status: null, ok: false, latencyMs: now().getTime() - started, excerpt: "", error: error instanceof Error ? error.message : String(error) };
    }
    const endedAt = now().getTime();
    if (result.status === 410) gone.add(delivery.endpointId);
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

  function launch(delivery: ClaimedDelivery): void {
    busy.set(delivery.endpointId, (busy.get(delivery.endpointId) ?? 0) + 1);
    const job = attempt(delivery).finally(() => {
      const left = (busy.get(delivery.endpointId) ?? 1) - 1;
      if (left === 0) busy.delete(delivery.endpointId);
      else busy.set(delivery.endpointId, left);
      running.delete(job);
      // A lane freed: more may be due for it.
      wake();
    });
    running.add(job);
  }

  async function round(): Promise<void> {
    const at = now().getTime();
    if (at - lastPrune > 3600_000) {
      lastPrune = at;
      await store.pruneWebhookHistory(toTimestamp(at - HISTORY_KEPT_MS));
    }
    if (running.size >= maxInFlight) return;
    const nowTs = toTimestamp(at);
    const due = await store.dueWebhookEndpoints(nowTs, 100);
    for (const endpointId of due) {
      if (stopped) return;
      if (gone.has(endpointId)) continue;
      const free = Math.min(perEndpoint - (busy.get(endpointId) ?? 0), maxInFlight - running.size);
      if (free <= 0) continue;
      const claimed = await store.claimWebhookDeliveries(endpointId, free, nowTs, toTimestamp(at + leaseMs));
      for (const delivery of claimed) launch(delivery);
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
    if (!stopped) tick();
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
      const poll = () => {
        pollTimer = setTimeout(() => {
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
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...running]), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
      if (flushTimer !== null) clearTimeout(flushTimer);
      flushTimer = null;
      await flush().catch(() => undefined);
    },
    get inFlight() {
      return running.size;
    },
  };
}
