/**
 * The store contract: the catalog (token metadata, pictures, levels), written only to a brand's own
 * collections.
 */
import { createHash } from "node:crypto";
import type { Address } from "viem";
import { beforeEach, describe, expect, it } from "vitest";
import { StoreInputError } from "../errors.ts";
import type { Store } from "../store.ts";
import { freshStorePerTest, type StoreContract } from "./fixtures.ts";

const NOW = "2026-01-01T00:00:00.000Z";
const LATER = "2026-01-02T00:00:00.000Z";
const MINE: Address = "0xC0C0C0C0C0C0C0C0C0C0C0C0C0C0C0C0C0C0C0C0"; // mixed case on purpose
const mine = MINE.toLowerCase() as Address;
const THEIRS: Address = `0x${"d".repeat(40)}`;
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 0, 255]);
const GIF = new Uint8Array([...Buffer.from("GIF89a"), 0, 0, 0]);
const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

export const catalogContract: StoreContract = (open) => {
  describe("the catalog", () => {
    let store!: Store;
    freshStorePerTest(open, (opened) => ({ store } = opened));
    beforeEach(async () => {
      for (const id of ["brand-a", "brand-b"]) await store.createBrand({ id, name: id, createdAt: NOW });
      await store.registerCollection({ brandId: "brand-a", collection: MINE, admin: MINE, nonce: "n1", nonceExpiresAt: LATER, now: NOW });
      await store.registerCollection({ brandId: "brand-b", collection: THEIRS, admin: THEIRS, nonce: "n2", nonceExpiresAt: LATER, now: NOW });
    });

    const metadata = (fields: Record<string, unknown> = {}) => ({
      brandId: "brand-a",
      collection: MINE,
      tokenId: "3",
      name: "Journey stamp",
      description: "One per journey",
      imageUrl: null,
      attributes: { season: "spring", rank: 2, rare: false },
      now: NOW,
      ...fields,
    }) as Parameters<Store["putTokenMetadata"]>[0];

    it("writes a type's metadata and reads it back, addresses lowercase, attributes in order", async () => {
      const written = await store.putTokenMetadata(metadata());
      const expected = {
        collection: mine,
        tokenId: "3",
        brandId: "brand-a",
        name: "Journey stamp",
        description: "One per journey",
        imageUrl: null,
        attributes: { season: "spring", rank: 2, rare: false },
        image: null,
        updatedAt: NOW,
      };
      expect(written).toEqual(expected);
      expect(await store.getTokenMetadata(MINE, "3")).toEqual(expected);
      expect(Object.keys((await store.getTokenMetadata(mine, "3"))!.attributes)).toEqual(["season", "rank", "rare"]);
      expect(await store.getTokenMetadata(MINE, "4")).toBeNull();
    });

    it("replaces the whole document on a second write", async () => {
      await store.putTokenMetadata(metadata());
      const second = await store.putTokenMetadata(metadata({ name: "Stamp", description: "", attributes: {}, imageUrl: "https://cdn.example/stamp.png", now: LATER }));
      expect(second).toMatchObject({ name: "Stamp", description: "", attributes: {}, imageUrl: "https://cdn.example/stamp.png", updatedAt: LATER });
    });

    it("writes only the brand's own collections: another brand's (or an unregistered one) is null and unchanged", async () => {
      expect(await store.putTokenMetadata(metadata({ collection: THEIRS }))).toBeNull();
      expect(await store.putTokenMetadata(metadata({ brandId: "brand-b" }))).toBeNull();
      expect(await store.putTokenMetadata(metadata({ collection: `0x${"e".repeat(40)}` }))).toBeNull();
      expect(await store.putTokenImage({ brandId: "brand-b", collection: MINE, tokenId: "3", contentType: "image/png", bytes: PNG, now: NOW })).toBeNull();
      expect(await store.getTokenMetadata(THEIRS, "3")).toBeNull();
      expect(await store.getTokenMetadata(MINE, "3")).toBeNull();
    });

    it("keeps a picture's bytes, type and digest; the latest of picture and picture URL wins", async () => {
      // A picture before any words: the type has no name yet.
      const uploaded = await store.putTokenImage({ brandId: "brand-a", collection: MINE, tokenId: "3", contentType: "image/png", bytes: PNG, now: NOW });
      expect(uploaded).toMatchObject({ name: null, description: "", imageUrl: null, attributes: {}, image: { contentType: "image/png", sha256: sha(PNG), size: PNG.length } });
      const image = await store.getTokenImage(MINE, "3");
      expect(image).toMatchObject({ contentType: "image/png", sha256: sha(PNG), size: PNG.length, updatedAt: NOW });
      expect([...image!.bytes]).toEqual([...PNG]);

      // Words without a URL keep the picture.
      expect(await store.putTokenMetadata(metadata())).toMatchObject({ name: "Journey stamp", image: { sha256: sha(PNG) } });
      // A URL replaces it.
      expect(await store.putTokenMetadata(metadata({ imageUrl: "https://cdn.example/a.png" }))).toMatchObject({ imageUrl: "https://cdn.example/a.png", image: null });
      expect(await store.getTokenImage(MINE, "3")).toBeNull();
      // A new upload replaces the URL and keeps the words.
      const again = await store.putTokenImage({ brandId: "brand-a", collection: MINE, tokenId: "3", contentType: "image/gif", bytes: GIF, now: LATER });
      expect(again).toMatchObject({ name: "Journey stamp", imageUrl: null, image: { contentType: "image/gif", sha256: sha(GIF), size: GIF.length }, updatedAt: LATER });
      expect([...(await store.getTokenImage(mine, "3"))!.bytes]).toEqual([...GIF]);
    });

    it("keeps a 512 KiB picture intact", async () => {
      const big = new Uint8Array(512 * 1024).map((_, i) => (i * 7919) & 0xff);
      await store.putTokenImage({ brandId: "brand-a", collection: MINE, tokenId: "9", contentType: "image/webp", bytes: big, now: NOW });
      const read = await store.getTokenImage(MINE, "9");
      expect(read!.size).toBe(big.length);
      expect(sha(read!.bytes)).toBe(sha(big));
    });

    it("lists the metadata of several collections at once, by collection then numeric token id", async () => {
      for (const tokenId of ["10", "2", "1"]) await store.putTokenMetadata(metadata({ tokenId, name: `T${tokenId}` }));
      await store.putTokenMetadata(metadata({ brandId: "brand-b", collection: THEIRS, tokenId: "1", name: "Theirs" }));
      const listed = await store.listTokenMetadata([THEIRS, MINE, MINE]);
      expect(listed.map((m) => `${m.collection}:${m.tokenId}:${m.name}`)).toEqual([`${mine}:1:T1`, `${mine}:2:T2`, `${mine}:10:T10`, `${THEIRS}:1:Theirs`]);
      expect(await store.listTokenMetadata([])).toEqual([]);
      expect(await store.listTokenMetadata([`0x${"e".repeat(40)}`])).toEqual([]);
      // Lists of every length work (the statement is padded to a power of two).
      const many = Array.from({ length: 300 }, (_, i): Address => `0x${(i + 1).toString(16).padStart(40, "0")}`);
      expect(await store.listTokenMetadata([...many, MINE])).toHaveLength(3);
    });

    it("refuses malformed input with a StoreInputError and writes nothing", async () => {
      const bad: Record<string, unknown>[] = [
        { collection: "0x123" },
        { tokenId: "01" },
        { tokenId: (2n ** 256n).toString() },
        { name: "" },
        { name: "x".repeat(81) },
        { description: "x".repeat(2001) },
        { imageUrl: "javascript:alert(1)" },
        { imageUrl: "ftp://example.com/a.png" },
        { attributes: [] },
        { attributes: { a: { nested: true } } },
        { attributes: { a: Number.NaN } },
        { attributes: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, i])) },
        { now: "yesterday" },
      ];
      for (const fields of bad) await expect(store.putTokenMetadata(metadata(fields)), JSON.stringify(fields)).rejects.toBeInstanceOf(StoreInputError);
      await expect(store.putTokenImage({ brandId: "brand-a", collection: MINE, tokenId: "3", contentType: "image/svg+xml" as "image/png", bytes: PNG, now: NOW })).rejects.toBeInstanceOf(StoreInputError);
      await expect(store.putTokenImage({ brandId: "brand-a", collection: MINE, tokenId: "3", contentType: "image/png", bytes: new Uint8Array(), now: NOW })).rejects.toBeInstanceOf(StoreInputError);
      expect(await store.listTokenMetadata([MINE])).toEqual([]);
    });

    it("replaces a brand's levels, lowest first; other brands' stay", async () => {
      expect(await store.getLevels("brand-a")).toEqual([]);
      const levels = [
        { key: "green", name: "Green", minPoints: 10 },
        { key: "gold", name: "Gold", minPoints: 150 },
        { key: "black", name: "Black", minPoints: 1e15 },
      ];
      expect(await store.setLevels("brand-a", levels, NOW)).toEqual(levels);
      await store.setLevels("brand-b", [{ key: "gold", name: "B Gold", minPoints: 0 }], NOW);
      expect(await store.getLevels("brand-a")).toEqual(levels);
      // Replacing may reuse keys and thresholds in a new arrangement.
      const next = [
        { key: "gold", name: "Gold", minPoints: 10 },
        { key: "green", name: "Green", minPoints: 150 },
      ];
      await store.setLevels("brand-a", next, LATER);
      expect(await store.getLevels("brand-a")).toEqual(next);
      expect(await store.getLevels("brand-b")).toEqual([{ key: "gold", name: "B Gold", minPoints: 0 }]);
      await store.setLevels("brand-a", [], LATER);
      expect(await store.getLevels("brand-a")).toEqual([]);
    });

    it("refuses malformed levels, and an unknown brand, changing nothing", async () => {
      const good = [{ key: "gold", name: "Gold", minPoints: 5 }];
      await store.setLevels("brand-a", good, NOW);
      const bad = [
        [{ key: "Gold", name: "Gold", minPoints: 1 }],
        [{ key: "", name: "Gold", minPoints: 1 }],
        [{ key: "g".repeat(33), name: "Gold", minPoints: 1 }],
        [{ key: "gold", name: " ", minPoints: 1 }],
        [{ key: "gold", name: "x".repeat(41), minPoints: 1 }],
        [{ key: "gold", name: "Gold", minPoints: -1 }],
        [{ key: "gold", name: "Gold", minPoints: 1.5 }],
        [{ key: "gold", name: "Gold", minPoints: 1e15 + 1 }],
        [
          { key: "a", name: "A", minPoints: 1 },
          { key: "a", name: "B", minPoints: 2 },
        ],
        [
          { key: "a", name: "A", minPoints: 2 },
          { key: "b", name: "B", minPoints: 2 },
        ],
        Array.from({ length: 21 }, (_, i) => ({ key: `l${i}`, name: `L${i}`, minPoints: i })),
      ];
      for (const levels of bad) await expect(store.setLevels("brand-a", levels, LATER), JSON.stringify(levels).slice(0, 80)).rejects.toBeInstanceOf(StoreInputError);
      await expect(store.setLevels("brand-nope", good, LATER)).rejects.toBeInstanceOf(StoreInputError);
      expect(await store.getLevels("brand-a")).toEqual(good);
    });
  });
};
