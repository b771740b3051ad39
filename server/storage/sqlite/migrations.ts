/**
 * SQLite's schema history. Long because migrations are history: each stays as it was applied, and a
 * table SQLite cannot alter in place is rebuilt in full.
 */
import type { DatabaseSync } from "node:sqlite";
import { awardSchema } from "../sql/award-schema.ts";
import { chainIndexSchema } from "../sql/chain-index-schema.ts";
import { delegationSchema } from "../sql/delegation-schema.ts";
import { webhookDeliverySchema } from "../sql/webhook-delivery-schema.ts";
import { webhookSchema } from "../sql/webhook-schema.ts";
import { catalogSchema } from "../sql/catalog-schema.ts";
import { consentSchema } from "../sql/consent-schema.ts";
import { entitlementSchema } from "../sql/entitlement-schema.ts";
import { memberDataSchema } from "../sql/member-data-schema.ts";
import { journeySchema } from "../sql/journey-schema.ts";
import { staffSchema } from "../sql/staff-schema.ts";

/**
 * One schema change. Versions start at 1 and increase by one; a migration, once released, is never
 * edited (add a new one instead): `applyMigrations` refuses a database whose recorded name for a
 * version differs from this list's.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Conventions: timestamps are TEXT in the store's canonical ISO-8601 UTC shape (so text order is
 * time order), ids are TEXT, JSON is TEXT checked with json_valid, addresses are lowercase TEXT.
 */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: "initial",
    sql: `
      CREATE TABLE nonces (
        nonce      TEXT PRIMARY KEY,
        expires_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX nonces_expires_at ON nonces (expires_at);

      CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        address    TEXT NOT NULL,
        chain_id   INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX sessions_expires_at ON sessions (expires_at);
      CREATE INDEX sessions_address ON sessions (address);

      CREATE TABLE brands (
        id         TEXT PRIMARY KEY,
        name       TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE api_keys (
        id         TEXT PRIMARY KEY,
        brand_id   TEXT NOT NULL REFERENCES brands (id),
        key_hash   TEXT NOT NULL UNIQUE,
        label      TEXT NOT NULL,
        created_at TEXT NOT NULL,
        revoked_at TEXT
      ) STRICT;
      CREATE INDEX api_keys_brand ON api_keys (brand_id, created_at, id);

      CREATE TABLE perks (
        id               TEXT PRIMARY KEY,
        brand_id         TEXT NOT NULL REFERENCES brands (id),
        title            TEXT NOT NULL,
        description      TEXT NOT NULL,
        collections      TEXT NOT NULL CHECK (json_valid(collections)),
        rule             TEXT NOT NULL CHECK (json_valid(rule)),
        per_member_limit INTEGER CHECK (per_member_limit IS NULL OR per_member_limit >= 0),
        total_limit      INTEGER CHECK (total_limit IS NULL OR total_limit >= 0),
        starts_at        TEXT,
        ends_at          TEXT,
        created_at       TEXT NOT NULL,
        updated_at       TEXT NOT NULL,
        deleted_at       TEXT,
        CHECK (starts_at IS NULL OR ends_at IS NULL OR starts_at < ends_at)
      ) STRICT;
      CREATE INDEX perks_brand ON perks (brand_id, created_at, id);
      CREATE INDEX perks_created ON perks (created_at, id);

      CREATE TABLE redemptions (
        id              TEXT PRIMARY KEY,
        perk_id         TEXT NOT NULL REFERENCES perks (id),
        brand_id        TEXT NOT NULL REFERENCES brands (id),
        member          TEXT NOT NULL,
        code            TEXT NOT NULL UNIQUE,
        idempotency_key TEXT NOT NULL,
        created_at      TEXT NOT NULL,
        consumed_at     TEXT
      ) STRICT;
      -- Last line of defence for idempotency: one redemption per (member, key), whatever the perk.
      CREATE UNIQUE INDEX redemptions_member_idempotency ON redemptions (member, idempotency_key);
      -- Limit checks count by (perk, member) and by perk.
      CREATE INDEX redemptions_perk_member ON redemptions (perk_id, member);
      -- Keyset paging, newest first, per filter.
      CREATE INDEX redemptions_member_created ON redemptions (member, created_at, id);
      CREATE INDEX redemptions_brand_created ON redemptions (brand_id, created_at, id);
      CREATE INDEX redemptions_perk_created ON redemptions (perk_id, created_at, id);
      CREATE INDEX redemptions_created ON redemptions (created_at, id);
    `,
  },
  {
    version: 2,
    name: "drops-and-claims",
    sql: `
      CREATE TABLE drops (
        id               TEXT PRIMARY KEY,
        brand_id         TEXT NOT NULL REFERENCES brands (id),
        title            TEXT NOT NULL,
        description      TEXT NOT NULL,
        collection       TEXT NOT NULL,
        token_id         TEXT NOT NULL,
        amount           TEXT NOT NULL,
        rule             TEXT NOT NULL CHECK (json_valid(rule)),
        per_member_limit INTEGER CHECK (per_member_limit IS NULL OR per_member_limit >= 0),
        total_limit      INTEGER CHECK (total_limit IS NULL OR total_limit >= 0),
        mode             TEXT NOT NULL CHECK (mode IN ('mint', 'voucher')),
        starts_at        TEXT,
        ends_at          TEXT,
        created_at       TEXT NOT NULL,
        updated_at       TEXT NOT NULL,
        deleted_at       TEXT,
        CHECK (starts_at IS NULL OR ends_at IS NULL OR starts_at < ends_at)
      ) STRICT;
      CREATE INDEX drops_brand ON drops (brand_id, created_at, id);
      CREATE INDEX drops_created ON drops (created_at, id);

      CREATE TABLE claims (
        id              TEXT PRIMARY KEY,
        drop_id         TEXT NOT NULL REFERENCES drops (id),
        brand_id        TEXT NOT NULL REFERENCES brands (id),
        member          TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        collection      TEXT NOT NULL,
        token_id        TEXT NOT NULL,
        amount          TEXT NOT NULL,
        mode            TEXT NOT NULL CHECK (mode IN ('mint', 'voucher')),
        status          TEXT NOT NULL CHECK (status IN ('pending', 'minted', 'issued', 'failed', 'expired')),
        tx_hash         TEXT,
        tx_raw          TEXT,
        voucher         TEXT CHECK (voucher IS NULL OR json_valid(voucher)),
        error_code      TEXT,
        error_message   TEXT,
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL
      ) STRICT;
      -- One claim per (member, key), whatever the drop.
      CREATE UNIQUE INDEX claims_member_idempotency ON claims (member, idempotency_key);
      -- Limit checks count by (drop, member, status) and by (drop, status).
      CREATE INDEX claims_drop_member_status ON claims (drop_id, member, status);
      CREATE INDEX claims_drop_status ON claims (drop_id, status);
      -- Keyset paging, newest first, per filter.
      CREATE INDEX claims_member_created ON claims (member, created_at, id);
      CREATE INDEX claims_brand_created ON claims (brand_id, created_at, id);
      CREATE INDEX claims_drop_created ON claims (drop_id, created_at, id);
      CREATE INDEX claims_created ON claims (created_at, id);
    `,
  },
  {
    version: 3,
    name: "signed-nonces-and-sessions",
    // Nonces and session tokens are now signed by the server (server/auth/signed-tokens.ts) rather
    // than stored: only used nonces and ended sessions are kept, until they would have expired.
    // Sessions from before this change end; their members sign in again.
    sql: `
      DROP TABLE nonces;
      DROP TABLE sessions;

      -- Nonces start with their expiry, so new rows append at the end of the key order.
      CREATE TABLE used_nonces (
        nonce      TEXT PRIMARY KEY,
        expires_at TEXT NOT NULL
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE revoked_sessions (
        id         TEXT PRIMARY KEY,
        expires_at TEXT NOT NULL
      ) STRICT, WITHOUT ROWID;

      -- Signing keys, made on first use and shared by every instance on this database.
      CREATE TABLE secrets (
        name       TEXT PRIMARY KEY,
        value      BLOB NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 4,
    name: "offers-and-takes",
    // Perks and drops become offers of two kinds, redemptions and claims takes of them: one set of
    // rules, windows, limits and idempotency for every kind. Rows move over as they are; an offer's
    // `tokens` (the holding keys its rule reads, for per-brand bounds) are taken from its rule.
    sql: `
      CREATE TABLE offers (
        id               TEXT PRIMARY KEY,
        brand_id         TEXT NOT NULL REFERENCES brands (id),
        kind             TEXT NOT NULL CHECK (kind IN ('perk', 'drop')),
        title            TEXT NOT NULL,
        description      TEXT NOT NULL,
        rule             TEXT NOT NULL CHECK (json_valid(rule)),
        tokens           TEXT NOT NULL CHECK (json_valid(tokens)),
        per_member_limit INTEGER CHECK (per_member_limit IS NULL OR per_member_limit >= 0),
        total_limit      INTEGER CHECK (total_limit IS NULL OR total_limit >= 0),
        starts_at        TEXT,
        ends_at          TEXT,
        reward           TEXT NOT NULL CHECK (json_valid(reward)),
        created_at       TEXT NOT NULL,
        updated_at       TEXT NOT NULL,
        deleted_at       TEXT,
        CHECK (starts_at IS NULL OR ends_at IS NULL OR starts_at < ends_at)
      ) STRICT;
      CREATE INDEX offers_kind_created ON offers (kind, created_at, id);
      CREATE INDEX offers_brand_kind_created ON offers (brand_id, kind, created_at, id);

      CREATE TABLE takes (
        id              TEXT PRIMARY KEY,
        offer_id        TEXT NOT NULL REFERENCES offers (id),
        brand_id        TEXT NOT NULL REFERENCES brands (id),
        kind            TEXT NOT NULL CHECK (kind IN ('perk', 'drop')),
        member          TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        status          TEXT NOT NULL CHECK (status IN ('redeemed', 'pending', 'minted', 'issued', 'failed', 'expired')),
        reward          TEXT NOT NULL CHECK (json_valid(reward)),
        code            TEXT,
        consumed_at     TEXT,
        tx_hash         TEXT,
        tx_raw          TEXT,
        voucher         TEXT CHECK (voucher IS NULL OR json_valid(voucher)),
        error_code      TEXT,
        error_message   TEXT,
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL
      ) STRICT;
      -- Last line of defence for idempotency: one take per (kind, member, key), whatever the offer.
      CREATE UNIQUE INDEX takes_member_idempotency ON takes (kind, member, idempotency_key);
      -- Codes are unique across brands: a till looks one up by code alone.
      CREATE UNIQUE INDEX takes_code ON takes (code) WHERE code IS NOT NULL;
      -- Limit checks count by (offer, member, status) and by (offer, status).
      CREATE INDEX takes_offer_member_status ON takes (offer_id, member, status);
      CREATE INDEX takes_offer_status ON takes (offer_id, status);
      -- Keyset paging, newest first, per filter.
      CREATE INDEX takes_kind_member_created ON takes (kind, member, created_at, id);
      CREATE INDEX takes_kind_brand_created ON takes (kind, brand_id, created_at, id);
      CREATE INDEX takes_offer_created ON takes (offer_id, created_at, id);
      CREATE INDEX takes_kind_status_created ON takes (kind, status, created_at, id);

      INSERT INTO offers
        SELECT id, brand_id, 'perk', title, description, rule,
               (SELECT json_group_array(DISTINCT lower(json_extract(t.value, '$.collection')) || ':' || json_extract(t.value, '$.tokenId'))
                  FROM json_tree(perks.rule) AS t
                 WHERE t.type = 'object' AND json_extract(t.value, '$.type') IN ('holds', 'member')),
               per_member_limit, total_limit, starts_at, ends_at, '{"type":"code"}', created_at, updated_at, deleted_at
          FROM perks;
      INSERT INTO offers
        SELECT id, brand_id, 'drop', title, description, rule,
               (SELECT json_group_array(DISTINCT lower(json_extract(t.value, '$.collection')) || ':' || json_extract(t.value, '$.tokenId'))
                  FROM json_tree(drops.rule) AS t
                 WHERE t.type = 'object' AND json_extract(t.value, '$.type') IN ('holds', 'member')),
               per_member_limit, total_limit, starts_at, ends_at,
               json_object('type', 'token', 'collection', collection, 'tokenId', token_id, 'amount', amount, 'mode', mode),
               created_at, updated_at, deleted_at
          FROM drops;
      INSERT INTO takes
        SELECT id, perk_id, brand_id, 'perk', member, idempotency_key, 'redeemed', '{"type":"code"}', code, consumed_at,
               NULL, NULL, NULL, NULL, NULL, created_at, coalesce(consumed_at, created_at)
          FROM redemptions;
      INSERT INTO takes
        SELECT id, drop_id, brand_id, 'drop', member, idempotency_key, status,
               json_object('type', 'token', 'collection', collection, 'tokenId', token_id, 'amount', amount, 'mode', mode),
               NULL, NULL, tx_hash, tx_raw, voucher, error_code, error_message, created_at, updated_at
          FROM claims;

      DROP TABLE redemptions;
      DROP TABLE claims;
      DROP TABLE perks;
      DROP TABLE drops;
    `,
  },
  {
    version: 5,
    name: "brand-collections-and-minters",
    sql: `
      -- A collection a brand proved it controls (a signature by an on-chain admin); one brand each.
      CREATE TABLE brand_collections (
        collection    TEXT PRIMARY KEY,
        brand_id      TEXT NOT NULL REFERENCES brands (id),
        admin         TEXT NOT NULL,
        registered_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX brand_collections_brand ON brand_collections (brand_id, registered_at);

      -- Each brand's own minter key, sealed with AES-256-GCM by the server (server/brands/key-vault.ts).
      CREATE TABLE brand_minters (
        brand_id   TEXT PRIMARY KEY REFERENCES brands (id),
        address    TEXT NOT NULL,
        sealed_key TEXT NOT NULL,
        source     TEXT NOT NULL CHECK (source IN ('generated', 'supplied')),
        created_at TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 6,
    name: "leases",
    sql: `
      -- Background work one instance at a time does (the claim sweep, pruning): who holds it, until when.
      CREATE TABLE leases (
        name       TEXT PRIMARY KEY,
        holder     TEXT NOT NULL,
        expires_at TEXT NOT NULL
      ) STRICT;
    `,
  },
  { version: 7, name: "token-metadata-and-levels", sql: catalogSchema.sqlite },
  { version: 8, name: "journeys", sql: journeySchema.sqlite },
  { version: 9, name: "awards", sql: awardSchema.sqlite },
  { version: 10, name: "staff", sql: staffSchema.sqlite },
  { version: 11, name: "consents", sql: consentSchema.sqlite },
  { version: 12, name: "access-log-and-erasure", sql: memberDataSchema.sqlite },
  {
    version: 13,
    name: "claim-holders",
    sql: `
      -- The instance minting a claim: only it may record the claim's transaction, and it renews
      -- updated_at while it works, so another instance takes over an unsent claim whose holder died.
      ALTER TABLE takes ADD COLUMN holder TEXT;
    `,
  },
  {
    version: 14,
    name: "any-offer-kind",
    // Kinds of offer and their take statuses are declared in code (server/offers/kind.ts) and checked
    // there; the tables no longer list them, so a new kind needs no migration. SQLite cannot drop a
    // CHECK, so both tables are rebuilt as they were otherwise (rows, indexes; takes' reference
    // follows offers_new's rename to offers).
    sql: `
      CREATE TABLE offers_new (
        id               TEXT PRIMARY KEY,
        brand_id         TEXT NOT NULL REFERENCES brands (id),
        kind             TEXT NOT NULL,
        title            TEXT NOT NULL,
        description      TEXT NOT NULL,
        rule             TEXT NOT NULL CHECK (json_valid(rule)),
        tokens           TEXT NOT NULL CHECK (json_valid(tokens)),
        per_member_limit INTEGER CHECK (per_member_limit IS NULL OR per_member_limit >= 0),
        total_limit      INTEGER CHECK (total_limit IS NULL OR total_limit >= 0),
        starts_at        TEXT,
        ends_at          TEXT,
        reward           TEXT NOT NULL CHECK (json_valid(reward)),
        created_at       TEXT NOT NULL,
        updated_at       TEXT NOT NULL,
        deleted_at       TEXT,
        CHECK (starts_at IS NULL OR ends_at IS NULL OR starts_at < ends_at)
      ) STRICT;
      INSERT INTO offers_new SELECT * FROM offers;

      CREATE TABLE takes_new (
        id              TEXT PRIMARY KEY,
        offer_id        TEXT NOT NULL REFERENCES offers_new (id),
        brand_id        TEXT NOT NULL REFERENCES brands (id),
        kind            TEXT NOT NULL,
        member          TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        status          TEXT NOT NULL,
        reward          TEXT NOT NULL CHECK (json_valid(reward)),
        code            TEXT,
        consumed_at     TEXT,
        tx_hash         TEXT,
        tx_raw          TEXT,
        voucher         TEXT CHECK (voucher IS NULL OR json_valid(voucher)),
        error_code      TEXT,
        error_message   TEXT,
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL,
        holder          TEXT
      ) STRICT;
      INSERT INTO takes_new SELECT * FROM takes;

      DROP TABLE takes;
      DROP TABLE offers;
      ALTER TABLE offers_new RENAME TO offers;
      ALTER TABLE takes_new RENAME TO takes;

      CREATE INDEX offers_kind_created ON offers (kind, created_at, id);
      CREATE INDEX offers_brand_kind_created ON offers (brand_id, kind, created_at, id);
      CREATE UNIQUE INDEX takes_member_idempotency ON takes (kind, member, idempotency_key);
      CREATE UNIQUE INDEX takes_code ON takes (code) WHERE code IS NOT NULL;
      CREATE INDEX takes_offer_member_status ON takes (offer_id, member, status);
      CREATE INDEX takes_offer_status ON takes (offer_id, status);
      CREATE INDEX takes_kind_member_created ON takes (kind, member, created_at, id);
      CREATE INDEX takes_kind_brand_created ON takes (kind, brand_id, created_at, id);
      CREATE INDEX takes_offer_created ON takes (offer_id, created_at, id);
      CREATE INDEX takes_kind_status_created ON takes (kind, status, created_at, id);
    `,
  },
  {
    version: 15,
    name: "brand-origins",
    sql: `
      -- The origins a brand's storefronts and apps run on: CORS and sign-in accept exactly these for it.
      CREATE TABLE brand_origins (
        origin     TEXT PRIMARY KEY,
        brand_id   TEXT NOT NULL REFERENCES brands (id),
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX brand_origins_by_brand ON brand_origins (brand_id, created_at);
    `,
  },
  { version: 16, name: "entitlement-keys", sql: entitlementSchema.sqlite },
  { version: 17, name: "chain-index", sql: chainIndexSchema.sqlite },
  { version: 18, name: "delegated-wallets", sql: delegationSchema.sqlite },
  { version: 19, name: "webhooks", sql: webhookSchema.sqlite },
  { version: 20, name: "webhook-deliveries", sql: webhookDeliverySchema.sqlite },
];

const createMigrationsTable = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
  ) STRICT
`;

interface AppliedRow {
  version: number;
  name: string;
}

/**
 * Brings the database up to date: in one `BEGIN IMMEDIATE` transaction (so processes opening the
 * same file at once take turns), applies each migration not yet recorded in `schema_migrations`
 * and records it. Returns the versions it applied (empty when the schema was current).
 * Throws, changing nothing, if the database holds a migration this code does not know.
 */
export function applyMigrations(
  db: DatabaseSync,
  list: readonly Migration[] = migrations,
  now: () => string = () => new Date().toISOString(),
): number[] {
  list.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${m.name} has version ${m.version}, expected ${i + 1}`);
  });
  const applied: number[] = [];
  db.exec("BEGIN IMMEDIATE");
  try {
    db.exec(createMigrationsTable);
    const rows = db.prepare("SELECT version, name FROM schema_migrations ORDER BY version").all() as unknown as AppliedRow[];
    for (const row of rows) {
      const known = list[row.version - 1];
      if (known === undefined) {
        throw new Error(`database has migration ${row.version} (${row.name}) which this code does not know; is it newer?`);
      }
      if (known.name !== row.name) {
        throw new Error(`database migration ${row.version} is "${row.name}" but this code calls it "${known.name}"`);
      }
    }
    rows.forEach((row, i) => {
      if (row.version !== i + 1) throw new Error(`schema_migrations lacks version ${i + 1}`);
    });
    const record = db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
    for (const m of list.slice(rows.length)) {
      db.exec(m.sql);
      record.run(m.version, m.name, now());
      applied.push(m.version);
    }
    db.exec("COMMIT");
  } catch (error) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw error;
  }
  return applied;
}
