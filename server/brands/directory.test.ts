/**
 * The collection directory's cache and its change hook: a registration here clears it and tells
 * `onChange` (app.ts broadcasts it); `forget` (another instance's registration) clears it quietly.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Address } from "viem";
import { SqliteStore, type Store } from "../storage/index.ts";
import { createBrand } from "./accounts.ts";
import { createCollectionDirectory } from "./directory.ts";

const COLLECTION = "0x00000000000000000000000000000000000000c1" as Address;

let store: Store;
afterEach(async () => store?.close());

/** Registers COLLECTION for a new brand, behind the directory's back (as another instance would). */
async function registerElsewhere(): Promise<string> {
  const brand = await createBrand(store, "Elsewhere");
  const now = new Date().toISOString();
  await store.registerCollection({ brandId: brand.id, collection: COLLECTION, admin: COLLECTION, nonce: `n-${brand.id}`, nonceExpiresAt: now, now });
  return brand.id;
}

describe("collection directory", () => {
  it("keeps its list for ttlMs; forget reads again without telling anyone, changed tells onChange", async () => {
    store = SqliteStore.open(":memory:");
    let told = 0;
    const directory = createCollectionDirectory({ store, configured: [], ttlMs: 60_000, onChange: () => told++ });
    expect(await directory.ownerOf(COLLECTION)).toBeNull();
    const brandId = await registerElsewhere();
    expect(await directory.ownerOf(COLLECTION)).toBeNull();
    directory.forget();
    expect(await directory.ownerOf(COLLECTION)).toBe(brandId);
    expect(told).toBe(0);
    directory.changed();
    expect(told).toBe(1);
  });

  it("a list read before a forget is not kept", async () => {
    store = SqliteStore.open(":memory:");
    let directory: ReturnType<typeof createCollectionDirectory> | null = null;
    let during: (() => Promise<void>) | null = null;
    const racing = new Proxy(store, {
      get(target, name, receiver) {
        if (name !== "listCollections") return Reflect.get(target, name, receiver);
        return async (query?: { brandId?: string }) => {
          const rows = await target.listCollections(query);
          const hook = during;
          during = null;
          await hook?.();
          return rows;
        };
      },
    });
    directory = createCollectionDirectory({ store: racing, configured: [], ttlMs: 60_000 });
    let brandId = "";
    during = async () => {
      brandId = await registerElsewhere();
      directory!.forget();
    };
    expect(await directory.ownerOf(COLLECTION)).toBeNull();
    expect(await directory.ownerOf(COLLECTION)).toBe(brandId);
  });
});
