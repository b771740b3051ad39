/** Leases in the store: short, renewed while their holder is alive, taken over soon after it dies. */
import { afterAll, describe, expect, it } from "vitest";
import { SqliteStore, toTimestamp } from "../storage/index.ts";
import { LeaseTimeoutError, tryLease, withLease } from "./leases.ts";

const store = SqliteStore.open(":memory:");
afterAll(() => store.close());
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("leases", () => {
  it("a live holder keeps its lease well past the lease time; another gets it once released", async () => {
    const lease = await tryLease(store, "renewed", "a", 300);
    expect(lease).not.toBeNull();
    await sleep(1_000);
    expect(lease!.held).toBe(true);
    expect(await tryLease(store, "renewed", "b", 300)).toBeNull();
    await lease!.release();
    expect(lease!.held).toBe(false);
    const next = await tryLease(store, "renewed", "b", 300);
    expect(next).not.toBeNull();
    await next!.release();
  });

  it("a holder that died (no renewals) lets go within one lease time", async () => {
    const now = Date.now();
    expect(await store.acquireLease("dead", "gone", toTimestamp(now + 300), toTimestamp(now))).toBe(true);
    const started = Date.now();
    const taken = await withLease(store, "dead", "alive", async () => Date.now(), { ttlMs: 300, waitMs: 2_000 });
    expect(taken - started).toBeGreaterThan(200);
    expect(taken - now).toBeLessThan(1_000);
  });

  it("gives up waiting with nothing done, and lets go after the work, failed or not", async () => {
    const holder = (await tryLease(store, "busy", "a", 60_000))!;
    let ran = false;
    await expect(withLease(store, "busy", "b", async () => (ran = true), { ttlMs: 1_000, waitMs: 50 })).rejects.toBeInstanceOf(LeaseTimeoutError);
    expect(ran).toBe(false);
    await holder.release();
    await expect(withLease(store, "busy", "b", async () => Promise.reject(new Error("boom")), { ttlMs: 1_000, waitMs: 50 })).rejects.toThrow("boom");
    const after = await tryLease(store, "busy", "c", 1_000);
    expect(after).not.toBeNull();
    await after!.release();
  });

  it("a renewal that finds another holder marks the lease lost", async () => {
    const lease = (await tryLease(store, "lost", "a", 300))!;
    // Expired behind a's back (its renewals did not land) and taken by b.
    await store.releaseLease("lost", "a");
    expect(await store.acquireLease("lost", "b", toTimestamp(Date.now() + 60_000), toTimestamp())).toBe(true);
    await sleep(250);
    expect(lease.held).toBe(false);
    await lease.release();
    // Releasing a lost lease leaves the new holder's alone.
    expect(await tryLease(store, "lost", "c", 300)).toBeNull();
  });
});
