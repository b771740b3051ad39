/**
 * Keeps the index following the chain from one instance at a time: the instance that holds the
 * index's lease steps the follower (a page, a reorg, or a look at the head) and sleeps `pollMs` when
 * it is caught up; the others wait for the lease. The lease lapses within its time-to-live when its
 * holder dies (kill -9), and another instance takes over from the cursor the store holds. Failures
 * back off (up to 30 s) with one log line each; a node serving the wrong chain stops indexing and
 * says so, and the gates read the chain meanwhile.
 */
import { tryLease, type LeaseStore } from "../../background/leases.ts";
import { ChainMismatchError, LogRangeError, type ChainIndexFollower } from "./follower.ts";

export const INDEX_LEASE = "chain-index";

export type IndexRunner = {
  /** Whether this instance is the writer right now. */
  readonly writing: boolean;
  /** The last failure of a step, if the latest step failed. */
  readonly failure: string | null;
  /** Asks for a step now (a collection was registered; a transaction of ours was mined). */
  nudge(): void;
  stop(): Promise<void>;
};

export function startIndexRunner(options: {
  store: LeaseStore;
  follower: ChainIndexFollower;
  holder: string;
  leaseTtlMs: number;
  pollMs: number;
  log: (level: "info" | "warn" | "error", message: string, facts?: Record<string, unknown>) => void;
}): IndexRunner {
  let stopped = false;
  let writing = false;
  let failure: string | null = null;
  let wake: (() => void) | null = null;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (stopped) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = null;
        resolve();
      }
      wake = done;
    });

  async function loop(): Promise<void> {
    let failures = 0;
    while (!stopped) {
      const lease = await tryLease(options.store, INDEX_LEASE, options.holder, options.leaseTtlMs).catch(() => null);
      if (lease === null) {
        writing = false;
        await sleep(Math.max(options.pollMs, Math.floor(options.leaseTtlMs / 2)));
        continue;
      }
      if (!writing) options.log("info", "this instance follows the chain into the index");
      writing = true;
      try {
        while (!stopped && lease.held) {
          try {
            const result = await options.follower.step();
            if (failure !== null) options.log("info", "the index follows the chain again");
            failures = 0;
            failure = null;
            if (result.idle) await sleep(options.pollMs);
          } catch (error) {
            failures++;
            // What /readyz says: short, never a node's request or response body.
            const message = error instanceof ChainMismatchError || error instanceof LogRangeError ? error.message : "the node did not answer as expected";
            if (failure !== message) options.log(error instanceof ChainMismatchError ? "error" : "warn", "the index could not follow the chain", { err: error, retryInMs: backoff(failures, options.pollMs) });
            failure = message;
            await sleep(error instanceof ChainMismatchError ? 30_000 : backoff(failures, options.pollMs));
          }
        }
      } finally {
        writing = false;
        await lease.release();
      }
    }
  }

  const running = loop();
  return {
    get writing() {
      return writing;
    },
    get failure() {
      return failure;
    },
    nudge() {
      wake?.();
    },
    async stop() {
      stopped = true;
      wake?.();
      await running;
    },
  };
}

function backoff(failures: number, pollMs: number): number {
  return Math.min(30_000, pollMs * 2 ** Math.min(failures, 10));
}
