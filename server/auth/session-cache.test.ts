import { describe, expect, it } from "vitest";
import { createSessionCache } from "./session-cache.ts";

describe("session cache", () => {
  it("trusts a session for its ttl and never past its expiry", () => {
    const cache = createSessionCache<string>({ ttlMs: 100, maxEntries: 10 });
    cache.put("t1", { id: "s1", value: "alice", at: 0, expiresAtMs: 50 }, cache.begin());
    expect(cache.get("t1", 10)).toBe("alice");
    expect(cache.get("t1", 50)).toBeUndefined();
    cache.put("t2", { id: "s2", value: "bob", at: 0, expiresAtMs: 1_000 }, cache.begin());
    expect(cache.get("t2", 99)).toBe("bob");
    expect(cache.get("t2", 100)).toBeUndefined();
  });

  it("forgets one session by id, or all; a read begun before a forget is not cached", () => {
    const cache = createSessionCache<string>({ ttlMs: 1_000, maxEntries: 10 });
    cache.put("t1", { id: "s1", value: "alice", at: 0, expiresAtMs: 10_000 }, cache.begin());
    cache.put("t2", { id: "s2", value: "bob", at: 0, expiresAtMs: 10_000 }, cache.begin());
    cache.forget("s1");
    expect(cache.get("t1", 1)).toBeUndefined();
    expect(cache.get("t2", 1)).toBe("bob");
    const begun = cache.begin();
    cache.forget();
    expect(cache.get("t2", 1)).toBeUndefined();
    cache.put("t3", { id: "s3", value: "carol", at: 0, expiresAtMs: 10_000 }, begun);
    expect(cache.get("t3", 1)).toBeUndefined();
  });

  it("keeps at most maxEntries, dropping the oldest; ttl 0 caches nothing", () => {
    const cache = createSessionCache<number>({ ttlMs: 1_000, maxEntries: 2 });
    for (const i of [1, 2, 3]) cache.put(`t${i}`, { id: `s${i}`, value: i, at: 0, expiresAtMs: 10_000 }, cache.begin());
    expect([cache.get("t1", 1), cache.get("t2", 1), cache.get("t3", 1)]).toEqual([undefined, 2, 3]);
    const off = createSessionCache<number>({ ttlMs: 0, maxEntries: 2 });
    off.put("t", { id: "s", value: 1, at: 0, expiresAtMs: 10_000 }, off.begin());
    expect(off.get("t", 0)).toBeUndefined();
  });
});
