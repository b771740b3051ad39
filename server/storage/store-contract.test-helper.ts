import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StoreInputError } from "./errors.ts";
import { sha256Hex } from "./hash.ts";
import type {
  Claim,
  Drop,
  NewDrop,
  NewPerk,
  Perk,
  RedeemInput,
  RedeemResult,
  RedeemStatus,
  Redemption,
  ReserveClaimInput,
  ReserveClaimResult,
  ReserveClaimStatus,
  Store,
} from "./store.ts";
import { toTimestamp } from "./time.ts";

/**
 * Behaviour every {@link Store} implementation must show. A backend's test file calls
 * `describeStoreContract("SqliteStore (file)", () => SqliteStore.open(path))`; the factory must
 * return a fresh, empty store each time. The suite closes the stores it gets.
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

    const ALICE = "0xAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAa"; // mixed case on purpose
    const alice = ALICE.toLowerCase();
    const BOB = "0x" + "b".repeat(40);
    const member = (i: number) => "0x" + i.toString(16).padStart(40, "0");
    const COLLECTION = "0xC0C0C0C0C0C0C0C0C0C0C0C0C0C0C0C0C0C0C0C0";

    async function brands(): Promise<void> {
      await store.createBrand({ id: "brand-a", name: "Brand A", createdAt: at(0) });
      await store.createBrand({ id: "brand-b", name: "Brand B", createdAt: at(0) });
    }

    function perkInput(overrides: Partial<NewPerk> = {}): NewPerk {
      return {
        id: "perk-1",
        brandId: "brand-a",
        title: "Free coffee",
        description: "One coffee on the house",
        collections: [COLLECTION],
        rule: { kind: "holds", collection: COLLECTION.toLowerCase(), tokenId: "1", min: 1 },
        limits: { perMember: null, total: null },
        startsAt: null,
        endsAt: null,
        createdAt: at(0),
        ...overrides,
      };
    }

    let seq = 0;
    function redeemInput(overrides: Partial<RedeemInput> = {}): RedeemInput {
      seq += 1;
      return {
        perkId: "perk-1",
        member: alice,
        idempotencyKey: `key-${seq}`,
        id: `red-${seq}`,
        code: `CODE-${seq}`,
        now: at(MINUTE),
        ...overrides,
      };
    }

    function created(result: RedeemResult): Redemption {
      if (result.status !== "created") throw new Error(`expected created, got ${result.status}`);
      return result.redemption;
    }

    function tally(results: RedeemResult[]): Partial<Record<RedeemStatus, number>> {
      const counts: Partial<Record<RedeemStatus, number>> = {};
      for (const r of results) counts[r.status] = (counts[r.status] ?? 0) + 1;
      return counts;
    }

    function dropInput(overrides: Partial<NewDrop> = {}): NewDrop {
      return {
        id: "drop-1",
        brandId: "brand-a",
        title: "Welcome stamp",
        description: "A free stamp",
        collection: COLLECTION,
        tokenId: "3",
        amount: "1",
        rule: null,
        limits: { perMember: 1, total: null },
        mode: "mint",
        startsAt: null,
        endsAt: null,
        createdAt: at(0),
        ...overrides,
      };
    }

    let claimSeq = 0;
    function claimInput(overrides: Partial<ReserveClaimInput> = {}): ReserveClaimInput {
      claimSeq += 1;
      return { dropId: "drop-1", member: alice, idempotencyKey: `ck-${claimSeq}`, id: `claim-${claimSeq}`, now: at(MINUTE), ...overrides };
    }

    function reserved(result: ReserveClaimResult): Claim {
      if (result.status !== "created") throw new Error(`expected created, got ${result.status}`);
      return result.claim;
    }

    function claimTally(results: ReserveClaimResult[]): Partial<Record<ReserveClaimStatus, number>> {
      const counts: Partial<Record<ReserveClaimStatus, number>> = {};
      for (const r of results) counts[r.status] = (counts[r.status] ?? 0) + 1;
      return counts;
    }

    const TX = "0x" + "ab".repeat(32);

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
        await expect(
          store.createApiKey({ id: "k0", brandId: "ghost", keyHash, label: "", createdAt: at(0) }),
        ).rejects.toThrow();
        await expect(
          store.createApiKey({ id: "k1", brandId: "brand-a", keyHash: "sk_live_plaintext", label: "", createdAt: at(0) }),
        ).rejects.toBeInstanceOf(StoreInputError);
        await store.createApiKey({ id: "k2", brandId: "brand-a", keyHash, label: "", createdAt: at(0) });
        await expect(store.createApiKey({ id: "k3", brandId: "brand-b", keyHash, label: "", createdAt: at(0) })).rejects.toThrow();
      });
    });

    describe("perks", () => {
      beforeEach(brands);

      it("creates a perk and reads it back (addresses lowercased and de-duplicated, rule as JSON)", async () => {
        const input = perkInput({
          collections: [COLLECTION, COLLECTION.toLowerCase(), BOB],
          rule: { all: [{ holds: COLLECTION.toLowerCase(), id: "7" }, { not: null }], note: "ü €", n: 1.5 },
          limits: { perMember: 1, total: 100 },
          startsAt: at(0),
          endsAt: at(HOUR),
        });
        const perk = await store.createPerk(input);
        expect(perk).toEqual({
          ...input,
          collections: [COLLECTION.toLowerCase(), BOB],
          updatedAt: input.createdAt,
        });
        expect(await store.getPerk("perk-1")).toEqual(perk);
        expect(await store.getPerk("missing")).toBeNull();
      });

      it("stores any JSON value as the rule", async () => {
        for (const [i, rule] of [null, 0, "text", [1, [2]], { deep: { deeper: [true] } }].entries()) {
          const perk = await store.createPerk(perkInput({ id: `p${i}`, rule }));
          expect(perk.rule).toEqual(rule);
          expect((await store.getPerk(`p${i}`))?.rule).toEqual(rule);
        }
      });

      it("refuses malformed perks", async () => {
        const bad: Partial<NewPerk>[] = [
          { collections: ["0xnot-an-address"] },
          { limits: { perMember: -1, total: null } },
          { limits: { perMember: 1.5, total: null } },
          { rule: undefined },
          { startsAt: at(HOUR), endsAt: at(HOUR) },
          { startsAt: "2025-06-01" },
          { id: "" },
        ];
        for (const overrides of bad) {
          await expect(store.createPerk(perkInput(overrides)), JSON.stringify(overrides)).rejects.toBeInstanceOf(StoreInputError);
        }
        await expect(store.createPerk(perkInput({ brandId: "ghost" }))).rejects.toThrow();
        expect(await store.listPerks()).toEqual([]);
      });

      it("lists live perks newest first, optionally by brand", async () => {
        await store.createPerk(perkInput({ id: "a1", createdAt: at(1) }));
        await store.createPerk(perkInput({ id: "a2", createdAt: at(3) }));
        await store.createPerk(perkInput({ id: "b1", brandId: "brand-b", createdAt: at(2) }));
        expect((await store.listPerks()).map((p) => p.id)).toEqual(["a2", "b1", "a1"]);
        expect((await store.listPerks({ brandId: "brand-a" })).map((p) => p.id)).toEqual(["a2", "a1"]);
        expect((await store.listPerks({ brandId: "brand-b" })).map((p) => p.id)).toEqual(["b1"]);
        expect(await store.listPerks({ brandId: "nobody" })).toEqual([]);
      });

      it("updates only the given fields, merging limits", async () => {
        const original = await store.createPerk(perkInput({ limits: { perMember: 1, total: 10 } }));
        const updated = await store.updatePerk("brand-a", "perk-1", { title: "Two coffees", limits: { total: 20 }, updatedAt: at(MINUTE) });
        const expected: Perk = { ...original, title: "Two coffees", limits: { perMember: 1, total: 20 }, updatedAt: at(MINUTE) };
        expect(updated).toEqual(expected);
        expect(await store.getPerk("perk-1")).toEqual(expected);

        const again = await store.updatePerk("brand-a", "perk-1", {
          description: "",
          collections: [BOB.toUpperCase().replace("0X", "0x")],
          rule: { any: [] },
          limits: { perMember: null },
          startsAt: at(0),
          endsAt: at(HOUR),
          updatedAt: at(2 * MINUTE),
        });
        expect(again).toEqual({
          ...expected,
          description: "",
          collections: [BOB],
          rule: { any: [] },
          limits: { perMember: null, total: 20 },
          startsAt: at(0),
          endsAt: at(HOUR),
          updatedAt: at(2 * MINUTE),
        });
        const cleared = await store.updatePerk("brand-a", "perk-1", { startsAt: null, updatedAt: at(3 * MINUTE) });
        expect(cleared?.startsAt).toBeNull();
        expect(cleared?.endsAt).toBe(at(HOUR));
        expect(await store.getPerk("perk-1")).toEqual(cleared);
      });

      it("refuses an update that would leave an empty window, changing nothing", async () => {
        const perk = await store.createPerk(perkInput({ startsAt: at(0), endsAt: at(HOUR) }));
        await expect(store.updatePerk("brand-a", "perk-1", { endsAt: at(0), updatedAt: at(1) })).rejects.toBeInstanceOf(StoreInputError);
        await expect(
          store.updatePerk("brand-a", "perk-1", { limits: { total: -5 }, updatedAt: at(1) }),
        ).rejects.toBeInstanceOf(StoreInputError);
        expect(await store.getPerk("perk-1")).toEqual(perk);
      });

      it("soft-deletes a perk", async () => {
        await store.createPerk(perkInput());
        await store.createPerk(perkInput({ id: "perk-2" }));
        expect(await store.deletePerk("brand-a", "perk-1", at(MINUTE))).toBe(true);
        expect(await store.getPerk("perk-1")).toBeNull();
        expect((await store.listPerks()).map((p) => p.id)).toEqual(["perk-2"]);
        expect(await store.deletePerk("brand-a", "perk-1", at(MINUTE))).toBe(false);
        expect(await store.updatePerk("brand-a", "perk-1", { title: "back?", updatedAt: at(2 * MINUTE) })).toBeNull();
        expect(await store.deletePerk("brand-a", "missing", at(MINUTE))).toBe(false);
      });

      it("keeps brand B away from brand A's perks", async () => {
        const perk = await store.createPerk(perkInput());
        expect(await store.updatePerk("brand-b", "perk-1", { title: "hijacked", updatedAt: at(MINUTE) })).toBeNull();
        expect(await store.deletePerk("brand-b", "perk-1", at(MINUTE))).toBe(false);
        expect(await store.listPerks({ brandId: "brand-b" })).toEqual([]);
        expect(await store.getPerk("perk-1")).toEqual(perk);
      });
    });

    describe("redeem", () => {
      beforeEach(async () => {
        await brands();
        await store.createPerk(perkInput());
      });

      it("creates a redemption", async () => {
        const result = await store.redeem(
          redeemInput({ member: ALICE, idempotencyKey: "k1", id: "r1", code: "C1", now: at(MINUTE) }),
        );
        expect(result).toEqual({
          status: "created",
          redemption: {
            id: "r1",
            perkId: "perk-1",
            brandId: "brand-a",
            member: alice,
            code: "C1",
            idempotencyKey: "k1",
            createdAt: at(MINUTE),
            consumedAt: null,
          },
        });
        expect((await store.listRedemptions({ limit: 10 })).items).toEqual([created(result)]);
      });

      it("replays the stored redemption for the same member and key, even once the limits are exhausted", async () => {
        await store.updatePerk("brand-a", "perk-1", { limits: { perMember: 1, total: 1 }, updatedAt: at(0) });
        const first = created(await store.redeem(redeemInput({ idempotencyKey: "same", id: "r1", code: "C1" })));
        const again = await store.redeem(
          redeemInput({ member: ALICE, idempotencyKey: "same", id: "r2", code: "C2", now: at(HOUR) }),
        );
        expect(again).toEqual({ status: "replayed", redemption: first });
        expect((await store.listRedemptions({ limit: 10 })).items).toHaveLength(1);
      });

      it("finds a redemption by member and idempotency key, and nothing for another member or key", async () => {
        const first = created(await store.redeem(redeemInput({ idempotencyKey: "find-me", id: "r1", code: "C1" })));
        expect(await store.findRedemption(ALICE, "find-me")).toEqual(first);
        expect(await store.findRedemption(ALICE.toLowerCase(), "find-me")).toEqual(first);
        expect(await store.findRedemption(ALICE, "other-key")).toBeNull();
        expect(await store.findRedemption(BOB, "find-me")).toBeNull();
      });

      it("replays after the perk is deleted or its window has closed, and shows consumption", async () => {
        const first = created(await store.redeem(redeemInput({ idempotencyKey: "same" })));
        await store.consumeRedemptionCode({ brandId: "brand-a", code: first.code, now: at(2 * MINUTE) });
        await store.deletePerk("brand-a", "perk-1", at(3 * MINUTE));
        expect(await store.redeem(redeemInput({ idempotencyKey: "same", now: at(HOUR) }))).toEqual({
          status: "replayed",
          redemption: { ...first, consumedAt: at(2 * MINUTE) },
        });
      });

      it("reports an idempotency conflict when the member reuses a key for another perk", async () => {
        await store.createPerk(perkInput({ id: "perk-2" }));
        created(await store.redeem(redeemInput({ idempotencyKey: "k" })));
        expect(await store.redeem(redeemInput({ perkId: "perk-2", idempotencyKey: "k" }))).toEqual({
          status: "idempotency_conflict",
        });
        // Keys are per member: Bob may use the same key.
        expect((await store.redeem(redeemInput({ perkId: "perk-2", member: BOB, idempotencyKey: "k" }))).status).toBe("created");
      });

      it("reports unknown and deleted perks", async () => {
        expect(await store.redeem(redeemInput({ perkId: "nope" }))).toEqual({ status: "perk_not_found" });
        await store.deletePerk("brand-a", "perk-1", at(0));
        expect(await store.redeem(redeemInput())).toEqual({ status: "perk_not_found" });
      });

      it("checks the window: open from startsAt inclusive to endsAt exclusive", async () => {
        await store.updatePerk("brand-a", "perk-1", { startsAt: at(HOUR), endsAt: at(2 * HOUR), updatedAt: at(0) });
        expect(await store.redeem(redeemInput({ now: at(HOUR - 1) }))).toEqual({ status: "not_started" });
        expect((await store.redeem(redeemInput({ now: at(HOUR) }))).status).toBe("created");
        expect((await store.redeem(redeemInput({ now: at(2 * HOUR - 1) }))).status).toBe("created");
        expect(await store.redeem(redeemInput({ now: at(2 * HOUR) }))).toEqual({ status: "ended" });
      });

      it("enforces the per-member limit", async () => {
        await store.updatePerk("brand-a", "perk-1", { limits: { perMember: 2 }, updatedAt: at(0) });
        created(await store.redeem(redeemInput()));
        created(await store.redeem(redeemInput({ member: ALICE })));
        expect(await store.redeem(redeemInput())).toEqual({ status: "member_limit_reached", limit: 2 });
        created(await store.redeem(redeemInput({ member: BOB })));
      });

      it("enforces the total limit, counting consumed redemptions too", async () => {
        await store.updatePerk("brand-a", "perk-1", { limits: { total: 2 }, updatedAt: at(0) });
        const r = created(await store.redeem(redeemInput({ member: member(1) })));
        await store.consumeRedemptionCode({ brandId: "brand-a", code: r.code, now: at(MINUTE) });
        created(await store.redeem(redeemInput({ member: member(2) })));
        expect(await store.redeem(redeemInput({ member: member(3) }))).toEqual({ status: "total_limit_reached", limit: 2 });
      });

      it("treats a limit of 0 as closed", async () => {
        await store.updatePerk("brand-a", "perk-1", { limits: { perMember: 0 }, updatedAt: at(0) });
        expect(await store.redeem(redeemInput())).toEqual({ status: "member_limit_reached", limit: 0 });
      });

      it("refuses malformed input", async () => {
        await expect(store.redeem(redeemInput({ member: "alice" }))).rejects.toBeInstanceOf(StoreInputError);
        await expect(store.redeem(redeemInput({ idempotencyKey: "" }))).rejects.toBeInstanceOf(StoreInputError);
        await expect(store.redeem(redeemInput({ now: "now" }))).rejects.toBeInstanceOf(StoreInputError);
        await expect(store.redeem(redeemInput({ idempotencyKey: "k".repeat(257) }))).rejects.toBeInstanceOf(StoreInputError);
      });

      it("rejects a duplicate code without recording anything", async () => {
        created(await store.redeem(redeemInput({ code: "SAME" })));
        await expect(store.redeem(redeemInput({ member: BOB, code: "SAME" }))).rejects.toThrow();
        expect((await store.listRedemptions({ limit: 10 })).items).toHaveLength(1);
      });
    });

    describe("listRedemptions", () => {
      beforeEach(async () => {
        await brands();
        await store.createPerk(perkInput({ id: "pa" }));
        await store.createPerk(perkInput({ id: "pb", brandId: "brand-b" }));
      });

      it("pages newest first on (createdAt, id), ties included, without gaps or repeats", async () => {
        // 25 redemptions over 5 instants, 5 per instant, ids inserted in shuffled order.
        const ids = Array.from({ length: 25 }, (_, i) => `r${String(i).padStart(2, "0")}`);
        const shuffled = [...ids].sort((x, y) => ((x.charCodeAt(2) * 7) % 10) - ((y.charCodeAt(2) * 7) % 10));
        for (const id of shuffled) {
          const i = Number(id.slice(1));
          created(await store.redeem(redeemInput({ perkId: "pa", id, code: `c-${id}`, now: at(Math.floor(i / 5) * MINUTE) })));
        }
        const seen: Redemption[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page: Awaited<ReturnType<Store["listRedemptions"]>> = await store.listRedemptions({ limit: 10, cursor });
          seen.push(...page.items);
          cursor = page.nextCursor;
          pages += 1;
        } while (cursor !== null);
        expect(pages).toBe(3);
        expect(seen.map((r) => r.id)).toEqual([...ids].reverse());
      });

      it("returns no cursor when the last page is exactly full", async () => {
        for (let i = 0; i < 4; i++) created(await store.redeem(redeemInput({ perkId: "pa" })));
        const first = await store.listRedemptions({ limit: 2 });
        expect(first.nextCursor).not.toBeNull();
        const second = await store.listRedemptions({ limit: 2, cursor: first.nextCursor });
        expect(second.items).toHaveLength(2);
        expect(second.nextCursor).toBeNull();
      });

      it("filters by member, brand, perk and consumption", async () => {
        const a1 = created(await store.redeem(redeemInput({ perkId: "pa", member: ALICE, now: at(1) })));
        const a2 = created(await store.redeem(redeemInput({ perkId: "pa", member: BOB, now: at(2) })));
        const b1 = created(await store.redeem(redeemInput({ perkId: "pb", member: ALICE, now: at(3) })));
        await store.consumeRedemptionCode({ brandId: "brand-a", code: a2.code, now: at(4) });
        const ids = async (q: Omit<Parameters<Store["listRedemptions"]>[0], "limit">) =>
          (await store.listRedemptions({ limit: 100, ...q })).items.map((r) => r.id);

        expect(await ids({})).toEqual([b1.id, a2.id, a1.id]);
        expect(await ids({ member: ALICE })).toEqual([b1.id, a1.id]);
        expect(await ids({ member: alice, brandId: "brand-a" })).toEqual([a1.id]);
        expect(await ids({ brandId: "brand-a" })).toEqual([a2.id, a1.id]);
        expect(await ids({ perkId: "pb" })).toEqual([b1.id]);
        expect(await ids({ brandId: "brand-a", consumed: true })).toEqual([a2.id]);
        expect(await ids({ brandId: "brand-a", consumed: false })).toEqual([a1.id]);
        // Brand B asking about brand A's perk sees nothing.
        expect(await ids({ brandId: "brand-b", perkId: "pa" })).toEqual([]);
      });

      it("caps the page size at 100 and raises it to at least 1", async () => {
        for (let i = 0; i < 105; i++) created(await store.redeem(redeemInput({ perkId: "pa", member: member(i) })));
        const big = await store.listRedemptions({ limit: 1000 });
        expect(big.items).toHaveLength(100);
        expect(big.nextCursor).not.toBeNull();
        expect((await store.listRedemptions({ limit: 1000, cursor: big.nextCursor })).items).toHaveLength(5);
        expect((await store.listRedemptions({ limit: 0 })).items).toHaveLength(1);
      });

      it("refuses cursors it did not issue", async () => {
        for (const cursor of ["garbage", "", Buffer.from('["x","y"]').toString("base64url")]) {
          await expect(store.listRedemptions({ limit: 10, cursor })).rejects.toBeInstanceOf(StoreInputError);
        }
      });
    });

    describe("consumeRedemptionCode", () => {
      beforeEach(async () => {
        await brands();
        await store.createPerk(perkInput());
      });

      it("consumes a code once", async () => {
        const r = created(await store.redeem(redeemInput({ code: "ABCD-EFGH" })));
        expect(await store.consumeRedemptionCode({ brandId: "brand-a", code: "ABCD-EFGH", now: at(HOUR) })).toEqual({
          status: "consumed",
          redemption: { ...r, consumedAt: at(HOUR) },
        });
        expect(await store.consumeRedemptionCode({ brandId: "brand-a", code: "ABCD-EFGH", now: at(2 * HOUR) })).toEqual({
          status: "already_consumed",
          redemption: { ...r, consumedAt: at(HOUR) },
        });
      });

      it("treats another brand's code and unknown codes as not found", async () => {
        const r = created(await store.redeem(redeemInput()));
        expect(await store.consumeRedemptionCode({ brandId: "brand-b", code: r.code, now: at(HOUR) })).toEqual({
          status: "not_found",
        });
        expect(await store.consumeRedemptionCode({ brandId: "brand-a", code: "nope", now: at(HOUR) })).toEqual({
          status: "not_found",
        });
        expect((await store.consumeRedemptionCode({ brandId: "brand-a", code: r.code, now: at(HOUR) })).status).toBe("consumed");
      });

      it("still consumes codes of a deleted perk", async () => {
        const r = created(await store.redeem(redeemInput()));
        await store.deletePerk("brand-a", "perk-1", at(2 * MINUTE));
        expect((await store.listRedemptions({ limit: 10, perkId: "perk-1" })).items).toEqual([r]);
        expect((await store.consumeRedemptionCode({ brandId: "brand-a", code: r.code, now: at(HOUR) })).status).toBe("consumed");
      });

      it("lets exactly one of many concurrent tills consume a code", async () => {
        const r = created(await store.redeem(redeemInput()));
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) => store.consumeRedemptionCode({ brandId: "brand-a", code: r.code, now: at(i) })),
        );
        expect(results.filter((x) => x.status === "consumed")).toHaveLength(1);
        expect(results.filter((x) => x.status === "already_consumed")).toHaveLength(49);
      });
    });

    describe("drops", () => {
      beforeEach(brands);

      it("creates a drop and reads it back (collection lowercased, rule as JSON, null rule kept)", async () => {
        const input = dropInput({ rule: { type: "holds", n: 1.5, note: "ü" }, limits: { perMember: 2, total: 100 }, startsAt: at(0), endsAt: at(HOUR) });
        const drop = await store.createDrop(input);
        expect(drop).toEqual({ ...input, collection: COLLECTION.toLowerCase(), updatedAt: input.createdAt });
        expect(await store.getDrop("drop-1")).toEqual(drop);
        expect(await store.getDrop("missing")).toBeNull();
        const open = await store.createDrop(dropInput({ id: "drop-2", rule: null, mode: "voucher", amount: "5", tokenId: (2n ** 256n - 1n).toString() }));
        expect(await store.getDrop("drop-2")).toEqual(open);
        expect(open.rule).toBeNull();
      });

      it("refuses malformed drops", async () => {
        const bad: Partial<NewDrop>[] = [
          { collection: "0xnot-an-address" },
          { tokenId: "-1" },
          { tokenId: "01" },
          { tokenId: 3 as unknown as string },
          { tokenId: (2n ** 256n).toString() },
          { amount: "0" },
          { mode: "airdrop" as Drop["mode"] },
          { limits: { perMember: -1, total: null } },
          { rule: undefined },
          { startsAt: at(HOUR), endsAt: at(HOUR) },
          { id: "" },
        ];
        for (const overrides of bad) {
          await expect(store.createDrop(dropInput(overrides)), JSON.stringify(overrides)).rejects.toBeInstanceOf(StoreInputError);
        }
        await expect(store.createDrop(dropInput({ brandId: "ghost" }))).rejects.toThrow();
        expect(await store.listDrops()).toEqual([]);
      });

      it("lists live drops newest first, optionally by brand", async () => {
        await store.createDrop(dropInput({ id: "a1", createdAt: at(1) }));
        await store.createDrop(dropInput({ id: "a2", createdAt: at(3) }));
        await store.createDrop(dropInput({ id: "b1", brandId: "brand-b", createdAt: at(2) }));
        expect((await store.listDrops()).map((d) => d.id)).toEqual(["a2", "b1", "a1"]);
        expect((await store.listDrops({ brandId: "brand-a" })).map((d) => d.id)).toEqual(["a2", "a1"]);
        expect(await store.listDrops({ brandId: "nobody" })).toEqual([]);
      });

      it("updates only the given fields, merging limits; refuses an empty window, changing nothing", async () => {
        const original = await store.createDrop(dropInput({ limits: { perMember: 1, total: 10 } }));
        const updated = await store.updateDrop("brand-a", "drop-1", { title: "Hello", limits: { total: null }, rule: { any: [] }, updatedAt: at(MINUTE) });
        const expected: Drop = { ...original, title: "Hello", limits: { perMember: 1, total: null }, rule: { any: [] }, updatedAt: at(MINUTE) };
        expect(updated).toEqual(expected);
        expect(await store.getDrop("drop-1")).toEqual(expected);
        const back = await store.updateDrop("brand-a", "drop-1", { rule: null, startsAt: at(0), endsAt: at(HOUR), updatedAt: at(2 * MINUTE) });
        expect(back).toMatchObject({ rule: null, startsAt: at(0), endsAt: at(HOUR) });
        await expect(store.updateDrop("brand-a", "drop-1", { endsAt: at(0), updatedAt: at(3 * MINUTE) })).rejects.toBeInstanceOf(StoreInputError);
        await expect(store.updateDrop("brand-a", "drop-1", { limits: { perMember: -1 }, updatedAt: at(3 * MINUTE) })).rejects.toBeInstanceOf(StoreInputError);
        expect(await store.getDrop("drop-1")).toEqual(back);
      });

      it("soft-deletes a drop, and keeps brand B away from brand A's drops", async () => {
        await store.createDrop(dropInput());
        await store.createDrop(dropInput({ id: "drop-2" }));
        expect(await store.updateDrop("brand-b", "drop-1", { title: "hijacked", updatedAt: at(MINUTE) })).toBeNull();
        expect(await store.deleteDrop("brand-b", "drop-1", at(MINUTE))).toBe(false);
        expect(await store.listDrops({ brandId: "brand-b" })).toEqual([]);
        expect(await store.deleteDrop("brand-a", "drop-1", at(MINUTE))).toBe(true);
        expect(await store.getDrop("drop-1")).toBeNull();
        expect((await store.listDrops()).map((d) => d.id)).toEqual(["drop-2"]);
        expect(await store.deleteDrop("brand-a", "drop-1", at(MINUTE))).toBe(false);
        expect(await store.updateDrop("brand-a", "drop-1", { title: "back?", updatedAt: at(2 * MINUTE) })).toBeNull();
        expect(await store.reserveClaim(claimInput())).toEqual({ status: "drop_not_found" });
      });
    });

    describe("claims", () => {
      beforeEach(async () => {
        await brands();
        await store.createDrop(dropInput());
      });

      it("reserves a pending claim carrying what the drop gives", async () => {
        const result = await store.reserveClaim(claimInput({ member: ALICE, idempotencyKey: "k1", id: "c1" }));
        const claim: Claim = {
          id: "c1",
          dropId: "drop-1",
          brandId: "brand-a",
          member: alice,
          idempotencyKey: "k1",
          collection: COLLECTION.toLowerCase(),
          tokenId: "3",
          amount: "1",
          mode: "mint",
          status: "pending",
          txHash: null,
          rawTx: null,
          voucher: null,
          error: null,
          createdAt: at(MINUTE),
          updatedAt: at(MINUTE),
        };
        expect(result).toEqual({ status: "created", claim });
        expect(await store.getClaim("c1")).toEqual(claim);
        expect(await store.findClaim(ALICE, "k1")).toEqual(claim);
        expect(await store.findClaim(BOB, "k1")).toBeNull();
        expect(await store.getClaim("nope")).toBeNull();
      });

      it("replays the same claim for the same member and key, even after the limit is used; another drop is a conflict", async () => {
        await store.createDrop(dropInput({ id: "drop-2" }));
        const first = reserved(await store.reserveClaim(claimInput({ idempotencyKey: "same" })));
        expect(await store.reserveClaim(claimInput({ idempotencyKey: "same", now: at(HOUR) }))).toEqual({ status: "replayed", claim: first });
        expect(await store.reserveClaim(claimInput({ dropId: "drop-2", idempotencyKey: "same" }))).toEqual({ status: "idempotency_conflict" });
        // Keys are per member.
        expect((await store.reserveClaim(claimInput({ member: BOB, idempotencyKey: "same" }))).status).toBe("created");
      });

      it("checks the window and the limits, counting pending, minted and issued claims but not failed or expired ones", async () => {
        await store.updateDrop("brand-a", "drop-1", { limits: { perMember: 1, total: 3 }, startsAt: at(MINUTE), endsAt: at(HOUR), updatedAt: at(0) });
        expect(await store.reserveClaim(claimInput({ now: at(MINUTE - 1) }))).toEqual({ status: "not_started" });
        expect(await store.reserveClaim(claimInput({ now: at(HOUR) }))).toEqual({ status: "ended" });

        const a = reserved(await store.reserveClaim(claimInput()));
        expect(await store.reserveClaim(claimInput())).toEqual({ status: "member_limit_reached", limit: 1 });
        // A failed mint frees the member's place.
        expect(await store.completeClaim(a.id, { status: "failed", error: { code: "mint_failed", message: "reverted" }, now: at(2 * MINUTE) })).toMatchObject({
          status: "failed",
          error: { code: "mint_failed", message: "reverted" },
          updatedAt: at(2 * MINUTE),
        });
        const a2 = reserved(await store.reserveClaim(claimInput()));
        await store.completeClaim(a2.id, { status: "minted", txHash: TX, now: at(2 * MINUTE) });
        expect(await store.reserveClaim(claimInput())).toEqual({ status: "member_limit_reached", limit: 1 });

        const b = reserved(await store.reserveClaim(claimInput({ member: BOB })));
        await store.completeClaim(b.id, { status: "issued", voucher: { uid: "0x01" }, now: at(2 * MINUTE) });
        reserved(await store.reserveClaim(claimInput({ member: member(1) }))); // pending
        expect(await store.reserveClaim(claimInput({ member: member(2) }))).toEqual({ status: "total_limit_reached", limit: 3 });
        // An issued voucher that expired unused frees its place.
        await store.completeClaim(b.id, { status: "expired", now: at(3 * MINUTE) });
        expect((await store.reserveClaim(claimInput({ member: member(2) }))).status).toBe("created");
        expect(await store.memberClaimCounts(ALICE)).toEqual(new Map([["drop-1", 1]]));
        expect(await store.memberClaimCounts(BOB)).toEqual(new Map());
      });

      it("records the transaction only while pending, and settles a claim once", async () => {
        const c = reserved(await store.reserveClaim(claimInput()));
        const withTx = await store.recordClaimTx(c.id, { hash: TX.toUpperCase().replace("0X", "0x"), raw: "0x02F8AB" }, at(2 * MINUTE));
        expect(withTx).toEqual({ ...c, txHash: TX, rawTx: "0x02f8ab", updatedAt: at(2 * MINUTE) });
        // A re-signed transaction (new nonce) replaces the first while the claim is pending.
        const TX2 = "0x" + "cd".repeat(32);
        expect(await store.recordClaimTx(c.id, { hash: TX2, raw: "0x02f8ac" }, at(2 * MINUTE))).toMatchObject({ txHash: TX2, rawTx: "0x02f8ac" });
        const minted = await store.completeClaim(c.id, { status: "minted", now: at(3 * MINUTE) });
        expect(minted).toEqual({ ...c, status: "minted", txHash: TX2, rawTx: "0x02f8ac", updatedAt: at(3 * MINUTE) });
        expect(await store.completeClaim(c.id, { status: "failed", error: { code: "x", message: "y" }, now: at(4 * MINUTE) })).toBeNull();
        expect(await store.completeClaim(c.id, { status: "expired", now: at(4 * MINUTE) })).toBeNull();
        expect(await store.recordClaimTx(c.id, { hash: TX, raw: "0x01" }, at(4 * MINUTE))).toBeNull();
        expect(await store.completeClaim("missing", { status: "minted", now: at(4 * MINUTE) })).toBeNull();
        expect(await store.getClaim(c.id)).toEqual(minted);

        const v = reserved(await store.reserveClaim(claimInput({ member: BOB })));
        const voucher = { to: BOB, id: "3", signature: "0xabc", nested: { n: 1 } };
        const issued = await store.completeClaim(v.id, { status: "issued", voucher, now: at(2 * MINUTE) });
        expect(issued).toEqual({ ...v, status: "issued", voucher, updatedAt: at(2 * MINUTE) });
        expect(await store.completeClaim(v.id, { status: "failed", error: { code: "x", message: "y" }, now: at(3 * MINUTE) })).toBeNull();
        expect(await store.completeClaim(v.id, { status: "expired", now: at(3 * MINUTE) })).toEqual({ ...issued, status: "expired", updatedAt: at(3 * MINUTE) });
        expect(await store.completeClaim(v.id, { status: "minted", now: at(4 * MINUTE) })).toBeNull();

        // A voucher used on chain: issued to minted, and no further.
        const w = reserved(await store.reserveClaim(claimInput({ member: BOB, idempotencyKey: "used-voucher" })));
        const issuedW = await store.completeClaim(w.id, { status: "issued", voucher, now: at(2 * MINUTE) });
        expect(await store.completeClaim(w.id, { status: "minted", now: at(3 * MINUTE) })).toEqual({ ...issuedW, status: "minted", updatedAt: at(3 * MINUTE) });
        expect(await store.completeClaim(w.id, { status: "expired", now: at(4 * MINUTE) })).toBeNull();
      });

      it("refuses malformed input", async () => {
        const c = reserved(await store.reserveClaim(claimInput()));
        await expect(store.reserveClaim(claimInput({ member: "alice" }))).rejects.toBeInstanceOf(StoreInputError);
        await expect(store.reserveClaim(claimInput({ idempotencyKey: "" }))).rejects.toBeInstanceOf(StoreInputError);
        await expect(store.reserveClaim(claimInput({ now: "now" }))).rejects.toBeInstanceOf(StoreInputError);
        await expect(store.recordClaimTx(c.id, { hash: "0x1234", raw: "0x01" }, at(0))).rejects.toBeInstanceOf(StoreInputError);
        await expect(store.recordClaimTx(c.id, { hash: TX, raw: "0x1" }, at(0))).rejects.toBeInstanceOf(StoreInputError);
        await expect(store.recordClaimTx(c.id, { hash: TX, raw: "signed" }, at(0))).rejects.toBeInstanceOf(StoreInputError);
        await expect(store.completeClaim(c.id, { status: "pending" as "minted", now: at(0) })).rejects.toBeInstanceOf(StoreInputError);
        await expect(store.completeClaim(c.id, { status: "failed", error: { code: "", message: "m" }, now: at(0) })).rejects.toBeInstanceOf(StoreInputError);
        await expect(store.listClaims({ limit: 10, status: "gone" as "minted" })).rejects.toBeInstanceOf(StoreInputError);
        await expect(store.listClaims({ limit: 10, cursor: "garbage" })).rejects.toBeInstanceOf(StoreInputError);
        expect(await store.getClaim(c.id)).toEqual(c);
      });

      it("keeps the claims of a deleted drop, and lets pending ones complete", async () => {
        const c = reserved(await store.reserveClaim(claimInput()));
        await store.deleteDrop("brand-a", "drop-1", at(2 * MINUTE));
        expect((await store.completeClaim(c.id, { status: "minted", txHash: TX, now: at(3 * MINUTE) }))?.status).toBe("minted");
        expect((await store.listClaims({ limit: 10, dropId: "drop-1" })).items.map((x) => x.id)).toEqual([c.id]);
        expect(await store.reserveClaim(claimInput({ idempotencyKey: c.idempotencyKey }))).toMatchObject({ status: "replayed" });
      });

      it("lists newest first with filters by member, brand, drop and status, and pages", async () => {
        await store.createDrop(dropInput({ id: "drop-b", brandId: "brand-b", limits: { perMember: null, total: null } }));
        await store.updateDrop("brand-a", "drop-1", { limits: { perMember: null }, updatedAt: at(0) });
        const a1 = reserved(await store.reserveClaim(claimInput({ member: ALICE, now: at(1) })));
        const a2 = reserved(await store.reserveClaim(claimInput({ member: BOB, now: at(2) })));
        const b1 = reserved(await store.reserveClaim(claimInput({ dropId: "drop-b", member: ALICE, now: at(3) })));
        await store.completeClaim(a2.id, { status: "minted", txHash: TX, now: at(4) });
        const ids = async (q: Omit<Parameters<Store["listClaims"]>[0], "limit">) => (await store.listClaims({ limit: 100, ...q })).items.map((c) => c.id);
        expect(await ids({})).toEqual([b1.id, a2.id, a1.id]);
        expect(await ids({ member: ALICE })).toEqual([b1.id, a1.id]);
        expect(await ids({ member: alice, brandId: "brand-a" })).toEqual([a1.id]);
        expect(await ids({ brandId: "brand-a", status: "minted" })).toEqual([a2.id]);
        expect(await ids({ dropId: "drop-b" })).toEqual([b1.id]);
        expect(await ids({ brandId: "brand-b", dropId: "drop-1" })).toEqual([]);

        for (let i = 0; i < 7; i++) reserved(await store.reserveClaim(claimInput({ member: member(i + 1), now: at(10 + Math.floor(i / 2)) })));
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const page: Awaited<ReturnType<Store["listClaims"]>> = await store.listClaims({ limit: 3, cursor });
          seen.push(...page.items.map((c) => c.id));
          cursor = page.nextCursor;
        } while (cursor !== null);
        expect(seen).toHaveLength(10);
        expect(new Set(seen).size).toBe(10);
        expect(seen.slice(-3)).toEqual([b1.id, a2.id, a1.id]);
      });
    });

    describe("exactly once under concurrency", () => {
      beforeEach(brands);

      it("1,000 concurrent redeems with distinct keys, per-member limit 1: one created", async () => {
        await store.createPerk(perkInput({ limits: { perMember: 1, total: null } }));
        const results = await Promise.all(
          Array.from({ length: 1000 }, (_, i) =>
            store.redeem({ perkId: "perk-1", member: ALICE, idempotencyKey: `k${i}`, id: `r${i}`, code: `c${i}`, now: at(i) }),
          ),
        );
        expect(tally(results)).toEqual({ created: 1, member_limit_reached: 999 });
        expect((await store.listRedemptions({ limit: 100, perkId: "perk-1" })).items).toHaveLength(1);
      });

      it("50 members racing for a total of 5: five created", async () => {
        await store.createPerk(perkInput({ limits: { perMember: null, total: 5 } }));
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            store.redeem({ perkId: "perk-1", member: member(i + 1), idempotencyKey: "k", id: `r${i}`, code: `c${i}`, now: at(0) }),
          ),
        );
        expect(tally(results)).toEqual({ created: 5, total_limit_reached: 45 });
        expect((await store.listRedemptions({ limit: 100, perkId: "perk-1" })).items).toHaveLength(5);
      });

      it("1,000 concurrent claim reservations with distinct keys, per-member limit 1: one created", async () => {
        await store.createDrop(dropInput({ limits: { perMember: 1, total: null } }));
        const results = await Promise.all(
          Array.from({ length: 1000 }, (_, i) => store.reserveClaim({ dropId: "drop-1", member: ALICE, idempotencyKey: `k${i}`, id: `c${i}`, now: at(i) })),
        );
        expect(claimTally(results)).toEqual({ created: 1, member_limit_reached: 999 });
        expect((await store.listClaims({ limit: 100, dropId: "drop-1" })).items).toHaveLength(1);
      });

      it("50 members racing for a drop of 5 in total: five claims; same key twice: one claim", async () => {
        await store.createDrop(dropInput({ limits: { perMember: null, total: 5 } }));
        const results = await Promise.all(
          Array.from({ length: 100 }, (_, i) =>
            store.reserveClaim({ dropId: "drop-1", member: member((i % 50) + 1), idempotencyKey: "k", id: `c${i}`, now: at(0) }),
          ),
        );
        expect(claimTally(results).created).toBe(5);
        expect((results.filter((r) => r.status === "replayed")).length).toBeLessThanOrEqual(5);
        expect((await store.listClaims({ limit: 100, dropId: "drop-1" })).items).toHaveLength(5);
      });

      it("100 concurrent redeems with the same key: one created, 99 replays of it", async () => {
        await store.createPerk(perkInput({ limits: { perMember: 1, total: null } }));
        const results = await Promise.all(
          Array.from({ length: 100 }, (_, i) =>
            store.redeem({ perkId: "perk-1", member: ALICE, idempotencyKey: "once", id: `r${i}`, code: `c${i}`, now: at(i) }),
          ),
        );
        expect(tally(results)).toEqual({ created: 1, replayed: 99 });
        const ids = new Set(results.map((r) => ("redemption" in r ? r.redemption.id : null)));
        expect(ids.size).toBe(1);
        expect((await store.listRedemptions({ limit: 100 })).items).toHaveLength(1);
      });
    });
  });
}
