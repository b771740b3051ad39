/**
 * PostgreSQL's schema, versioned like SQLite's (sqlite/migrations.ts) and kept in step with it: the
 * same tables and columns, in PostgreSQL's types. Version 1 is what SQLite reached in its versions 1
 * to 5 (there was no PostgreSQL store before); later changes are added to both lists (SQLite's 6 is
 * PostgreSQL's 2). A migration,
 * once released, is never edited.
 *
 * Ids and timestamps are `COLLATE "C"`: the store compares and pages on them as text, which must be
 * byte order (timestamps are fixed-width ISO-8601, so byte order is time order), not the locale's.
 */
import { awardSchema } from "../sql/award-schema.ts";
import { catalogSchema } from "../sql/catalog-schema.ts";
import { chainIndexSchema } from "../sql/chain-index-schema.ts";
import { delegationSchema } from "../sql/delegation-schema.ts";
import { webhookDeliverySchema } from "../sql/webhook-delivery-schema.ts";
import { webhookSchema } from "../sql/webhook-schema.ts";
import { consentSchema } from "../sql/consent-schema.ts";
import { entitlementSchema } from "../sql/entitlement-schema.ts";
import { memberDataSchema } from "../sql/member-data-schema.ts";
import type { SqlExecutor } from "../sql/database.ts";
import { journeySchema } from "../sql/journey-schema.ts";
import { staffSchema } from "../sql/staff-schema.ts";

export interface PostgresMigration {
  version: number;
  name: string;
  sql: string;
}

const id = `TEXT COLLATE "C"`;
const time = `TEXT COLLATE "C"`;

export const postgresMigrations: readonly PostgresMigration[] = [
  {
    version: 1,
    name: "initial",
    sql: `
      CREATE TABLE used_nonces (
        nonce      ${id} PRIMARY KEY,
        expires_at ${time} NOT NULL
      );
      CREATE INDEX used_nonces_expires_at ON used_nonces (expires_at);

      CREATE TABLE revoked_sessions (
        id         ${id} PRIMARY KEY,
        expires_at ${time} NOT NULL
      );
      CREATE INDEX revoked_sessions_expires_at ON revoked_sessions (expires_at);

      CREATE TABLE secrets (
        name       ${id} PRIMARY KEY,
        value      BYTEA NOT NULL,
        created_at ${time} NOT NULL
      );

      CREATE TABLE brands (
        id         ${id} PRIMARY KEY,
        name       TEXT NOT NULL,
        created_at ${time} NOT NULL
      );

      CREATE TABLE api_keys (
        id         ${id} PRIMARY KEY,
        brand_id   ${id} NOT NULL REFERENCES brands (id),
        key_hash   ${id} NOT NULL UNIQUE,
        label      TEXT NOT NULL,
        created_at ${time} NOT NULL,
        revoked_at ${time}
      );
      CREATE INDEX api_keys_brand ON api_keys (brand_id, created_at, id);

      CREATE TABLE offers (
        id               ${id} PRIMARY KEY,
        brand_id         ${id} NOT NULL REFERENCES brands (id),
        kind             ${id} NOT NULL CHECK (kind IN ('perk', 'drop')),
        title            TEXT NOT NULL,
        description      TEXT NOT NULL,
        rule             TEXT NOT NULL,
        tokens           TEXT NOT NULL,
        per_member_limit BIGINT CHECK (per_member_limit IS NULL OR per_member_limit >= 0),
        total_limit      BIGINT CHECK (total_limit IS NULL OR total_limit >= 0),
        starts_at        ${time},
        ends_at          ${time},
        reward           TEXT NOT NULL,
        created_at       ${time} NOT NULL,
        updated_at       ${time} NOT NULL,
        deleted_at       ${time},
        CHECK (starts_at IS NULL OR ends_at IS NULL OR starts_at < ends_at)
      );
      CREATE INDEX offers_kind_created ON offers (kind, created_at, id);
      CREATE INDEX offers_brand_kind_created ON offers (brand_id, kind, created_at, id);

      CREATE TABLE takes (
        id              ${id} PRIMARY KEY,
        offer_id        ${id} NOT NULL REFERENCES offers (id),
        brand_id        ${id} NOT NULL REFERENCES brands (id),
        kind            ${id} NOT NULL CHECK (kind IN ('perk', 'drop')),
        member          ${id} NOT NULL,
        idempotency_key ${id} NOT NULL,
        status          ${id} NOT NULL CHECK (status IN ('redeemed', 'pending', 'minted', 'issued', 'failed', 'expired')),
        reward          TEXT NOT NULL,
        code            ${id},
        consumed_at     ${time},
        tx_hash         ${id},
        tx_raw          TEXT,
        voucher         TEXT,
        error_code      TEXT,
        error_message   TEXT,
        created_at      ${time} NOT NULL,
        updated_at      ${time} NOT NULL
      );
      CREATE UNIQUE INDEX takes_member_idempotency ON takes (kind, member, idempotency_key);
      CREATE UNIQUE INDEX takes_code ON takes (code) WHERE code IS NOT NULL;
      CREATE INDEX takes_offer_member_status ON takes (offer_id, member, status);
      CREATE INDEX takes_offer_status ON takes (offer_id, status);
      CREATE INDEX takes_kind_member_created ON takes (kind, member, created_at, id);
      CREATE INDEX takes_kind_brand_created ON takes (kind, brand_id, created_at, id);
      CREATE INDEX takes_offer_created ON takes (offer_id, created_at, id);
      CREATE INDEX takes_kind_status_created ON takes (kind, status, created_at, id);

      CREATE TABLE brand_collections (
        collection    ${id} PRIMARY KEY,
        brand_id      ${id} NOT NULL REFERENCES brands (id),
        admin         ${id} NOT NULL,
        registered_at ${time} NOT NULL
      );
      CREATE INDEX brand_collections_brand ON brand_collections (brand_id, registered_at);

      CREATE TABLE brand_minters (
        brand_id   ${id} PRIMARY KEY REFERENCES brands (id),
        address    ${id} NOT NULL,
        sealed_key TEXT NOT NULL,
        source     ${id} NOT NULL CHECK (source IN ('generated', 'supplied')),
        created_at ${time} NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: "leases",
    sql: `
      CREATE TABLE leases (
        name       ${id} PRIMARY KEY,
        holder     ${id} NOT NULL,
        expires_at ${time} NOT NULL
      );
    `,
  },
  { version: 3, name: "token-metadata-and-levels", sql: catalogSchema.postgres },
  { version: 4, name: "journeys", sql: journeySchema.postgres },
  { version: 5, name: "awards", sql: awardSchema.postgres },
  { version: 6, name: "staff", sql: staffSchema.postgres },
  { version: 7, name: "consents", sql: consentSchema.postgres },
  { version: 8, name: "access-log-and-erasure", sql: memberDataSchema.postgres },
  // See the SQLite migration of the same name.
  { version: 9, name: "claim-holders", sql: `ALTER TABLE takes ADD COLUMN holder ${id}` },
  {
    version: 10,
    name: "any-offer-kind",
    // See the SQLite migration of the same name. PostgreSQL names a column's CHECK <table>_<column>_check.
    sql: `
      ALTER TABLE offers DROP CONSTRAINT offers_kind_check;
      ALTER TABLE takes DROP CONSTRAINT takes_kind_check;
      ALTER TABLE takes DROP CONSTRAINT takes_status_check
    `,
  },
  {
    version: 11,
    name: "brand-origins",
    // See the SQLite migration of the same name.
    sql: `
      CREATE TABLE brand_origins (
        origin     ${id} PRIMARY KEY,
        brand_id   ${id} NOT NULL REFERENCES brands (id),
        created_at ${time} NOT NULL
      );
      CREATE INDEX brand_origins_by_brand ON brand_origins (brand_id, created_at)
    `,
  },
  { version: 12, name: "entitlement-keys", sql: entitlementSchema.postgres },
  { version: 13, name: "chain-index", sql: chainIndexSchema.postgres },
  { version: 14, name: "delegated-wallets", sql: delegationSchema.postgres },
  { version: 15, name: "webhooks", sql: webhookSchema.postgres },
  { version: 16, name: "webhook-deliveries", sql: webhookDeliverySchema.postgres },
];

/**
 * Brings the schema up to date inside the caller's transaction (creating `options.schema` first if
 * given). A transaction-scoped advisory lock per schema makes instances that start together take
 * turns: the first applies, the others find the work done. Throws, changing nothing, if the database
 * holds a migration this code does not know.
 */
export async function applyPostgresMigrations(tx: SqlExecutor, options: { schema?: string | undefined; list?: readonly PostgresMigration[] } = {}): Promise<number[]> {
  const list = options.list ?? postgresMigrations;
  list.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${m.name} has version ${m.version}, expected ${i + 1}`);
  });
  await tx.get("SELECT pg_advisory_xact_lock(hashtext('stampbook-migrations:' || coalesce(?, current_schema())))", options.schema ?? null);
  // The name was checked to be a plain identifier by the caller.
  if (options.schema !== undefined) await tx.run(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`);
  await tx.run(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const rows = await tx.all<{ version: number; name: string }>("SELECT version, name FROM schema_migrations ORDER BY version");
  for (const row of rows) {
    const known = list[row.version - 1];
    if (known === undefined) throw new Error(`database has migration ${row.version} (${row.name}) which this code does not know; is it newer?`);
    if (known.name !== row.name) throw new Error(`database migration ${row.version} is "${row.name}" but this code calls it "${known.name}"`);
  }
  const applied: number[] = [];
  for (const m of list.slice(rows.length)) {
    for (const statement of m.sql.split(";").map((s) => s.trim()).filter(Boolean)) await tx.run(statement);
    await tx.run("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", m.version, m.name, new Date().toISOString());
    applied.push(m.version);
  }
  return applied;
}
