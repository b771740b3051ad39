/**
 * Work only one process may do at a time across every instance sharing a store (a minter's send:
 * two instances must not sign with one key and one nonce), under a lease in that store. A holder
 * that dies lets go when the lease expires.
 */
import { toTimestamp, type Store } from "./storage/index.ts";

export class LeaseTimeoutError extends Error {
  override name = "LeaseTimeoutError";
}

export type LeaseOptions = {
  /** How long the lease holds if this process dies holding it. */
  ttlMs: number;
  /** How long to wait for it before giving up with a LeaseTimeoutError (nothing done). */
  waitMs: number;
};

/** Runs `work` holding the lease `name`; waits (polling, with jitter) while another holder has it. */
export async function withLease<T>(store: Store, name: string, holder: string, work: () => Promise<T>, options: LeaseOptions): Promise<T> {
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    const now = Date.now();
    if (await store.acquireLease(name, holder, toTimestamp(now + options.ttlMs), toTimestamp(now))) break;
    if (now >= deadline) throw new LeaseTimeoutError(`${name} was held elsewhere for ${options.waitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
  }
  try {
    return await work();
  } finally {
    // A release that fails changes nothing the work did; the lease then lapses on its own.
    await store.releaseLease(name, holder).catch(() => undefined);
  }
}
