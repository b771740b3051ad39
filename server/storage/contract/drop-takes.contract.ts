/**
 * The store contract: What only drops' takes do: mint transactions (hash recorded before broadcast) and vouchers.
 */
import type { Hex } from "viem";
import { beforeEach, describe, expect, it } from "vitest";
import type { Take, TakeStatus } from "../../offers/types.ts";
import { StoreInputError } from "../errors.ts";
import type { Store } from "../store.ts";
import { ALICE, at, BOB, created, freshStorePerTest, HOUR, member, MINUTE, offerInput, policyOf, REWARD_COLLECTION, type StoreContract, storeFixtures, takeInput, TX, TX2 } from "./fixtures.ts";

export const dropTakeContract: StoreContract = (open) => {
  let store!: Store;
  freshStorePerTest(open, (opened) => ({ store } = opened));
  const { brands, createOffer, patchOffer, takeIds } = storeFixtures(() => store);

  describe("takes of drops: mints and vouchers", () => {
    beforeEach(async () => {
      await brands();
      await createOffer(offerInput("drop", { limits: { perMember: 1, total: null } }));
    });

    it("counts pending, minted and issued takes against the limits, but not failed or expired ones", async () => {
      await patchOffer("offer-1", { limits: { perMember: 1, total: 3 }, updatedAt: at(0) });
      const a = created(await store.take(takeInput("drop")));
      expect(await store.take(takeInput("drop"))).toEqual({ status: "member_limit_reached", limit: 1 });
      // A failed mint frees the member's place.
      expect(await store.completeTake(a.id, { status: "failed", error: { code: "mint_failed", message: "reverted" }, now: at(2 * MINUTE) })).toMatchObject({
        status: "failed",
        error: { code: "mint_failed", message: "reverted" },
        updatedAt: at(2 * MINUTE),
      });
      expect(await store.memberTakeCounts("drop", ALICE, policyOf("drop").counted)).toEqual(new Map());
      const a2 = created(await store.take(takeInput("drop")));
      await store.completeTake(a2.id, { status: "minted", txHash: TX, now: at(2 * MINUTE) });
      expect(await store.take(takeInput("drop"))).toEqual({ status: "member_limit_reached", limit: 1 });

      const b = created(await store.take(takeInput("drop", { member: BOB })));
      await store.completeTake(b.id, { status: "issued", voucher: { uid: "0x01" }, now: at(2 * MINUTE) });
      created(await store.take(takeInput("drop", { member: member(1) }))); // pending
      expect(await store.take(takeInput("drop", { member: member(2) }))).toEqual({ status: "total_limit_reached", limit: 3 });
      expect(await store.memberTakeCounts("drop", BOB, policyOf("drop").counted)).toEqual(new Map([["offer-1", 1]]));
      // An issued voucher that expired unused frees its place.
      await store.completeTake(b.id, { status: "expired", now: at(3 * MINUTE) });
      expect((await store.take(takeInput("drop", { member: member(2) }))).status).toBe("created");
      expect(await store.memberTakeCounts("drop", ALICE, policyOf("drop").counted)).toEqual(new Map([["offer-1", 1]]));
      expect(await store.memberTakeCounts("drop", BOB, policyOf("drop").counted)).toEqual(new Map());
      expect(await takeIds({ kind: "drop", status: "failed" })).toEqual([a.id]);
      expect(await takeIds({ kind: "drop", status: "expired" })).toEqual([b.id]);
    });

    it("has nothing to consume: drops carry no codes", async () => {
      created(await store.take(takeInput("drop")));
      expect(await takeIds({ kind: "drop", consumed: true })).toEqual([]);
      expect(await takeIds({ kind: "drop", consumed: false })).toHaveLength(1);
    });

    it("gives a take whose transaction can never be mined back to unsent, once, to one holder", async () => {
      const c = created(await store.take(takeInput("drop")));
      await store.recordTakeTx(c.id, { hash: TX, raw: "0x02f8ab" }, at(2 * MINUTE));
      // Only with exactly the recorded transaction: another hash, or a second release, changes nothing.
      expect(await store.releaseTakeTx(c.id, TX2, "instance-a", at(3 * MINUTE))).toBeNull();
      const released = await store.releaseTakeTx(c.id, TX, "instance-a", at(3 * MINUTE));
      expect(released).toEqual({ ...c, txHash: null, rawTx: null, updatedAt: at(3 * MINUTE) });
      expect(await store.releaseTakeTx(c.id, TX, "instance-b", at(3 * MINUTE))).toBeNull();
      // Its holder signs again; nobody else may record a transaction meanwhile.
      expect(await store.recordTakeTx(c.id, { hash: TX2, raw: "0x01" }, at(3 * MINUTE), "instance-b")).toBeNull();
      expect(await store.holdTake(c.id, "instance-a", at(3 * MINUTE))).toMatchObject({ id: c.id });
      expect(await store.recordTakeTx(c.id, { hash: TX2, raw: "0x02" }, at(3 * MINUTE), "instance-a")).toMatchObject({ txHash: TX2 });
      // A settled take is never released.
      await store.completeTake(c.id, { status: "minted", now: at(4 * MINUTE) });
      expect(await store.releaseTakeTx(c.id, TX2, "instance-a", at(5 * MINUTE))).toBeNull();
    });

    it("records the transaction only while pending, and settles a take once", async () => {
      const c = created(await store.take(takeInput("drop")));
      const withTx = await store.recordTakeTx(c.id, { hash: TX.toUpperCase().replace("0X", "0x"), raw: "0x02F8AB" }, at(2 * MINUTE));
      expect(withTx).toEqual({ ...c, txHash: TX, rawTx: "0x02f8ab", updatedAt: at(2 * MINUTE) });
      expect(await store.getTake(c.id)).toEqual(withTx);
      // A re-signed transaction (new nonce) replaces the first while the take is pending.
      expect(await store.recordTakeTx(c.id, { hash: TX2, raw: "0x02f8ac" }, at(2 * MINUTE))).toMatchObject({ txHash: TX2, rawTx: "0x02f8ac" });
      const minted = await store.completeTake(c.id, { status: "minted", now: at(3 * MINUTE) });
      expect(minted).toEqual({ ...c, status: "minted", txHash: TX2, rawTx: "0x02f8ac", updatedAt: at(3 * MINUTE) });
      expect(await store.completeTake(c.id, { status: "failed", error: { code: "x", message: "y" }, now: at(4 * MINUTE) })).toBeNull();
      expect(await store.completeTake(c.id, { status: "expired", now: at(4 * MINUTE) })).toBeNull();
      expect(await store.recordTakeTx(c.id, { hash: TX, raw: "0x01" }, at(4 * MINUTE))).toBeNull();
      expect(await store.completeTake("missing", { status: "minted", now: at(4 * MINUTE) })).toBeNull();
      expect(await store.recordTakeTx("missing", { hash: TX, raw: "0x01" }, at(4 * MINUTE))).toBeNull();
      expect(await store.getTake(c.id)).toEqual(minted);
    });

    it("holds an unsent take for one instance: only the holder records its transaction, and a stale one is taken over", async () => {
      const c = created(await store.take(takeInput("drop")));
      // Nobody holds a fresh take: the instance that reserved it does, and renews it.
      expect(await store.holdTake(c.id, "instance-a", at(MINUTE))).toMatchObject({ id: c.id, status: "pending", updatedAt: at(MINUTE) });
      expect(await store.holdTake(c.id, "instance-a", at(MINUTE + 1_000))).toMatchObject({ updatedAt: at(MINUTE + 1_000) });
      expect(await store.renewTake(c.id, "instance-a", at(MINUTE + 2_000))).toBe(true);
      // Another instance may neither hold it while it is renewed, nor record a transaction for it.
      expect(await store.holdTake(c.id, "instance-b", at(MINUTE + 3_000))).toBeNull();
      expect(await store.holdTake(c.id, "instance-b", at(MINUTE + 3_000), at(MINUTE + 2_000))).toBeNull();
      expect(await store.renewTake(c.id, "instance-b", at(MINUTE + 3_000))).toBe(false);
      expect(await store.recordTakeTx(c.id, { hash: TX, raw: "0x01" }, at(MINUTE + 3_000), "instance-b")).toBeNull();
      // Once instance-a stopped renewing it (it died), instance-b takes it over; instance-a can no longer send it.
      expect(await store.holdTake(c.id, "instance-b", at(MINUTE + 9_000), at(MINUTE + 4_000))).toMatchObject({ updatedAt: at(MINUTE + 9_000) });
      expect(await store.renewTake(c.id, "instance-a", at(MINUTE + 9_500))).toBe(false);
      expect(await store.recordTakeTx(c.id, { hash: TX, raw: "0x01" }, at(MINUTE + 9_500), "instance-a")).toBeNull();
      expect(await store.recordTakeTx(c.id, { hash: TX2, raw: "0x02" }, at(MINUTE + 9_500), "instance-b")).toMatchObject({ txHash: TX2 });
      // Sent: nobody holds it any more, not even after a long silence (the chain settles it).
      expect(await store.holdTake(c.id, "instance-a", at(HOUR), at(HOUR))).toBeNull();
      expect(await store.renewTake(c.id, "instance-b", at(HOUR))).toBe(false);
      // A fresh take is never taken over as stale, and a settled one is never held.
      const d = created(await store.take(takeInput("drop", { member: BOB, now: at(HOUR) })));
      expect(await store.holdTake(d.id, "instance-b", at(HOUR + 1_000), at(HOUR - 1_000))).toBeNull();
      await store.completeTake(d.id, { status: "failed", error: { code: "mint_failed", message: "x" }, now: at(HOUR + 2_000) });
      expect(await store.holdTake(d.id, "instance-a", at(HOUR + 3_000))).toBeNull();
    });

    it("issues a voucher, which then expires or is used on chain", async () => {
      await createOffer(offerInput("drop", { id: "voucher-drop", reward: { type: "token", collection: REWARD_COLLECTION, tokenId: "6", amount: "2", mode: "voucher" } }));
      const v = created(await store.take(takeInput("drop", { offerId: "voucher-drop", member: BOB })));
      expect(v.reward).toEqual({ type: "token", collection: REWARD_COLLECTION, tokenId: "6", amount: "2", mode: "voucher" });
      const voucher = { to: BOB, id: "6", signature: "0xabc", nested: { n: 1, list: [true, null] } };
      const issued = await store.completeTake(v.id, { status: "issued", voucher, now: at(2 * MINUTE) });
      expect(issued).toEqual({ ...v, status: "issued", voucher, updatedAt: at(2 * MINUTE) });
      expect(await store.getTake(v.id)).toEqual(issued);
      expect(await store.completeTake(v.id, { status: "expired", now: at(3 * MINUTE) })).toEqual({ ...issued, status: "expired", updatedAt: at(3 * MINUTE) });

      // A voucher used on chain: issued to minted (with the hash the watcher saw), and no further.
      const w = created(await store.take(takeInput("drop", { offerId: "voucher-drop", member: BOB, idempotencyKey: "used-voucher" })));
      const issuedW = await store.completeTake(w.id, { status: "issued", voucher, now: at(2 * MINUTE) });
      expect(await store.completeTake(w.id, { status: "minted", txHash: TX, now: at(3 * MINUTE) })).toEqual({
        ...issuedW,
        status: "minted",
        txHash: TX,
        updatedAt: at(3 * MINUTE),
      });
    });

    it("allows only pending to minted, issued or failed, and issued to minted or expired", async () => {
      const allowed: Record<TakeStatus, TakeStatus[]> = {
        pending: ["minted", "issued", "failed"],
        issued: ["minted", "expired"],
        minted: [],
        failed: [],
        expired: [],
        redeemed: [],
      };
      let n = 0;
      /** A fresh take brought to `status` through allowed transitions. */
      async function takeIn(status: TakeStatus): Promise<Take> {
        n += 1;
        const t = created(await store.take(takeInput("drop", { member: member(100 + n) })));
        const now = at(2 * MINUTE);
        if (status === "pending") return t;
        if (status === "expired") {
          await store.completeTake(t.id, { status: "issued", voucher: { n }, now });
          return (await store.completeTake(t.id, { status: "expired", now }))!;
        }
        if (status === "failed") return (await store.completeTake(t.id, { status, error: { code: "mint_failed", message: "no" }, now }))!;
        return (await store.completeTake(t.id, { status: status as "minted" | "issued", now }))!;
      }
      for (const from of ["pending", "issued", "minted", "failed", "expired"] as const) {
        for (const to of ["minted", "issued", "failed", "expired"] as const) {
          const t = await takeIn(from);
          expect(t.status).toBe(from);
          const result = await store.completeTake(t.id, { status: to, now: at(3 * MINUTE) });
          if (allowed[from]!.includes(to)) {
            expect(result, `${from} -> ${to}`).toMatchObject({ id: t.id, status: to, updatedAt: at(3 * MINUTE) });
          } else {
            expect(result, `${from} -> ${to}`).toBeNull();
            expect(await store.getTake(t.id)).toEqual(t);
          }
        }
      }
    });

    it("keeps the values of fields a completion leaves out", async () => {
      const c = created(await store.take(takeInput("drop")));
      await store.recordTakeTx(c.id, { hash: TX, raw: "0x02f8ab" }, at(2 * MINUTE));
      const failed = await store.completeTake(c.id, { status: "failed", error: { code: "mint_failed", message: "reverted" }, now: at(3 * MINUTE) });
      expect(failed).toEqual({
        ...c,
        status: "failed",
        txHash: TX,
        rawTx: "0x02f8ab",
        error: { code: "mint_failed", message: "reverted" },
        updatedAt: at(3 * MINUTE),
      });

      const v = created(await store.take(takeInput("drop", { member: BOB })));
      const voucher = { signature: "0x01" };
      await store.completeTake(v.id, { status: "issued", voucher, now: at(2 * MINUTE) });
      const minted = await store.completeTake(v.id, { status: "minted", txHash: TX2.toUpperCase().replace("0X", "0x") as Hex, now: at(3 * MINUTE) });
      expect(minted).toMatchObject({ status: "minted", voucher, txHash: TX2, rawTx: null, error: null });
    });

    it("refuses malformed input, changing nothing", async () => {
      const c = created(await store.take(takeInput("drop")));
      await expect(store.recordTakeTx(c.id, { hash: "0x1234", raw: "0x01" }, at(0))).rejects.toBeInstanceOf(StoreInputError);
      await expect(store.recordTakeTx(c.id, { hash: TX, raw: "0x1" }, at(0))).rejects.toBeInstanceOf(StoreInputError);
      await expect(store.recordTakeTx(c.id, { hash: TX, raw: "signed" }, at(0))).rejects.toBeInstanceOf(StoreInputError);
      await expect(store.recordTakeTx(c.id, { hash: TX, raw: "0x01" }, "now")).rejects.toBeInstanceOf(StoreInputError);
      await expect(store.recordTakeTx(c.id, null as unknown as { hash: string; raw: string }, at(0))).rejects.toBeInstanceOf(StoreInputError);
      await expect(store.completeTake(c.id, { status: "pending" as "minted", now: at(0) })).rejects.toBeInstanceOf(StoreInputError);
      await expect(store.completeTake(c.id, { status: "failed", error: { code: "", message: "m" }, now: at(0) })).rejects.toBeInstanceOf(StoreInputError);
      await expect(store.completeTake(c.id, { status: "minted", txHash: "0x12" as Hex, now: at(0) })).rejects.toBeInstanceOf(StoreInputError);
      await expect(store.completeTake(c.id, { status: "issued", voucher: 1n, now: at(0) })).rejects.toBeInstanceOf(StoreInputError);
      await expect(store.completeTake(c.id, { status: "minted", now: "now" })).rejects.toBeInstanceOf(StoreInputError);
      expect(await store.getTake(c.id)).toEqual(c);
    });

    it("keeps the takes of a deleted drop, and lets pending ones complete", async () => {
      const c = created(await store.take(takeInput("drop")));
      const d = created(await store.take(takeInput("drop", { member: BOB })));
      await store.deleteOffer("brand-a", "offer-1", at(2 * MINUTE));
      expect(await store.recordTakeTx(d.id, { hash: TX2, raw: "0x02" }, at(3 * MINUTE))).toMatchObject({ txHash: TX2 });
      expect((await store.completeTake(c.id, { status: "minted", txHash: TX, now: at(3 * MINUTE) }))?.status).toBe("minted");
      expect(await takeIds({ kind: "drop", offerId: "offer-1" })).toEqual([d.id, c.id]);
      expect(await store.take(takeInput("drop", { idempotencyKey: c.idempotencyKey }))).toMatchObject({ status: "replayed", take: { id: c.id, status: "minted" } });
    });
  });
};
