/**
 * Background work every instance schedules but one at a time does: each round, an instance takes
 * the work's lease in the shared store (try once: renewed during the round; it lapses within one
 * lease time if the instance dies), does the work and lets the lease go; the others skip that round.
 * Within one process a round never overlaps the previous one, and stopping waits for the round under
 * way. Rounds come every `intervalMs`, and `nudgeDelayMs` after a nudge (nudges meanwhile share it).
 */
import type { FastifyInstance } from "fastify";
import { DEFAULT_LEASE_TTL_MS, tryLease, type HeldLease, type LeaseStore } from "./leases.ts";

export type RoundsOptions = {
  /** The lease's name, shared by every instance doing this work. */
  name: string;
  /** This instance, as the lease's holder. */
  holder: string;
  intervalMs: number;
  /**
   * One round, run while this instance holds the lease (`lease.held` says whether it still does).
   * Returns true when work is left over: another round follows, a nudge's delay later.
   */
  run: (lease: HeldLease) => Promise<boolean | void>;
  /** Where a failed round is reported. */
  onError: (error: unknown) => void;
  /** How long the lease outlives its round if the instance holding it dies mid-round (LEASE_TTL_MS). */
  leaseTtlMs?: number;
  /** How long after a nudge its round starts. Default 0. */
  nudgeDelayMs?: number;
};

export type Rounds = {
  /** Rounds every `intervalMs` from now on (the first one interval from now). */
  start(): void;
  /** Asks for a round `nudgeDelayMs` from now (one more after the round under way, if any). */
  nudge(): void;
  /** Stops scheduling and waits for a round under way. */
  stop(): Promise<void>;
};

export function createRounds(store: LeaseStore, options: RoundsOptions): Rounds {
  let timer: NodeJS.Timeout | null = null;
  let nudgeTimer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = true;

  const round = async (): Promise<boolean | void> => {
    const lease = await tryLease(store, options.name, options.holder, options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS);
    if (lease === null) return;
    try {
      return await options.run(lease);
    } finally {
      await lease.release();
    }
  };

  /** A round now, unless one is running: then, when nudged, one more after it. */
  function tick(nudged: boolean): void {
    if (stopped) return;
    if (running !== null) {
      if (nudged) again = true;
      return;
    }
    running = round()
      .then((more) => {
        if (more === true) again = true;
      })
      .catch((error: unknown) => options.onError(error))
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          rounds.nudge();
        }
      });
  }

  const rounds: Rounds = {
    start() {
      if (!stopped) return;
      stopped = false;
      // unref: background work never keeps the process alive.
      timer = setInterval(() => tick(false), options.intervalMs).unref();
    },

    nudge() {
      if (stopped || nudgeTimer !== null) return;
      nudgeTimer = setTimeout(() => {
        nudgeTimer = null;
        tick(true);
      }, options.nudgeDelayMs ?? 0).unref();
    },

    async stop() {
      stopped = true;
      if (timer !== null) clearInterval(timer);
      if (nudgeTimer !== null) clearTimeout(nudgeTimer);
      timer = nudgeTimer = null;
      // A round under way finishes and lets its lease go, so another instance need not wait it out.
      await running;
    },
  };
  return rounds;
}

export type BackgroundWork = {
  /** The lease's name, shared by every instance doing this work. */
  name: string;
  /** This instance, as the lease's holder. */
  holder: string;
  intervalMs: number;
  /** What one round does. */
  run: () => Promise<unknown>;
  /** Said in the log when a round fails. */
  failure: string;
  /** How long the lease outlives its round if the instance holding it dies mid-round (LEASE_TTL_MS). */
  leaseTtlMs?: number;
};

/** Rounds of `work` from now until the app closes, a failed one logged. */
export function scheduleBackground(app: FastifyInstance, store: LeaseStore, work: BackgroundWork): void {
  const rounds = createRounds(store, {
    name: work.name,
    holder: work.holder,
    intervalMs: work.intervalMs,
    ...(work.leaseTtlMs === undefined ? {} : { leaseTtlMs: work.leaseTtlMs }),
    run: async () => void (await work.run()),
    onError: (error) => app.log.warn({ err: error }, work.failure),
  });
  rounds.start();
  app.addHook("onClose", () => rounds.stop());
}
