/** Brands and their API keys. A key is shown once, at creation; only its SHA-256 hash is stored. */
import { newApiKey } from "../auth/tokens.ts";
import { newId, sha256Hex, toTimestamp, type Brand, type Store } from "../storage/index.ts";

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

