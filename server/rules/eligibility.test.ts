/**
 * The one eligibility check, with the chain and the store faked: what a plan reads, how fresh and
 * cached reads differ, and that points and grants count only as far as they are the brand's.
 */
import type { Address } from "viem";
import { describe, expect, it, vi } from "vitest";
import { holdingKey, type TokenRef } from "../chain/holdings.ts";
import type { OwnershipSnapshot } from "../chain/ownership.ts";
import { createEligibility, judge, planEligibility, UNCHECKED, type EligibilityDeps } from "./eligibility.ts";
import { parseRule } from "./grammar.ts";
import { PLAIN_TERMS, type BrandTerms } from "./terms.ts";

const C = "0x00000000000000000000000000000000000000c0" as Address;
const MEMBER = "0x0000000000000000000000000000000000000001" as Address;
const NOW = 1_800_000_000n;

const stamp = parseRule({ type: "holds", collection: C, tokenId: "2" });
const gold = parseRule({ type: "level", min: "gold" });
const shares = parseRule({ type: "consent", request: "birthday" });

const TERMS: BrandTerms = {
  names: { label: (_c, id) => (id === 2n ? { name: "Journey stamp" } : undefined) },
  levels: [{ key: "gold", name: "Gold", minPoints: 150 }],
  standing: [{ type: "member", collection: C, tokenId: 1n }, { type: "member", collection: C, tokenId: 2n }],
  requests: new Map([["birthday", { fields: ["birthday"], purpose: "a treat" }]]),
};

const snapshot = (stamps: bigint, points = 0n): OwnershipSnapshot => ({ holdings: new Map([[holdingKey(C, 2n), { balance: stamps, expiresAt: 0n }]]), points, now: NOW });

function fakes(overrides: Partial<EligibilityDeps> = {}) {
  const readFresh = vi.fn(async (_m: Address, _r: readonly TokenRef[]) => snapshot(1n, 200n));
  const readCached = vi.fn(async (_m: Address, _r: readonly TokenRef[]) => snapshot(1n, 200n));
  const cached = vi.fn((_m: Address, _r: readonly TokenRef[]): OwnershipSnapshot | undefined => undefined);
  const terms = vi.fn(async (_brandId: string) => TERMS);
  const grantsOf = vi.fn(async (_m: Address, _fresh: boolean): Promise<ReadonlySet<string>> => new Set(["birthday"]));
  const onUnavailable = vi.fn();
  const deps = { ownership: { readFresh, readCached, cached }, terms, grantsOf, onUnavailable, now: () => new Date(Number(NOW) * 1000), ...overrides };
  return { eligibility: createEligibility(deps), readFresh, readCached, cached, terms, grantsOf, onUnavailable };
}

describe("planEligibility", () => {
  it("reads the rules' types and the caller's, each once, and every type of the brand's only when a rule reads points", () => {
    const also: TokenRef[] = [{ collection: C, tokenId: 2n }, { collection: C, tokenId: 7n }];
    expect(planEligibility("b", [stamp, null], TERMS, also)).toMatchObject({ requirements: [{ tokenId: 2n }, { tokenId: 7n }], standing: false, grants: false });
    const withPoints = planEligibility("b", [stamp, gold], TERMS);
    expect(withPoints).toMatchObject({ standing: true, grants: false });
    expect(withPoints.requirements.map((r) => r.tokenId)).toEqual([2n, 1n]);
    // Without the terms the brand's types are unknown: points are not read, nothing is added up short.
    expect(planEligibility("b", [gold], null)).toMatchObject({ requirements: [], standing: false });
    expect(planEligibility("b", [shares], null)).toMatchObject({ requirements: [], grants: true });
  });
});

describe("judge", () => {
  it("points count only from a read that covered the brand's types; grants only of the brand's own requests", () => {
    const plan = planEligibility("b", [gold, shares, null], TERMS);
    const [level, consent, open] = judge(plan, { snapshot: snapshot(0n, 200n), grants: new Set(["birthday"]) }, NOW);
    expect([level!.eligible, consent!.eligible, open!.eligible]).toEqual([true, true, true]);
    const foreign = judge(plan, { snapshot: snapshot(0n, 10n), grants: new Set(["someone-elses"]) }, NOW);
    expect(foreign.map((o) => o.reasons[0]?.code)).toEqual(["level_too_low", "consent_missing", undefined]);
    // Terms unknown: the level reads as unavailable, and so do grants (whose requests are they?).
    const unknown = judge(planEligibility("b", [gold, shares], null), { snapshot: null, grants: new Set(["birthday"]) }, NOW);
    expect(unknown.map((o) => o.reasons[0]?.code)).toEqual(["unavailable", "unavailable"]);
  });

  it("a failed read leaves every rule unchecked but an open offer; nothing read is judged at the given time", () => {
    const plan = planEligibility("b", [stamp, null], TERMS);
    expect(judge(plan, { snapshot: { failed: new Error("away") }, grants: undefined }, NOW)).toEqual([UNCHECKED, { eligible: true, reasons: [] }]);
    expect(judge(planEligibility("b", [shares], TERMS), { snapshot: null, grants: new Set(["birthday"]) }, NOW)[0]!.eligible).toBe(true);
  });
});

describe("createEligibility", () => {
  it("fresh: reads the chain and the store now, and words a refusal in the brand's terms read only then", async () => {
    const { eligibility, readFresh, readCached, terms, grantsOf } = fakes({});
    const plan = await eligibility.plan("b", [parseRule({ type: "holds", collection: C, tokenId: "2", min: 3 })]);
    expect(terms).not.toHaveBeenCalled();
    const { outcomes, snapshot: read } = await eligibility.check(MEMBER, plan, { fresh: true });
    expect(readFresh).toHaveBeenCalledTimes(1);
    expect(readCached).not.toHaveBeenCalled();
    expect(grantsOf).not.toHaveBeenCalled();
    expect(read.points).toBe(200n);
    expect(outcomes[0]!.reasons[0]!.message).toBe("needs 3 Journey stamps, you have 1");
    expect(terms).toHaveBeenCalledTimes(1);
  });

  it("fresh: a rule reading points needs the brand's terms now (a failure throws); grants are read fresh", async () => {
    const failing = fakes({ terms: async () => Promise.reject(new Error("chain away")) });
    await expect(failing.eligibility.plan("b", [gold])).rejects.toThrow("chain away");
    // Grants and words need them only leniently: the plan goes on without.
    expect((await failing.eligibility.plan("b", [shares], { words: true })).terms).toBeNull();

    const { eligibility, grantsOf } = fakes();
    const plan = await eligibility.plan("b", [shares]);
    expect((await eligibility.check(MEMBER, plan, { fresh: true })).outcomes[0]!.eligible).toBe(true);
    expect(grantsOf).toHaveBeenCalledWith(MEMBER, true);
  });

  it("cached: a cache hit needs no read; a slow or failed read is reported and shows as failed", async () => {
    const hit = snapshot(1n);
    const { eligibility, cached, readCached, onUnavailable, grantsOf } = fakes();
    const plan = planEligibility("brand_b", [stamp, shares], TERMS);
    cached.mockReturnValueOnce(hit);
    const reading = await eligibility.read(MEMBER, plan, { fresh: false, timeoutMs: 1_000 });
    expect(reading.snapshot).toBe(hit);
    expect(readCached).not.toHaveBeenCalled();
    expect(grantsOf).toHaveBeenCalledWith(MEMBER, false);

    readCached.mockImplementationOnce(() => new Promise(() => {}));
    const slow = await eligibility.read(MEMBER, plan, { fresh: false, timeoutMs: 5 });
    expect(slow.snapshot).toMatchObject({ failed: expect.any(Error) });
    expect(onUnavailable).toHaveBeenCalledWith("brand_b", expect.any(Error));
    // Nothing on chain to read: no read at all.
    expect((await eligibility.read(MEMBER, planEligibility("b", [shares], TERMS), { fresh: false, timeoutMs: 5 })).snapshot).toBeNull();
  });

  it("cached: brands' reads of one member's grants share one read; a failed one counts as unread", async () => {
    let release: (value: ReadonlySet<string>) => void = () => {};
    const grantsOf = vi.fn(() => new Promise<ReadonlySet<string>>((resolve) => (release = resolve)));
    const { eligibility, onUnavailable } = fakes({ grantsOf });
    const plans = ["b1", "b2", "b3"].map((b) => planEligibility(b, [shares], TERMS));
    const reads = Promise.all(plans.map((plan) => eligibility.read(MEMBER, plan, { fresh: false, timeoutMs: 1_000 })));
    release(new Set(["birthday"]));
    const readings = await reads;
    expect(grantsOf).toHaveBeenCalledTimes(1);
    expect(new Set(readings.map((r) => r.grants)).size).toBe(1);

    grantsOf.mockImplementationOnce(async () => Promise.reject(new Error("store away")));
    expect((await eligibility.read(MEMBER, plans[0]!, { fresh: false, timeoutMs: 1_000 })).grants).toBeUndefined();
    expect(onUnavailable).toHaveBeenCalledWith("grants", expect.any(Error));
  });

  it("plain terms are words enough: a brand with none still judges holdings", async () => {
    const { eligibility } = fakes({ terms: async () => PLAIN_TERMS });
    const plan = await eligibility.plan("b", [stamp], { words: true });
    expect((await eligibility.check(MEMBER, plan, { fresh: true })).outcomes).toEqual([{ eligible: true, reasons: [] }]);
  });
});
