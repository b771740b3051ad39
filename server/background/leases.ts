/**
 * Work only one process may do at a time across every instance sharing a store (a key's send: two
 * instances must not sign with one key and one nonce; a background round, the award queue's among
 * them), under a lease in that store: try once (`tryLease`: null while another holder has it) or
 * wait for it (`withLease`). The lease is short (seconds) and renewed while its holder is alive, so
 * when a holder dies another instance takes the work over within one lease time, not minutes.
 */
import { toTimestamp } from "../storage/index.ts";
import type { LeaseStore } from "../storage/store.ts";

export type { LeaseStore };

export class LeaseTimeoutError extends Error {
  override name = "LeaseTimeoutError";
}

/** How long a lease holds without renewal (LEASE_TTL_MS). */
export const DEFAULT_LEASE_TTL_MS = 5_000;

export type LeaseOptions = {
  /** How long the lease holds if this process dies holding it; it is renewed every third of it. */
  ttlMs: number;
  /** How long to wait for it before giving up with a LeaseTimeoutError (nothing done). */
  waitMs: number;
};

/** A lease this process holds, renewed in the background until it is released. */
export type HeldLease = {
  /**
   * Whether it is still ours: false once a renewal found another holder had it, or once no renewal
   * reached the store for a whole lease time (then another instance may have it).
   */
  readonly held: boolean;
  /** Stops renewing and gives it up (a release that fails lets it lapse on its own). */
  release(): Promise<void>;
};

/** Takes the lease `name` for `holder` and keeps it renewed, or null while another holder has it. */
export async function tryLease(store: LeaseStore, name: string, holder: string, ttlMs: number): Promise<HeldLease | null> {
  const takenAt = Date.now();
  if (!(await store.acquireLease(name, holder, toTimestamp(takenAt + ttlMs), toTimestamp(takenAt)))) return null;
  let renewedAt = takenAt;
  let lost = false;
  let released = false;
  let renewing = false;
  const renew = async () => {
    if (renewing || released) return;
    renewing = true;
    const at = Date.now();
    try {
      if (await store.acquireLease(name, holder, toTimestamp(at + ttlMs), toTimestamp(at))) renewedAt = at;
      else lost = true;
    } catch {
      // The store is out of reach: the lease stays ours until it expires, and `held` says when.
    } finally {
      renewing = false;
    }
  };
  // unref: a lease never keeps the process alive.
  const timer = setInterval(() => void renew(), Math.max(100, Math.floor(ttlMs / 3))).unref();
  return {
    get held() {
      return !lost && !released && Date.now() < renewedAt + ttlMs;
    },
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      await store.releaseLease(name, holder).catch(() => undefined);
    },
  };
}

/**
 * Runs `work` holding the lease `name`, renewed meanwhile; waits (polling, with jitter) while another
 * holder has it. `work` may ask whether the lease is still its own before an act that needs it.
 */
export async function withLease<T>(store: LeaseStore, name: string, holder: string, work: (lease: HeldLease) => Promise<T>, options: LeaseOptions): Promise<T> {
  const deadline = Date.now() + options.waitMs;
  let lease: HeldLease | null;
  for (;;) {
    lease = await tryLease(store, name, holder, options.ttlMs);
    if (lease !== null) break;
    if (Date.now() >= deadline) throw new LeaseTimeoutError(`${name} was held elsewhere for ${options.waitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
  }
  try {
    return await work(lease);
  } finally {
    await lease.release();
  }
}
