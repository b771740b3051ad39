/**
 * What every store contract shares: how an engine hands out a fresh store, the clock and the
 * addresses the contracts write, and builders for brands, offers and takes. Constants and pure
 * builders are plain exports; helpers that write go through {@link storeFixtures}, bound to the
 * contract's current store.
 */
import type { Address, Hex } from "viem";
import { afterEach, beforeEach } from "vitest";
import type { BrandMinter, RegisterCollectionInput } from "../../brands/types.ts";
import { dropKind } from "../../drops/kind.ts";
import type { NewOffer, Offer, OfferKind, OfferPatch, OfferQuota, Reward, Take, TakeInput, TakePolicy, TakeQuery, TakeResult, UpdateOfferResult } from "../../offers/types.ts";
import { perkKind } from "../../perks/kind.ts";
import type { SqlDatabase } from "../sql/database.ts";
import { createSqlStore } from "../sql/store.ts";
import type { Store } from "../store.ts";
import { toTimestamp } from "../time.ts";

/** A fresh, empty store and the database under it (for the few checks that read rows directly). */
export interface OpenedStore {
  store: Store;
  db: SqlDatabase;
}

/** The store over a freshly opened database, as the engines' `open`/`connect` make it. */
export function storeOver(db: SqlDatabase): OpenedStore {
  return { db, store: createSqlStore(db) };
}

/** How an engine opens a fresh, empty store; a contract closes every store it opens. */
export type OpenStore = () => Promise<OpenedStore>;

/** One aggregate's promises, registered (describe/it) against an engine's stores. */
export type StoreContract = (open: OpenStore) => void;

/**
 * Opens a fresh store before each test of the calling describe block, hands it to `use` (which keeps
 * it in the contract's `store`), and closes it after the test.
 */
export function freshStorePerTest(open: OpenStore, use: (opened: OpenedStore) => void): void {
  let opened: OpenedStore | undefined;
  beforeEach(async () => {
    opened = await open();
    use(opened);
  });
  afterEach(async () => {
    await opened?.store.close();
    opened = undefined;
  });
}

export const KINDS = ["perk", "drop"] as const;

export const T0 = Date.parse("2025-06-01T12:00:00.000Z");
export const at = (offsetMs: number) => toTimestamp(T0 + offsetMs);
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

export const ALICE: Address = "0xAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAa"; // mixed case on purpose
export const alice = ALICE.toLowerCase() as Address;
export const BOB: Address = `0x${"b".repeat(40)}`;
export const member = (i: number): Address => `0x${i.toString(16).padStart(40, "0")}`;
export const COLLECTION: Address = "0xC0C0C0C0C0C0C0C0C0C0C0C0C0C0C0C0C0C0C0C0"; // mixed case on purpose
export const collection = COLLECTION.toLowerCase() as Address;
export const OTHER_COLLECTION: Address = `0x${"d".repeat(40)}`;
export const REWARD_COLLECTION: Address = `0x${"e".repeat(40)}`;
/** The holding key for a token type, as the store returns it. */
export const holding = (c: string, tokenId: number | string) => `${c.toLowerCase()}:${tokenId}`;
export const TX: Hex = `0x${"ab".repeat(32)}`;
export const TX2: Hex = `0x${"cd".repeat(32)}`;

/** Bounds no test reaches unless it means to. */
export const ROOMY: OfferQuota = { offers: 1_000, tokens: 1_000 };

export const otherKind = (kind: OfferKind): OfferKind => (kind === "perk" ? "drop" : "perk");

/** What each kind's offers yield in these tests: a code for perks, one token minted for drops. */
export function rewardFor(kind: OfferKind): Reward {
  return kind === "perk" ? { type: "code" } : { type: "token", collection: REWARD_COLLECTION, tokenId: "5", amount: "1", mode: "mint" };
}

export function offerInput(kind: OfferKind, overrides: Partial<NewOffer> = {}): NewOffer {
  return {
    id: "offer-1",
    brandId: "brand-a",
    kind,
    title: kind === "perk" ? "Free coffee" : "Welcome stamp",
    description: kind === "perk" ? "One coffee on the house" : "A free stamp",
    rule: { type: "holds", collection, tokenId: "1", min: 1 },
    tokens: [holding(collection, 1)],
    limits: { perMember: null, total: null },
    startsAt: null,
    endsAt: null,
    reward: rewardFor(kind),
    createdAt: at(0),
    ...overrides,
  };
}

export function updated(result: UpdateOfferResult): Offer {
  if (result.status !== "updated") throw new Error(`expected updated, got ${JSON.stringify(result)}`);
  return result.offer;
}

/** What the store is told about a kind's takes, as the offers core tells it (from the kind's declaration). */
export const policyOf = (kind: OfferKind): TakePolicy => (kind === "perk" ? perkKind : dropKind).takes;

let seq = 0;
/** A take of `offer-1` by Alice with a fresh key, id and (for perks) code. */
export function takeInput(kind: OfferKind, overrides: Partial<TakeInput> = {}): TakeInput {
  seq += 1;
  return {
    offerId: "offer-1",
    kind,
    member: alice,
    idempotencyKey: `key-${seq}`,
    id: `take-${seq}`,
    code: kind === "perk" ? `CODE-${seq}` : null,
    policy: policyOf(kind),
    now: at(MINUTE),
    ...overrides,
  };
}

export function created(result: TakeResult): Take {
  if (result.status !== "created") throw new Error(`expected created, got ${JSON.stringify(result)}`);
  return result.take;
}

export function tally(results: { status: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of results) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}

let regSeq = 0;
export function registration(overrides: Partial<RegisterCollectionInput> = {}): RegisterCollectionInput {
  regSeq += 1;
  return {
    brandId: "brand-a",
    collection: COLLECTION,
    admin: ALICE,
    nonce: `reg-${regSeq}`,
    nonceExpiresAt: at(HOUR),
    now: at(MINUTE),
    ...overrides,
  };
}

export function minterInput(overrides: Partial<BrandMinter> = {}): BrandMinter {
  return {
    brandId: "brand-a",
    address: "0x1111111111111111111111111111111111111AbC",
    sealedKey: "v1.sealed-ciphertext",
    source: "generated",
    createdAt: at(0),
    ...overrides,
  };
}

/** Helpers that write through the store of the running test. */
export function storeFixtures(current: () => Store) {
  return {
    /** Brands A and B. */
    async brands(): Promise<void> {
      await current().createBrand({ id: "brand-a", name: "Brand A", createdAt: at(0) });
      await current().createBrand({ id: "brand-b", name: "Brand B", createdAt: at(0) });
    },

    /** Creates an offer with room to spare and returns it. */
    async createOffer(input: NewOffer, quota: OfferQuota = ROOMY): Promise<Offer> {
      const result = await current().createOffer(input, quota);
      if (result.status !== "created") throw new Error(`expected created, got ${JSON.stringify(result)}`);
      return result.offer;
    },

    /** Changes one of brand A's offers with room to spare and returns it. */
    async patchOffer(id: string, patch: OfferPatch): Promise<Offer> {
      return updated(await current().updateOffer("brand-a", id, patch, ROOMY));
    },

    /** Ids of the takes a query lists (first page of up to 100). */
    async takeIds(query: Omit<TakeQuery, "limit">): Promise<string[]> {
      return (await current().listTakes({ limit: 100, ...query })).items.map((t) => t.id);
    },
  };
}
