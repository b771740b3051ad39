/**
 * The transactional outbox: a webhook message written inside the transaction of the change it
 * reports, so the message exists if and only if the change committed. It is written only when an
 * enabled endpoint of the brand wants its type, with one delivery per such endpoint, due at once.
 * A brand without endpoints pays one indexed read per change.
 */
import type { WebhookMessageDraft } from "../../webhooks/types.ts";
import { requireKey, requireTimestamp } from "../validate.ts";
import type { SqlExecutor } from "./database.ts";

/** Endpoints of the brand that are on, not deleted, and subscribed to the type bound at `?` (a LIKE pattern). */
export const SUBSCRIBED = `brand_id = ? AND enabled = 1 AND deleted_at IS NULL AND events LIKE ?`;

/** The LIKE pattern matching a type in an endpoint's JSON array of types. */
export const typePattern = (type: string) => `%"${type}"%`;

/**
 * Writes `message` and its deliveries on `tx`; resolves to false when no endpoint wants it or a
 * message with its dedupe key was written before. `exceptEndpoint` is left out of the deliveries
 * (the endpoint a `webhook.disabled` message is about).
 */
export async function writeOutboxMessage(tx: SqlExecutor, message: WebhookMessageDraft, exceptEndpoint?: string): Promise<boolean> {
  const id = requireKey("message.id", message.id);
  const brandId = requireKey("message.brandId", message.brandId);
  const at = requireTimestamp("message.createdAt", message.createdAt);
  const pattern = typePattern(message.type);
  const except = exceptEndpoint === undefined ? "" : " AND id <> ?";
  const exceptParams = exceptEndpoint === undefined ? [] : [exceptEndpoint];
  const chain = message.chain;
  const written = await tx.run(
    `INSERT INTO webhook_messages (id, brand_id, type, body, dedupe_key, created_at, chain_block, chain_hash, chain_state)
     SELECT ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM webhook_endpoints WHERE ${SUBSCRIBED}${except})
     ON CONFLICT DO NOTHING`,
    id,
    brandId,
    message.type,
    String(message.body),
    message.dedupeKey ?? null,
    at,
    chain === undefined ? null : Number(chain.block),
    chain === undefined ? null : String(chain.hash),
    chain === undefined ? null : chain.confirmed ? "confirmed" : "unconfirmed",
    brandId,
    pattern,
    ...exceptParams,
  );
  if (written === 0) return false;
  await tx.run(
    `INSERT INTO webhook_deliveries (message_id, endpoint_id, brand_id, state, attempts, claims, next_attempt_at, last_attempt_at, last_status, last_error, created_at, updated_at)
     SELECT ?, id, brand_id, 'pending', 0, 0, ?, NULL, NULL, NULL, ?, ? FROM webhook_endpoints WHERE ${SUBSCRIBED}${except}`,
    id,
    at,
    at,
    at,
    brandId,
    pattern,
    ...exceptParams,
  );
  return true;
}

/** Writes each of `messages` on `tx` (see writeOutboxMessage). */
export async function writeOutboxMessages(tx: SqlExecutor, messages: readonly WebhookMessageDraft[] | undefined): Promise<void> {
  for (const message of messages ?? []) await writeOutboxMessage(tx, message);
}

/**
 * PostgreSQL: the outbox write of one message as two more CTEs of the statement that makes the change,
 * so the change and its message take one round trip. `rows` names a CTE returning the changed rows
 * with their `brand_id` (the message is written only if it returned one); the statement's own SELECT
 * follows. Parameters: `cteParams(message)`, in the order the SQL binds them.
 */
export function outboxCtes(rows: string): string {
  return `m AS (
      INSERT INTO webhook_messages (id, brand_id, type, body, dedupe_key, created_at, chain_block, chain_hash, chain_state)
      SELECT CAST(? AS TEXT), r.brand_id, CAST(? AS TEXT), CAST(? AS TEXT), NULL, CAST(? AS TEXT), NULL, NULL, NULL FROM ${rows} r
      WHERE EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.brand_id = r.brand_id AND e.enabled = 1 AND e.deleted_at IS NULL AND e.events LIKE CAST(? AS TEXT))
      RETURNING id, brand_id),
    d AS (
      INSERT INTO webhook_deliveries (message_id, endpoint_id, brand_id, state, attempts, claims, next_attempt_at, last_attempt_at, last_status, last_error, created_at, updated_at)
      SELECT m.id, e.id, e.brand_id, 'pending', 0, 0, CAST(? AS TEXT), NULL, NULL, NULL, CAST(? AS TEXT), CAST(? AS TEXT)
      FROM m JOIN webhook_endpoints e ON e.brand_id = m.brand_id AND e.enabled = 1 AND e.deleted_at IS NULL AND e.events LIKE CAST(? AS TEXT))`;
}

export function cteParams(message: WebhookMessageDraft): string[] {
  const at = requireTimestamp("message.createdAt", message.createdAt);
  const pattern = typePattern(message.type);
  return [requireKey("message.id", message.id), message.type, String(message.body), at, pattern, at, at, at, pattern];
}
