/**
 * Background work every instance schedules but one at a time does: each round, an instance takes
 * the work's lease in the shared store (renewed during the round; it lapses within one lease time if
 * the instance dies), does the work and lets the lease go; the others skip that round. Within one
 * process a round never overlaps the previous one, and closing the app waits for the round under way.
 */
import type { FastifyInstance } from "fastify";
import { DEFAULT_LEASE_TTL_MS, tryLease } from "./leases.ts";
import type { Store } from "../storage/index.ts";

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

export function scheduleBackground(app: FastifyInstance, store: Store, work: BackgroundWork): void {
  let running: Promise<void> | null = null;
  const round = async () => {
    const lease = await tryLease(store, work.name, work.holder, work.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS);
    if (lease === null) return;
    try {
      await work.run();
    } finally {
      await lease.release();
    }
  };
  // unref: background work never keeps the process alive.
  const timer = setInterval(() => {
    if (running !== null) return;
    running = round()
      .catch((error: unknown) => app.log.warn({ err: error }, work.failure))
      .finally(() => (running = null));
  }, work.intervalMs).unref();
  app.addHook("onClose", async () => {
    clearInterval(timer);
    // A round under way finishes and lets its lease go, so another instance need not wait it out.
    await running;
  });
}
