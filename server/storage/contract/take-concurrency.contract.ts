/**
 * The store contract: Exactly once under concurrency: racing takes never exceed an offer's limits, and one key is one take.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { TakeInput, TakeResult } from "../../offers/types.ts";
import type { Store } from "../store.ts";
import { ALICE, at, freshStorePerTest, KINDS, member, offerInput, policyOf, type StoreContract, storeFixtures, tally } from "./fixtures.ts";

export const takeConcurrencyContract: StoreContract = (open) => {
  let store!: Store;
  freshStorePerTest(open, (opened) => ({ store } = opened));
  const { brands, createOffer } = storeFixtures(() => store);

  for (const kind of KINDS) {
    describe(`exactly once under concurrency: ${kind}s`, () => {
      beforeEach(brands);

      const concurrentTake = (i: number, overrides: Partial<TakeInput>): Promise<TakeResult> =>
        store.take({ offerId: "offer-1", kind, member: ALICE, idempotencyKey: `k${i}`, id: `t${i}`, code: kind === "perk" ? `c${i}` : null, policy: policyOf(kind), now: at(i), ...overrides });

      it("1,000 concurrent takes with distinct keys, per-member limit 1: one created", async () => {
        await createOffer(offerInput(kind, { limits: { perMember: 1, total: null } }));
        const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => concurrentTake(i, {})));
        expect(tally(results)).toEqual({ created: 1, member_limit_reached: 999 });
        expect((await store.listTakes({ kind, limit: 100, offerId: "offer-1" })).items).toHaveLength(1);
      });

      it("50 members racing for a total of 5: five created", async () => {
        await createOffer(offerInput(kind, { limits: { perMember: null, total: 5 } }));
        const results = await Promise.all(Array.from({ length: 50 }, (_, i) => concurrentTake(i, { member: member(i + 1), idempotencyKey: "k", now: at(0) })));
        expect(tally(results)).toEqual({ created: 5, total_limit_reached: 45 });
        expect((await store.listTakes({ kind, limit: 100, offerId: "offer-1" })).items).toHaveLength(5);
      });

      it("50 members racing twice each with one key for a total of 5: five takes, their retries replays", async () => {
        await createOffer(offerInput(kind, { limits: { perMember: null, total: 5 } }));
        const results = await Promise.all(
          Array.from({ length: 100 }, (_, i) => concurrentTake(i, { member: member((i % 50) + 1), idempotencyKey: "k", now: at(0) })),
        );
        const counts = tally(results);
        expect(counts["created"]).toBe(5);
        expect(counts["replayed"] ?? 0).toBeLessThanOrEqual(5);
        expect((counts["replayed"] ?? 0) + (counts["total_limit_reached"] ?? 0)).toBe(95);
        expect((await store.listTakes({ kind, limit: 100, offerId: "offer-1" })).items).toHaveLength(5);
      });

      it("100 concurrent takes with the same key: one created, 99 replays of it", async () => {
        await createOffer(offerInput(kind, { limits: { perMember: 1, total: null } }));
        const results = await Promise.all(Array.from({ length: 100 }, (_, i) => concurrentTake(i, { idempotencyKey: "once" })));
        expect(tally(results)).toEqual({ created: 1, replayed: 99 });
        const ids = new Set(results.map((r) => ("take" in r ? r.take.id : null)));
        expect(ids.size).toBe(1);
        expect((await store.listTakes({ kind, limit: 100 })).items).toHaveLength(1);
      });
    });
  }
};
