/**
 * The listing's reuse rules: a repeated listing is the same array while the perks, the member's
 * cached holdings, their take counts and every perk's status are unchanged, and a new one as soon as
 * any of them moves. Real chain, real store, the real cached reader, the offers core with the perk
 * variant; only the server's clock is set by the test.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAddress, type Address, type PublicClient } from "viem";
import { createBrand } from "../brands/accounts.ts";
import type { Brand } from "../brands/types.ts";
import { createOwnershipReader } from "../chain/ownership.ts";
import { perkVariant } from "../perks/variant.ts";
import { newId, SqliteStore, toTimestamp, type Store } from "../storage/index.ts";
import { DEMO_TYPES, startChain, type DemoChain } from "../../test/support/chain.ts";
import { holdingKey } from "../chain/holdings.ts";
import { createRules, PLAIN_TERMS } from "../rules/index.ts";
import { createOffers, type OfferKindService, type Offers } from "./service.ts";
import type { OfferLimits, OfferQuota } from "./types.ts";

const HOUR = 3_600_000;
const T0 = Date.parse("2030-01-01T12:00:00.000Z");
const QUOTA: OfferQuota = { offers: 100, tokens: 256 };

let chain: DemoChain;
let store: Store;
let brand: Brand;
let member: Address;
let clock = T0;
let offers: Offers;
let perks: OfferKindService;

beforeAll(async () => {
  chain = await startChain();
  store = SqliteStore.open(":memory:");
  brand = await createBrand(store, "Listing Brand");
  member = getAddress(chain.members[0]!.account.address);
  await chain.mint(member, DEMO_TYPES.stamp, 1n);
  const ownership = createOwnershipReader(chain.publicClient as PublicClient, { cacheMs: 3_600_000 });
  const collection = chain.collection.address.toLowerCase();
  const rules = createRules({
    ownership,
    terms: async () => PLAIN_TERMS,
    servedCollections: async () => new Set([collection]),
    dataRequestOwner: async () => null,
    now: () => new Date(clock),
  });
  offers = createOffers({
    store,
    rules,
    quotas: { offers: { perk: QUOTA.offers, drop: QUOTA.offers }, tokenTypes: QUOTA.tokens },
    listCacheMs: 3_600_000,
    listingReadTimeoutMs: 10_000,
    now: () => new Date(clock),
  });
  perks = offers.forKind(perkVariant);
});
afterAll(async () => store?.close());

async function addPerk(window: { startsAt?: number; endsAt?: number } = {}, limits: OfferLimits = { perMember: null, total: null }) {
  const collection = getAddress(chain.collection.address);
  const result = await store.createOffer(
    {
      id: `perk_${newId().replaceAll("-", "")}`,
      brandId: brand.id,
      kind: "perk",
      title: "Stamp holders",
      description: "",
      rule: { type: "holds", collection, tokenId: String(DEMO_TYPES.stamp), min: 1 },
      tokens: [holdingKey(collection, DEMO_TYPES.stamp)],
      limits,
      startsAt: window.startsAt === undefined ? null : toTimestamp(window.startsAt),
      endsAt: window.endsAt === undefined ? null : toTimestamp(window.endsAt),
      reward: { type: "code" },
      createdAt: toTimestamp(clock),
    },
    QUOTA,
  );
  if (result.status !== "created") throw new Error(`perk not created: ${JSON.stringify(result)}`);
  offers.offersChanged();
  return result.offer;
}

const statusOf = async (perkId: string) => (await perks.list(member)).find((p) => p.offer.id === perkId)?.status;

describe("listing reuse", () => {
  it("is the same array while nothing changed", async () => {
    clock = T0;
    await addPerk();
    const first = await perks.list(member);
    expect(first.some((p) => p.eligible)).toBe(true);
    expect(first.every((p) => p.checked)).toBe(true);
    expect(await perks.list(member)).toBe(first);
  });

  it("follows a perk across its window: upcoming, open, ended, and back when the clock moves back", async () => {
    clock = T0;
    const perk = await addPerk({ startsAt: T0 + HOUR, endsAt: T0 + 2 * HOUR });
    const before = await perks.list(member);
    expect(await statusOf(perk.id)).toBe("upcoming");
    clock = T0 + HOUR - 1;
    expect(await perks.list(member)).toBe(before);
    clock = T0 + HOUR;
    expect(await statusOf(perk.id)).toBe("open");
    expect(await perks.list(member)).not.toBe(before);
    clock = T0 + 2 * HOUR - 1;
    expect(await statusOf(perk.id)).toBe("open");
    clock = T0 + 2 * HOUR;
    expect(await statusOf(perk.id)).toBe("ended");
    clock = T0 + 10 * HOUR;
    expect(await statusOf(perk.id)).toBe("ended");
    clock = T0;
    expect(await statusOf(perk.id)).toBe("upcoming");
  });

  it("a brand's change is a new array at once", async () => {
    clock = T0;
    const before = await perks.list(member);
    const added = await addPerk();
    const after = await perks.list(member);
    expect(after).not.toBe(before);
    expect(after.map((p) => p.offer.id)).toContain(added.id);
  });

  it("the member's own take is a new array at once, with the new count", async () => {
    clock = T0;
    const perk = await addPerk({}, { perMember: 1, total: null });
    const before = await perks.list(member);
    expect(before.find((p) => p.offer.id === perk.id)).toMatchObject({ eligible: true, checked: true, taken: 0, usedUp: false });
    expect(await perks.list(member)).toBe(before);

    const { replayed } = await perks.take(member, perk.id, `listing-${newId()}`);
    expect(replayed).toBe(false);
    const after = await perks.list(member);
    expect(after).not.toBe(before);
    expect(after.find((p) => p.offer.id === perk.id)).toMatchObject({ eligible: true, taken: 1, usedUp: true });
    expect(await perks.list(member)).toBe(after);
  });
});

describe("when no brand's holdings can be read in time", () => {
  it("the listing is a 503 chain_unavailable, never a 500", async () => {
    const hanging = { readFresh: () => new Promise<never>(() => {}), readCached: () => new Promise<never>(() => {}), cached: () => undefined };
    const rules = createRules({ ownership: hanging, terms: async () => PLAIN_TERMS, servedCollections: async () => new Set([chain.collection.address.toLowerCase()]), dataRequestOwner: async () => null, now: () => new Date(clock) });
    const slow = createOffers({ store, rules, quotas: { offers: { perk: QUOTA.offers, drop: QUOTA.offers }, tokenTypes: QUOTA.tokens }, listCacheMs: 0, listingReadTimeoutMs: 50, now: () => new Date(clock) });
    await addPerk();
    const listed = slow.forKind(perkVariant).list(member);
    await expect(listed).rejects.toMatchObject({ status: 503, code: "chain_unavailable" });
  });
});
