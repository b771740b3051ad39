/** Pooled random bytes: the length asked for, never the same bytes twice, across refills of the pool. */
import { expect, it } from "vitest";
import { pooledRandomBytes, randomAlphanumeric } from "./tokens.ts";

it("hands out copies of fresh bytes, across refills and for sizes larger than the pool", () => {
  const seen = new Set<string>();
  // 16-byte draws over three pools' worth: every draw differs from every other.
  for (let i = 0; i < 800; i++) {
    const bytes = pooledRandomBytes(16);
    expect(bytes).toHaveLength(16);
    seen.add(bytes.toString("hex"));
  }
  expect(seen.size).toBe(800);
  const kept = pooledRandomBytes(32);
  const copy = Buffer.from(kept);
  for (let i = 0; i < 300; i++) pooledRandomBytes(32);
  // A refill of the pool does not change bytes already handed out.
  expect(kept.equals(copy)).toBe(true);
  expect(pooledRandomBytes(10_000)).toHaveLength(10_000);
});

it("random alphanumeric text has the length asked for and only [0-9A-Za-z]", () => {
  for (let i = 0; i < 100; i++) expect(randomAlphanumeric(16)).toMatch(/^[0-9A-Za-z]{16}$/);
});
