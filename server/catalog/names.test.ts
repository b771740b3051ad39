import type { Address } from "viem";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { TokenTypeReader, TokenTypeInfo } from "../chain/token-types.ts";
import type { Store } from "../storage/index.ts";
import { createNameBook } from "./names.ts";
import type { TokenMetadata } from "./types.ts";

const A: Address = "0xAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAa";
const a = A.toLowerCase() as Address;
const B: Address = `0x${"b".repeat(40)}`;
const PUBLIC_URL = new URL("https://api.example/base/");

const type = (tokenId: bigint, kind: "membership" | "collectible", points = 0n): TokenTypeInfo => ({
  tokenId,
  kind,
  soulbound: false,
  consumable: false,
  points,
  uri: "",
  duration: 0,
  maxSupply: 0n,
  minted: 0n,
});

const meta = (collection: Address, tokenId: string, fields: Partial<TokenMetadata> = {}): TokenMetadata => ({
  collection,
  tokenId,
  brandId: "brand",
  name: null,
  description: "",
  imageUrl: null,
  attributes: {},
  image: null,
  updatedAt: "2026-01-01T00:00:00.000Z",
  ...fields,
});

function fakes() {
  const metadata: TokenMetadata[] = [];
  const types = new Map<string, TokenTypeInfo[]>([
    [a, [type(1n, "membership", 100n), type(2n, "collectible", 10n), type(3n, "collectible")]],
    [B, [type(1n, "collectible", 1n)]],
  ]);
  const failing = new Set<string>();
  const listTokenMetadata = vi.fn(async (collections: readonly Address[]) => metadata.filter((m) => collections.includes(m.collection)));
  const tokenTypes = vi.fn(async (collection: Address) => {
    if (failing.has(collection.toLowerCase())) throw new Error("chain down");
    return types.get(collection.toLowerCase()) ?? [];
  });
  const store = { listTokenMetadata } as unknown as Store;
  const catalog = { tokenTypes, tokenType: async () => null } as TokenTypeReader;
  return { metadata, types, failing, listTokenMetadata, tokenTypes, store, catalog };
}

describe("NameBook", () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ["Date"] }));
  afterEach(() => vi.useRealTimers());

  it("names types by the brand's name, else by their kind in words, with pictures and points", async () => {
    const f = fakes();
    f.metadata.push(meta(a, "1", { name: "Gold", description: "Member prices", imageUrl: "https://cdn.example/gold.png" }));
    f.metadata.push(meta(a, "2", { name: "Journey stamp", image: { contentType: "image/png", sha256: "ab".repeat(32), size: 10 } }));
    const book = createNameBook({ store: f.store, tokenTypes: f.catalog, publicUrl: PUBLIC_URL, ttlMs: 5_000 });
    const names = await book.names([A, B]);
    expect(names.label(A, 1n)).toEqual({ name: "Gold", description: "Member prices", kind: "membership", image: "https://cdn.example/gold.png", points: 100n });
    expect(names.label(a, 2n)).toEqual({ name: "Journey stamp", description: "", kind: "collectible", image: `https://api.example/base/v1/metadata/${a}/2/image?v=${"ab".repeat(8)}`, points: 10n });
    expect(names.label(A, 3n)).toEqual({ name: "Collectible", description: "", kind: "collectible", image: null, points: 0n });
    expect(names.label(B, 1n)).toMatchObject({ name: "Collectible", points: 1n });
    // No such type on chain: no label.
    expect(names.label(A, 4n)).toBeUndefined();
    expect(names.label(`0x${"c".repeat(40)}`, 1n)).toBeUndefined();
  });

  it("answers from memory while fresh: one store query for all collections, however many listings ask", async () => {
    const f = fakes();
    const book = createNameBook({ store: f.store, tokenTypes: f.catalog, publicUrl: PUBLIC_URL, ttlMs: 5_000 });
    await Promise.all(Array.from({ length: 50 }, () => book.names([A, B])));
    expect(f.listTokenMetadata).toHaveBeenCalledTimes(1);
    expect(f.listTokenMetadata).toHaveBeenCalledWith([a, B]);
    for (let i = 0; i < 100; i++) await book.names([B, A]);
    expect(f.listTokenMetadata).toHaveBeenCalledTimes(1);
    expect(f.tokenTypes).toHaveBeenCalledTimes(2);
    // After ttlMs the names are read again.
    vi.setSystemTime(Date.now() + 5_001);
    await book.names([A]);
    expect(f.listTokenMetadata).toHaveBeenCalledTimes(2);
  });

  it("forget() drops the cache: a brand's new name shows at once", async () => {
    const f = fakes();
    const book = createNameBook({ store: f.store, tokenTypes: f.catalog, publicUrl: PUBLIC_URL, ttlMs: 60_000 });
    expect((await book.names([A])).label(A, 1n)?.name).toBe("Membership");
    f.metadata.push(meta(a, "1", { name: "Gold" }));
    expect((await book.names([A])).label(A, 1n)?.name).toBe("Membership");
    book.forget();
    expect((await book.names([A])).label(A, 1n)?.name).toBe("Gold");
  });

  it("a read that started before forget() is not cached", async () => {
    const f = fakes();
    let release!: () => void;
    f.listTokenMetadata.mockImplementationOnce(async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return [];
    });
    const book = createNameBook({ store: f.store, tokenTypes: f.catalog, publicUrl: PUBLIC_URL, ttlMs: 60_000 });
    const early = book.names([A]);
    await vi.waitFor(() => expect(release).toBeTypeOf("function"));
    f.metadata.push(meta(a, "1", { name: "Gold" }));
    book.forget();
    release();
    expect((await early).label(A, 1n)?.name).toBe("Membership");
    expect((await book.names([A])).label(A, 1n)?.name).toBe("Gold");
  });

  it("never rejects: a collection the chain cannot read keeps its last labels and is retried within a second", async () => {
    const f = fakes();
    f.metadata.push(meta(a, "1", { name: "Gold" }));
    const book = createNameBook({ store: f.store, tokenTypes: f.catalog, publicUrl: PUBLIC_URL, ttlMs: 5_000 });
    f.failing.add(B);
    const first = await book.names([A, B]);
    expect(first.label(A, 1n)?.name).toBe("Gold");
    expect(first.label(B, 1n)).toBeUndefined();
    f.failing.delete(B);
    vi.setSystemTime(Date.now() + 1_001);
    expect((await book.names([B])).label(B, 1n)?.name).toBe("Collectible");

    // Later the chain fails again: the labels read before stay.
    vi.setSystemTime(Date.now() + 5_001);
    f.failing.add(a);
    expect((await book.names([A])).label(A, 1n)?.name).toBe("Gold");
    // So does a store failure.
    f.failing.clear();
    vi.setSystemTime(Date.now() + 1_001);
    f.listTokenMetadata.mockRejectedValueOnce(new Error("store down"));
    expect((await book.names([A])).label(A, 1n)?.name).toBe("Gold");
  });
});
