/**
 * Schema of token metadata and levels (SQLite migration 7, PostgreSQL migration 3). Never edit once released.
 *
 * `token_metadata` holds one row per token type a brand described: its words (a row made by a
 * picture upload alone has no name yet) and its uploaded picture, bytes included, so every instance
 * serves the same picture without shared files. `brand_levels` holds each brand's named thresholds.
 */
// PostgreSQL compares ids and timestamps as bytes (COLLATE "C"), as the rest of its schema does.
const sql = (postgres: boolean) => {
  const id = postgres ? `TEXT COLLATE "C"` : "TEXT";
  const strict = postgres ? "" : " STRICT";
  const bytes = postgres ? "BYTEA" : "BLOB";
  const bigint = postgres ? "BIGINT" : "INTEGER";
  return `
      CREATE TABLE token_metadata (
        collection    ${id} NOT NULL,
        token_id      ${id} NOT NULL,
        brand_id      ${id} NOT NULL REFERENCES brands (id),
        name          TEXT,
        description   TEXT NOT NULL,
        image_url     TEXT,
        attributes    TEXT NOT NULL,
        image_type    ${id} CHECK (image_type IN ('image/png', 'image/jpeg', 'image/webp', 'image/gif')),
        image_sha256  ${id},
        image_size    ${bigint},
        image         ${bytes},
        image_at      ${id},
        updated_at    ${id} NOT NULL,
        PRIMARY KEY (collection, token_id),
        CHECK ((image IS NULL) = (image_type IS NULL) AND (image IS NULL) = (image_sha256 IS NULL))
      )${strict};

      CREATE TABLE brand_levels (
        brand_id    ${id} NOT NULL REFERENCES brands (id),
        level_key   ${id} NOT NULL,
        name        TEXT NOT NULL,
        min_points  ${bigint} NOT NULL CHECK (min_points >= 0),
        updated_at  ${id} NOT NULL,
        PRIMARY KEY (brand_id, level_key),
        UNIQUE (brand_id, min_points)
      )${strict};
    `;
};

export const catalogSchema = { sqlite: sql(false), postgres: sql(true) };
