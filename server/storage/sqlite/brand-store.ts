import type { ApiKey, Brand, BrandCollection, BrandMinter, NewApiKey, RegisterCollectionInput, RegisterCollectionResult } from "../../brands/types.ts";
import type { BrandStore } from "../store.ts";
import type { Timestamp } from "../time.ts";
import { requireAddress, requireKey, requireOneOf, requireSha256Hex, requireText, requireTimestamp } from "../validate.ts";
import type { SqliteDatabase } from "./database.ts";
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

// Registration nonces share the used-nonce table with sign-in, under their own prefix.
const REGISTRATION_NONCE_PREFIX = "collection-registration:";

/** Brands, API keys, owned collections and minters on SQLite. */
export function createSqliteBrandStore(db: SqliteDatabase): BrandStore {

  return {
    async createBrand(brand: Brand): Promise<Brand> {
      const record: Brand = { id: requireKey("id", brand.id), name: requireText("name", brand.name), createdAt: requireTimestamp("createdAt", brand.createdAt) };
      db.write(() => db.run(`INSERT INTO brands (${brandColumns}) VALUES (?, ?, ?)`, record.id, record.name, record.createdAt));
      return record;
    },

    async getBrand(id: string): Promise<Brand | null> {
      const row = db.get<BrandRow>(`SELECT ${brandColumns} FROM brands WHERE id = ?`, String(id));
      return row === undefined ? null : toBrand(row);
    },

    async listBrands(): Promise<Brand[]> {
      return db.all<BrandRow>(`SELECT ${brandColumns} FROM brands ORDER BY created_at, id`).map(toBrand);
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
      db.write(() =>
        db.run("INSERT INTO api_keys (id, brand_id, key_hash, label, created_at) VALUES (?, ?, ?, ?, ?)", record.id, record.brandId, keyHash, record.label, record.createdAt),
      );
      return record;
    },

    async listApiKeys(brandId: string): Promise<ApiKey[]> {
      return db.all<ApiKeyRow>(`SELECT ${apiKeyColumns} FROM api_keys WHERE brand_id = ? ORDER BY created_at, id`, String(brandId)).map(toApiKey);
    },

    async findBrandByApiKeyHash(keyHash: string): Promise<Brand | null> {
      const row = db.get<BrandRow>(
        `SELECT b.id, b.name, b.created_at FROM api_keys k JOIN brands b ON b.id = k.brand_id
         WHERE k.key_hash = ? AND k.revoked_at IS NULL`,
        String(keyHash),
      );
      return row === undefined ? null : toBrand(row);
    },

    async revokeApiKey(brandId: string, id: string, now: Timestamp): Promise<boolean> {
      requireTimestamp("now", now);
      return db.write(() => db.run("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND brand_id = ? AND revoked_at IS NULL", now, String(id), String(brandId)) === 1);
    },

    async registerCollection(input: RegisterCollectionInput): Promise<RegisterCollectionResult> {
      const brandId = requireKey("brandId", input.brandId);
      const collection = requireAddress("collection", input.collection);
      const admin = requireAddress("admin", input.admin);
      const nonce = REGISTRATION_NONCE_PREFIX + requireKey("nonce", input.nonce);
      const nonceExpiresAt = requireTimestamp("nonceExpiresAt", input.nonceExpiresAt);
      const now = requireTimestamp("now", input.now);
      return db.write((): RegisterCollectionResult => {
        // The nonce is used up durably, in the same transaction, whatever the outcome: a signature registers once.
        if (db.run("INSERT OR IGNORE INTO used_nonces (nonce, expires_at) VALUES (?, ?)", nonce, nonceExpiresAt) === 0) return { status: "replayed" };
        const existing = db.get<BrandCollectionRow>(`SELECT ${brandCollectionColumns} FROM brand_collections WHERE collection = ?`, collection);
        if (existing !== undefined) {
          return existing.brand_id === brandId ? { status: "already_registered", collection: toBrandCollection(existing) } : { status: "taken", brandId: existing.brand_id };
        }
        const record: BrandCollection = { collection, brandId, admin, registeredAt: now };
        db.run(`INSERT INTO brand_collections (${brandCollectionColumns}) VALUES (?, ?, ?, ?)`, collection, brandId, admin, now);
        return { status: "registered", collection: record };
      });
    },

    async listCollections(query: { brandId?: string } = {}): Promise<BrandCollection[]> {
      const rows =
        query.brandId === undefined
          ? db.all<BrandCollectionRow>(`SELECT ${brandCollectionColumns} FROM brand_collections ORDER BY registered_at, collection`)
          : db.all<BrandCollectionRow>(`SELECT ${brandCollectionColumns} FROM brand_collections WHERE brand_id = ? ORDER BY registered_at, collection`, String(query.brandId));
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
      db.write(() =>
        db.run(
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
      const row = db.get<BrandMinterRow>(`SELECT ${brandMinterColumns} FROM brand_minters WHERE brand_id = ?`, String(brandId));
      return row === undefined ? null : toBrandMinter(row);
    },
  };
}
