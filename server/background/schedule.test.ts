/** Background work under a lease: several instances schedule it, one at a time does it; nudged rounds share a delay. */
import Fastify from "fastify";
import { afterAll, describe, expect, it, vi } from "vitest";
import { SqliteStore, toTimestamp } from "../storage/index.ts";
import { createRounds, scheduleBackground } from "./schedule.ts";

const store = SqliteStore.open(":memory:");
afterAll(() => store.close());

describe("scheduleBackground", () => {
  it("three instances on one store: rounds never overlap, and each is done by one holder", async () => {
    let running = 0;
    let overlaps = 0;
    const rounds: string[] = [];
    const apps = ["a", "b", "c"].map((holder) => {
      const app = Fastify({ logger: false });
      scheduleBackground(app, store, {
        name: "sweep",
        holder,
        intervalMs: 5,
        failure: "failed",
        run: async () => {
          if (++running > 1) overlaps++;
          rounds.push(holder);
          await new Promise((resolve) => setTimeout(resolve, 30));
          running--;
        },
      });
      return app;
    });
    await new Promise((resolve) => setTimeout(resolve, 400));
    await Promise.all(apps.map((app) => app.close()));
    expect(rounds.length).toBeGreaterThan(1);
    expect(overlaps).toBe(0);
  });

  it("skips a round while another instance holds the lease, and takes over once it expires", async () => {
    const now = Date.now();
    // Another instance took the lease and died: it is held for a while yet.
    expect(await store.acquireLease("prune", "dead", toTimestamp(now + 300), toTimestamp(now))).toBe(true);
    const rounds: number[] = [];
    const app = Fastify({ logger: false });
    scheduleBackground(app, store, { name: "prune", holder: "alive", intervalMs: 20, failure: "failed", run: async () => rounds.push(Date.now()) });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(rounds).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await app.close();
    expect(rounds.length).toBeGreaterThan(0);
    expect(rounds[0]!).toBeGreaterThanOrEqual(now + 300);
  });

  it("a failing round is logged and the next one runs, with the lease let go", async () => {
    let calls = 0;
    const app = Fastify({ logger: false });
    scheduleBackground(app, store, { name: "flaky", holder: "x", intervalMs: 10, failure: "failed", run: async () => {
      calls++;
      throw new Error("boom");
    } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await app.close();
    expect(calls).toBeGreaterThan(2);
    expect(await store.acquireLease("flaky", "other", toTimestamp(Date.now() + 1_000), toTimestamp())).toBe(true);
  });
});

describe("createRounds", () => {
  it("nudges within the delay share one round; one during a round brings one more after it; work left over brings another", async () => {
    let rounds = 0;
    /** What each round says: true, work is left over. */
    const leftOver = [false, false, true, false];
    let gate: Promise<void> | null = null;
    let release: () => void = () => undefined;
    const errors: unknown[] = [];
    const queue = createRounds(store, {
      name: "nudged",
      holder: "n",
      intervalMs: 60_000,
      nudgeDelayMs: 30,
      run: async (lease) => {
        expect(lease.held).toBe(true);
        const mine = rounds++;
        if (gate !== null) await gate;
        return leftOver[mine];
      },
      onError: (error) => errors.push(error),
    });
    queue.nudge();
    // Not started when nudged: nothing was asked for.
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(rounds).toBe(0);

    queue.start();
    for (let i = 0; i < 5; i++) queue.nudge();
    await vi.waitFor(() => expect(rounds).toBe(1), { interval: 10 });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(rounds).toBe(1);

    // A nudge while round 2 runs: round 3 after it, whose work left over brings round 4, and no more.
    gate = new Promise((resolve) => (release = () => resolve()));
    queue.nudge();
    await vi.waitFor(() => expect(rounds).toBe(2), { interval: 10 });
    queue.nudge();
    await new Promise((resolve) => setTimeout(resolve, 60));
    gate = null;
    release();
    await vi.waitFor(() => expect(rounds).toBe(4), { interval: 10 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(rounds).toBe(4);
    await queue.stop();
    expect(errors).toEqual([]);
    // Stopped: the lease is free again.
    expect(await store.acquireLease("nudged", "other", toTimestamp(Date.now() + 1_000), toTimestamp())).toBe(true);
  });
});
