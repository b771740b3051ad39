import { createHash } from "node:crypto";
import type { Address } from "viem";
import { IMAGE_TYPES, MAX_ATTRIBUTE_KEY_LENGTH, MAX_ATTRIBUTE_TEXT_LENGTH, MAX_ATTRIBUTES, MAX_DESCRIPTION_LENGTH, MAX_IMAGE_URL_LENGTH, MAX_NAME_LENGTH } from "../../../sdk/src/protocol/catalog.ts";
import type { AttributeValue, CatalogStore, ImageType, PutTokenImageInput, PutTokenMetadataInput, TokenImage, TokenMetadata } from "../../catalog/types.ts";
import type { Level } from "../../loyalty/types.ts";
import { levelListError } from "../../../sdk/src/protocol/level-list.ts";
import { StoreInputError } from "../errors.ts";
import type { Timestamp } from "../time.ts";
import { requireAddress, requireKey, requireOneOf, requireText, requireTimestamp, requireUintString } from "../validate.ts";
import type { SqlDatabase, SqlExecutor } from "./database.ts";

interface TokenMetadataRow {
  collection: string;
  token_id: string;
  brand_id: string;
  name: string | null;
  description: string;
  image_url: string | null;
  attributes: string;
  image_type: string | null;
  image_sha256: string | null;
  image_size: number | null;
  updated_at: string;
}

interface TokenImageRow {
  image_type: string;
  image_sha256: string;
  image_size: number;
  image: Uint8Array;
  image_at: string;
}

interface LevelRow {
  level_key: string;
  name: string;
  min_points: number;
}

const metadataColumns = "collection, token_id, brand_id, name, description, image_url, attributes, image_type, image_sha256, image_size, updated_at";

function toTokenMetadata(row: TokenMetadataRow): TokenMetadata {
  return {
    collection: row.collection as Address,
    tokenId: row.token_id,
    brandId: row.brand_id,
    name: row.name,
    description: row.description,
    imageUrl: row.image_url,
    attributes: JSON.parse(row.attributes) as Record<string, AttributeValue>,
    image: row.image_type === null ? null : { contentType: row.image_type as ImageType, sha256: row.image_sha256!, size: Number(row.image_size) },
    updatedAt: row.updated_at,
  };
}

const toLevel = (row: LevelRow): Level => ({ key: row.level_key, name: row.name, minPoints: Number(row.min_points) });

/** Token ids sort as numbers. */
const byCollectionAndToken = (a: TokenMetadata, b: TokenMetadata) =>
  a.collection < b.collection ? -1 : a.collection > b.collection ? 1 : a.tokenId.length - b.tokenId.length || (a.tokenId < b.tokenId ? -1 : a.tokenId > b.tokenId ? 1 : 0);

/** Collections per listing statement. */
const LIST_CHUNK = 256;

/**
 * `column IN (?, …)` for `values`, padded (by repeating the last value) to a power of two, so that
 * lists of any length share a handful of statements (PostgreSQL prepares each text once per connection).
 */
function inList(values: readonly string[]): { sql: string; params: string[] } {
  let size = 1;
  while (size < values.length) size *= 2;
  const params = [...values, ...Array<string>(size - values.length).fill(values.at(-1)!)];
  return { sql: `(${params.map(() => "?").join(", ")})`, params };
}

function requireName(value: unknown): string {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_NAME_LENGTH) throw new StoreInputError("name", `expected 1-${MAX_NAME_LENGTH} characters`);
  return value;
}

function requireImageUrl(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== "string" || value.length > MAX_IMAGE_URL_LENGTH || !/^https?:\/\/./i.test(value) || !URL.canParse(value)) {
    throw new StoreInputError("imageUrl", `expected null or an http(s) URL of at most ${MAX_IMAGE_URL_LENGTH} characters`);
  }
  return value;
}

function requireAttributes(value: unknown): Record<string, AttributeValue> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new StoreInputError("attributes", "expected an object");
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_ATTRIBUTES) throw new StoreInputError("attributes", `at most ${MAX_ATTRIBUTES} attributes`);
  for (const [key, item] of entries) {
    if (key.length === 0 || key.length > MAX_ATTRIBUTE_KEY_LENGTH) throw new StoreInputError("attributes", `names of 1-${MAX_ATTRIBUTE_KEY_LENGTH} characters`);
    const ok =
      typeof item === "boolean" || (typeof item === "number" && Number.isFinite(item)) || (typeof item === "string" && item.length <= MAX_ATTRIBUTE_TEXT_LENGTH);
    if (!ok) throw new StoreInputError(`attributes.${key}`, `expected text of at most ${MAX_ATTRIBUTE_TEXT_LENGTH} characters, a finite number or a boolean`);
  }
  return Object.fromEntries(entries) as Record<string, AttributeValue>;
}

/** Whether `brandId` registered `collection`: only the owner writes a collection's metadata. */
async function owns(tx: SqlExecutor, brandId: string, collection: string): Promise<boolean> {
  return (await tx.get("SELECT 1 AS owned FROM brand_collections WHERE collection = ? AND brand_id = ?", collection, brandId)) !== undefined;
}

/** Token metadata (names, pictures) and brands' levels. */
export function createCatalogStore(db: SqlDatabase): CatalogStore {
  return {
    async putTokenMetadata(input: PutTokenMetadataInput): Promise<TokenMetadata | null> {
      const brandId = requireKey("brandId", input.brandId);
      const collection = requireAddress("collection", input.collection);
      const tokenId = requireUintString("tokenId", input.tokenId);
      const name = requireName(input.name);
      const description = requireText("description", input.description);
      if (description.length > MAX_DESCRIPTION_LENGTH) throw new StoreInputError("description", `at most ${MAX_DESCRIPTION_LENGTH} characters`);
      const imageUrl = requireImageUrl(input.imageUrl);
      const attributes = JSON.stringify(requireAttributes(input.attributes));
      const now = requireTimestamp("now", input.now);
      return db.transaction(async (tx) => {
        if (!(await owns(tx, brandId, collection))) return null;
        // A picture URL replaces an uploaded picture; without one, the uploaded picture stays.
        const row = await tx.get<TokenMetadataRow>(
          `INSERT INTO token_metadata (collection, token_id, brand_id, name, description, image_url, attributes, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (collection, token_id) DO UPDATE SET
             brand_id = excluded.brand_id, name = excluded.name, description = excluded.description, image_url = excluded.image_url,
             attributes = excluded.attributes, updated_at = excluded.updated_at,
             image_type = CASE WHEN excluded.image_url IS NULL THEN token_metadata.image_type END,
             image_sha256 = CASE WHEN excluded.image_url IS NULL THEN token_metadata.image_sha256 END,
             image_size = CASE WHEN excluded.image_url IS NULL THEN token_metadata.image_size END,
             image = CASE WHEN excluded.image_url IS NULL THEN token_metadata.image END,
             image_at = CASE WHEN excluded.image_url IS NULL THEN token_metadata.image_at END
           RETURNING ${metadataColumns}`,
          collection,
          tokenId,
          brandId,
          name,
          description,
          imageUrl,
          attributes,
          now,
        );
        return toTokenMetadata(row!);
      });
    },

    async putTokenImage(input: PutTokenImageInput): Promise<TokenMetadata | null> {
      const brandId = requireKey("brandId", input.brandId);
      const collection = requireAddress("collection", input.collection);
      const tokenId = requireUintString("tokenId", input.tokenId);
      const contentType = requireOneOf("contentType", input.contentType, IMAGE_TYPES);
      if (!(input.bytes instanceof Uint8Array) || input.bytes.length === 0) throw new StoreInputError("bytes", "expected the picture's bytes");
      const bytes = input.bytes;
      const sha256 = createHash("sha256").update(bytes).digest("hex");
      const now = requireTimestamp("now", input.now);
      return db.transaction(async (tx) => {
        if (!(await owns(tx, brandId, collection))) return null;
        const row = await tx.get<TokenMetadataRow>(
          `INSERT INTO token_metadata (collection, token_id, brand_id, name, description, image_url, attributes, image_type, image_sha256, image_size, image, image_at, updated_at)
           VALUES (?, ?, ?, NULL, '', NULL, '{}', ?, ?, ?, ?, ?, ?)
           ON CONFLICT (collection, token_id) DO UPDATE SET
             brand_id = excluded.brand_id, image_url = NULL, image_type = excluded.image_type, image_sha256 = excluded.image_sha256,
             image_size = excluded.image_size, image = excluded.image, image_at = excluded.image_at, updated_at = excluded.updated_at
           RETURNING ${metadataColumns}`,
          collection,
          tokenId,
          brandId,
          contentType,
          sha256,
          bytes.length,
          bytes,
          now,
          now,
        );
        return toTokenMetadata(row!);
      });
    },

    async getTokenMetadata(collection: Address, tokenId: string): Promise<TokenMetadata | null> {
      const row = await db.get<TokenMetadataRow>(
        `SELECT ${metadataColumns} FROM token_metadata WHERE collection = ? AND token_id = ?`,
        requireAddress("collection", collection),
        requireUintString("tokenId", tokenId),
      );
      return row === undefined ? null : toTokenMetadata(row);
    },

    async listTokenMetadata(collections: readonly Address[]): Promise<TokenMetadata[]> {
      const wanted = [...new Set(collections.map((c, i) => requireAddress(`collections[${i}]`, c)))];
      const found: TokenMetadata[] = [];
      for (let i = 0; i < wanted.length; i += LIST_CHUNK) {
        const list = inList(wanted.slice(i, i + LIST_CHUNK));
        const rows = await db.all<TokenMetadataRow>(`SELECT ${metadataColumns} FROM token_metadata WHERE collection IN ${list.sql}`, ...list.params);
        found.push(...rows.map(toTokenMetadata));
      }
      return found.sort(byCollectionAndToken);
    },

    async getTokenImage(collection: Address, tokenId: string): Promise<TokenImage | null> {
      const row = await db.get<TokenImageRow>(
        "SELECT image_type, image_sha256, image_size, image, image_at FROM token_metadata WHERE collection = ? AND token_id = ? AND image IS NOT NULL",
        requireAddress("collection", collection),
        requireUintString("tokenId", tokenId),
      );
      if (row === undefined) return null;
      return { contentType: row.image_type as ImageType, sha256: row.image_sha256, size: Number(row.image_size), bytes: new Uint8Array(row.image), updatedAt: row.image_at };
    },

    async setLevels(brandId: string, levels: readonly Level[], now: Timestamp): Promise<Level[]> {
      requireKey("brandId", brandId);
      requireTimestamp("now", now);
      const error = levelListError(levels);
      if (error !== null) throw new StoreInputError(`levels${error.path.replaceAll("/", ".")}`, error.message);
      const records = levels.map(({ key, name, minPoints }) => ({ key, name, minPoints }));
      await db.transaction(async (tx) => {
        if ((await tx.get("SELECT 1 AS found FROM brands WHERE id = ?", brandId)) === undefined) throw new StoreInputError("brandId", `no brand ${JSON.stringify(brandId)}`);
        await tx.run("DELETE FROM brand_levels WHERE brand_id = ?", brandId);
        for (const level of records) {
          await tx.run("INSERT INTO brand_levels (brand_id, level_key, name, min_points, updated_at) VALUES (?, ?, ?, ?, ?)", brandId, level.key, level.name, level.minPoints, now);
        }
      });
      return records;
    },

    async getLevels(brandId: string): Promise<Level[]> {
      return (await db.all<LevelRow>("SELECT level_key, name, min_points FROM brand_levels WHERE brand_id = ? ORDER BY min_points", String(brandId))).map(toLevel);
    },
  };
}
