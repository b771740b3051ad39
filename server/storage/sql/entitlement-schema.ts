/**
 * Schema of entitlement signing keys (SQLite migration 16, PostgreSQL migration 12). Never edit once released.
 *
 * `entitlement_keys`: one row per generation; the primary key on the generation is what makes two
 * instances that rotate at once agree on one new key (the second insert finds the generation taken).
 *
 * (No comments inside the SQL: the PostgreSQL migration runner splits statements at semicolons.)
 */
const sql = (postgres: boolean) => {
  const id = postgres ? `TEXT COLLATE "C"` : "TEXT";
  const strict = postgres ? "" : " STRICT";
  return `
      CREATE TABLE entitlement_keys (
        generation         INTEGER PRIMARY KEY CHECK (generation >= 1),
        kid                ${id} NOT NULL UNIQUE,
        public_jwk         TEXT NOT NULL,
        sealed_private_key TEXT NOT NULL,
        created_at         ${id} NOT NULL
      )${strict};
    `;
};

export const entitlementSchema = { sqlite: sql(false), postgres: sql(true) };
