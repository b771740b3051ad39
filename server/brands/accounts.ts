/** Brands and their API keys. A key is shown once, at creation; only its SHA-256 hash is stored. */
import { newApiKey } from "../auth/tokens.ts";
import { Problem } from "../errors.ts";
import { newId, sha256Hex, toTimestamp, type Store } from "../storage/index.ts";
import type { Brand } from "./types.ts";

export async function createBrand(store: Store, name: string): Promise<Brand> {
  return store.createBrand({ id: `brand_${newId().replaceAll("-", "").slice(0, 16)}`, name, createdAt: toTimestamp() });
}

/** Issues a new API key for `brandId` and returns it in clear, for the one time it is shown. */
export async function issueApiKey(store: Store, brandId: string, label: string): Promise<{ id: string; key: string }> {
  const key = newApiKey();
  const id = `key_${newId().replaceAll("-", "").slice(0, 16)}`;
  await store.createApiKey({ id, brandId, keyHash: sha256Hex(key), label, createdAt: toTimestamp() });
  return { id, key };
}

export type BrandAccounts = {
  list(): Promise<Brand[]>;
  create(name: string): Promise<Brand>;
  /** A new key for an existing brand (404 brand_not_found otherwise), in clear this once. */
  issueKey(brandId: string, label: string): Promise<{ id: string; key: string }>;
};

export function createBrandAccounts(store: Store): BrandAccounts {
  return {
    list: () => store.listBrands(),
    create: (name) => createBrand(store, name),
    async issueKey(brandId, label) {
      if ((await store.getBrand(brandId)) === null) throw new Problem(404, "brand_not_found", "No such brand", `brand ${brandId}`);
      return issueApiKey(store, brandId, label);
    },
  };
}
