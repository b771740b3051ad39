/**
 * Schema of awards (SQLite migration 9, PostgreSQL migration 5). Never edit once released.
 *
 * `awards` rows are created by the journey store, in the same transaction as the progress that
 * completes a journey (UNIQUE (journey_id, member) makes it once per member), or by `queueAward`;
 * the award queue then moves them pending → sending → awarded (or failed), each batch recorded in
 * `award_batches` with its signed transaction before that transaction is broadcast.
 *
 * A producer inserts only id, brand_id, journey_id, member, collection, token_id, amount,
 * status = 'pending', created_at and updated_at: every other column has a default.
 *
 * awards: `batch_id` is the batch a 'sending' award is in; `tx_hash` the transaction that may award
 * it (or did, or last failed to); `attempts` counts failed sends (reverted, refused in simulation);
 * `not_before` is a backoff (null: at once); `max_batch` the largest batch it may join again (halved
 * after a batch that reverted; null: any).
 *
 * award_batches: `open` is claimed with nothing signed; `sent` is signed and recorded (then
 * broadcast), so it may mine; `released` was never signed and its awards went back; `mined`,
 * `reverted`, `dropped` (its nonce went to another transaction, so it never can mine).
 *
 * (No comments inside the SQL: the PostgreSQL migration runner splits statements at semicolons.)
 */
// PostgreSQL compares ids and timestamps as bytes (COLLATE "C"), as the rest of its schema does.
const sql = (postgres: boolean) => {
  const id = postgres ? `TEXT COLLATE "C"` : "TEXT";
  const strict = postgres ? "" : " STRICT";
  return `
      CREATE TABLE awards (
        id          ${id} PRIMARY KEY,
        brand_id    ${id} NOT NULL,
        journey_id  ${id} NOT NULL,
        member      ${id} NOT NULL,
        collection  ${id} NOT NULL,
        token_id    ${id} NOT NULL,
        amount      ${id} NOT NULL,
        status      ${id} NOT NULL CHECK (status IN ('pending', 'sending', 'awarded', 'failed')),
        batch_id    ${id},
        tx_hash     ${id},
        attempts    INTEGER NOT NULL DEFAULT 0,
        error       TEXT,
        not_before  ${id},
        max_batch   INTEGER,
        created_at  ${id} NOT NULL,
        updated_at  ${id} NOT NULL,
        UNIQUE (journey_id, member)
      )${strict};
      CREATE INDEX awards_queue ON awards (status, created_at, id);
      CREATE INDEX awards_group ON awards (status, brand_id, collection, token_id, amount, created_at, id);
      CREATE INDEX awards_brand ON awards (brand_id, created_at, id);
      CREATE INDEX awards_brand_status ON awards (brand_id, status, created_at, id);
      CREATE INDEX awards_member ON awards (member, created_at, id);
      CREATE INDEX awards_batch ON awards (batch_id);

      CREATE TABLE award_batches (
        id           ${id} PRIMARY KEY,
        brand_id     ${id} NOT NULL,
        collection   ${id} NOT NULL,
        token_id     ${id} NOT NULL,
        amount       ${id} NOT NULL,
        size         INTEGER NOT NULL,
        status       ${id} NOT NULL CHECK (status IN ('open', 'sent', 'mined', 'reverted', 'dropped', 'released')),
        minter       ${id},
        nonce        INTEGER,
        tx_hash      ${id},
        raw_tx       TEXT,
        error        TEXT,
        gas_used     TEXT,
        block_number TEXT,
        created_at   ${id} NOT NULL,
        updated_at   ${id} NOT NULL,
        CHECK (status IN ('open', 'released') OR (tx_hash IS NOT NULL AND raw_tx IS NOT NULL AND nonce IS NOT NULL AND minter IS NOT NULL))
      )${strict};
      CREATE INDEX award_batches_status ON award_batches (status, created_at, id);
    `;
};

export const awardSchema = { sqlite: sql(false), postgres: sql(true) };
