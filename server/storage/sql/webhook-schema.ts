/**
 * Schema of brands' webhook endpoints (SQLite migration 19, PostgreSQL migration 15). Never edit once
 * released.
 *
 * - `webhook_endpoints`: each endpoint of a brand: where, which event types (JSON array), on or off
 *   (and why the server turned it off), its signing secret sealed, and during a rotation the previous
 *   sealed secret with the time it stops signing. Deleted endpoints keep their row (`deleted_at`) so
 *   the deliveries that name them stay readable.
 *
 * (No comments inside the SQL: the PostgreSQL migration runner splits statements at semicolons.)
 */
const sql = (postgres: boolean) => {
  const text = postgres ? `TEXT COLLATE "C"` : "TEXT";
  const strict = postgres ? "" : " STRICT";
  return `
      CREATE TABLE webhook_endpoints (
        id                   ${text} PRIMARY KEY,
        brand_id             ${text} NOT NULL REFERENCES brands (id),
        url                  TEXT NOT NULL,
        events               TEXT NOT NULL,
        description          TEXT NOT NULL,
        enabled              INTEGER NOT NULL,
        disabled_reason      TEXT,
        secret               TEXT NOT NULL,
        previous_secret      TEXT,
        previous_valid_until ${text},
        created_at           ${text} NOT NULL,
        updated_at           ${text} NOT NULL,
        deleted_at           ${text}
      )${strict};
      CREATE INDEX webhook_endpoints_by_brand ON webhook_endpoints (brand_id, created_at);
    `;
};

export const webhookSchema = { sqlite: sql(false), postgres: sql(true) };
