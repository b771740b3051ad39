/**
 * Schema of members' profiles, brands' data requests and members' signed grants (SQLite migration
 * 11, PostgreSQL migration 7). Never edit once released.
 *
 * `member_profiles`: one row per member address; every field may be NULL; `preferences` is a JSON
 * object of short strings and booleans.
 *
 * `data_requests`: a brand's request for some fields (a JSON array of field names), its purpose, how
 * many days the brand keeps what it gets, optionally the perk it unlocks; soft-deleted
 * (`deleted_at`) because grants point at it.
 *
 * `consents`: a member's grant of one request, with what was granted (fields, purpose) copied from
 * the request at signing, its expiry, its revocation, and its receipt: the EIP-4361 message exactly
 * as signed and the signature. `nonce` is unique: one grant per signed message.
 *
 * (No comments inside the SQL: the PostgreSQL migration runner splits statements at semicolons.)
 */
// PostgreSQL compares ids and timestamps as bytes (COLLATE "C"), as the rest of its schema does.
const sql = (postgres: boolean) => {
  const id = postgres ? `TEXT COLLATE "C"` : "TEXT";
  const strict = postgres ? "" : " STRICT";
  const json = (column: string) => (postgres ? "TEXT" : `TEXT CHECK (json_valid(${column}))`);
  return `
      CREATE TABLE member_profiles (
        address        ${id} PRIMARY KEY,
        email          TEXT,
        name           TEXT,
        birthday_month INTEGER CHECK (birthday_month BETWEEN 1 AND 12),
        birthday_day   INTEGER CHECK (birthday_day BETWEEN 1 AND 31),
        city           TEXT,
        preferences    ${json("preferences")} NOT NULL,
        updated_at     ${id} NOT NULL,
        CHECK ((birthday_month IS NULL) = (birthday_day IS NULL))
      )${strict};
      CREATE TABLE data_requests (
        id             ${id} PRIMARY KEY,
        brand_id       ${id} NOT NULL REFERENCES brands (id),
        fields         ${json("fields")} NOT NULL,
        purpose        TEXT NOT NULL,
        retention_days INTEGER NOT NULL CHECK (retention_days BETWEEN 1 AND 3650),
        perk_id        ${id},
        created_at     ${id} NOT NULL,
        deleted_at     ${id}
      )${strict};
      CREATE INDEX data_requests_brand ON data_requests (brand_id, created_at, id);
      CREATE TABLE consents (
        id          ${id} PRIMARY KEY,
        member      ${id} NOT NULL,
        brand_id    ${id} NOT NULL REFERENCES brands (id),
        request_id  ${id} NOT NULL REFERENCES data_requests (id),
        fields      ${json("fields")} NOT NULL,
        purpose     TEXT NOT NULL,
        granted_at  ${id} NOT NULL,
        expires_at  ${id} NOT NULL,
        revoked_at  ${id},
        nonce       ${id} NOT NULL UNIQUE,
        message     TEXT NOT NULL,
        signature   TEXT NOT NULL
      )${strict};
      CREATE INDEX consents_member ON consents (member, granted_at, id);
      CREATE INDEX consents_brand_member ON consents (brand_id, member, request_id);
    `;
};

export const consentSchema = { sqlite: sql(false), postgres: sql(true) };
