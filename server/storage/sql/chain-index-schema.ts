/**
 * Schema of the chain index (SQLite migration 17, PostgreSQL migration 13). Never edit once released.
 *
 * - `chain_index_cursor`: one row, where the index stands (the last applied block) and the head its
 *   writer last saw; `generation` moves with every write (writers compare it, readers cache on it).
 * - `chain_index_blocks`: the followed blocks of the reorg window, with their parents' hashes.
 * - `chain_index_collections`: each followed collection, from which block, applied through which.
 * - `chain_index_events`: every kept log, decoded (`args` JSON), keyed by its place in the chain.
 * - `chain_index_changes`: what each event did to each position; a rollback folds positions again from them.
 * - `chain_index_holdings`: each position with units now: balance, expiry, lots (JSON), keyed holder first.
 * - `chain_index_token_types`: whether a type is a membership, and its points.
 *
 * Token ids, balances and expiries are decimal TEXT (they exceed 64 bits); block numbers and unix
 * seconds are integers.
 *
 * (No comments inside the SQL: the PostgreSQL migration runner splits statements at semicolons.)
 */
const sql = (postgres: boolean) => {
  const text = postgres ? `TEXT COLLATE "C"` : "TEXT";
  const int = postgres ? "BIGINT" : "INTEGER";
  const strict = postgres ? "" : " STRICT";
  return `
      CREATE TABLE chain_index_cursor (
        id           INTEGER PRIMARY KEY CHECK (id = 1),
        chain_id     ${int} NOT NULL,
        block_number ${int} NOT NULL,
        block_hash   ${text} NOT NULL,
        parent_hash  ${text} NOT NULL,
        block_time   ${int} NOT NULL,
        head_number  ${int} NOT NULL,
        head_seen_at ${text} NOT NULL,
        generation   ${int} NOT NULL
      )${strict};

      CREATE TABLE chain_index_blocks (
        number      ${int} PRIMARY KEY,
        hash        ${text} NOT NULL,
        parent_hash ${text} NOT NULL,
        time        ${int} NOT NULL
      )${strict};

      CREATE TABLE chain_index_collections (
        collection      ${text} PRIMARY KEY,
        start_block     ${int} NOT NULL,
        indexed_through ${int} NOT NULL
      )${strict};

      CREATE TABLE chain_index_events (
        block_number ${int} NOT NULL,
        log_index    ${int} NOT NULL,
        collection   ${text} NOT NULL,
        block_hash   ${text} NOT NULL,
        block_time   ${int} NOT NULL,
        tx_hash      ${text} NOT NULL,
        name         ${text} NOT NULL,
        args         TEXT NOT NULL,
        PRIMARY KEY (block_number, log_index)
      )${strict};
      CREATE INDEX chain_index_events_by_collection ON chain_index_events (collection, block_number, log_index);

      CREATE TABLE chain_index_changes (
        collection   ${text} NOT NULL,
        token_id     ${text} NOT NULL,
        holder       ${text} NOT NULL,
        block_number ${int} NOT NULL,
        log_index    ${int} NOT NULL,
        position     ${int} NOT NULL,
        delta        ${text} NOT NULL,
        expires_at   ${text},
        block_time   ${int} NOT NULL,
        PRIMARY KEY (collection, token_id, holder, block_number, log_index, position)
      )${strict};
      CREATE INDEX chain_index_changes_by_block ON chain_index_changes (block_number);

      CREATE TABLE chain_index_holdings (
        holder     ${text} NOT NULL,
        collection ${text} NOT NULL,
        token_id   ${text} NOT NULL,
        balance    ${text} NOT NULL,
        expires_at ${text} NOT NULL,
        lots       TEXT NOT NULL,
        PRIMARY KEY (holder, collection, token_id)
      )${strict};
      CREATE INDEX chain_index_holdings_by_collection ON chain_index_holdings (collection, token_id);

      CREATE TABLE chain_index_token_types (
        collection    ${text} NOT NULL,
        token_id      ${text} NOT NULL,
        membership    INTEGER NOT NULL,
        points        ${text} NOT NULL,
        created_block ${int},
        points_block  ${int} NOT NULL,
        PRIMARY KEY (collection, token_id)
      )${strict};
    `;
};

export const chainIndexSchema = { sqlite: sql(false), postgres: sql(true) };
