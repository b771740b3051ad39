/**
 * Schema of delegated wallets (SQLite migration 18, PostgreSQL migration 14). Never edit once released.
 *
 * - `chain_index_delegations`: every Delegate Registry event the index applied, one row each, keyed by
 *   its place in the chain; the delegations in force are each delegation's last row
 *   (server/chain/index/delegations.ts). A rollback deletes the rows of the abandoned blocks.
 * - `takes.vault`: the vault whose holdings unlocked a take (null: the member's own), so that limits
 *   count per vault as well as per wallet.
 *
 * (No comments inside the SQL: the PostgreSQL migration runner splits statements at semicolons.)
 */
const sql = (postgres: boolean) => {
  const text = postgres ? `TEXT COLLATE "C"` : "TEXT";
  const int = postgres ? "BIGINT" : "INTEGER";
  const strict = postgres ? "" : " STRICT";
  return `
      CREATE TABLE chain_index_delegations (
        block_number ${int} NOT NULL,
        log_index    ${int} NOT NULL,
        delegate     ${text} NOT NULL,
        vault        ${text} NOT NULL,
        kind         ${text} NOT NULL,
        contract     ${text},
        token_id     ${text},
        rights       ${text} NOT NULL,
        amount       ${text} NOT NULL,
        PRIMARY KEY (block_number, log_index)
      )${strict};
      CREATE INDEX chain_index_delegations_by_delegate ON chain_index_delegations (delegate, block_number, log_index);

      ALTER TABLE takes ADD COLUMN vault ${text};
      CREATE INDEX takes_by_offer_vault ON takes (offer_id, vault);
    `;
};

export const delegationSchema = { sqlite: sql(false), postgres: sql(true) };
