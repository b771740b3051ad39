/**
 * The store contract: the award queue. Once per (journey, member), claims grouped by
 * what they airdrop and never shared between concurrent claimers, a signed batch that only the
 * chain can settle, failures alone that end in `failed`, and brand-scoped paging.
 */
import { describe, expect, it } from "vitest";
import type { Address, Hex } from "viem";
import type { AwardRetry, NewAward } from "../../awards/types.ts";
import type { Store } from "../store.ts";
import { freshStorePerTest, type StoreContract } from "./fixtures.ts";

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1) + seconds * 1000).toISOString();
const member = (i: number) => `0x${(i + 1).toString(16).padStart(40, "0")}` as Address;
const C1 = `0x${"c1".repeat(20)}` as Address;
const C2 = `0x${"c2".repeat(20)}` as Address;
const MINTER = `0x${"ee".repeat(20)}` as Address;
const hash = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Hex;
const raw = (n: number) => `0x02${n.toString(16).padStart(8, "0")}` as Hex;

function award(i: number, fields: Partial<NewAward> = {}): NewAward {
  return { id: `award-${i}`, brandId: "brand-a", journeyId: "journey-1", member: member(i), collection: C1, tokenId: "3", amount: "1", createdAt: at(i), ...fields };
}

const later = (now: string, notBefore: string | null = null): AwardRetry => ({ kind: "later", error: "the collection refused the airdrop: EnforcedPause()", notBefore, now });

export const awardContract: StoreContract = (open) => {
  describe("the award queue", () => {
    let store!: Store;
    freshStorePerTest(open, (opened) => ({ store } = opened));

    it("queues an award once per journey and member; a second is the first, unchanged", async () => {
      const first = await store.queueAward(award(1, { member: member(1).toUpperCase().replace("0X", "0x") as Address }));
      expect(first).toEqual({ status: "queued", award: expect.objectContaining({ id: "award-1", member: member(1), status: "pending", attempts: 0, batchId: null, txHash: null, error: null }) });
      const again = await store.queueAward(award(1, { id: "award-1b", amount: "5", createdAt: at(9) }));
      expect(again).toEqual({ status: "exists", award: first.award });
      expect((await store.queueAward(award(1, { id: "award-1c", journeyId: "journey-2" }))).status).toBe("queued");
      await expect(store.queueAward(award(2, { amount: "0" }))).rejects.toThrow(/amount/);
      await expect(store.queueAward(award(2, { tokenId: "03" }))).rejects.toThrow(/tokenId/);
    });

    it("claims the oldest due award's group, oldest first, up to the batch size; other groups wait their turn", async () => {
      await store.queueAward(award(1));
      await store.queueAward(award(2, { collection: C2 }));
      await store.queueAward(award(3));
      await store.queueAward(award(4, { amount: "2" }));
      await store.queueAward(award(5));
      await store.queueAward(award(6, { brandId: "brand-b" }));

      const first = await store.claimAwardBatch({ batchId: "batch-1", max: 2, now: at(100) });
      expect(first!.batch).toMatchObject({ id: "batch-1", brandId: "brand-a", collection: C1, tokenId: "3", amount: "1", size: 2, status: "open", txHash: null });
      expect(first!.awards.map((a) => a.id)).toEqual(["award-1", "award-3"]);
      expect(first!.awards.every((a) => a.status === "sending" && a.batchId === "batch-1")).toBe(true);

      const order = [];
      for (let n = 2; ; n++) {
        const claimed = await store.claimAwardBatch({ batchId: `batch-${n}`, max: 10, now: at(100) });
        if (claimed === null) break;
        order.push(claimed.awards.map((a) => a.id));
      }
      expect(order).toEqual([["award-2"], ["award-4"], ["award-5"], ["award-6"]]);
    });

    it("claims one brand's awards only when asked, and nothing not yet due", async () => {
      await store.queueAward(award(1));
      await store.queueAward(award(2, { brandId: "brand-b" }));
      expect((await store.claimAwardBatch({ batchId: "b1", max: 10, now: at(100), brandId: "brand-b" }))!.awards.map((a) => a.id)).toEqual(["award-2"]);
      const claimed = await store.claimAwardBatch({ batchId: "b2", max: 10, now: at(100) });
      expect(await store.returnAwards("b2", "all", later(at(101), at(200)))).toBe(1);
      expect(await store.getAwardBatch("b2")).toMatchObject({ status: "released", error: expect.stringMatching(/EnforcedPause/) });
      expect(claimed!.awards).toHaveLength(1);
      expect(await store.claimAwardBatch({ batchId: "b3", max: 10, now: at(150) })).toBeNull();
      expect(await store.getAward("award-1")).toMatchObject({ status: "pending", attempts: 0, notBefore: at(200), error: expect.stringMatching(/EnforcedPause/) });
      expect((await store.claimAwardBatch({ batchId: "b4", max: 10, now: at(200) }))!.awards.map((a) => a.id)).toEqual(["award-1"]);
    });

    it("records a batch's transaction once, from open; returns nothing once it is signed; settles only a sent batch", async () => {
      for (let i = 1; i <= 3; i++) await store.queueAward(award(i));
      await store.claimAwardBatch({ batchId: "b1", max: 10, now: at(100) });
      const tx = { hash: hash(1), raw: raw(1), nonce: 7, minter: MINTER };
      expect(await store.settleAwardBatch("b1", { status: "mined", blockNumber: 5n, gasUsed: 1n, now: at(101) })).toBe(false);
      expect(await store.recordAwardBatchTx("b1", tx, null, at(101))).toBe(true);
      expect(await store.recordAwardBatchTx("b1", { ...tx, hash: hash(2) }, null, at(101))).toBe(false);
      expect(await store.returnAwards("b1", "all", later(at(102)))).toBe(0);
      expect(await store.releaseStaleAwardBatches(at(10_000), at(10_000))).toBe(0);
      expect(await store.getAward("award-2")).toMatchObject({ status: "sending", batchId: "b1", txHash: hash(1) });
      expect(await store.getAwardBatch("b1")).toMatchObject({ status: "sent", minter: MINTER, nonce: 7, txHash: hash(1), rawTx: raw(1) });

      // A replacement (the node refused the first for its nonce) only in place of the recorded one.
      expect(await store.recordAwardBatchTx("b1", { ...tx, hash: hash(3), nonce: 8 }, hash(9), at(102))).toBe(false);
      expect(await store.recordAwardBatchTx("b1", { ...tx, hash: hash(3), raw: raw(3), nonce: 8 }, hash(1), at(102))).toBe(true);
      expect(await store.listAwardBatches({ status: "sent" })).toEqual([expect.objectContaining({ id: "b1", txHash: hash(3), nonce: 8 })]);

      await store.noteAwardBatchError("b1", "insufficient funds for gas", at(102));
      expect(await store.getAward("award-1")).toMatchObject({ status: "sending", error: "insufficient funds for gas" });
      expect(await store.settleAwardBatch("b1", { status: "mined", blockNumber: 12n, gasUsed: 90_000n, now: at(103) })).toBe(true);
      expect(await store.settleAwardBatch("b1", { status: "dropped", retry: later(at(104)) })).toBe(false);
      expect(await store.getAwardBatch("b1")).toMatchObject({ status: "mined", blockNumber: "12", gasUsed: "90000" });
      const page = await store.listAwards({ brandId: "brand-a" });
      expect(page.items.map((a) => [a.id, a.status, a.txHash, a.error])).toEqual([
        ["award-3", "awarded", hash(3), null],
        ["award-2", "awarded", hash(3), null],
        ["award-1", "awarded", hash(3), null],
      ]);
    });

    it("after a revert: back in the queue in halves; alone, failed for good at the last attempt", async () => {
      for (let i = 1; i <= 4; i++) await store.queueAward(award(i));
      await store.claimAwardBatch({ batchId: "b1", max: 10, now: at(100) });
      await store.recordAwardBatchTx("b1", { hash: hash(1), raw: raw(1), nonce: 1, minter: MINTER }, null, at(100));
      const reverted = (alone: boolean, maxBatch: number, now: string): AwardRetry => ({ kind: "failed", error: "the airdrop reverted on chain", notBefore: null, maxBatch, alone, maxAttempts: 3, now });
      expect(await store.settleAwardBatch("b1", { status: "reverted", retry: reverted(false, 2, at(101)) })).toBe(true);
      expect(await store.getAward("award-1")).toMatchObject({ status: "pending", attempts: 1, txHash: null, batchId: null });

      const halves = [];
      for (let n = 2; ; n++) {
        const claimed = await store.claimAwardBatch({ batchId: `b${n}`, max: 10, now: at(102) });
        if (claimed === null) break;
        halves.push(claimed.awards.map((a) => a.id));
      }
      expect(halves).toEqual([["award-1", "award-2"], ["award-3", "award-4"]]);

      // award-1 singled out by simulation, then reverting alone: its third failure, failed.
      expect(await store.returnAwards("b2", ["award-1"], reverted(true, 1, at(103)))).toBe(1);
      expect(await store.getAwardBatch("b2")).toMatchObject({ status: "open", size: 1 });
      expect(await store.getAward("award-1")).toMatchObject({ status: "pending", attempts: 2 });
      const alone = await store.claimAwardBatch({ batchId: "b9", max: 10, now: at(104) });
      expect(alone!.awards.map((a) => a.id)).toEqual(["award-1"]);
      await store.recordAwardBatchTx("b9", { hash: hash(9), raw: raw(9), nonce: 2, minter: MINTER }, null, at(104));
      await store.settleAwardBatch("b9", { status: "reverted", retry: reverted(true, 1, at(105)) });
      expect(await store.getAward("award-1")).toMatchObject({ status: "failed", attempts: 3, txHash: hash(9), notBefore: null, error: "the airdrop reverted on chain" });
      expect((await store.listAwards({ brandId: "brand-a", status: "failed" })).items.map((a) => a.id)).toEqual(["award-1"]);
    });

    it("a dropped batch's awards go back as they were, with no attempt counted", async () => {
      await store.queueAward(award(1));
      await store.claimAwardBatch({ batchId: "b1", max: 10, now: at(100) });
      await store.recordAwardBatchTx("b1", { hash: hash(1), raw: raw(1), nonce: 1, minter: MINTER }, null, at(100));
      expect(await store.settleAwardBatch("b1", { status: "dropped", retry: { kind: "later", error: "nonce 1 went to another transaction", notBefore: null, now: at(101) } })).toBe(true);
      expect(await store.getAward("award-1")).toMatchObject({ status: "pending", attempts: 0, txHash: null, error: "nonce 1 went to another transaction" });
      expect(await store.getAwardBatch("b1")).toMatchObject({ status: "dropped" });
    });

    it("releases batches left open by a worker that died, and only those", async () => {
      await store.queueAward(award(1));
      await store.queueAward(award(2, { collection: C2 }));
      await store.claimAwardBatch({ batchId: "old", max: 10, now: at(100) });
      await store.claimAwardBatch({ batchId: "new", max: 10, now: at(200) });
      expect(await store.releaseStaleAwardBatches(at(150), at(210))).toBe(1);
      expect(await store.getAwardBatch("old")).toMatchObject({ status: "released" });
      expect(await store.recordAwardBatchTx("old", { hash: hash(1), raw: raw(1), nonce: 1, minter: MINTER }, null, at(211))).toBe(false);
      expect(await store.getAward("award-1")).toMatchObject({ status: "pending", batchId: null });
      expect(await store.getAward("award-2")).toMatchObject({ status: "sending", batchId: "new" });
    });

    it("lists a brand's awards newest first, by status, member and journey, in pages; a member's across brands", async () => {
      for (let i = 1; i <= 5; i++) await store.queueAward(award(i, { journeyId: `journey-${i % 2}`, member: member(i % 3) }));
      await store.queueAward(award(6, { brandId: "brand-b", journeyId: "journey-b", member: member(1) }));
      const first = await store.listAwards({ brandId: "brand-a", limit: 2 });
      expect(first.items.map((a) => a.id)).toEqual(["award-5", "award-4"]);
      const second = await store.listAwards({ brandId: "brand-a", limit: 2, cursor: first.nextCursor });
      expect(second.items.map((a) => a.id)).toEqual(["award-3", "award-2"]);
      const third = await store.listAwards({ brandId: "brand-a", limit: 2, cursor: second.nextCursor });
      expect(third).toEqual({ items: [expect.objectContaining({ id: "award-1" })], nextCursor: null });
      expect((await store.listAwards({ brandId: "brand-a", journeyId: "journey-1" })).items.map((a) => a.id)).toEqual(["award-5", "award-3", "award-1"]);
      expect((await store.listAwards({ brandId: "brand-a", member: member(1) })).items.map((a) => a.id)).toEqual(["award-4", "award-1"]);
      expect((await store.listAwards({ brandId: "brand-b", status: "pending" })).items.map((a) => a.id)).toEqual(["award-6"]);
      expect((await store.memberAwards(member(1))).map((a) => a.id)).toEqual(["award-6", "award-4", "award-1"]);
      expect((await store.memberAwards(member(1), { brandId: "brand-b" })).map((a) => a.id)).toEqual(["award-6"]);
      await expect(store.listAwards({ brandId: "brand-a", cursor: "nonsense" })).rejects.toThrow(/cursor/);
    });

    it("concurrent claimers never share an award", async () => {
      for (let i = 0; i < 300; i++) await store.queueAward(award(i, { createdAt: at(i % 7) }));
      const seen = new Map<string, string>();
      await Promise.all(
        Array.from({ length: 8 }, async (_, worker) => {
          for (let n = 0; ; n++) {
            const claimed = await store.claimAwardBatch({ batchId: `w${worker}-${n}`, max: 13, now: at(1_000) });
            if (claimed === null) return;
            expect(claimed.awards.length).toBeLessThanOrEqual(13);
            expect(claimed.batch.size).toBe(claimed.awards.length);
            for (const a of claimed.awards) {
              expect(seen.get(a.id)).toBeUndefined();
              seen.set(a.id, claimed.batch.id);
            }
          }
        }),
      );
      expect(seen.size).toBe(300);
    });
  });
};
