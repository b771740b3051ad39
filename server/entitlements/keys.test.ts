/** The key ring over a real store: one key for every instance, rotation on schedule by whichever gets there first, the previous published while its tokens live. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SqliteStore } from "../storage/index.ts";
import { createKeyRing, type KeyRing } from "./keys.ts";
import { createKeySealer } from "../sealing.ts";

const DAY = 86_400_000;
let store: ReturnType<typeof SqliteStore.open>;
let clock: number;

beforeEach(() => {
  store = SqliteStore.open(":memory:");
  clock = Date.parse("2026-06-01T00:00:00.000Z");
});
afterEach(async () => store.close());

/** An instance's ring: 30-day rotation, 5-minute tokens, no reuse of what it read (cacheMs 0). */
const instance = (secret: string | null = null): KeyRing =>
  createKeyRing({ store, sealer: createKeySealer({ store, secret }), rotationMs: 30 * DAY, ttlMs: 300_000, skewMs: 60_000, cacheMs: 0, now: () => new Date(clock) });

describe("the entitlement key ring", () => {
  it("makes one key on first use, the same for every instance sharing the store, even when they start together", async () => {
    const [a, b] = [instance(), instance()];
    const kids = await Promise.all([a, b, a, b].map(async (ring) => (await ring.signingKey()).kid));
    expect(new Set(kids).size).toBe(1);
    expect((await b.jwks()).keys.map((k) => k.kid)).toEqual([kids[0]]);
  });

  it("rotates when the key is due, once across instances; the previous stays published until its tokens have expired", async () => {
    const [a, b] = [instance(), instance()];
    const first = (await a.signingKey()).kid;
    clock += 30 * DAY;
    const [fromA, fromB] = await Promise.all([a.signingKey(), b.signingKey()]);
    expect(fromA.kid).toBe(fromB.kid);
    expect(fromA.kid).not.toBe(first);
    expect((await a.jwks()).keys.map((k) => k.kid)).toEqual([fromA.kid, first]);
    // 5 minutes of token life and a minute of skew later, the previous key is no longer published.
    clock += 360_000;
    expect((await a.jwks()).keys.map((k) => k.kid)).toEqual([fromA.kid]);
  });

  it("rotates on demand; rotating again drops the key two back", async () => {
    const ring = instance();
    const first = (await ring.signingKey()).kid;
    const second = await ring.rotate();
    expect((await ring.signingKey()).kid).toBe(second.kid);
    expect((await ring.jwks()).keys.map((k) => k.kid)).toEqual([second.kid, first]);
    const third = await ring.rotate();
    expect((await ring.jwks()).keys.map((k) => k.kid)).toEqual([third.kid, second.kid]);
  });

  it("keeps private keys sealed: under AUTH_SECRET, a ring without it cannot open them", async () => {
    const sealed = instance("a-secret-of-at-least-32-characters-0123");
    await sealed.signingKey();
    const [row] = await store.listEntitlementKeys(1);
    expect(row!.sealedPrivateKey).toMatch(/^v1\./);
    expect(row!.sealedPrivateKey).not.toContain("PRIVATE");
    await expect(instance("another-secret-of-at-least-32-characters").signingKey()).rejects.toThrow();
  });
});
