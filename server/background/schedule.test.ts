/** Background work under a lease: several instances schedule it, one at a time does it. */
import Fastify from "fastify";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteStore, toTimestamp } from "../storage/index.ts";
import { scheduleBackground } from "./schedule.ts";

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
