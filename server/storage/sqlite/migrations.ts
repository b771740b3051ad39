import type { DatabaseSync } from "node:sqlite";

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
