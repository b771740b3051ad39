/**
 * Background work every instance schedules but one at a time does: each round, an instance takes
 * the work's lease in the shared store (it expires on its own if the instance dies), does the work
 * and lets the lease go; the others skip that round. Within one process a round never overlaps the
 * previous one.
 */
import type { FastifyInstance } from "fastify";
import { toTimestamp, type Store } from "./storage/index.ts";

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
};

/** How long a lease outlives its round if the instance holding it dies mid-round. */
const leaseMs = (intervalMs: number) => Math.max(5 * 60_000, 3 * intervalMs);

export function scheduleBackground(app: FastifyInstance, store: Store, work: BackgroundWork): void {
  let running = false;
  const round = async () => {
    const now = Date.now();
    if (!(await store.acquireLease(work.name, work.holder, toTimestamp(now + leaseMs(work.intervalMs)), toTimestamp(now)))) return;
    try {
      await work.run();
    } finally {
      await store.releaseLease(work.name, work.holder);
    }
  };
  // unref: background work never keeps the process alive.
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    round()
      .catch((error: unknown) => app.log.warn({ err: error }, work.failure))
      .finally(() => (running = false));
  }, work.intervalMs).unref();
  app.addHook("onClose", async () => clearInterval(timer));
}
