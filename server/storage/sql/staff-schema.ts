/**
 * Schema of brand staff (SQLite migration 10, PostgreSQL migration 6). Never edit once released.
 *
 * `staff`: the addresses an owner listed for a brand, with their role (`manager` or `till`; owners
 * are read from the chain, never stored), who gave it and when. One row per (brand, address).
 *
 * `members_first_seen`: the staff console previews rules against the most recently seen members.
 *
 * (No comments inside the SQL: the PostgreSQL migration runner splits statements at semicolons.)
 */
// PostgreSQL compares ids and timestamps as bytes (COLLATE "C"), as the rest of its schema does.
const sql = (postgres: boolean) => {
  const id = postgres ? `TEXT COLLATE "C"` : "TEXT";
  const strict = postgres ? "" : " STRICT";
  return `
      CREATE TABLE staff (
        brand_id   ${id} NOT NULL REFERENCES brands (id),
        address    ${id} NOT NULL,
        role       ${id} NOT NULL CHECK (role IN ('manager', 'till')),
        added_by   ${id} NOT NULL,
        added_at   ${id} NOT NULL,
        PRIMARY KEY (brand_id, address)
      )${strict};
      CREATE INDEX members_first_seen ON members (first_seen_at, address);
    `;
};

export const staffSchema = { sqlite: sql(false), postgres: sql(true) };
