/**
 * The store contract: Takes of each kind: once per idempotency key, within the offer's window and limits, listed in pages.
 *
 * Takes behave the same for both kinds except for what a take yields, so this is written once and
 * run for each kind; what only one kind does has its own contract (perk-codes, drop-takes).
 */
import type { Address } from "viem";
import { beforeEach, describe, expect, it } from "vitest";
import type { OfferKind, Take, TakeInput, TakePolicy, TakeStatus } from "../../offers/types.ts";
import { StoreInputError } from "../errors.ts";
import type { Store } from "../store.ts";
import { alice, ALICE, at, BOB, created, freshStorePerTest, HOUR, KINDS, member, MINUTE, offerInput, otherKind, policyOf, rewardFor, type StoreContract, storeFixtures, takeInput } from "./fixtures.ts";

export const takeContract: StoreContract = (open) => {
  let store!: Store;
  freshStorePerTest(open, (opened) => ({ store } = opened));
  const { brands, createOffer, patchOffer, takeIds } = storeFixtures(() => store);

  for (const kind of KINDS) {
    /** The take `takeInput(kind, input)` creates, as the store should report it. */
    const expectedTake = (input: TakeInput, offerId = "offer-1"): Take => ({
      id: input.id,
      offerId,
      brandId: "brand-a",
      kind,
      member: input.member.toLowerCase() as Address,
      vault: input.vault?.toLowerCase() as Address | undefined ?? null,
      idempotencyKey: input.idempotencyKey,
      status: kind === "perk" ? "redeemed" : "pending",
      reward: rewardFor(kind),
      code: kind === "perk" ? input.code : null,
      consumedAt: null,
      txHash: null,
      rawTx: null,
      voucher: null,
      error: null,
      createdAt: input.now,
      updatedAt: input.now,
    });

    describe(`takes of ${kind}s`, () => {
      beforeEach(async () => {
        await brands();
        await createOffer(offerInput(kind));
      });

      it(`creates a take: ${kind === "perk" ? "redeemed at once, with its code" : "pending, without a code"}, carrying the offer's reward`, async () => {
        const input = takeInput(kind, { member: ALICE, idempotencyKey: "k1", id: "t1", now: at(MINUTE) });
        const take = expectedTake(input);
        expect(await store.take(input)).toEqual({ status: "created", take });
        expect(take.reward).toEqual((await store.getOffer("offer-1"))?.reward);
        expect(await store.getTake("t1")).toEqual(take);
        expect(await store.findTake(kind, ALICE, "k1")).toEqual(take);
        expect(await store.findTake(kind, alice, "k1")).toEqual(take);
        expect(await store.findTake(kind, ALICE, "other-key")).toBeNull();
        expect(await store.findTake(kind, BOB, "k1")).toBeNull();
        expect(await store.findTake(otherKind(kind), ALICE, "k1")).toBeNull();
        expect(await store.getTake("nope")).toBeNull();
        expect((await store.listTakes({ kind, limit: 10 })).items).toEqual([take]);
        expect((await store.listTakes({ kind: otherKind(kind), limit: 10 })).items).toEqual([]);
      });

      it("replays the stored take for the same member, kind and key, even once the limits are exhausted", async () => {
        await patchOffer("offer-1", { limits: { perMember: 1, total: 1 }, updatedAt: at(0) });
        const first = created(await store.take(takeInput(kind, { idempotencyKey: "same", id: "t1" })));
        const again = await store.take(takeInput(kind, { member: ALICE, idempotencyKey: "same", id: "t2", now: at(HOUR) }));
        expect(again).toEqual({ status: "replayed", take: first });
        expect(await store.getTake("t2")).toBeNull();
        expect((await store.listTakes({ kind, limit: 10 })).items).toEqual([first]);
      });

      it("replays after the offer is deleted or its window has closed", async () => {
        await patchOffer("offer-1", { endsAt: at(2 * MINUTE), updatedAt: at(0) });
        const first = created(await store.take(takeInput(kind, { idempotencyKey: "same" })));
        expect(await store.take(takeInput(kind, { idempotencyKey: "same", now: at(HOUR) }))).toEqual({ status: "replayed", take: first });
        await store.deleteOffer("brand-a", "offer-1", at(3 * MINUTE));
        expect(await store.take(takeInput(kind, { idempotencyKey: "same", now: at(HOUR) }))).toEqual({ status: "replayed", take: first });
        expect(await store.findTake(kind, ALICE, "same")).toEqual(first);
      });

      it("reports an idempotency conflict for the same key on another offer of this kind; the other kind's keys are its own", async () => {
        await createOffer(offerInput(kind, { id: "offer-2" }));
        await createOffer(offerInput(otherKind(kind), { id: "other-1" }));
        const first = created(await store.take(takeInput(kind, { idempotencyKey: "k" })));
        expect(await store.take(takeInput(kind, { offerId: "offer-2", idempotencyKey: "k" }))).toEqual({ status: "idempotency_conflict" });
        // Keys are per member: Bob may use the same key.
        expect((await store.take(takeInput(kind, { offerId: "offer-2", member: BOB, idempotencyKey: "k" }))).status).toBe("created");
        // And per kind: the same key takes an offer of the other kind, as a new take.
        const other = created(await store.take(takeInput(otherKind(kind), { offerId: "other-1", idempotencyKey: "k" })));
        expect(other.id).not.toBe(first.id);
        expect(other.kind).toBe(otherKind(kind));
        expect(await store.findTake(kind, ALICE, "k")).toEqual(first);
        expect(await store.findTake(otherKind(kind), ALICE, "k")).toEqual(other);
      });

      it("reports unknown, deleted and other-kind offers as offer_not_found", async () => {
        expect(await store.take(takeInput(kind, { offerId: "nope" }))).toEqual({ status: "offer_not_found" });
        // The offer exists, but is not of the kind asked for.
        expect(await store.take(takeInput(otherKind(kind)))).toEqual({ status: "offer_not_found" });
        await store.deleteOffer("brand-a", "offer-1", at(0));
        expect(await store.take(takeInput(kind))).toEqual({ status: "offer_not_found" });
        expect((await store.listTakes({ kind, limit: 10 })).items).toEqual([]);
      });

      it("checks the window: open from startsAt inclusive to endsAt exclusive", async () => {
        await patchOffer("offer-1", { startsAt: at(HOUR), endsAt: at(2 * HOUR), updatedAt: at(0) });
        expect(await store.take(takeInput(kind, { now: at(HOUR - 1) }))).toEqual({ status: "not_started" });
        expect((await store.take(takeInput(kind, { now: at(HOUR) }))).status).toBe("created");
        expect((await store.take(takeInput(kind, { now: at(2 * HOUR - 1) }))).status).toBe("created");
        expect(await store.take(takeInput(kind, { now: at(2 * HOUR) }))).toEqual({ status: "ended" });
      });

      it("enforces the per-member limit", async () => {
        await patchOffer("offer-1", { limits: { perMember: 2 }, updatedAt: at(0) });
        created(await store.take(takeInput(kind)));
        created(await store.take(takeInput(kind, { member: ALICE })));
        expect(await store.take(takeInput(kind))).toEqual({ status: "member_limit_reached", limit: 2 });
        created(await store.take(takeInput(kind, { member: BOB })));
      });

      it("counts a vault's limit with every wallet its holdings unlocked it for, and the vault's own", async () => {
        await patchOffer("offer-1", { limits: { perMember: 1 }, updatedAt: at(0) });
        const vault = member(7);
        const take = created(await store.take(takeInput(kind, { member: member(1), vault })));
        expect(take.vault).toBe(vault.toLowerCase());
        expect(await store.getTake(take.id)).toEqual(take);
        // A second delegate of the same vault, and the vault itself, find its limit used.
        expect(await store.take(takeInput(kind, { member: member(2), vault }))).toEqual({ status: "vault_limit_reached", limit: 1, vault: vault.toLowerCase() });
        expect(await store.take(takeInput(kind, { member: vault }))).toEqual({ status: "member_limit_reached", limit: 1 });
        // The first delegate's own limit is used too; a delegate on its own holdings is not.
        expect(await store.take(takeInput(kind, { member: member(1) }))).toEqual({ status: "member_limit_reached", limit: 1 });
        created(await store.take(takeInput(kind, { member: member(2) })));
        // Another vault is another count.
        created(await store.take(takeInput(kind, { member: member(3), vault: member(8) })));
      });

      it("refuses a member named as their own vault", async () => {
        await expect(store.take(takeInput(kind, { member: member(1), vault: member(1) }))).rejects.toThrow(/vault/);
      });

      it("enforces the total limit", async () => {
        await patchOffer("offer-1", { limits: { total: 2 }, updatedAt: at(0) });
        created(await store.take(takeInput(kind, { member: member(1) })));
        created(await store.take(takeInput(kind, { member: member(2) })));
        expect(await store.take(takeInput(kind, { member: member(3) }))).toEqual({ status: "total_limit_reached", limit: 2 });
      });

      it("counts per offer: another offer's takes do not use this one's limits", async () => {
        await createOffer(offerInput(kind, { id: "offer-2", limits: { perMember: 1, total: 1 } }));
        await patchOffer("offer-1", { limits: { perMember: 1, total: 1 }, updatedAt: at(0) });
        created(await store.take(takeInput(kind)));
        created(await store.take(takeInput(kind, { offerId: "offer-2" })));
      });

      it("treats a limit of 0 as closed", async () => {
        await patchOffer("offer-1", { limits: { perMember: 0 }, updatedAt: at(0) });
        expect(await store.take(takeInput(kind))).toEqual({ status: "member_limit_reached", limit: 0 });
        await patchOffer("offer-1", { limits: { perMember: null, total: 0 }, updatedAt: at(0) });
        expect(await store.take(takeInput(kind))).toEqual({ status: "total_limit_reached", limit: 0 });
      });

      it("checks in order: the window before the limits, the member's limit before the total", async () => {
        await patchOffer("offer-1", { limits: { perMember: 0, total: 0 }, startsAt: at(HOUR), updatedAt: at(0) });
        expect(await store.take(takeInput(kind, { now: at(0) }))).toEqual({ status: "not_started" });
        expect(await store.take(takeInput(kind, { now: at(HOUR) }))).toEqual({ status: "member_limit_reached", limit: 0 });
      });

      it("refuses malformed input, recording nothing", async () => {
        const bad: Partial<TakeInput>[] = [
          { member: "alice" as Address },
          { idempotencyKey: "" },
          { idempotencyKey: "k".repeat(257) },
          { now: "now" },
          { kind: "Not a kind!" as OfferKind },
          { offerId: "" },
          { id: "" },
          // The kind's policy: a status to start in and the statuses that count, names only (they are inlined in SQL).
          { policy: undefined as unknown as TakePolicy },
          { policy: { initial: "", counted: ["redeemed"] } },
          { policy: { initial: "redeemed", counted: [] } },
          { policy: { initial: "redeemed", counted: ["redeemed') OR ('1"] } },
        ];
        for (const overrides of bad) {
          await expect(store.take(takeInput(kind, overrides)), JSON.stringify(overrides)).rejects.toBeInstanceOf(StoreInputError);
        }
        await expect(store.findTake(kind, "alice" as Address, "k")).rejects.toBeInstanceOf(StoreInputError);
        await expect(store.findTake("Not a kind!" as OfferKind, ALICE, "k")).rejects.toBeInstanceOf(StoreInputError);
        expect((await store.listTakes({ kind, limit: 10 })).items).toEqual([]);
      });

      it(kind === "perk" ? "needs a code for a code reward, recording nothing without one" : "refuses a code for a token reward, recording nothing", async () => {
        const wrong = kind === "perk" ? null : "CODE-X";
        await expect(store.take(takeInput(kind, { code: wrong, idempotencyKey: "k" }))).rejects.toBeInstanceOf(StoreInputError);
        expect(await store.findTake(kind, ALICE, "k")).toBeNull();
        expect((await store.listTakes({ kind, limit: 10 })).items).toEqual([]);
        // The same key is still free.
        expect((await store.take(takeInput(kind, { idempotencyKey: "k" }))).status).toBe("created");
      });

      it("counts a member's takes per offer for this kind", async () => {
        await createOffer(offerInput(kind, { id: "offer-2" }));
        await createOffer(offerInput(otherKind(kind), { id: "other-1" }));
        created(await store.take(takeInput(kind)));
        created(await store.take(takeInput(kind, { member: ALICE })));
        created(await store.take(takeInput(kind, { offerId: "offer-2" })));
        created(await store.take(takeInput(kind, { member: BOB })));
        created(await store.take(takeInput(otherKind(kind), { offerId: "other-1" })));
        expect(await store.memberTakeCounts(kind, ALICE, policyOf(kind).counted)).toEqual(new Map([["offer-1", 2], ["offer-2", 1]]));
        expect(await store.memberTakeCounts(kind, alice, policyOf(kind).counted)).toEqual(new Map([["offer-1", 2], ["offer-2", 1]]));
        expect(await store.memberTakeCounts(kind, BOB, policyOf(kind).counted)).toEqual(new Map([["offer-1", 1]]));
        expect(await store.memberTakeCounts(otherKind(kind), ALICE, policyOf(otherKind(kind)).counted)).toEqual(new Map([["other-1", 1]]));
        expect(await store.memberTakeCounts(kind, member(9), policyOf(kind).counted)).toEqual(new Map());
        await expect(store.memberTakeCounts(kind, "alice" as Address, policyOf(kind).counted)).rejects.toBeInstanceOf(StoreInputError);
      });

      it("keeps the takes of a deleted offer", async () => {
        const t = created(await store.take(takeInput(kind)));
        expect(await store.deleteOffer("brand-a", "offer-1", at(2 * MINUTE))).toBe(true);
        expect(await store.getTake(t.id)).toEqual(t);
        expect(await takeIds({ kind, offerId: "offer-1" })).toEqual([t.id]);
        expect(await store.memberTakeCounts(kind, ALICE, policyOf(kind).counted)).toEqual(new Map([["offer-1", 1]]));
      });
    });

    describe(`listTakes of ${kind}s`, () => {
      beforeEach(async () => {
        await brands();
        await createOffer(offerInput(kind, { id: "oa" }));
        await createOffer(offerInput(kind, { id: "ob", brandId: "brand-b" }));
      });

      it("pages newest first on (createdAt, id), ties included, without gaps or repeats", async () => {
        // 25 takes over 5 instants, 5 per instant, ids inserted in shuffled order.
        const ids = Array.from({ length: 25 }, (_, i) => `t${String(i).padStart(2, "0")}`);
        const shuffled = [...ids].sort((x, y) => ((x.charCodeAt(2) * 7) % 10) - ((y.charCodeAt(2) * 7) % 10));
        for (const id of shuffled) {
          const i = Number(id.slice(1));
          created(await store.take(takeInput(kind, { offerId: "oa", id, now: at(Math.floor(i / 5) * MINUTE) })));
        }
        const seen: Take[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page: Awaited<ReturnType<Store["listTakes"]>> = await store.listTakes({ kind, limit: 10, cursor });
          seen.push(...page.items);
          cursor = page.nextCursor;
          pages += 1;
        } while (cursor !== null);
        expect(pages).toBe(3);
        expect(seen.map((t) => t.id)).toEqual([...ids].reverse());
      });

      it("returns no cursor when the last page is exactly full", async () => {
        for (let i = 0; i < 4; i++) created(await store.take(takeInput(kind, { offerId: "oa" })));
        const first = await store.listTakes({ kind, limit: 2 });
        expect(first.nextCursor).not.toBeNull();
        const second = await store.listTakes({ kind, limit: 2, cursor: first.nextCursor });
        expect(second.items).toHaveLength(2);
        expect(second.nextCursor).toBeNull();
      });

      it("filters by member, brand, offer and status, and by kind", async () => {
        await createOffer(offerInput(otherKind(kind), { id: "x" }));
        const a1 = created(await store.take(takeInput(kind, { offerId: "oa", member: ALICE, now: at(1) })));
        const a2 = created(await store.take(takeInput(kind, { offerId: "oa", member: BOB, now: at(2) })));
        const b1 = created(await store.take(takeInput(kind, { offerId: "ob", member: ALICE, now: at(3) })));
        const x1 = created(await store.take(takeInput(otherKind(kind), { offerId: "x", member: ALICE, now: at(4) })));
        const status = a1.status;

        expect(await takeIds({ kind })).toEqual([b1.id, a2.id, a1.id]);
        expect(await takeIds({ kind: otherKind(kind) })).toEqual([x1.id]);
        expect(await takeIds({ kind, member: ALICE })).toEqual([b1.id, a1.id]);
        expect(await takeIds({ kind, member: alice, brandId: "brand-a" })).toEqual([a1.id]);
        expect(await takeIds({ kind, brandId: "brand-a" })).toEqual([a2.id, a1.id]);
        expect(await takeIds({ kind, offerId: "ob" })).toEqual([b1.id]);
        expect(await takeIds({ kind, offerId: "x" })).toEqual([]);
        expect(await takeIds({ kind, status })).toEqual([b1.id, a2.id, a1.id]);
        expect(await takeIds({ kind, status: "failed" })).toEqual([]);
        // Brand B asking about brand A's offer sees nothing.
        expect(await takeIds({ kind, brandId: "brand-b", offerId: "oa" })).toEqual([]);
      });

      it("caps the page size at 100 and raises it to at least 1", async () => {
        for (let i = 0; i < 105; i++) created(await store.take(takeInput(kind, { offerId: "oa", member: member(i) })));
        const big = await store.listTakes({ kind, limit: 1000 });
        expect(big.items).toHaveLength(100);
        expect(big.nextCursor).not.toBeNull();
        expect((await store.listTakes({ kind, limit: 1000, cursor: big.nextCursor })).items).toHaveLength(5);
        expect((await store.listTakes({ kind, limit: 0 })).items).toHaveLength(1);
        expect((await store.listTakes({ kind, limit: -5 })).items).toHaveLength(1);
        expect((await store.listTakes({ kind, limit: 2.9 })).items).toHaveLength(2);
      });

      it("refuses cursors it did not issue and malformed filters", async () => {
        for (const cursor of ["garbage", "", Buffer.from('["x","y"]').toString("base64url")]) {
          await expect(store.listTakes({ kind, limit: 10, cursor })).rejects.toBeInstanceOf(StoreInputError);
        }
        await expect(store.listTakes({ kind, limit: 10, status: "Gone!" as TakeStatus })).rejects.toBeInstanceOf(StoreInputError);
        await expect(store.listTakes({ kind, limit: 10, member: "alice" as Address })).rejects.toBeInstanceOf(StoreInputError);
        await expect(store.listTakes({ kind: "Not a kind!" as OfferKind, limit: 10 })).rejects.toBeInstanceOf(StoreInputError);
      });
    });
  }
};
