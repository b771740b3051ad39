/**
 * The journeys service over a real (in-memory SQLite) store, with the chain-facing seams faked: how
 * many reads a member's list costs, when the award queue is nudged, and how seam errors surface.
 */
import type { Address } from "viem";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Problem } from "../errors.ts";
import { SqliteStore, type Store } from "../storage/index.ts";
import { createMemberRegistry, type MemberRegistry } from "../members/registry.ts";
import { createJourneys, type HoldRules, type Journeys, type StampBook } from "./service.ts";

const COLLECTION = "0xc0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0" as Address;
const member = (i: number) => `0x${(i + 1).toString(16).padStart(40, "0")}` as Address;

let store: Store;
let journeys: Journeys;
let members: MemberRegistry;
let brandId: string;
let awardsQueued: number;
const rules: HoldRules = {
  async validate(brand, rule, root = "rule") {
    if (brand !== brandId) throw new Error(`validated for ${brand}`);
    if ((rule as { type?: unknown }).type !== "ok") throw new Problem(400, "invalid_rule", "The rule is not valid", "type must be ok", { path: `${root}.type` });
    return { type: "points", min: 1n };
  },
  checkRule: async (who) => ({ eligible: who === member(1), reasons: who === member(1) ? [] : [{ code: "holds_too_few", message: "needs a Gold membership" }] }),
  describe: async () => "a Gold membership",
};
const stamps: StampBook = { describe: async (_c, _t, amount) => ({ name: "Journey stamp", image: "https://img.example/stamp.png", points: 10n * amount }), isCollectible: async () => true };

beforeEach(async () => {
  store = SqliteStore.open(":memory:");
  brandId = "brand_1";
  await store.createBrand({ id: brandId, name: "Brand", createdAt: new Date().toISOString() });
  awardsQueued = 0;
  journeys = createJourneys({
    store,
    directory: { ownerOf: async (c) => (c.toLowerCase() === COLLECTION ? brandId : null) },
    rules,
    stamps,
    cacheMs: 60_000,
    onAwardQueued: () => awardsQueued++,
  });
  // Sign-ins reach journeys through the member registry, as in the app.
  members = createMemberRegistry({ store });
  members.handleInvitations((member, code) => journeys.invited(member, code));
});
afterEach(async () => store.close());

const define = (steps: unknown[], extra: Record<string, unknown> = {}) => journeys.create(brandId, { title: "J", stamp: { collection: COLLECTION, tokenId: "3", amount: "3" }, steps, ...extra });
const word = (id = "w") => ({ id, title: "Word", kind: "code", mode: "shared", code: "BEANS" });

describe("journeys service", () => {
  it("a member's list costs one progress read (and one awards read only for a member who finished one), journeys cached", async () => {
    for (let i = 0; i < 5; i++) await define([word(), { id: "r", title: "Friend", kind: "referral" }, { id: "h", title: "Hold", kind: "hold", rule: { type: "ok" } }]);
    const listJourneys = vi.spyOn(store, "listJourneys");
    const progress = vi.spyOn(store, "memberProgress");
    const awards = vi.spyOn(store, "journeyAwards");
    const invitations = vi.spyOn(store, "ensureInvitation");

    const first = await journeys.list(member(1));
    expect(first).toHaveLength(5);
    expect(first[0]).toMatchObject({ stamp: { name: "Journey stamp", image: "https://img.example/stamp.png", amount: "3", points: "30" }, steps: [{}, { invitation: { code: expect.stringMatching(/^.{4}-.{4}-.{4}$/) } }, { requires: "a Gold membership" }] });
    expect(invitations).toHaveBeenCalledTimes(5);
    await journeys.list(member(1));
    expect(listJourneys).toHaveBeenCalledTimes(1);
    expect(progress).toHaveBeenCalledTimes(2);
    expect(awards).not.toHaveBeenCalled();
    expect(invitations).toHaveBeenCalledTimes(5);
    expect((await journeys.list(member(1)))[0]!.steps[1]!.invitation).toEqual(first[0]!.steps[1]!.invitation);
  });

  it("nudges the award queue once per award, from completions, events and referrals", async () => {
    const a = await define([word()]);
    await journeys.complete(member(1), a.id, "w", { code: "beans" });
    await journeys.complete(member(1), a.id, "w", { code: "beans" });
    expect(awardsQueued).toBe(1);
    const [listed] = (await journeys.list(member(1))).filter((j) => j.id === a.id);
    expect(listed).toMatchObject({ completed: true, award: { status: "pending", txHash: null } });

    await define([{ id: "e", title: "Buy", kind: "event", event: "purchase" }]);
    await journeys.ingestEvent(brandId, "k1", { type: "purchase", member: member(2) });
    await journeys.ingestEvent(brandId, "k1", { type: "purchase", member: member(2) });
    expect(awardsQueued).toBe(2);

    const r = await define([{ id: "r", title: "Friend", kind: "referral" }]);
    await members.signedIn(member(3), { invitation: null });
    const code = (await journeys.list(member(3))).find((j) => j.id === r.id)!.steps[0]!.invitation!.code;
    await members.signedIn(member(4), { invitation: code });
    expect(awardsQueued).toBe(3);
  });

  it("remembers who signed in: a member's later sign-ins do not touch the store", async () => {
    const recordMembers = vi.spyOn(store, "recordMembers");
    const recordSignIn = vi.spyOn(store, "recordSignIn");
    await members.signedIn(member(5), { invitation: null });
    await members.signedIn(member(5), { invitation: "ANYTHING" });
    expect(recordMembers).toHaveBeenCalledTimes(1);
    expect(recordSignIn).not.toHaveBeenCalled();
    // Not a code: treated as none.
    await members.signedIn(member(6), { invitation: "<script>" });
    expect(recordMembers).toHaveBeenLastCalledWith([member(6).toLowerCase()], expect.any(String));
    expect(recordSignIn).not.toHaveBeenCalled();
  });

  it("plain sign-ins of one turn share one write; one with an invitation is written on its own", async () => {
    const recordMembers = vi.spyOn(store, "recordMembers");
    const recordSignIn = vi.spyOn(store, "recordSignIn");
    await Promise.all([member(7), member(8), member(9)].map((m) => members.signedIn(m, { invitation: null })));
    expect(recordMembers).toHaveBeenCalledTimes(1);
    expect(recordMembers.mock.calls[0]![0]).toEqual([member(7), member(8), member(9)].map((m) => m.toLowerCase()));
    await members.signedIn(member(10), { invitation: "CODEONE" });
    expect(recordSignIn).toHaveBeenCalledWith(expect.objectContaining({ invitation: "CODEONE" }), expect.any(Function));
  });

  it("hold steps: the rules' refusals (a perk's code) name the path inside the step, and their reasons reach the member", async () => {
    await expect(define([word(), { id: "h", title: "Hold", kind: "hold", rule: { type: "nope" } }])).rejects.toMatchObject({ code: "invalid_rule", extensions: { path: "steps[1].rule.type" } });
    const j = await define([{ id: "h", title: "Hold", kind: "hold", rule: { type: "ok" } }]);
    await expect(journeys.complete(member(2), j.id, "h", {})).rejects.toMatchObject({ status: 403, code: "not_eligible", detail: "needs a Gold membership" });
    expect((await journeys.complete(member(1), j.id, "h", {})).journey.completed).toBe(true);
  });

  it("another brand's journey is not found, and a brand's bound holds", async () => {
    const j = await define([word()]);
    await expect(journeys.get("brand_2", j.id)).rejects.toMatchObject({ status: 404, code: "journey_not_found" });
    await expect(journeys.update("brand_2", j.id, { title: "x" })).rejects.toMatchObject({ status: 404 });
    await expect(journeys.remove("brand_2", j.id)).rejects.toMatchObject({ status: 404 });
    const bounded = createJourneys({ store, directory: { ownerOf: async () => brandId }, rules, stamps, cacheMs: 0, maxJourneysPerBrand: 1 });
    await expect(bounded.create(brandId, { title: "J", stamp: { collection: COLLECTION, tokenId: "3" }, steps: [word()] })).rejects.toMatchObject({ status: 409, code: "quota_exceeded" });
  });
});
