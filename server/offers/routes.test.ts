/**
 * The offers core's routes, once for every kind: the window, the limits, idempotency and replay.
 * They run against a kind declared here and nowhere else ("sample"), with its own statuses, so
 * they also show that a kind is data: nothing in the core, the store or the schema names it.
 * Perks and drops test only what is theirs (server/perks, server/drops).
 */
import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import { Type } from "typebox";
import type { Address } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectProblem } from "../../test/support/problems.ts";
import { createBrand } from "../brands/accounts.ts";
import type { Brand } from "../brands/types.ts";
import type { OwnershipReader, OwnershipSnapshot } from "../chain/ownership.ts";
import { Problem } from "../errors.ts";
import type { Member } from "../plugins/authentication.ts";
import { problemsPlugin } from "../plugins/problems.ts";
import { createRules, PLAIN_TERMS } from "../rules/index.ts";
import { Nullable } from "../../sdk/src/protocol/common.ts";
import { perkVariant } from "../perks/variant.ts";
import { SqliteStore, type Store } from "../storage/index.ts";
import type { OfferKindSpec } from "./kind.ts";
import type { MemberOffer } from "./listing.ts";
import { offerRoutes } from "./routes.ts";
import { createOffers } from "./service.ts";
import type { Offer, Take } from "./types.ts";
import type { OfferVariant } from "./variant.ts";

/** A kind only this file knows. Problem codes are a closed list (server/errors.ts): it borrows the perk's. */
const sampleKind: OfferKindSpec = {
  kind: "sample",
  words: { noun: "sample", taken: "tasted", takeNoun: "tasting", verb: "taste", notFound: "perk_not_found", notStarted: "perk_not_started", ended: "perk_ended", takeNotFound: "redemption_not_found" },
  idPrefixes: { offer: "smp", take: "tst" },
  ruleRequired: false,
  defaultLimits: { perMember: null, total: null },
  reward: "code",
  quota: { setting: "BRAND_MAX_SAMPLES" },
  takes: { initial: "tasted", counted: ["tasted"], statuses: ["tasted"] },
  erasure: { unlinked: "tastingsUnlinked" },
  stats: { perDay: "tastings" },
  export: { field: "tastings", view: (take) => ({ id: take.id }) },
};

/** What a take does is a perk's (a code, nothing on chain); what the kind is, is its own. */
const sampleVariant: OfferVariant<void> = { ...perkVariant, spec: sampleKind };

const SampleSchema = Type.Object({ id: Type.String(), title: Type.String(), limits: Type.Object({ perMember: Nullable(Type.Integer()), total: Nullable(Type.Integer()) }), startsAt: Nullable(Type.String()), endsAt: Nullable(Type.String()) });
const MemberSampleSchema = Type.Object({ id: Type.String(), status: Type.String(), eligible: Type.Boolean(), tasted: Type.Integer(), usedUp: Type.Boolean() });
const TastingSchema = Type.Object({ id: Type.String(), sampleId: Type.String(), member: Type.String(), status: Type.String(), code: Type.String() });

const sampleView = (o: Offer) => ({ id: o.id, title: o.title, limits: o.limits, startsAt: o.startsAt, endsAt: o.endsAt });
const memberSampleView = (m: MemberOffer) => ({ id: m.offer.id, status: m.status, eligible: m.eligible, tasted: m.taken, usedUp: m.usedUp });
const tastingView = (t: Take) => ({ id: t.id, sampleId: t.offerId, member: t.member, status: t.status, code: t.code! });

/** Every member holds nothing and needs nothing: samples have no rule, so only the core decides. */
const nothingHeld: OwnershipReader = {
  readFresh: async (): Promise<OwnershipSnapshot> => ({ holdings: new Map(), points: 0n, now: BigInt(Math.floor(Date.now() / 1000)) }),
  readCached: async (): Promise<OwnershipSnapshot> => ({ holdings: new Map(), points: 0n, now: BigInt(Math.floor(Date.now() / 1000)) }),
  cached: () => undefined,
  forget: () => {},
};

/** The rules, over a chain where nobody holds anything, for a deployment serving `collections`. */
const rulesServing = (...collections: string[]) =>
  createRules({ ownership: nothingHeld, terms: async () => PLAIN_TERMS, servedCollections: async () => new Set(collections), dataRequestOwner: async () => null });

let store: Store;
let brand: Brand;
let app: FastifyInstance;

beforeAll(async () => {
  store = SqliteStore.open(":memory:");
  brand = await createBrand(store, "Sample Shop");
  const offers = createOffers({
    store,
    rules: rulesServing(COLLECTION),
    quotas: { offers: { sample: 100 }, tokenTypes: 10 },
    listCacheMs: 0,
    listingReadTimeoutMs: 1_000,
  });
  app = Fastify();
  await app.register(problemsPlugin);
  app.decorate("store", store);
  app.decorateRequest("member", null);
  app.decorateRequest("brand", null);
  // The member is whoever the x-member header names; the brand is the one brand.
  app.decorate("requireMember", async (request: FastifyRequest) => {
    const address = request.headers["x-member"];
    if (typeof address !== "string") throw new Problem(401, "unauthenticated", "Sign in first");
    request.member = { address: address as Address, chainId: 31337, token: "test" } satisfies Member;
  });
  app.decorate("requireBrand", async (request: FastifyRequest) => {
    request.brand = brand;
  });
  await app.register(offerRoutes, {
    offers: offers.forKind(sampleVariant),
    variant: sampleVariant,
    summaries: { create: "Create a sample", take: "Taste a sample" },
    schemas: { offer: SampleSchema, memberOffer: MemberSampleSchema, memberOfferDetail: MemberSampleSchema, take: TastingSchema, takePage: Type.Object({ items: Type.Array(TastingSchema), nextCursor: Nullable(Type.String()) }) },
    views: { offer: sampleView, memberOffer: memberSampleView, memberOfferDetail: memberSampleView, take: tastingView },
    createFields: {},
    rewardInput: () => undefined,
    adminTakeFilters: {},
    adminTakeQuery: () => ({}),
    takeStatus: (_take: Take, replayed: boolean) => (replayed ? 200 : 201),
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await store?.close();
});

/** A collection the deployment serves, of which members hold nothing. */
const COLLECTION = `0x${"c".repeat(40)}`;
const member = (i: number): Address => `0x${i.toString(16).padStart(40, "0")}`;
let keys = 0;
const newKey = () => `key-${++keys}`;

async function createSample(fields: { rule?: unknown; limits?: { perMember?: number | null; total?: number | null }; startsAt?: string; endsAt?: string } = {}) {
  const response = await app.inject({ method: "POST", url: "/v1/admin/samples", payload: { title: "A sample", ...fields } });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; endsAt: string | null };
}

const taste = (i: number, id: string, key: string | undefined) =>
  app.inject({ method: "POST", url: `/v1/samples/${id}/taste`, headers: { "x-member": member(i), ...(key === undefined ? {} : { "idempotency-key": key }) } });

async function listed(i: number, id: string) {
  const response = await app.inject({ method: "GET", url: "/v1/samples", headers: { "x-member": member(i) } });
  expect(response.statusCode, response.body).toBe(200);
  return (response.json().items as { id: string }[]).find((item) => item.id === id);
}

const stored = async (offerId: string) => (await store.listTakes({ kind: "sample", offerId, limit: 100 })).items;

describe("a kind the core has never heard of", () => {
  it("gets the core's routes under its own words, and its takes start in its own initial status", async () => {
    const sample = await createSample();
    expect(sample.id).toMatch(/^smp_/);
    const first = await taste(1, sample.id, newKey());
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ id: expect.stringMatching(/^tst_/), sampleId: sample.id, member: member(1), status: "tasted" });
    expect(await listed(1, sample.id)).toEqual({ id: sample.id, status: "open", eligible: true, tasted: 1, usedUp: false });
    const mine = await app.inject({ method: "GET", url: "/v1/tastings", headers: { "x-member": member(1) } });
    expect(mine.json().items.map((t: { id: string }) => t.id)).toEqual([first.json().id]);
  });
});

describe("a kind's declaration binds its variant", () => {
  it("an offer is stored only with the reward its kind declares (the store keeps whichever it is given)", async () => {
    const offers = createOffers({ store, rules: rulesServing(), quotas: { offers: { odd: 10 }, tokenTypes: 10 }, listCacheMs: 0, listingReadTimeoutMs: 1_000 });
    const odd = offers.forKind({ ...sampleVariant, spec: { ...sampleKind, kind: "odd", reward: "token" } });
    await expect(odd.create(brand.id, { title: "Odd", reward: undefined })).rejects.toThrow(/odd's reward is token/);
    expect(await store.listOffers({ kind: "odd" })).toEqual([]);
  });

  it("a kind without a quota is refused when it is wired, not allowed any number of offers", () => {
    const offers = createOffers({ store, rules: rulesServing(), quotas: { offers: {}, tokenTypes: 10 }, listCacheMs: 0, listingReadTimeoutMs: 1_000 });
    expect(() => offers.forKind(sampleVariant)).toThrow(/no quota for offers of kind "sample"/);
  });
});

describe("the window", () => {
  it("one that has not started is 409 notStarted with when it opens; one that ended is 409 ended; nothing is recorded", async () => {
    const startsAt = new Date(Date.now() + 3_600_000).toISOString();
    const upcoming = await createSample({ startsAt });
    const ended = await createSample({ startsAt: new Date(Date.now() - 2 * 3_600_000).toISOString(), endsAt: new Date(Date.now() - 3_600_000).toISOString() });
    expect(await listed(1, upcoming.id)).toMatchObject({ status: "upcoming" });
    expect(await listed(1, ended.id)).toMatchObject({ status: "ended" });

    const a = expectProblem(await taste(1, upcoming.id, newKey()), 409, "perk_not_started");
    expect(a).toMatchObject({ title: "The sample is not open yet", detail: `opens at ${startsAt}` });
    const b = expectProblem(await taste(1, ended.id, newKey()), 409, "perk_ended");
    expect(b).toMatchObject({ title: "The sample has ended", detail: `ended at ${ended.endsAt}` });
    expect(await stored(upcoming.id)).toEqual([]);
    expect(await stored(ended.id)).toEqual([]);
  });

  it("is checked before eligibility: a member who does not hold what it requires hears the same", async () => {
    const rule = { type: "holds", collection: COLLECTION, tokenId: "1" };
    const upcoming = await createSample({ rule, startsAt: new Date(Date.now() + 3_600_000).toISOString() });
    const open = await createSample({ rule });
    expectProblem(await taste(1, upcoming.id, newKey()), 409, "perk_not_started");
    expectProblem(await taste(1, open.id, newKey()), 403, "not_eligible");
    expect(await stored(upcoming.id)).toEqual([]);
  });
});

describe("the limits", () => {
  it("per member: the (N+1)th take is 409 member_limit_reached; the listing says usedUp; other members are not affected", async () => {
    const limited = await createSample({ limits: { perMember: 2 } });
    expect((await taste(2, limited.id, newKey())).statusCode).toBe(201);
    expect(await listed(2, limited.id)).toMatchObject({ tasted: 1, usedUp: false });
    expect((await taste(2, limited.id, newKey())).statusCode).toBe(201);
    expect(await listed(2, limited.id)).toMatchObject({ eligible: true, tasted: 2, usedUp: true });
    const detail = await app.inject({ method: "GET", url: `/v1/samples/${limited.id}`, headers: { "x-member": member(2) } });
    expect(detail.json()).toMatchObject({ eligible: true, tasted: 2, usedUp: true });
    const third = expectProblem(await taste(2, limited.id, newKey()), 409, "member_limit_reached");
    expect(third).toEqual({
      type: "urn:stampbook:problem:member_limit_reached",
      title: "You have tasted this sample as often as allowed",
      status: 409,
      code: "member_limit_reached",
      detail: "limit 2 per member",
      instance: `/v1/samples/${limited.id}/taste`,
      limit: 2,
    });
    expect((await taste(3, limited.id, newKey())).statusCode).toBe(201);
    expect(await listed(3, limited.id)).toMatchObject({ tasted: 1, usedUp: false });
    expect(await stored(limited.id)).toHaveLength(3);
  });

  it("in total: 409 total_limit_reached once it runs out; usedUp stays about the member's own limit", async () => {
    const limited = await createSample({ limits: { total: 2 } });
    expect((await taste(2, limited.id, newKey())).statusCode).toBe(201);
    expect((await taste(3, limited.id, newKey())).statusCode).toBe(201);
    const body = expectProblem(await taste(4, limited.id, newKey()), 409, "total_limit_reached");
    expect(body).toMatchObject({ title: "This sample has run out", detail: "limit 2 in total", limit: 2 });
    expect(await listed(4, limited.id)).toMatchObject({ tasted: 0, usedUp: false });
    expect(await stored(limited.id)).toHaveLength(2);
  });

  it("exactly once: 1,000 concurrent attempts by one member on a 1-per-member offer create one take", async () => {
    const once = await createSample({ limits: { perMember: 1 } });
    const responses = await Promise.all(Array.from({ length: 1000 }, (_, i) => taste(5, once.id, `race-${i}`)));
    const byStatus = new Map<number, number>();
    for (const r of responses) byStatus.set(r.statusCode, (byStatus.get(r.statusCode) ?? 0) + 1);
    expect(Object.fromEntries(byStatus)).toEqual({ 201: 1, 409: 999 });
    expect(responses.filter((r) => r.statusCode === 409).every((r) => r.json().code === "member_limit_reached")).toBe(true);
    const rows = await stored(once.id);
    expect(rows.map((t) => t.id)).toEqual([responses.find((r) => r.statusCode === 201)!.json().id]);
    expect(await listed(5, once.id)).toMatchObject({ usedUp: true, tasted: 1 });
  });

  it("a total of 3 with 6 members racing, 5 tries each, creates exactly 3", async () => {
    const scarce = await createSample({ limits: { total: 3 } });
    const racers = [10, 11, 12, 13, 14, 15];
    const responses = await Promise.all(racers.flatMap((i) => Array.from({ length: 5 }, (_, j) => taste(i, scarce.id, `scarce-${i}-${j}`))));
    expect(responses.filter((r) => r.statusCode === 201)).toHaveLength(3);
    expect(responses.filter((r) => r.statusCode === 409 && r.json().code === "total_limit_reached")).toHaveLength(27);
    expect(await stored(scarce.id)).toHaveLength(3);
  });
});

describe("idempotency and replay", () => {
  it("the same Idempotency-Key gives 200 and the same take, counted once", async () => {
    const sample = await createSample();
    const key = newKey();
    const first = await taste(6, sample.id, key);
    expect(first.statusCode).toBe(201);
    const again = await taste(6, sample.id, key);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    expect(await stored(sample.id)).toHaveLength(1);
    expect(await listed(6, sample.id)).toMatchObject({ tasted: 1 });
  });

  it("50 concurrent submissions with one key: one 201, the rest 200 with the same take", async () => {
    const sample = await createSample();
    const key = newKey();
    const responses = await Promise.all(Array.from({ length: 50 }, () => taste(6, sample.id, key)));
    expect(responses.filter((r) => r.statusCode === 201)).toHaveLength(1);
    expect(responses.filter((r) => r.statusCode === 200)).toHaveLength(49);
    expect(new Set(responses.map((r) => r.json().id)).size).toBe(1);
    expect(await stored(sample.id)).toHaveLength(1);
  });

  it("the same key for another offer is 422 idempotency_conflict and records nothing", async () => {
    const [one, other] = [await createSample(), await createSample()];
    const key = newKey();
    expect((await taste(7, one.id, key)).statusCode).toBe(201);
    const body = expectProblem(await taste(7, other.id, key), 422, "idempotency_conflict");
    expect(body).toMatchObject({ title: "This Idempotency-Key was already used for another sample", detail: "Use a new key for each new tasting." });
    expect(await stored(one.id)).toHaveLength(1);
    expect(await stored(other.id)).toEqual([]);
  });

  it("keys are per member: another member's same key is a take of its own", async () => {
    const sample = await createSample();
    const key = newKey();
    const [a, b] = [await taste(7, sample.id, key), await taste(8, sample.id, key)];
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    expect(a.json().id).not.toBe(b.json().id);
  });

  it("400 idempotency_key_required for a missing or invalid key; 255 visible ASCII characters is the longest", async () => {
    const sample = await createSample();
    for (const key of [undefined, "", "has space", "x".repeat(256), "tab\tkey"]) expectProblem(await taste(9, sample.id, key), 400, "idempotency_key_required");
    expect(await stored(sample.id)).toEqual([]);
    expect((await taste(9, sample.id, "k".repeat(255))).statusCode).toBe(201);
  });

  it("a deleted offer cannot be taken (404), but a retry of an earlier take still replays it; an unknown one is 404", async () => {
    const doomed = await createSample();
    const key = newKey();
    const first = await taste(9, doomed.id, key);
    expect(first.statusCode).toBe(201);
    expect((await app.inject({ method: "DELETE", url: `/v1/admin/samples/${doomed.id}` })).statusCode).toBe(204);
    expect(expectProblem(await taste(9, doomed.id, newKey()), 404, "perk_not_found")).toMatchObject({ title: "No such sample", detail: `sample ${doomed.id}` });
    const replay = await taste(9, doomed.id, key);
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toEqual(first.json());
    expectProblem(await taste(9, "smp_nope", newKey()), 404, "perk_not_found");
  });

  it("a replay answers from the record even once the window has closed", async () => {
    const endsAt = new Date(Date.now() + 1_500).toISOString();
    const closing = await createSample({ endsAt });
    const key = newKey();
    const first = await taste(9, closing.id, key);
    expect(first.statusCode).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, Date.parse(endsAt) - Date.now() + 10));
    expectProblem(await taste(9, closing.id, newKey()), 409, "perk_ended");
    const replay = await taste(9, closing.id, key);
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toEqual(first.json());
  });
});
