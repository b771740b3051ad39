import type { ApiKey, Brand, BrandCollection, BrandMinter, NewApiKey, RegisterCollectionInput, RegisterCollectionResult } from "../../brands/types.ts";
import type { BrandStore } from "../store.ts";
import type { Timestamp } from "../time.ts";
import { requireAddress, requireKey, requireOneOf, requireSha256Hex, requireText, requireTimestamp } from "../validate.ts";
import type { SqlDatabase } from "./database.ts";
import {
  apiKeyColumns,
  brandCollectionColumns,
  brandColumns,
  brandMinterColumns,
  toApiKey,
  toBrand,
  toBrandCollection,
  toBrandMinter,
  type ApiKeyRow,
  type BrandCollectionRow,
  type BrandMinterRow,
  type BrandRow,
} from "./rows.ts";

// Registration nonces share the used-nonce table with sign-in, under their own prefix (sign-in
// nonces never hold a colon).
const REGISTRATION_NONCE_PREFIX = "collection-registration:";

/** Brands, API keys, owned collections and minters. */
export function createBrandStore(db: SqlDatabase): BrandStore {
  return {
    async createBrand(brand: Brand): Promise<Brand> {
      const record: Brand = { id: requireKey("id", brand.id), name: requireText("name", brand.name), createdAt: requireTimestamp("createdAt", brand.createdAt) };
      await db.transaction((tx) => tx.run(`INSERT INTO brands (${brandColumns}) VALUES (?, ?, ?)`, record.id, record.name, record.createdAt));
      return record;
    },

    async getBrand(id: string): Promise<Brand | null> {
      const row = await db.get<BrandRow>(`SELECT ${brandColumns} FROM brands WHERE id = ?`, String(id));
      return row === undefined ? null : toBrand(row);
    },

    async listBrands(): Promise<Brand[]> {
      return (await db.all<BrandRow>(`SELECT ${brandColumns} FROM brands ORDER BY created_at, id`)).map(toBrand);
    },

    async createApiKey(key: NewApiKey): Promise<ApiKey> {
      const record: ApiKey = {
        id: requireKey("id", key.id),
        brandId: requireKey("brandId", key.brandId),
        label: requireText("label", key.label),
        createdAt: requireTimestamp("createdAt", key.createdAt),
        revokedAt: null,
      };
      const keyHash = requireSha256Hex("keyHash", key.keyHash);
      await db.transaction((tx) =>
        tx.run("INSERT INTO api_keys (id, brand_id, key_hash, label, created_at) VALUES (?, ?, ?, ?, ?)", record.id, record.brandId, keyHash, record.label, record.createdAt),
      );
      return record;
    },

    async listApiKeys(brandId: string): Promise<ApiKey[]> {
      return (await db.all<ApiKeyRow>(`SELECT ${apiKeyColumns} FROM api_keys WHERE brand_id = ? ORDER BY created_at, id`, String(brandId))).map(toApiKey);
    },

    async findBrandByApiKeyHash(keyHash: string): Promise<Brand | null> {
      const row = await db.get<BrandRow>(
        `SELECT b.id, b.name, b.created_at FROM api_keys k JOIN brands b ON b.id = k.brand_id
         WHERE k.key_hash = ? AND k.revoked_at IS NULL`,
        String(keyHash),
      );
      return row === undefined ? null : toBrand(row);
    },

    async revokeApiKey(brandId: string, id: string, now: Timestamp): Promise<boolean> {
      requireTimestamp("now", now);
      return db.transaction(async (tx) => (await tx.run("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND brand_id = ? AND revoked_at IS NULL", now, String(id), String(brandId))) === 1);
    },

    async registerCollection(input: RegisterCollectionInput): Promise<RegisterCollectionResult> {
      const brandId = requireKey("brandId", input.brandId);
      const collection = requireAddress("collection", input.collection);
      const admin = requireAddress("admin", input.admin);
      const nonce = REGISTRATION_NONCE_PREFIX + requireKey("nonce", input.nonce);
      const nonceExpiresAt = requireTimestamp("nonceExpiresAt", input.nonceExpiresAt);
      const now = requireTimestamp("now", input.now);
      return db.transaction(async (tx): Promise<RegisterCollectionResult> => {
        // The nonce is used up durably, in the same transaction, whatever the outcome: a signature registers once.
        if ((await tx.run("INSERT INTO used_nonces (nonce, expires_at) VALUES (?, ?) ON CONFLICT DO NOTHING", nonce, nonceExpiresAt)) === 0) return { status: "replayed" };
        // One owner per collection: whoever inserts first owns it (a concurrent insert waits, then does nothing).
        const inserted = await tx.run(`INSERT INTO brand_collections (${brandCollectionColumns}) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, collection, brandId, admin, now);
        const owner = (await tx.get<BrandCollectionRow>(`SELECT ${brandCollectionColumns} FROM brand_collections WHERE collection = ?`, collection))!;
        if (inserted === 1) return { status: "registered", collection: toBrandCollection(owner) };
        return owner.brand_id === brandId ? { status: "already_registered", collection: toBrandCollection(owner) } : { status: "taken", brandId: owner.brand_id };
      });
    },

    async listCollections(query: { brandId?: string } = {}): Promise<BrandCollection[]> {
      const rows =
        query.brandId === undefined
          ? await db.all<BrandCollectionRow>(`SELECT ${brandCollectionColumns} FROM brand_collections ORDER BY registered_at, collection`)
          : await db.all<BrandCollectionRow>(`SELECT ${brandCollectionColumns} FROM brand_collections WHERE brand_id = ? ORDER BY registered_at, collection`, String(query.brandId));
      return rows.map(toBrandCollection);
    },

    async setMinter(minter: BrandMinter): Promise<BrandMinter> {
      const record: BrandMinter = {
        brandId: requireKey("brandId", minter.brandId),
        address: requireAddress("address", minter.address),
        sealedKey: requireKey("sealedKey", minter.sealedKey),
        source: requireOneOf("source", minter.source, ["generated", "supplied"] as const),
        createdAt: requireTimestamp("createdAt", minter.createdAt),
      };
      await db.transaction((tx) =>
        tx.run(
          `INSERT INTO brand_minters (${brandMinterColumns}) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (brand_id) DO UPDATE SET address = excluded.address, sealed_key = excluded.sealed_key, source = excluded.source, created_at = excluded.created_at`,
          record.brandId,
          record.address,
          record.sealedKey,
          record.source,
          record.createdAt,
        ),
      );
      return record;
    },

    async getMinter(brandId: string): Promise<BrandMinter | null> {
      const row = await db.get<BrandMinterRow>(`SELECT ${brandMinterColumns} FROM brand_minters WHERE brand_id = ?`, String(brandId));
      return row === undefined ? null : toBrandMinter(row);
    },
  };
}
