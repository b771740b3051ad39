/**
 * The store contract: journeys, progress once per member and step, the award created in the same
 * transaction as the progress that completes a journey (exactly once, also under many concurrent
 * completions), codes, events once per key, and referrals at first sign-in.
 */
import type { Address } from "viem";
import { beforeEach, describe, expect, it } from "vitest";
import { codeHash } from "../../journeys/codes.ts";
import type { JourneyEvent, JourneyStep, NewJourney, StepCompletion } from "../../journeys/types.ts";
import type { Store } from "../store.ts";
import { toTimestamp } from "../time.ts";
import type { SqlDatabase } from "../sql/database.ts";
import { freshStorePerTest, type StoreContract } from "./fixtures.ts";

const T0 = Date.parse("2026-03-01T12:00:00.000Z");
const at = (offsetMs = 0) => toTimestamp(T0 + offsetMs);
const HOUR = 3_600_000;
const COLLECTION = "0xC0C0C0C0C0C0C0C0C0C0C0C0C0C0C0C0C0C0C0C0" as Address;
const member = (i: number) => `0x${(i + 1).toString(16).padStart(40, "0")}` as Address;
const hash = (text: string) => codeHash(text);

const steps = (...kinds: ("quiz" | "batch" | "shared" | "event" | "hold" | "referral")[]): JourneyStep[] =>
  kinds.map((kind, i): JourneyStep => {
    const id = `s${i}`;
    switch (kind) {
      case "quiz":
        return { id, title: "Quiz", kind: "quiz", questions: [{ prompt: "?", choices: ["a", "b"], answer: 1 }] };
      case "batch":
        return { id, title: "Code", kind: "code", mode: "batch" };
      case "shared":
        return { id, title: "Word", kind: "code", mode: "shared", code: "BEANS" };
      case "event":
        return { id, title: "Buy", kind: "event", event: "purchase", match: { sku: "latte" } };
      case "hold":
        return { id, title: "Hold", kind: "hold", rule: { type: "holds", collection: COLLECTION, tokenId: "1" } };
      case "referral":
        return { id, title: "Friend", kind: "referral" };
    }
  });

export const journeyContract: StoreContract = (open) => {
  describe("journeys", () => {
    let db!: SqlDatabase;
    let store!: Store;
    let brandId: string;
    let counter = 0;

    freshStorePerTest(open, (opened) => ({ db, store } = opened));
    beforeEach(async () => {
      brandId = `brand_${++counter}`;
      await store.createBrand({ id: brandId, name: "Brand", createdAt: at() });
    });

    async function journey(overrides: Partial<NewJourney> = {}, brand = brandId) {
      const result = await store.createJourney(
        {
          id: `jrn_${++counter}`,
          brandId: brand,
          title: "Coffee 101",
          description: "",
          startsAt: null,
          endsAt: null,
          ordered: false,
          stamp: { collection: COLLECTION, tokenId: "3", amount: "2" },
          steps: steps("quiz", "shared"),
          createdAt: at(counter),
          ...overrides,
        },
        { journeys: 100 },
      );
      if (result.status !== "created") throw new Error(result.status);
      return result.journey;
    }

    const complete = (journeyId: string, stepId: string, who: Address, extra: Partial<StepCompletion> = {}) =>
      store.completeStep({ journeyId, stepId, member: who, via: "member", completedAt: at(), now: at(), ...extra });

    const awardRows = (journeyId: string) =>
      db.all<{ member: string; collection: string; token_id: string; amount: string; status: string; brand_id: string }>(
        "SELECT member, collection, token_id, amount, status, brand_id FROM awards WHERE journey_id = ? ORDER BY member",
        journeyId,
      );

    it("creates, reads, lists, changes and deletes journeys, within the brand's bound", async () => {
      const a = await journey({ title: "A", startsAt: at(-HOUR), endsAt: at(HOUR), ordered: true });
      expect(a).toMatchObject({ brandId, title: "A", ordered: true, stamp: { collection: COLLECTION.toLowerCase(), tokenId: "3", amount: "2" }, updatedAt: a.createdAt });
      expect(await store.getJourney(a.id)).toEqual(a);
      const b = await journey({ title: "B" });
      expect((await store.listJourneys({ brandId })).map((j) => j.id)).toEqual([b.id, a.id]);

      const changed = await store.updateJourney(brandId, a.id, { title: "A2", endsAt: null, steps: steps("quiz"), updatedAt: at(5) });
      expect(changed).toMatchObject({ status: "updated", journey: { title: "A2", endsAt: null, startsAt: at(-HOUR), updatedAt: at(5) } });
      expect((await store.getJourney(a.id))!.steps.map((s) => s.id)).toEqual(["s0"]);
      expect(await store.updateJourney("another", a.id, { title: "x", updatedAt: at(6) })).toEqual({ status: "not_found" });

      expect(await store.deleteJourney("another", a.id, at(7))).toBe(false);
      expect(await store.deleteJourney(brandId, a.id, at(7))).toBe(true);
      expect(await store.deleteJourney(brandId, a.id, at(8))).toBe(false);
      expect(await store.getJourney(a.id)).toBeNull();
      expect((await store.listJourneys({ brandId })).map((j) => j.id)).toEqual([b.id]);

      const full = await store.createJourney({ ...b, id: "jrn_over", createdAt: at(9) }, { journeys: 1 });
      expect(full).toEqual({ status: "quota_exceeded", limit: 1 });
    });

    it("records a step once per member and creates the award with the progress that completes the journey", async () => {
      const j = await journey();
      const alice = member(1);
      expect(await complete(j.id, "s0", alice)).toEqual({ status: "completed", completedAt: at(), journeyCompleted: false, awardId: null });
      expect(await complete(j.id, "s0", alice, { completedAt: at(1) })).toEqual({ status: "already_done", completedAt: at() });
      expect(await awardRows(j.id)).toEqual([]);
      const last = await complete(j.id, "s1", alice, { completedAt: at(2) });
      expect(last).toMatchObject({ status: "completed", journeyCompleted: true });
      expect(last.status === "completed" && last.awardId).toMatch(/^award_/);
      expect(await awardRows(j.id)).toEqual([{ member: alice.toLowerCase(), collection: COLLECTION.toLowerCase(), token_id: "3", amount: "2", status: "pending", brand_id: brandId }]);

      const progress = await store.memberProgress(alice);
      expect(progress.steps).toEqual(expect.arrayContaining([{ journeyId: j.id, stepId: "s0", completedAt: at() }, { journeyId: j.id, stepId: "s1", completedAt: at(2) }]));
      expect((await store.journeyAwards(alice)).get(j.id)).toEqual({ status: "pending", txHash: null });
      expect((await store.journeyAwards(member(2))).size).toBe(0);
    });

    it("refuses missing journeys and steps, closed windows and locked ordered steps, writing nothing", async () => {
      const j = await journey({ startsAt: at(-HOUR), endsAt: at(HOUR), ordered: true, steps: steps("quiz", "shared", "quiz") });
      const bob = member(2);
      expect(await complete("jrn_missing", "s0", bob)).toEqual({ status: "journey_not_found" });
      expect(await complete(j.id, "nope", bob)).toEqual({ status: "step_not_found" });
      expect(await complete(j.id, "s0", bob, { completedAt: at(-2 * HOUR) })).toEqual({ status: "not_started" });
      expect(await complete(j.id, "s0", bob, { completedAt: at(HOUR) })).toEqual({ status: "ended" });
      expect(await complete(j.id, "s1", bob)).toEqual({ status: "step_locked", waitingFor: "s0" });
      expect((await store.listProgress(j.id, { limit: 10 })).items).toEqual([]);
      expect(await complete(j.id, "s0", bob)).toMatchObject({ status: "completed" });
      expect(await complete(j.id, "s2", bob)).toEqual({ status: "step_locked", waitingFor: "s1" });
      expect((await store.memberProgress(bob)).steps.map((s) => s.stepId)).toEqual(["s0"]);
    });

    it("fixes steps, order and stamp once anyone has progress; title and window may still change", async () => {
      const j = await journey();
      await complete(j.id, "s0", member(3));
      expect(await store.updateJourney(brandId, j.id, { steps: steps("quiz"), updatedAt: at(1) })).toEqual({ status: "has_progress" });
      expect(await store.updateJourney(brandId, j.id, { ordered: true, updatedAt: at(1) })).toEqual({ status: "has_progress" });
      expect(await store.updateJourney(brandId, j.id, { stamp: { ...j.stamp, amount: "5" }, updatedAt: at(1) })).toEqual({ status: "has_progress" });
      expect(await store.updateJourney(brandId, j.id, { title: "New", endsAt: at(HOUR), updatedAt: at(1) })).toMatchObject({ status: "updated", journey: { title: "New", endsAt: at(HOUR) } });
    });

    it("uses a batch code once, for one member; codes are per step", async () => {
      const j = await journey({ steps: steps("batch", "batch") });
      const stored = await store.addJourneyCodes({ journeyId: j.id, stepId: "s0", batchId: "b1", hashes: [hash("AAAA-BBBB"), hash("CCCC-DDDD"), hash("AAAA-BBBB")], createdAt: at() });
      expect(stored.sort()).toEqual([hash("AAAA-BBBB"), hash("CCCC-DDDD")].sort());
      expect(await store.addJourneyCodes({ journeyId: j.id, stepId: "s0", batchId: "b2", hashes: [hash("AAAA-BBBB"), hash("EEEE-FFFF")], createdAt: at() })).toEqual([hash("EEEE-FFFF")]);

      expect(await complete(j.id, "s1", member(1), { codeHash: hash("AAAA-BBBB") })).toEqual({ status: "code_invalid" });
      expect(await complete(j.id, "s0", member(1), { codeHash: hash("ZZZZ-ZZZZ") })).toEqual({ status: "code_invalid" });
      expect(await complete(j.id, "s0", member(1), { codeHash: hash("AAAA-BBBB") })).toMatchObject({ status: "completed" });
      expect(await complete(j.id, "s0", member(2), { codeHash: hash("aaaa bbbb") })).toEqual({ status: "code_used" });
      expect(await complete(j.id, "s0", member(2), { codeHash: hash("CCCC-DDDD") })).toMatchObject({ status: "completed" });
      // A done step answers as done, and spends no other code.
      expect(await complete(j.id, "s0", member(2), { codeHash: hash("EEEE-FFFF") })).toMatchObject({ status: "already_done" });
      expect(await complete(j.id, "s0", member(3), { codeHash: hash("EEEE-FFFF") })).toMatchObject({ status: "completed" });
    });

    it("pages progress, most recently started first, with each member's steps and award", async () => {
      const j = await journey();
      for (let i = 0; i < 5; i++) await complete(j.id, "s0", member(i), { completedAt: at(i), now: at(i) });
      await complete(j.id, "s1", member(0), { completedAt: at(10), now: at(10) });
      const first = await store.listProgress(j.id, { limit: 3 });
      expect(first.items.map((p) => p.member)).toEqual([member(4), member(3), member(2)]);
      expect(first.items[0]).toEqual({ member: member(4), startedAt: at(4), steps: { s0: at(4) }, completedAt: null, award: null });
      const second = await store.listProgress(j.id, { limit: 3, cursor: first.nextCursor });
      expect(second.nextCursor).toBeNull();
      expect(second.items.map((p) => p.member)).toEqual([member(1), member(0)]);
      expect(second.items[1]).toEqual({ member: member(0), startedAt: at(0), steps: { s0: at(0), s1: at(10) }, completedAt: at(10), award: { status: "pending", txHash: null } });
    });

    describe("events", () => {
      const event = (overrides: Partial<JourneyEvent> = {}): JourneyEvent => ({
        id: `evt_${++counter}`,
        brandId,
        idempotencyKey: "key-1",
        requestHash: hash("request-1"),
        type: "purchase",
        member: member(1),
        properties: { sku: "latte" },
        occurredAt: at(),
        receivedAt: at(1),
        ...overrides,
      });

      it("records an event once per key: a repeat is a duplicate and changes nothing", async () => {
        const j = await journey({ steps: steps("event", "event") });
        const first = await store.recordJourneyEvent(event(), [{ journeyId: j.id, stepId: "s0" }]);
        expect(first).toMatchObject({ status: "recorded", awards: 0, event: { idempotencyKey: "key-1", matched: [{ journeyId: j.id, stepId: "s0" }] } });
        const again = await store.recordJourneyEvent(event({ requestHash: hash("other") }), [{ journeyId: j.id, stepId: "s1" }]);
        expect(again).toMatchObject({ status: "duplicate", event: { id: first.event.id, requestHash: hash("request-1"), matched: [{ journeyId: j.id, stepId: "s0" }] } });
        expect((await store.memberProgress(member(1))).steps.map((s) => s.stepId)).toEqual(["s0"]);
        expect(await store.findJourneyEvent(brandId, "key-1")).toEqual(first.event);
        expect(await store.findJourneyEvent("another", "key-1")).toBeNull();
      });

      it("completes only the brand's own event steps that are open and unlocked, at occurredAt, and awards", async () => {
        const other = `brand_other_${counter}`;
        await store.createBrand({ id: other, name: "Other", createdAt: at() });
        const mine = await journey({ steps: steps("event") });
        const theirs = await journey({ steps: steps("event") }, other);
        const ordered = await journey({ ordered: true, steps: steps("quiz", "event") });
        const closed = await journey({ endsAt: at(-10), startsAt: at(-HOUR), steps: steps("event") });
        const wrongKind = await journey({ steps: steps("quiz") });
        const result = await store.recordJourneyEvent(event({ occurredAt: at(-5) }), [
          { journeyId: theirs.id, stepId: "s0" },
          { journeyId: ordered.id, stepId: "s1" },
          { journeyId: closed.id, stepId: "s0" },
          { journeyId: wrongKind.id, stepId: "s0" },
          { journeyId: mine.id, stepId: "s0" },
        ]);
        expect(result).toMatchObject({ status: "recorded", awards: 1, event: { matched: [{ journeyId: mine.id, stepId: "s0" }] } });
        expect((await store.memberProgress(member(1))).steps).toEqual([{ journeyId: mine.id, stepId: "s0", completedAt: at(-5) }]);
        expect(await awardRows(mine.id)).toHaveLength(1);
        expect(await awardRows(theirs.id)).toEqual([]);
      });
    });

    describe("sign-in and referrals", () => {
      it("makes a member at the first sign-in only, and keeps one invitation per member and journey", async () => {
        expect(await store.recordSignIn({ member: member(1), invitation: null, now: at() })).toEqual({ firstSignIn: true, referral: null });
        expect(await store.recordSignIn({ member: member(1), invitation: null, now: at(1) })).toEqual({ firstSignIn: false, referral: null });
        const j = await journey({ steps: steps("referral") });
        expect(await store.ensureInvitation(j.id, member(1), "CODEONE", at())).toBe("CODEONE");
        expect(await store.ensureInvitation(j.id, member(1), "CODETWO", at())).toBe("CODEONE");
        expect((await store.memberProgress(member(1))).invitations).toEqual([{ journeyId: j.id, code: "CODEONE" }]);
      });

      it("notes many plain sign-ins in one write, each address once; they are members after it", async () => {
        await store.recordMembers([member(7), member(8), member(7)], at());
        await store.recordMembers([member(8)], at(1));
        for (const m of [member(7), member(8)]) expect(await store.recordSignIn({ member: m, invitation: null, now: at(2) })).toEqual({ firstSignIn: false, referral: null });
      });

      it("a new member with an invitation completes the inviter's referral step; self-invites and existing members do nothing", async () => {
        const j = await journey({ steps: steps("referral") });
        const inviter = member(1);
        await store.recordSignIn({ member: inviter, invitation: null, now: at() });
        const code = await store.ensureInvitation(j.id, inviter, `INV${counter}`, at());

        expect(await store.recordSignIn({ member: inviter, invitation: code, now: at(1) })).toEqual({ firstSignIn: false, referral: null });
        await store.recordSignIn({ member: member(2), invitation: null, now: at(1) });
        expect(await store.recordSignIn({ member: member(2), invitation: code, now: at(2) })).toEqual({ firstSignIn: false, referral: null });
        expect(await store.recordSignIn({ member: member(3), invitation: "UNKNOWN", now: at(2) })).toEqual({ firstSignIn: true, referral: null });
        expect(await awardRows(j.id)).toEqual([]);

        const referred = await store.recordSignIn({ member: member(4), invitation: code, now: at(3) });
        expect(referred).toMatchObject({ firstSignIn: true, referral: { journeyId: j.id, inviter, stepId: "s0", counted: true } });
        expect(referred.referral!.awardId).toMatch(/^award_/);
        expect(await awardRows(j.id)).toHaveLength(1);
        // A second friend is recorded, and the step stays done once.
        expect(await store.recordSignIn({ member: member(5), invitation: code, now: at(4) })).toMatchObject({ referral: { counted: false, awardId: null } });
        expect(await awardRows(j.id)).toHaveLength(1);
      });

      it("a journey that has ended does not count the referral", async () => {
        const j = await journey({ startsAt: at(-HOUR), endsAt: at(1), steps: steps("referral") });
        const code = await store.ensureInvitation(j.id, member(1), `LATE${counter}`, at());
        expect(await store.recordSignIn({ member: member(2), invitation: code, now: at(5) })).toMatchObject({ firstSignIn: true, referral: { counted: false } });
        expect((await store.memberProgress(member(1))).steps).toEqual([]);
      });
    });

    describe("concurrency: exactly one award", () => {
      it("20 concurrent completions of the last two steps by one member create one award row", async () => {
        const j = await journey({ steps: steps("quiz", "quiz", "quiz", "quiz") });
        const who = member(7);
        await complete(j.id, "s0", who);
        await complete(j.id, "s1", who);
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => complete(j.id, i % 2 === 0 ? "s2" : "s3", who)));
        expect(results.filter((r) => r.status === "completed")).toHaveLength(2);
        expect(results.filter((r) => r.status === "completed" && r.awardId !== null)).toHaveLength(1);
        expect(await awardRows(j.id)).toHaveLength(1);
      });

      it("20 steps completed all at once by one member create one award row (none is lost)", async () => {
        const j = await journey({ steps: Array.from({ length: 20 }, (_, i): JourneyStep => ({ id: `q${i}`, title: "Q", kind: "quiz", questions: [{ prompt: "?", choices: ["a", "b"], answer: 0 }] })) });
        const who = member(8);
        const results = await Promise.all(j.steps.map((s) => complete(j.id, s.id, who)));
        expect(results.every((r) => r.status === "completed")).toBe(true);
        expect(results.filter((r) => r.status === "completed" && r.journeyCompleted)).toHaveLength(1);
        expect(await awardRows(j.id)).toHaveLength(1);
      });

      it("many members at once, each finishing with concurrent completions and events: one award each", async () => {
        const j = await journey({ steps: steps("quiz", "event") });
        const members = Array.from({ length: 10 }, (_, i) => member(100 + i));
        await Promise.all(
          members.flatMap((who, m) => [
            complete(j.id, "s0", who),
            complete(j.id, "s0", who),
            store.recordJourneyEvent(
              { id: `evt_c_${counter}_${m}`, brandId, idempotencyKey: `k-${m}`, requestHash: hash(`r${m}`), type: "purchase", member: who, properties: { sku: "latte" }, occurredAt: at(), receivedAt: at() },
              [{ journeyId: j.id, stepId: "s1" }],
            ),
          ]),
        );
        const rows = await awardRows(j.id);
        expect(rows.map((r) => r.member)).toEqual([...members].map((m) => m.toLowerCase()).sort());
      });
    });
  });
};
