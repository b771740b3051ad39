import type { Address, Hex } from "viem";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { BrandMinter, RegisterCollectionInput } from "../brands/types.ts";
import type {
  NewOffer,
  Offer,
  OfferKind,
  OfferPatch,
  OfferQuota,
  Reward,
  Take,
  TakeInput,
  TakeQuery,
  TakeResult,
  TakeStatus,
  UpdateOfferResult,
} from "../offers/types.ts";
import { StoreInputError } from "./errors.ts";
import { sha256Hex } from "./hash.ts";
import type { Store } from "./store.ts";
import { toTimestamp } from "./time.ts";

const KINDS = ["perk", "drop"] as const;

/**
 * Behaviour every {@link Store} implementation must show. A backend's test file calls
 * `describeStoreContract("SqliteStore (file)", () => SqliteStore.open(path))`; the factory must
 * return a fresh, empty store each time. The suite closes the stores it gets.
 *
 * Offers and takes behave the same for both kinds (perks and drops) except for what a take yields,
 * so their shared behaviour is written once and run for each kind; what only one kind does (codes
 * and tills for perks, mint transactions and vouchers for drops) has its own blocks.
 */
export function describeStoreContract(name: string, createStore: () => Store | Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await createStore();
    });
    afterEach(async () => {
      await store.close();
    });

    const T0 = Date.parse("2025-06-01T12:00:00.000Z");
    const at = (offsetMs: number) => toTimestamp(T0 + offsetMs);
    const MINUTE = 60_000;
    const HOUR = 60 * MINUTE;

    const ALICE: Address = "0xAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAa"; // mixed case on purpose
    const alice = ALICE.toLowerCase() as Address;
    const BOB: Address = `0x${"b".repeat(40)}`;
    const member = (i: number): Address => `0x${i.toString(16).padStart(40, "0")}`;
    const COLLECTION: Address = "0xC0C0C0C0C0C0C0C0C0C0C0C0C0C0C0C0C0C0C0C0"; // mixed case on purpose
    const collection = COLLECTION.toLowerCase() as Address;
    const OTHER_COLLECTION: Address = `0x${"d".repeat(40)}`;
    const REWARD_COLLECTION: Address = `0x${"e".repeat(40)}`;
    /** The holding key for a token type, as the store returns it. */
    const holding = (c: string, tokenId: number | string) => `${c.toLowerCase()}:${tokenId}`;
    const TX: Hex = `0x${"ab".repeat(32)}`;
    const TX2: Hex = `0x${"cd".repeat(32)}`;

    /** Bounds no test reaches unless it means to. */
    const ROOMY: OfferQuota = { offers: 1_000, tokens: 1_000 };

    const otherKind = (kind: OfferKind): OfferKind => (kind === "perk" ? "drop" : "perk");

    /** What each kind's offers yield in these tests: a code for perks, one token minted for drops. */
    function rewardFor(kind: OfferKind): Reward {
      return kind === "perk" ? { type: "code" } : { type: "token", collection: REWARD_COLLECTION, tokenId: "5", amount: "1", mode: "mint" };
    }

    async function brands(): Promise<void> {
      await store.createBrand({ id: "brand-a", name: "Brand A", createdAt: at(0) });
      await store.createBrand({ id: "brand-b", name: "Brand B", createdAt: at(0) });
    }

    function offerInput(kind: OfferKind, overrides: Partial<NewOffer> = {}): NewOffer {
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

    /** Creates an offer with room to spare and returns it. */
    async function createOffer(input: NewOffer, quota: OfferQuota = ROOMY): Promise<Offer> {
      const result = await store.createOffer(input, quota);
      if (result.status !== "created") throw new Error(`expected created, got ${JSON.stringify(result)}`);
      return result.offer;
    }

    function updated(result: UpdateOfferResult): Offer {
      if (result.status !== "updated") throw new Error(`expected updated, got ${JSON.stringify(result)}`);
      return result.offer;
    }

    /** Changes one of brand A's offers with room to spare and returns it. */
    async function patchOffer(id: string, patch: OfferPatch): Promise<Offer> {
      return updated(await store.updateOffer("brand-a", id, patch, ROOMY));
    }

    let seq = 0;
    /** A take of `offer-1` by Alice with a fresh key, id and (for perks) code. */
    function takeInput(kind: OfferKind, overrides: Partial<TakeInput> = {}): TakeInput {
      seq += 1;
      return {
        offerId: "offer-1",
        kind,
        member: alice,
        idempotencyKey: `key-${seq}`,
        id: `take-${seq}`,
        code: kind === "perk" ? `CODE-${seq}` : null,
        now: at(MINUTE),
        ...overrides,
      };
    }

    function created(result: TakeResult): Take {
      if (result.status !== "created") throw new Error(`expected created, got ${JSON.stringify(result)}`);
      return result.take;
    }

    function tally(results: { status: string }[]): Record<string, number> {
      const counts: Record<string, number> = {};
      for (const r of results) counts[r.status] = (counts[r.status] ?? 0) + 1;
      return counts;
    }

    /** Ids of the takes a query lists (first page of up to 100). */
    async function takeIds(query: Omit<TakeQuery, "limit">): Promise<string[]> {
      return (await store.listTakes({ limit: 100, ...query })).items.map((t) => t.id);
    }

    let regSeq = 0;
    function registration(overrides: Partial<RegisterCollectionInput> = {}): RegisterCollectionInput {
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

    function minterInput(overrides: Partial<BrandMinter> = {}): BrandMinter {
      return {
        brandId: "brand-a",
        address: "0x1111111111111111111111111111111111111AbC",
        sealedKey: "v1.sealed-ciphertext",
        source: "generated",
        createdAt: at(0),
        ...overrides,
      };
    }

    // --- Sign-in -------------------------------------------------------------------------------

    describe("used nonces", () => {
      it("a nonce is usable once", async () => {
        expect(await store.useNonce("n0nce-1", at(5 * MINUTE))).toBe(true);
        expect(await store.useNonce("n0nce-1", at(5 * MINUTE))).toBe(false);
        expect(await store.useNonce("n0nce-2", at(5 * MINUTE))).toBe(true);
      });

      it("lets exactly one of many concurrent users have a nonce", async () => {
        const results = await Promise.all(Array.from({ length: 100 }, () => store.useNonce("race", at(HOUR))));
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it("refuses empty nonces and malformed timestamps", async () => {
        await expect(store.useNonce("", at(MINUTE))).rejects.toBeInstanceOf(StoreInputError);
        await expect(store.useNonce("x", "2025-06-01T12:00:00Z")).rejects.toBeInstanceOf(StoreInputError);
        await expect(store.useNonce("x", "2025-02-30T00:00:00.000Z")).rejects.toBeInstanceOf(StoreInputError);
        expect(await store.useNonce("x", at(MINUTE))).toBe(true);
      });
    });

    describe("ended sessions", () => {
      it("records a session as ended once", async () => {
        expect(await store.isSessionRevoked("s-1")).toBe(false);
        expect(await store.revokeSession("s-1", at(HOUR))).toBe(true);
        expect(await store.isSessionRevoked("s-1")).toBe(true);
        expect(await store.revokeSession("s-1", at(HOUR))).toBe(false);
        expect(await store.isSessionRevoked("s-2")).toBe(false);
      });

      it("refuses empty ids and malformed timestamps", async () => {
        await expect(store.revokeSession("", at(HOUR))).rejects.toBeInstanceOf(StoreInputError);
        await expect(store.revokeSession("s", "tomorrow")).rejects.toBeInstanceOf(StoreInputError);
        expect(await store.isSessionRevoked("s")).toBe(false);
      });
    });

    describe("pruneExpired", () => {
      it("forgets used nonces and ended sessions past their expiry, and keeps the rest", async () => {
        await store.useNonce("old", at(MINUTE));
        await store.useNonce("edge", at(2 * MINUTE));
        await store.useNonce("new", at(HOUR));
        await store.revokeSession("s-old", at(MINUTE));
        await store.revokeSession("s-new", at(HOUR));

        expect(await store.pruneExpired(at(2 * MINUTE))).toEqual({ nonces: 2, revokedSessions: 1 });
        expect(await store.pruneExpired(at(2 * MINUTE))).toEqual({ nonces: 0, revokedSessions: 0 });
        expect(await store.useNonce("new", at(HOUR))).toBe(false);
        expect(await store.isSessionRevoked("s-new")).toBe(true);
        expect(await store.isSessionRevoked("s-old")).toBe(false);
      });

      it("forgets used registration nonces past their expiry, like sign-in nonces", async () => {
        await brands();
        expect((await store.registerCollection(registration({ nonce: "reg-old", nonceExpiresAt: at(2 * MINUTE) }))).status).toBe("registered");
        expect((await store.registerCollection(registration({ nonce: "reg-new", nonceExpiresAt: at(HOUR) }))).status).toBe("already_registered");

        expect(await store.pruneExpired(at(2 * MINUTE))).toEqual({ nonces: 1, revokedSessions: 0 });
        // Forgotten: the nonce is taken as new (a registration's signed expiry keeps it from being replayed).
        expect((await store.registerCollection(registration({ nonce: "reg-old", nonceExpiresAt: at(HOUR) }))).status).toBe("already_registered");
        expect(await store.registerCollection(registration({ nonce: "reg-new", nonceExpiresAt: at(HOUR) }))).toEqual({ status: "replayed" });
        // The registration itself is not pruned.
        expect((await store.listCollections()).map((c) => c.collection)).toEqual([collection]);
      });
    });

    describe("leases", () => {
      it("one holder at a time, until the lease expires or its holder lets go", async () => {
        expect(await store.acquireLease("sweep", "a", at(MINUTE), at(0))).toBe(true);
        expect(await store.acquireLease("sweep", "b", at(MINUTE), at(30_000))).toBe(false);
        // The holder renews its own lease.
        expect(await store.acquireLease("sweep", "a", at(2 * MINUTE), at(30_000))).toBe(true);
        expect(await store.acquireLease("sweep", "b", at(3 * MINUTE), at(MINUTE + 30_000))).toBe(false);
        // Expired: anyone may take it.
        expect(await store.acquireLease("sweep", "b", at(3 * MINUTE), at(2 * MINUTE))).toBe(true);
        expect(await store.acquireLease("sweep", "a", at(4 * MINUTE), at(2 * MINUTE))).toBe(false);
        // Another holder's release changes nothing; the holder's frees it at once.
        await store.releaseLease("sweep", "a");
        expect(await store.acquireLease("sweep", "a", at(4 * MINUTE), at(2 * MINUTE))).toBe(false);
        await store.releaseLease("sweep", "b");
        expect(await store.acquireLease("sweep", "a", at(4 * MINUTE), at(2 * MINUTE))).toBe(true);
        // Leases are by name.
        expect(await store.acquireLease("prune", "b", at(4 * MINUTE), at(2 * MINUTE))).toBe(true);
      });

      it("many holders racing for a free lease: exactly one gets it", async () => {
        const results = await Promise.all(Array.from({ length: 50 }, (_, i) => store.acquireLease("race", `h${i}`, at(MINUTE), at(0))));
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it("refuses empty names and holders and malformed timestamps", async () => {
        await expect(store.acquireLease("", "a", at(MINUTE), at(0))).rejects.toBeInstanceOf(StoreInputError);
        await expect(store.acquireLease("x", "", at(MINUTE), at(0))).rejects.toBeInstanceOf(StoreInputError);
        await expect(store.acquireLease("x", "a", "soon", at(0))).rejects.toBeInstanceOf(StoreInputError);
      });
    });

    describe("secrets", () => {
      it("makes 32 random bytes on first use and returns the same ever after", async () => {
        const first = await store.secret("signing");
        expect(first).toBeInstanceOf(Uint8Array);
        expect(first).toHaveLength(32);
        expect(await store.secret("signing")).toEqual(first);
        const other = await store.secret("other");
        expect(other).toHaveLength(32);
        expect(Buffer.from(other).equals(Buffer.from(first))).toBe(false);
      });

      it("concurrent first uses agree on one secret", async () => {
        const all = await Promise.all(Array.from({ length: 20 }, () => store.secret("raced")));
        for (const secret of all) expect(secret).toEqual(all[0]);
      });

      it("refuses an empty name", async () => {
        await expect(store.secret("")).rejects.toBeInstanceOf(StoreInputError);
      });
    });

    // --- Brands ----------------------------------------------------------------------------------

    describe("brands and API keys", () => {
      it("creates and reads brands", async () => {
        expect(await store.createBrand({ id: "brand-a", name: "Brand A", createdAt: at(0) })).toEqual({
          id: "brand-a",
          name: "Brand A",
          createdAt: at(0),
        });
        expect(await store.getBrand("brand-a")).toEqual({ id: "brand-a", name: "Brand A", createdAt: at(0) });
        expect(await store.getBrand("nope")).toBeNull();
        await expect(store.createBrand({ id: "brand-a", name: "Again", createdAt: at(0) })).rejects.toThrow();
      });

      it("refuses malformed brands", async () => {
        await expect(store.createBrand({ id: "", name: "X", createdAt: at(0) })).rejects.toBeInstanceOf(StoreInputError);
        await expect(store.createBrand({ id: "x", name: 5 as unknown as string, createdAt: at(0) })).rejects.toBeInstanceOf(StoreInputError);
        await expect(store.createBrand({ id: "x", name: "X", createdAt: "today" })).rejects.toBeInstanceOf(StoreInputError);
        expect(await store.listBrands()).toEqual([]);
      });

      it("lists every brand, oldest first", async () => {
        expect(await store.listBrands()).toEqual([]);
        await store.createBrand({ id: "brand-z", name: "Z", createdAt: at(2) });
        await store.createBrand({ id: "brand-m", name: "M", createdAt: at(1) });
        await store.createBrand({ id: "brand-a", name: "A", createdAt: at(1) });
        expect(await store.listBrands()).toEqual([
          { id: "brand-a", name: "A", createdAt: at(1) },
          { id: "brand-m", name: "M", createdAt: at(1) },
          { id: "brand-z", name: "Z", createdAt: at(2) },
        ]);
      });

      it("finds a brand by API key hash until the key is revoked", async () => {
        await brands();
        const keyHash = sha256Hex("sk_live_a");
        const key = await store.createApiKey({ id: "key-1", brandId: "brand-a", keyHash, label: "till", createdAt: at(0) });
        expect(key).toEqual({ id: "key-1", brandId: "brand-a", label: "till", createdAt: at(0), revokedAt: null });
        expect(await store.findBrandByApiKeyHash(keyHash)).toEqual({ id: "brand-a", name: "Brand A", createdAt: at(0) });
        expect(await store.findBrandByApiKeyHash(sha256Hex("sk_live_unknown"))).toBeNull();

        expect(await store.revokeApiKey("brand-a", "key-1", at(MINUTE))).toBe(true);
        expect(await store.findBrandByApiKeyHash(keyHash)).toBeNull();
        expect(await store.revokeApiKey("brand-a", "key-1", at(2 * MINUTE))).toBe(false);
        expect(await store.listApiKeys("brand-a")).toEqual([{ ...key, revokedAt: at(MINUTE) }]);
      });

      it("lists a brand's keys without their hashes, and only its own", async () => {
        await brands();
        await store.createApiKey({ id: "k1", brandId: "brand-a", keyHash: sha256Hex("1"), label: "one", createdAt: at(0) });
        await store.createApiKey({ id: "k2", brandId: "brand-a", keyHash: sha256Hex("2"), label: "two", createdAt: at(1) });
        await store.createApiKey({ id: "k3", brandId: "brand-b", keyHash: sha256Hex("3"), label: "b", createdAt: at(0) });
        const keys = await store.listApiKeys("brand-a");
        expect(keys.map((k) => k.id)).toEqual(["k1", "k2"]);
        for (const k of keys) expect(Object.keys(k).sort()).toEqual(["brandId", "createdAt", "id", "label", "revokedAt"]);
      });

      it("does not let brand B revoke brand A's key", async () => {
        await brands();
        const keyHash = sha256Hex("sk_a");
        await store.createApiKey({ id: "key-a", brandId: "brand-a", keyHash, label: "", createdAt: at(0) });
        expect(await store.revokeApiKey("brand-b", "key-a", at(MINUTE))).toBe(false);
        expect((await store.findBrandByApiKeyHash(keyHash))?.id).toBe("brand-a");
      });

      it("refuses keys for unknown brands, raw keys and duplicate hashes", async () => {
        await brands();
        const keyHash = sha256Hex("k");
        await expect(store.createApiKey({ id: "k0", brandId: "ghost", keyHash, label: "", createdAt: at(0) })).rejects.toThrow();
        await expect(
          store.createApiKey({ id: "k1", brandId: "brand-a", keyHash: "sk_live_plaintext", label: "", createdAt: at(0) }),
        ).rejects.toBeInstanceOf(StoreInputError);
        await store.createApiKey({ id: "k2", brandId: "brand-a", keyHash, label: "", createdAt: at(0) });
        await expect(store.createApiKey({ id: "k3", brandId: "brand-b", keyHash, label: "", createdAt: at(0) })).rejects.toThrow();
      });
    });

    describe("collections", () => {
      beforeEach(brands);

      it("registers a collection to a brand, addresses lowercased", async () => {
        const result = await store.registerCollection(registration({ collection: COLLECTION, admin: ALICE, now: at(MINUTE) }));
        const record = { collection, brandId: "brand-a", admin: alice, registeredAt: at(MINUTE) };
        expect(result).toEqual({ status: "registered", collection: record });
        expect(await store.listCollections({ brandId: "brand-a" })).toEqual([record]);
      });

      it("answers the owner already_registered and another brand taken (naming the owner), changing nothing", async () => {
        const first = await store.registerCollection(registration({ now: at(MINUTE) }));
        const record = { collection, brandId: "brand-a", admin: alice, registeredAt: at(MINUTE) };
        expect(first).toEqual({ status: "registered", collection: record });
        // A new signature by the same brand, even with another admin and the address in another case.
        expect(await store.registerCollection(registration({ collection, admin: BOB, now: at(HOUR) }))).toEqual({
          status: "already_registered",
          collection: record,
        });
        expect(await store.registerCollection(registration({ brandId: "brand-b", admin: BOB, now: at(HOUR) }))).toEqual({
          status: "taken",
          brandId: "brand-a",
        });
        expect(await store.listCollections()).toEqual([record]);
      });

      it("answers replayed to a used nonce, for any brand, whatever the nonce's first outcome was", async () => {
        expect((await store.registerCollection(registration({ nonce: "n1" }))).status).toBe("registered");
        expect(await store.registerCollection(registration({ nonce: "n1" }))).toEqual({ status: "replayed" });
        expect(await store.registerCollection(registration({ nonce: "n1", brandId: "brand-b", collection: OTHER_COLLECTION }))).toEqual({
          status: "replayed",
        });
        // Nothing was registered by the replays.
        expect(await store.listCollections({ brandId: "brand-b" })).toEqual([]);

        // A nonce whose registration was already_registered or taken is used up all the same.
        expect((await store.registerCollection(registration({ nonce: "n2" }))).status).toBe("already_registered");
        expect(await store.registerCollection(registration({ nonce: "n2" }))).toEqual({ status: "replayed" });
        expect((await store.registerCollection(registration({ nonce: "n3", brandId: "brand-b" }))).status).toBe("taken");
        expect(await store.registerCollection(registration({ nonce: "n3", brandId: "brand-b", collection: OTHER_COLLECTION }))).toEqual({
          status: "replayed",
        });
        expect(await store.listCollections({ brandId: "brand-b" })).toEqual([]);
      });

      it("keeps registration nonces apart from sign-in nonces of the same text", async () => {
        expect(await store.useNonce("shared-text", at(HOUR))).toBe(true);
        expect((await store.registerCollection(registration({ nonce: "shared-text" }))).status).toBe("registered");
        expect((await store.registerCollection(registration({ nonce: "other-text", collection: OTHER_COLLECTION }))).status).toBe("registered");
        expect(await store.useNonce("other-text", at(HOUR))).toBe(true);
        // Each is still used in its own namespace.
        expect(await store.useNonce("shared-text", at(HOUR))).toBe(false);
        expect(await store.registerCollection(registration({ nonce: "other-text" }))).toEqual({ status: "replayed" });
      });

      it("lists collections oldest first, one brand's or every brand's", async () => {
        const c = (n: number): Address => `0x${n.toString(16).padStart(40, "c")}`;
        await store.registerCollection(registration({ collection: c(1), now: at(3) }));
        await store.registerCollection(registration({ collection: c(2), brandId: "brand-b", now: at(1) }));
        await store.registerCollection(registration({ collection: c(3), now: at(2) }));
        expect((await store.listCollections()).map((x) => x.collection)).toEqual([c(2), c(3), c(1)]);
        expect((await store.listCollections({ brandId: "brand-a" })).map((x) => x.collection)).toEqual([c(3), c(1)]);
        expect(await store.listCollections({ brandId: "brand-b" })).toEqual([
          { collection: c(2), brandId: "brand-b", admin: alice, registeredAt: at(1) },
        ]);
        expect(await store.listCollections({ brandId: "nobody" })).toEqual([]);
      });

      it("refuses an unknown brand, registering nothing", async () => {
        await expect(store.registerCollection(registration({ brandId: "ghost", nonce: "ghost-nonce" }))).rejects.toThrow();
        expect(await store.listCollections()).toEqual([]);
      });

      it("refuses malformed registrations", async () => {
        const bad: Partial<RegisterCollectionInput>[] = [
          { collection: "0xnot-an-address" as Address },
          { admin: "admin" as Address },
          { nonce: "" },
          { nonce: "n".repeat(257) },
          { brandId: "" },
          { nonceExpiresAt: "soon" },
          { now: "2025-06-01" },
        ];
        for (const overrides of bad) {
          await expect(store.registerCollection(registration(overrides)), JSON.stringify(overrides)).rejects.toBeInstanceOf(StoreInputError);
        }
        expect(await store.listCollections()).toEqual([]);
      });

      it("lets exactly one of two brands racing for a collection register it", async () => {
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => store.registerCollection(registration({ brandId: i % 2 === 0 ? "brand-a" : "brand-b", nonce: `race-${i}` }))),
        );
        const registered = results.filter((r) => r.status === "registered");
        expect(registered).toHaveLength(1);
        const owner = (await store.listCollections())[0]?.brandId;
        expect(owner).toBeDefined();
        for (const r of results) {
          if (r.status === "taken") expect(r.brandId).toBe(owner);
          else expect(r.status === "registered" || r.status === "already_registered").toBe(true);
        }
        expect(tally(results)).toEqual({ registered: 1, already_registered: 9, taken: 10 });
      });
    });

    describe("minters", () => {
      beforeEach(brands);

      it("sets a brand's minter and reads it back, its address lowercased", async () => {
        const minter = await store.setMinter(minterInput());
        const expected: BrandMinter = { ...minterInput(), address: "0x1111111111111111111111111111111111111abc" };
        expect(minter).toEqual(expected);
        expect(await store.getMinter("brand-a")).toEqual(expected);
      });

      it("replaces a brand's minter when set again", async () => {
        await store.setMinter(minterInput());
        const next = minterInput({ address: `0x${"2".repeat(40)}`, sealedKey: "v1.another", source: "supplied", createdAt: at(HOUR) });
        expect(await store.setMinter(next)).toEqual(next);
        expect(await store.getMinter("brand-a")).toEqual(next);
      });

      it("has no minter for a brand that set none, and keeps brands apart", async () => {
        expect(await store.getMinter("brand-a")).toBeNull();
        await store.setMinter(minterInput());
        expect(await store.getMinter("brand-b")).toBeNull();
        expect(await store.getMinter("nobody")).toBeNull();
      });

      it("refuses a minter for an unknown brand, and malformed minters", async () => {
        await expect(store.setMinter(minterInput({ brandId: "ghost" }))).rejects.toThrow();
        const bad: Partial<BrandMinter>[] = [
          { address: "0x1234" as Address },
          { sealedKey: "" },
          { source: "stolen" as BrandMinter["source"] },
          { createdAt: "now" },
          { brandId: "" },
        ];
        for (const overrides of bad) {
          await expect(store.setMinter(minterInput(overrides)), JSON.stringify(overrides)).rejects.toBeInstanceOf(StoreInputError);
        }
        expect(await store.getMinter("brand-a")).toBeNull();
        expect(await store.getMinter("ghost")).toBeNull();
      });
    });

    // --- Offers ----------------------------------------------------------------------------------

    for (const kind of KINDS) {
      describe(`offers of kind ${kind}`, () => {
        beforeEach(brands);

        it("creates an offer and reads it back (addresses and tokens lowercased and de-duplicated, rule as JSON)", async () => {
          const input = offerInput(kind, {
            rule: { type: "all", rules: [{ type: "holds", collection: COLLECTION, tokenId: "7" }, { not: null }], note: "ü €", n: 1.5 },
            tokens: [`${COLLECTION}:7`, holding(collection, 7), `${OTHER_COLLECTION}:8`],
            limits: { perMember: 1, total: 100 },
            startsAt: at(0),
            endsAt: at(HOUR),
          });
          const result = await store.createOffer(input, ROOMY);
          const expected: Offer = { ...input, tokens: [holding(collection, 7), holding(OTHER_COLLECTION, 8)], updatedAt: input.createdAt };
          expect(result).toEqual({ status: "created", offer: expected });
          expect(await store.getOffer("offer-1")).toEqual(expected);
          expect(await store.getOffer("missing")).toBeNull();
        });

        it("keeps a null rule and no tokens: any signed-in member", async () => {
          const open = await createOffer(offerInput(kind, { rule: null, tokens: [] }));
          expect(open.rule).toBeNull();
          expect(open.tokens).toEqual([]);
          expect(await store.getOffer("offer-1")).toEqual(open);
        });

        it("stores any JSON value as the rule", async () => {
          for (const [i, rule] of [null, 0, "text", [1, [2]], { deep: { deeper: [true] } }].entries()) {
            const offer = await createOffer(offerInput(kind, { id: `o${i}`, rule }));
            expect(offer.rule).toEqual(rule);
            expect((await store.getOffer(`o${i}`))?.rule).toEqual(rule);
          }
        });

        it("hands back the rule as it will read it back, not the caller's object", async () => {
          const rule = { type: "holds", when: new Date(T0), skip: undefined };
          const offer = await createOffer(offerInput(kind, { rule }));
          expect(offer.rule).toEqual({ type: "holds", when: at(0) });
          expect((await store.getOffer("offer-1"))?.rule).toEqual(offer.rule);
        });

        it("refuses malformed offers, writing nothing", async () => {
          const bad: Partial<NewOffer>[] = [
            { kind: "coupon" as OfferKind },
            { kind: undefined },
            { reward: undefined },
            { reward: null as unknown as Reward },
            { reward: { type: "cash" } as unknown as Reward },
            // The other kind's reward: a perk yields a code, a drop tokens.
            { reward: kind === "perk" ? { type: "token", collection, tokenId: "1", amount: "1", mode: "mint" } : { type: "code" } },
            { reward: { type: "token", collection: "0xnot-an-address" as Address, tokenId: "1", amount: "1", mode: "mint" } },
            { reward: { type: "token", collection, tokenId: "-1", amount: "1", mode: "mint" } },
            { reward: { type: "token", collection, tokenId: "01", amount: "1", mode: "mint" } },
            { reward: { type: "token", collection, tokenId: 3 as unknown as string, amount: "1", mode: "mint" } },
            { reward: { type: "token", collection, tokenId: (2n ** 256n).toString(), amount: "1", mode: "mint" } },
            { reward: { type: "token", collection, tokenId: "1", amount: "0", mode: "mint" } },
            { reward: { type: "token", collection, tokenId: "1", amount: "1", mode: "airdrop" as "mint" } },
            { tokens: "0xabc:1" as unknown as string[] },
            { tokens: ["0xnot-an-address:1"] },
            { tokens: [collection] },
            { tokens: [`${collection}:01`] },
            { tokens: [`${collection}:-1`] },
            { tokens: [`${collection}:1`, 1 as unknown as string] },
            { limits: { perMember: -1, total: null } },
            { limits: { perMember: 1.5, total: null } },
            { limits: { perMember: null, total: Number.NaN } },
            { limits: { perMember: null } as unknown as NewOffer["limits"] },
            { limits: null as unknown as NewOffer["limits"] },
            { rule: undefined },
            { rule: 10n },
            { startsAt: at(HOUR), endsAt: at(HOUR) },
            { startsAt: at(HOUR), endsAt: at(0) },
            { startsAt: "2025-06-01" },
            { endsAt: "later" },
            { createdAt: "2025-06-01T12:00:00Z" },
            { id: "" },
            { id: "x".repeat(257) },
            { brandId: "" },
            { title: 5 as unknown as string },
            { description: null as unknown as string },
          ];
          for (const overrides of bad) {
            await expect(store.createOffer(offerInput(kind, overrides), ROOMY), String(Object.keys(overrides))).rejects.toBeInstanceOf(StoreInputError);
          }
          await expect(store.createOffer(offerInput(kind, { brandId: "ghost" }), ROOMY)).rejects.toThrow();
          expect(await store.listOffers()).toEqual([]);
        });

        it("refuses a duplicate id, whatever its kind", async () => {
          await createOffer(offerInput(kind));
          await expect(store.createOffer(offerInput(otherKind(kind)), ROOMY)).rejects.toThrow();
          await expect(store.createOffer(offerInput(kind, { brandId: "brand-b" }), ROOMY)).rejects.toThrow();
          expect((await store.listOffers()).map((o) => `${o.id}/${o.kind}/${o.brandId}`)).toEqual([`offer-1/${kind}/brand-a`]);
        });

        it("lists live offers newest first, by kind and by brand", async () => {
          await createOffer(offerInput(kind, { id: "a1", createdAt: at(1) }));
          await createOffer(offerInput(kind, { id: "a2", createdAt: at(3) }));
          await createOffer(offerInput(kind, { id: "b1", brandId: "brand-b", createdAt: at(2) }));
          await createOffer(offerInput(otherKind(kind), { id: "x1", createdAt: at(4) }));
          expect((await store.listOffers({ kind })).map((o) => o.id)).toEqual(["a2", "b1", "a1"]);
          expect((await store.listOffers({ kind, brandId: "brand-a" })).map((o) => o.id)).toEqual(["a2", "a1"]);
          expect((await store.listOffers({ kind, brandId: "brand-b" })).map((o) => o.id)).toEqual(["b1"]);
          expect((await store.listOffers({ kind: otherKind(kind) })).map((o) => o.id)).toEqual(["x1"]);
          expect((await store.listOffers()).map((o) => o.id)).toEqual(["x1", "a2", "b1", "a1"]);
          expect((await store.listOffers({ brandId: "brand-a" })).map((o) => o.id)).toEqual(["x1", "a2", "a1"]);
          expect(await store.listOffers({ kind, brandId: "nobody" })).toEqual([]);
          for (const offer of await store.listOffers({ kind })) expect(offer).toEqual(await store.getOffer(offer.id));
        });

        it("updates only the given fields, merging limits", async () => {
          const original = await createOffer(offerInput(kind, { limits: { perMember: 1, total: 10 } }));
          const first = await store.updateOffer("brand-a", "offer-1", { title: "Two of them", limits: { total: 20 }, updatedAt: at(MINUTE) }, ROOMY);
          const expected: Offer = { ...original, title: "Two of them", limits: { perMember: 1, total: 20 }, updatedAt: at(MINUTE) };
          expect(first).toEqual({ status: "updated", offer: expected });
          expect(await store.getOffer("offer-1")).toEqual(expected);

          const again = await patchOffer("offer-1", {
            description: "",
            rule: { type: "any", rules: [] },
            tokens: [`${OTHER_COLLECTION.toUpperCase().replace("0X", "0x")}:2`, `${OTHER_COLLECTION}:2`],
            limits: { perMember: null },
            startsAt: at(0),
            endsAt: at(HOUR),
            updatedAt: at(2 * MINUTE),
          });
          const expectedAgain: Offer = {
            ...expected,
            description: "",
            rule: { type: "any", rules: [] },
            tokens: [holding(OTHER_COLLECTION, 2)],
            limits: { perMember: null, total: 20 },
            startsAt: at(0),
            endsAt: at(HOUR),
            updatedAt: at(2 * MINUTE),
          };
          expect(again).toEqual(expectedAgain);
          expect(await store.getOffer("offer-1")).toEqual(expectedAgain);

          const cleared = await patchOffer("offer-1", { startsAt: null, rule: null, updatedAt: at(3 * MINUTE) });
          expect(cleared).toEqual({ ...expectedAgain, startsAt: null, rule: null, updatedAt: at(3 * MINUTE) });
          expect(await store.getOffer("offer-1")).toEqual(cleared);
          // A new rule alone leaves the tokens as they were: the caller sends both when both change.
          expect(cleared.tokens).toEqual([holding(OTHER_COLLECTION, 2)]);
        });

        it("never changes an offer's kind or reward through a patch", async () => {
          const original = await createOffer(offerInput(kind));
          const sneaky = {
            title: "Renamed",
            kind: otherKind(kind),
            reward: rewardFor(otherKind(kind)),
            brandId: "brand-b",
            createdAt: at(HOUR),
            updatedAt: at(MINUTE),
          } as OfferPatch;
          const result = await patchOffer("offer-1", sneaky);
          expect(result).toEqual({ ...original, title: "Renamed", updatedAt: at(MINUTE) });
          expect(await store.getOffer("offer-1")).toEqual(result);
          expect((await store.listOffers({ kind: otherKind(kind) })).map((o) => o.id)).toEqual([]);
        });

        it("refuses an update that would leave an empty window or malformed fields, changing nothing", async () => {
          const offer = await createOffer(offerInput(kind, { startsAt: at(0), endsAt: at(HOUR) }));
          const bad: OfferPatch[] = [
            { endsAt: at(0), updatedAt: at(1) },
            { startsAt: at(HOUR), updatedAt: at(1) },
            { startsAt: at(2 * HOUR), endsAt: at(HOUR), updatedAt: at(1) },
            { startsAt: "soon", updatedAt: at(1) },
            { limits: { total: -5 }, updatedAt: at(1) },
            { limits: { perMember: 0.5 }, updatedAt: at(1) },
            { limits: null as unknown as OfferPatch["limits"], updatedAt: at(1) },
            { tokens: ["nope"], updatedAt: at(1) },
            { rule: 1n, updatedAt: at(1) },
            { title: 7 as unknown as string, updatedAt: at(1) },
            { title: "ok", updatedAt: "now" },
          ];
          for (const patch of bad) {
            await expect(store.updateOffer("brand-a", "offer-1", patch, ROOMY), String(Object.keys(patch))).rejects.toBeInstanceOf(StoreInputError);
          }
          expect(await store.getOffer("offer-1")).toEqual(offer);
        });

        it("soft-deletes an offer", async () => {
          await createOffer(offerInput(kind));
          await createOffer(offerInput(kind, { id: "offer-2" }));
          expect(await store.deleteOffer("brand-a", "offer-1", at(MINUTE))).toBe(true);
          expect(await store.getOffer("offer-1")).toBeNull();
          expect((await store.listOffers({ kind })).map((o) => o.id)).toEqual(["offer-2"]);
          expect((await store.listOffers()).map((o) => o.id)).toEqual(["offer-2"]);
          expect(await store.deleteOffer("brand-a", "offer-1", at(MINUTE))).toBe(false);
          expect(await store.updateOffer("brand-a", "offer-1", { title: "back?", updatedAt: at(2 * MINUTE) }, ROOMY)).toEqual({ status: "not_found" });
          expect(await store.deleteOffer("brand-a", "missing", at(MINUTE))).toBe(false);
          await expect(store.deleteOffer("brand-a", "offer-2", "now")).rejects.toBeInstanceOf(StoreInputError);
          expect(await store.getOffer("offer-2")).not.toBeNull();
        });

        it("keeps brand B away from brand A's offers", async () => {
          const offer = await createOffer(offerInput(kind));
          expect(await store.updateOffer("brand-b", "offer-1", { title: "hijacked", updatedAt: at(MINUTE) }, ROOMY)).toEqual({ status: "not_found" });
          expect(await store.deleteOffer("brand-b", "offer-1", at(MINUTE))).toBe(false);
          expect(await store.listOffers({ kind, brandId: "brand-b" })).toEqual([]);
          expect(await store.getOffer("offer-1")).toEqual(offer);
        });

        it("answers not_found for an update of a missing offer", async () => {
          expect(await store.updateOffer("brand-a", "missing", { title: "x", updatedAt: at(MINUTE) }, ROOMY)).toEqual({ status: "not_found" });
        });
      });
    }

    describe("offer quotas", () => {
      beforeEach(brands);

      for (const kind of KINDS) {
        describe(`creating a ${kind}`, () => {
          it("quota.offers bounds the brand's live offers of that kind; the other kind and other brands count apart", async () => {
            const quota: OfferQuota = { offers: 2, tokens: 100 };
            await createOffer(offerInput(kind, { id: "o1" }), quota);
            await createOffer(offerInput(kind, { id: "o2" }), quota);
            expect(await store.createOffer(offerInput(kind, { id: "o3" }), quota)).toEqual({ status: "quota_exceeded", quota: "offers", limit: 2 });
            expect(await store.getOffer("o3")).toBeNull();
            expect((await store.listOffers({ kind })).map((o) => o.id)).toEqual(["o2", "o1"]);

            // The other kind and brand B have their own counts.
            await createOffer(offerInput(otherKind(kind), { id: "x1" }), quota);
            await createOffer(offerInput(otherKind(kind), { id: "x2" }), quota);
            await createOffer(offerInput(kind, { id: "b1", brandId: "brand-b" }), quota);
            await createOffer(offerInput(kind, { id: "b2", brandId: "brand-b" }), quota);

            // Deleting one frees a place.
            expect(await store.deleteOffer("brand-a", "o1", at(MINUTE))).toBe(true);
            await createOffer(offerInput(kind, { id: "o3" }), quota);
            expect(await store.createOffer(offerInput(kind, { id: "o4" }), quota)).toEqual({ status: "quota_exceeded", quota: "offers", limit: 2 });
            expect((await store.listOffers({ kind, brandId: "brand-a" })).map((o) => o.id)).toEqual(["o3", "o2"]);
          });

          it("quota.offers of 0 refuses every offer", async () => {
            expect(await store.createOffer(offerInput(kind), { offers: 0, tokens: 100 })).toEqual({ status: "quota_exceeded", quota: "offers", limit: 0 });
            expect(await store.listOffers()).toEqual([]);
          });

          it("quota.tokens bounds the distinct holding keys all the brand's live offers read, both kinds together", async () => {
            const quota: OfferQuota = { offers: 100, tokens: 3 };
            const k = (n: number) => holding(collection, n);
            await createOffer(offerInput(kind, { id: "o1", tokens: [k(1), k(2)] }), quota);
            await createOffer(offerInput(otherKind(kind), { id: "x1", tokens: [k(2), k(3)] }), quota);
            // Keys another offer already reads cost nothing, in any case.
            await createOffer(offerInput(kind, { id: "o2", tokens: [k(1).toUpperCase().replace("0X", "0x"), k(3)] }), quota);
            // No keys at all: nothing to count.
            await createOffer(offerInput(kind, { id: "o3", rule: null, tokens: [] }), quota);
            // A fourth key is one too many, whatever kind asks.
            expect(await store.createOffer(offerInput(kind, { id: "o4", tokens: [k(4)] }), quota)).toEqual({ status: "quota_exceeded", quota: "tokens", limit: 3 });
            expect(await store.createOffer(offerInput(otherKind(kind), { id: "x2", tokens: [k(1), k(4)] }), quota)).toEqual({
              status: "quota_exceeded",
              quota: "tokens",
              limit: 3,
            });
            expect(await store.getOffer("o4")).toBeNull();
            expect(await store.getOffer("x2")).toBeNull();
            // Brand B has its own keys.
            await createOffer(offerInput(kind, { id: "b1", brandId: "brand-b", tokens: [k(4), k(5), k(6)] }), quota);

            // Deleted offers free their keys; x1's are still read by o1 and o2.
            await store.deleteOffer("brand-a", "x1", at(MINUTE));
            expect((await store.createOffer(offerInput(kind, { id: "o4", tokens: [k(4)] }), quota)).status).toBe("quota_exceeded");
            await store.deleteOffer("brand-a", "o1", at(MINUTE));
            // Only o2 reads 1 and 3 now; key 2 is free.
            expect((await store.createOffer(offerInput(kind, { id: "o4", tokens: [k(4)] }), quota)).status).toBe("created");
          });

          it("quota.tokens of 0 still lets through offers that read no tokens", async () => {
            const quota: OfferQuota = { offers: 100, tokens: 0 };
            expect((await store.createOffer(offerInput(kind, { rule: null, tokens: [] }), quota)).status).toBe("created");
            expect(await store.createOffer(offerInput(kind, { id: "offer-2" }), quota)).toEqual({ status: "quota_exceeded", quota: "tokens", limit: 0 });
          });

          it("concurrent creates at the bound: exactly the allowed number succeed", async () => {
            const byOffers = await Promise.all(
              Array.from({ length: 30 }, (_, i) => store.createOffer(offerInput(kind, { id: `o${i}`, tokens: [] }), { offers: 5, tokens: 100 })),
            );
            expect(tally(byOffers)).toEqual({ created: 5, quota_exceeded: 25 });
            expect(await store.listOffers({ kind })).toHaveLength(5);

            const byTokens = await Promise.all(
              Array.from({ length: 30 }, (_, i) =>
                store.createOffer(offerInput(kind, { id: `t${i}`, brandId: "brand-b", tokens: [holding(collection, i)] }), { offers: 100, tokens: 7 }),
              ),
            );
            expect(tally(byTokens)).toEqual({ created: 7, quota_exceeded: 23 });
            const tokens = (await store.listOffers({ brandId: "brand-b" })).flatMap((o) => o.tokens);
            expect(new Set(tokens).size).toBe(7);
          });
        });

        describe(`updating a ${kind}`, () => {
          it("checks new tokens leaving out the offer's own current ones, and changes nothing when over", async () => {
            const quota: OfferQuota = { offers: 100, tokens: 3 };
            const k = (n: number) => holding(collection, n);
            const a = await createOffer(offerInput(kind, { id: "a", tokens: [k(1), k(2), k(3)] }), quota);
            // At the bound: swapping one of its own keys for a new one is fine.
            const swapped = updated(await store.updateOffer("brand-a", "a", { tokens: [k(1), k(2), k(4)], updatedAt: at(MINUTE) }, quota));
            expect(swapped.tokens).toEqual([k(1), k(2), k(4)]);

            // Another offer, of the other kind, reads key 1 (already counted: it costs nothing).
            await createOffer(offerInput(otherKind(kind), { id: "x", tokens: [k(1)] }), quota);
            // a's new keys 2, 5 and 6 with x's 1 would make four.
            const over = await store.updateOffer("brand-a", "a", { title: "not applied", tokens: [k(2), k(5), k(6)], updatedAt: at(2 * MINUTE) }, quota);
            expect(over).toEqual({ status: "quota_exceeded", quota: "tokens", limit: 3 });
            expect(await store.getOffer("a")).toEqual({ ...a, tokens: [k(1), k(2), k(4)], updatedAt: at(MINUTE) });
            // Reading x's key costs nothing: 1, 5 and 6 make three.
            expect(updated(await store.updateOffer("brand-a", "a", { tokens: [k(1), k(5), k(6)], updatedAt: at(3 * MINUTE) }, quota)).tokens).toEqual([k(1), k(5), k(6)]);
            // And a's old keys 2 and 4 are free again for a new offer.
            expect((await store.createOffer(offerInput(kind, { id: "b", tokens: [k(2)] }), quota)).status).toBe("quota_exceeded");
            await store.updateOffer("brand-a", "a", { tokens: [k(1)], updatedAt: at(4 * MINUTE) }, quota);
            expect((await store.createOffer(offerInput(kind, { id: "b", tokens: [k(2), k(4)] }), quota)).status).toBe("created");
          });

          it("does not check a patch that leaves the tokens alone, and lets one over a lowered bound read fewer, never more", async () => {
            await createOffer(offerInput(kind, { tokens: [holding(collection, 1), holding(collection, 2)] }));
            const result = updated(await store.updateOffer("brand-a", "offer-1", { title: "Renamed", rule: { type: "any" }, updatedAt: at(MINUTE) }, { offers: 0, tokens: 0 }));
            expect(result.title).toBe("Renamed");
            expect(result.tokens).toEqual([holding(collection, 1), holding(collection, 2)]);
            // Over the bound, a change may not read more token types than before, but it may read fewer.
            expect(await store.updateOffer("brand-a", "offer-1", { tokens: [3, 4, 5].map((id) => holding(collection, id)), updatedAt: at(2 * MINUTE) }, { offers: 0, tokens: 0 })).toEqual({
              status: "quota_exceeded",
              quota: "tokens",
              limit: 0,
            });
            expect(await store.getOffer("offer-1")).toEqual(result);
            const trimmed = updated(await store.updateOffer("brand-a", "offer-1", { tokens: [holding(collection, 3)], updatedAt: at(3 * MINUTE) }, { offers: 0, tokens: 0 }));
            expect(trimmed.tokens).toEqual([holding(collection, 3)]);
          });
        });
      }
    });

    // --- Takes -----------------------------------------------------------------------------------

    for (const kind of KINDS) {
      /** The take `takeInput(kind, input)` creates, as the store should report it. */
      const expectedTake = (input: TakeInput, offerId = "offer-1"): Take => ({
        id: input.id,
        offerId,
        brandId: "brand-a",
        kind,
        member: input.member.toLowerCase() as Address,
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
            { kind: "coupon" as OfferKind },
            { offerId: "" },
            { id: "" },
          ];
          for (const overrides of bad) {
            await expect(store.take(takeInput(kind, overrides)), JSON.stringify(overrides)).rejects.toBeInstanceOf(StoreInputError);
          }
          await expect(store.findTake(kind, "alice" as Address, "k")).rejects.toBeInstanceOf(StoreInputError);
          await expect(store.findTake("coupon" as OfferKind, ALICE, "k")).rejects.toBeInstanceOf(StoreInputError);
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
          expect(await store.memberTakeCounts(kind, ALICE)).toEqual(new Map([["offer-1", 2], ["offer-2", 1]]));
          expect(await store.memberTakeCounts(kind, alice)).toEqual(new Map([["offer-1", 2], ["offer-2", 1]]));
          expect(await store.memberTakeCounts(kind, BOB)).toEqual(new Map([["offer-1", 1]]));
          expect(await store.memberTakeCounts(otherKind(kind), ALICE)).toEqual(new Map([["other-1", 1]]));
          expect(await store.memberTakeCounts(kind, member(9))).toEqual(new Map());
          await expect(store.memberTakeCounts(kind, "alice" as Address)).rejects.toBeInstanceOf(StoreInputError);
        });

        it("keeps the takes of a deleted offer", async () => {
          const t = created(await store.take(takeInput(kind)));
          expect(await store.deleteOffer("brand-a", "offer-1", at(2 * MINUTE))).toBe(true);
          expect(await store.getTake(t.id)).toEqual(t);
          expect(await takeIds({ kind, offerId: "offer-1" })).toEqual([t.id]);
          expect(await store.memberTakeCounts(kind, ALICE)).toEqual(new Map([["offer-1", 1]]));
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
          await expect(store.listTakes({ kind, limit: 10, status: "gone" as TakeStatus })).rejects.toBeInstanceOf(StoreInputError);
          await expect(store.listTakes({ kind, limit: 10, member: "alice" as Address })).rejects.toBeInstanceOf(StoreInputError);
          await expect(store.listTakes({ kind: "coupon" as OfferKind, limit: 10 })).rejects.toBeInstanceOf(StoreInputError);
        });
      });
    }

    describe("takes of perks: codes", () => {
      beforeEach(async () => {
        await brands();
        await createOffer(offerInput("perk"));
      });

      it("counts every redemption against the limits, consumed ones included", async () => {
        await patchOffer("offer-1", { limits: { perMember: 1, total: 2 }, updatedAt: at(0) });
        const r = created(await store.take(takeInput("perk", { member: member(1) })));
        await store.consumeCode("brand-a", r.code!, at(MINUTE));
        expect(await store.take(takeInput("perk", { member: member(1) }))).toEqual({ status: "member_limit_reached", limit: 1 });
        created(await store.take(takeInput("perk", { member: member(2) })));
        expect(await store.take(takeInput("perk", { member: member(3) }))).toEqual({ status: "total_limit_reached", limit: 2 });
        expect(await store.memberTakeCounts("perk", member(1))).toEqual(new Map([["offer-1", 1]]));
      });

      it("rejects a duplicate code without recording anything, across brands too", async () => {
        await createOffer(offerInput("perk", { id: "perk-b", brandId: "brand-b" }));
        created(await store.take(takeInput("perk", { code: "SAME" })));
        await expect(store.take(takeInput("perk", { member: BOB, code: "SAME", idempotencyKey: "bob-key" }))).rejects.toThrow();
        await expect(store.take(takeInput("perk", { offerId: "perk-b", member: BOB, code: "SAME" }))).rejects.toThrow();
        expect((await store.listTakes({ kind: "perk", limit: 10 })).items).toHaveLength(1);
        expect(await store.findTake("perk", BOB, "bob-key")).toBeNull();
      });

      it("consumes a code once", async () => {
        const r = created(await store.take(takeInput("perk", { code: "ABCD-EFGH" })));
        const consumed = { ...r, consumedAt: at(HOUR), updatedAt: at(HOUR) };
        expect(await store.consumeCode("brand-a", "ABCD-EFGH", at(HOUR))).toEqual({ status: "consumed", take: consumed });
        expect(await store.consumeCode("brand-a", "ABCD-EFGH", at(2 * HOUR))).toEqual({ status: "already_consumed", take: consumed });
        expect(await store.getTake(r.id)).toEqual(consumed);
      });

      it("treats another brand's code and unknown codes as not found", async () => {
        const r = created(await store.take(takeInput("perk")));
        expect(await store.consumeCode("brand-b", r.code!, at(HOUR))).toEqual({ status: "not_found" });
        expect(await store.consumeCode("brand-a", "nope", at(HOUR))).toEqual({ status: "not_found" });
        expect(await store.getTake(r.id)).toEqual(r);
        expect((await store.consumeCode("brand-a", r.code!, at(HOUR))).status).toBe("consumed");
        await expect(store.consumeCode("brand-a", r.code!, "later")).rejects.toBeInstanceOf(StoreInputError);
      });

      it("still consumes codes of a deleted perk", async () => {
        const r = created(await store.take(takeInput("perk")));
        await store.deleteOffer("brand-a", "offer-1", at(2 * MINUTE));
        expect((await store.listTakes({ kind: "perk", limit: 10, offerId: "offer-1" })).items).toEqual([r]);
        expect((await store.consumeCode("brand-a", r.code!, at(HOUR))).status).toBe("consumed");
      });

      it("shows consumption on a replay", async () => {
        const first = created(await store.take(takeInput("perk", { idempotencyKey: "same" })));
        await store.consumeCode("brand-a", first.code!, at(2 * MINUTE));
        expect(await store.take(takeInput("perk", { idempotencyKey: "same", now: at(HOUR) }))).toEqual({
          status: "replayed",
          take: { ...first, consumedAt: at(2 * MINUTE), updatedAt: at(2 * MINUTE) },
        });
      });

      it("lets exactly one of many concurrent tills consume a code", async () => {
        const r = created(await store.take(takeInput("perk")));
        const results = await Promise.all(Array.from({ length: 50 }, (_, i) => store.consumeCode("brand-a", r.code!, at(i))));
        expect(tally(results)).toEqual({ consumed: 1, already_consumed: 49 });
      });

      it("filters by consumption", async () => {
        const a1 = created(await store.take(takeInput("perk", { now: at(1) })));
        const a2 = created(await store.take(takeInput("perk", { member: BOB, now: at(2) })));
        await store.consumeCode("brand-a", a2.code!, at(4));
        expect(await takeIds({ kind: "perk", consumed: true })).toEqual([a2.id]);
        expect(await takeIds({ kind: "perk", consumed: false })).toEqual([a1.id]);
        expect(await takeIds({ kind: "perk", brandId: "brand-a", consumed: true, member: BOB })).toEqual([a2.id]);
        expect(await takeIds({ kind: "perk", consumed: true, member: ALICE })).toEqual([]);
      });

      it("never records a transaction on a redeemed take, nor completes it", async () => {
        const r = created(await store.take(takeInput("perk")));
        expect(await store.recordTakeTx(r.id, { hash: TX, raw: "0x02" }, at(HOUR))).toBeNull();
        for (const status of ["minted", "issued", "failed", "expired"] as const) {
          expect(await store.completeTake(r.id, { status, now: at(HOUR) })).toBeNull();
        }
        expect(await store.getTake(r.id)).toEqual(r);
      });
    });

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
        expect(await store.memberTakeCounts("drop", ALICE)).toEqual(new Map());
        const a2 = created(await store.take(takeInput("drop")));
        await store.completeTake(a2.id, { status: "minted", txHash: TX, now: at(2 * MINUTE) });
        expect(await store.take(takeInput("drop"))).toEqual({ status: "member_limit_reached", limit: 1 });

        const b = created(await store.take(takeInput("drop", { member: BOB })));
        await store.completeTake(b.id, { status: "issued", voucher: { uid: "0x01" }, now: at(2 * MINUTE) });
        created(await store.take(takeInput("drop", { member: member(1) }))); // pending
        expect(await store.take(takeInput("drop", { member: member(2) }))).toEqual({ status: "total_limit_reached", limit: 3 });
        expect(await store.memberTakeCounts("drop", BOB)).toEqual(new Map([["offer-1", 1]]));
        // An issued voucher that expired unused frees its place.
        await store.completeTake(b.id, { status: "expired", now: at(3 * MINUTE) });
        expect((await store.take(takeInput("drop", { member: member(2) }))).status).toBe("created");
        expect(await store.memberTakeCounts("drop", ALICE)).toEqual(new Map([["offer-1", 1]]));
        expect(await store.memberTakeCounts("drop", BOB)).toEqual(new Map());
        expect(await takeIds({ kind: "drop", status: "failed" })).toEqual([a.id]);
        expect(await takeIds({ kind: "drop", status: "expired" })).toEqual([b.id]);
      });

      it("has nothing to consume: drops carry no codes", async () => {
        created(await store.take(takeInput("drop")));
        expect(await takeIds({ kind: "drop", consumed: true })).toEqual([]);
        expect(await takeIds({ kind: "drop", consumed: false })).toHaveLength(1);
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
            if (allowed[from].includes(to)) {
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

    // --- Concurrency -----------------------------------------------------------------------------

    for (const kind of KINDS) {
      describe(`exactly once under concurrency: ${kind}s`, () => {
        beforeEach(brands);

        const concurrentTake = (i: number, overrides: Partial<TakeInput>): Promise<TakeResult> =>
          store.take({ offerId: "offer-1", kind, member: ALICE, idempotencyKey: `k${i}`, id: `t${i}`, code: kind === "perk" ? `c${i}` : null, now: at(i), ...overrides });

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
  });
}
