/**
 * The store contract: Sign-in's records: used nonces (once each, also under a race), ended sessions, and pruning both
 * (and used registration nonces) past their expiry.
 */
import { describe, expect, it } from "vitest";
import { StoreInputError } from "../errors.ts";
import type { Store } from "../store.ts";
import { at, collection, freshStorePerTest, HOUR, MINUTE, registration, type StoreContract, storeFixtures } from "./fixtures.ts";

export const signInContract: StoreContract = (open) => {
  let store!: Store;
  freshStorePerTest(open, (opened) => ({ store } = opened));
  const { brands } = storeFixtures(() => store);

  describe("used nonces", () => {
    it("a nonce is usable once", async () => {
      expect(await store.useNonce("n0nce-1", at(5 * MINUTE))).toBe(true);
      expect(await store.useNonce("n0nce-1", at(5 * MINUTE))).toBe(false);
      expect(await store.useNonce("n0nce-2", at(5 * MINUTE))).toBe(true);
    });

    it("lets exactly one of many concurrent users have a nonce", async () => {
      const results = await Promise.all(Array.from({ length: 100 }, () => store.useNonce("race", at(HOUR))));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it("refuses empty nonces and malformed timestamps", async () => {
      await expect(store.useNonce("", at(MINUTE))).rejects.toBeInstanceOf(StoreInputError);
      await expect(store.useNonce("x", "2025-06-01T12:00:00Z")).rejects.toBeInstanceOf(StoreInputError);
      await expect(store.useNonce("x", "2025-02-30T00:00:00.000Z")).rejects.toBeInstanceOf(StoreInputError);
      expect(await store.useNonce("x", at(MINUTE))).toBe(true);
    });
  });

  describe("ended sessions", () => {
    it("records a session as ended once", async () => {
      expect(await store.isSessionRevoked("s-1")).toBe(false);
      expect(await store.revokeSession("s-1", at(HOUR))).toBe(true);
      expect(await store.isSessionRevoked("s-1")).toBe(true);
      expect(await store.revokeSession("s-1", at(HOUR))).toBe(false);
      expect(await store.isSessionRevoked("s-2")).toBe(false);
    });

    it("refuses empty ids and malformed timestamps", async () => {
      await expect(store.revokeSession("", at(HOUR))).rejects.toBeInstanceOf(StoreInputError);
      await expect(store.revokeSession("s", "tomorrow")).rejects.toBeInstanceOf(StoreInputError);
      expect(await store.isSessionRevoked("s")).toBe(false);
    });
  });

  describe("pruneExpired", () => {
    it("forgets used nonces and ended sessions past their expiry, and keeps the rest", async () => {
      await store.useNonce("old", at(MINUTE));
      await store.useNonce("edge", at(2 * MINUTE));
      await store.useNonce("new", at(HOUR));
      await store.revokeSession("s-old", at(MINUTE));
      await store.revokeSession("s-new", at(HOUR));

      expect(await store.pruneExpired(at(2 * MINUTE))).toEqual({ nonces: 2, revokedSessions: 1 });
      expect(await store.pruneExpired(at(2 * MINUTE))).toEqual({ nonces: 0, revokedSessions: 0 });
      expect(await store.useNonce("new", at(HOUR))).toBe(false);
      expect(await store.isSessionRevoked("s-new")).toBe(true);
      expect(await store.isSessionRevoked("s-old")).toBe(false);
    });

    it("forgets used registration nonces past their expiry, like sign-in nonces", async () => {
      await brands();
      expect((await store.registerCollection(registration({ nonce: "reg-old", nonceExpiresAt: at(2 * MINUTE) }))).status).toBe("registered");
      expect((await store.registerCollection(registration({ nonce: "reg-new", nonceExpiresAt: at(HOUR) }))).status).toBe("already_registered");

      expect(await store.pruneExpired(at(2 * MINUTE))).toEqual({ nonces: 1, revokedSessions: 0 });
      // Forgotten: the nonce is taken as new (a registration's signed expiry keeps it from being replayed).
      expect((await store.registerCollection(registration({ nonce: "reg-old", nonceExpiresAt: at(HOUR) }))).status).toBe("already_registered");
      expect(await store.registerCollection(registration({ nonce: "reg-new", nonceExpiresAt: at(HOUR) }))).toEqual({ status: "replayed" });
      // The registration itself is not pruned.
      expect((await store.listCollections()).map((c) => c.collection)).toEqual([collection]);
    });
  });
};
