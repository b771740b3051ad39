/**
 * Schema of webhook messages and their deliveries (SQLite migration 20, PostgreSQL migration 16).
 * Never edit once released.
 *
 * - `webhook_messages`: the transactional outbox. A message is written in the same transaction as
 *   the change it reports, with its whole body (`{type, timestamp, data}`) as it will be sent; its id
 *   is the `webhook-id` of every attempt. `dedupe_key` makes events found by scanning (a membership
 *   about to expire) written once however often the scan runs. Kept 30 days, for replays.
 * - `webhook_deliveries`: one per message and endpoint subscribed when it was written (or replayed
 *   to): `pending` until an attempt gets a 2xx (`delivered`) or the schedule runs out (`failed`).
 *   An instance claims a due delivery by moving `next_attempt_at` a lease ahead and bumping `claims`
 *   (the fencing token its result must still match); if the instance dies, the lease lapses and
 *   another instance tries again, with the same message id.
 * - `webhook_attempts`: every attempt (time, status, latency, an excerpt of the answer), 30 days.
 * - `webhook_endpoints.failing_since`: when the endpoint's current run of failures began (null while
 *   it delivers); five days of it turn the endpoint off.
 * - Messages about the chain (`chain_block`, `chain_hash`) are watched while their block is within
 *   the index's reorg window (`chain_state`: `unconfirmed` until CONFIRMATIONS deep, then
 *   `confirmed`); one whose block leaves the chain is followed by its reversal (`reverted`).
 * - `webhook_chain_cursors`: per followed collection, the last fact announced for good (a place in
 *   chain order) and the chain time through which expired memberships were announced.
 * - `webhook_member_levels`: the level each member was last announced at per brand, so a change of
 *   holdings that moves them across a threshold says from which level to which.
 *
 * (No comments inside the SQL: the PostgreSQL migration runner splits statements at semicolons.)
 */
const sql = (postgres: boolean) => {
  const text = postgres ? `TEXT COLLATE "C"` : "TEXT";
  const strict = postgres ? "" : " STRICT";
  const int = postgres ? "BIGINT" : "INTEGER";
  return `
      ALTER TABLE webhook_endpoints ADD COLUMN failing_since ${text};
      CREATE TABLE webhook_messages (
        id         ${text} PRIMARY KEY,
        brand_id   ${text} NOT NULL,
        type       ${text} NOT NULL,
        body       TEXT NOT NULL,
        dedupe_key ${text},
        created_at ${text} NOT NULL,
        chain_block ${int},
        chain_hash  ${text},
        chain_state ${text}
      )${strict};
      CREATE INDEX webhook_messages_watched ON webhook_messages (chain_block) WHERE chain_state IN ('unconfirmed', 'confirmed');
      CREATE UNIQUE INDEX webhook_messages_dedupe ON webhook_messages (dedupe_key) WHERE dedupe_key IS NOT NULL;
      CREATE INDEX webhook_messages_by_brand ON webhook_messages (brand_id, created_at);
      CREATE TABLE webhook_deliveries (
        message_id      ${text} NOT NULL,
        endpoint_id     ${text} NOT NULL,
        brand_id        ${text} NOT NULL,
        state           ${text} NOT NULL,
        attempts        INTEGER NOT NULL,
        claims          INTEGER NOT NULL,
        next_attempt_at ${text} NOT NULL,
        last_attempt_at ${text},
        last_status     INTEGER,
        last_error      TEXT,
        created_at      ${text} NOT NULL,
        updated_at      ${text} NOT NULL,
        PRIMARY KEY (message_id, endpoint_id)
      )${strict};
      CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at, endpoint_id) WHERE state = 'pending';
      CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, created_at);
      CREATE TABLE webhook_attempts (
        id          ${text} PRIMARY KEY,
        message_id  ${text} NOT NULL,
        endpoint_id ${text} NOT NULL,
        attempt     INTEGER NOT NULL,
        at          ${text} NOT NULL,
        status      INTEGER,
        latency_ms  INTEGER NOT NULL,
        excerpt     TEXT NOT NULL,
        error       TEXT
      )${strict};
      CREATE INDEX webhook_attempts_by_delivery ON webhook_attempts (endpoint_id, message_id, at);
      CREATE INDEX webhook_attempts_by_age ON webhook_attempts (at);
      CREATE TABLE webhook_chain_cursors (
        collection      ${text} PRIMARY KEY,
        position        ${text} NOT NULL,
        expired_through ${int} NOT NULL
      )${strict};
      CREATE TABLE webhook_member_levels (
        brand_id  ${text} NOT NULL,
        member    ${text} NOT NULL,
        level_key ${text},
        points    ${text} NOT NULL,
        PRIMARY KEY (brand_id, member)
      )${strict};
    `;
};

export const webhookDeliverySchema = { sqlite: sql(false), postgres: sql(true) };
