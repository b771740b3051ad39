/**
 * Deliveries of webhook messages (schema: webhook-delivery-schema.ts; messages are written by
 * webhook-outbox.ts in the transaction of each change). Any number of instances claim due deliveries
 * side by side: a claim moves a delivery's next attempt a lease ahead, so each is in flight on one
 * instance at a time, and a result is recorded only while its claim is the latest.
 */
import type { WebhookEventType } from "../../../sdk/src/protocol/webhooks.ts";
import type { AttemptOutcome, ClaimedDelivery, DisabledEndpoint, WebhookAttempt, WebhookDelivery, WebhookDeliveryState, WebhookDeliveryStore, WebhookMessageDraft } from "../../webhooks/types.ts";
import { decodeCursor, encodeCursor } from "../cursor.ts";
import { newId } from "../ids.ts";
import type { Timestamp } from "../time.ts";
import { requireKey, requireOneOf, requireTimestamp } from "../validate.ts";
import type { SqlDatabase, SqlExecutor, SqlValue } from "./database.ts";
import { writeOutboxMessage } from "./webhook-outbox.ts";

/** Attempts shown per delivery in a listing. */
const LOG_PER_DELIVERY = 10;

type DeliveryRow = {
  message_id: string;
  endpoint_id: string;
  type: string;
  state: string;
  attempts: number;
  next_attempt_at: string;
  last_attempt_at: string | null;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
};

type AttemptRow = { message_id: string; attempt: number; at: string; status: number | null; latency_ms: number; excerpt: string; error: string | null };

const toAttempt = (row: AttemptRow): WebhookAttempt => ({
  attempt: Number(row.attempt),
  at: row.at as Timestamp,
  status: row.status === null ? null : Number(row.status),
  latencyMs: Number(row.latency_ms),
  excerpt: row.excerpt,
  error: row.error,
});

export function createWebhookDeliveryStore(db: SqlDatabase): WebhookDeliveryStore {
  const { skipLocked } = db.dialect;
  /**
   * Claims read an endpoint's due deliveries through the index of pending ones: SQLite would
   * otherwise pick the index of the endpoint's every delivery and read its whole history (30 days
   * of them) on every claim. (PostgreSQL's planner, with its statistics, picks the pending index.)
   */
  const pendingIndex = db.dialect.name === "sqlite" ? " INDEXED BY webhook_deliveries_due" : "";

  /** Turns an endpoint off (once) and tells the brand's other endpoints. */
  async function disable(tx: SqlExecutor, endpointId: string, reason: string, now: Timestamp, extra: string, params: SqlValue[], message: (endpoint: DisabledEndpoint) => WebhookMessageDraft): Promise<DisabledEndpoint | null> {
    const row = await tx.get<{ brand_id: string; url: string }>(
      `UPDATE webhook_endpoints SET enabled = 0, disabled_reason = ?, updated_at = ? WHERE id = ? AND enabled = 1 AND deleted_at IS NULL${extra} RETURNING brand_id, url`,
      reason,
      now,
      endpointId,
      ...params,
    );
    if (row === undefined) return null;
    const disabled = { endpointId, brandId: row.brand_id, url: row.url, reason };
    await writeOutboxMessage(tx, message(disabled), endpointId);
    return disabled;
  }

  return {
    async dueWebhookEndpoints(now, limit) {
      const rows = await db.all<{ endpoint_id: string }>(
        `SELECT d.endpoint_id, min(d.next_attempt_at) AS oldest
         FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
         WHERE d.state = 'pending' AND d.next_attempt_at <= ? AND e.enabled = 1 AND e.deleted_at IS NULL
         GROUP BY d.endpoint_id ORDER BY oldest LIMIT ?`,
        requireTimestamp("now", now),
        Math.max(1, Math.floor(limit)),
      );
      return rows.map((r) => r.endpoint_id);
    },

    async claimWebhookDeliveries(endpointId, limit, now, leaseUntil): Promise<ClaimedDelivery[]> {
      requireTimestamp("now", now);
      requireTimestamp("leaseUntil", leaseUntil);
      const claimed = await db.writeOne<{ message_id: string; attempts: number; claims: number }>(
        `UPDATE webhook_deliveries SET attempts = attempts + 1, claims = claims + 1, next_attempt_at = ?, updated_at = ?
         WHERE (message_id, endpoint_id) IN (
           SELECT message_id, endpoint_id FROM webhook_deliveries${pendingIndex}
           WHERE endpoint_id = ? AND state = 'pending' AND next_attempt_at <= ?
             AND EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.id = ? AND e.enabled = 1 AND e.deleted_at IS NULL)
           ORDER BY next_attempt_at LIMIT ?${skipLocked})
         RETURNING message_id, attempts, claims`,
        leaseUntil,
        now,
        String(endpointId),
        now,
        String(endpointId),
        Math.max(1, Math.floor(limit)),
      );
      if (claimed.length === 0) return [];
      const endpoint = await db.get<{ url: string; brand_id: string }>(`SELECT url, brand_id FROM webhook_endpoints WHERE id = ?`, String(endpointId));
      const messages = await db.all<{ id: string; type: string; body: string }>(
        `SELECT id, type, body FROM webhook_messages WHERE id IN (${claimed.map(() => "?").join(", ")})`,
        ...claimed.map((c) => c.message_id),
      );
      const byId = new Map(messages.map((m) => [m.id, m]));
      return claimed.flatMap((c) => {
        const message = byId.get(c.message_id);
        // A message pruned under a pending delivery cannot be sent; pruning keeps pending ones, so this is only defensive.
        if (message === undefined || endpoint === undefined) return [];
        return [{ messageId: c.message_id, endpointId, brandId: endpoint.brand_id, url: endpoint.url, type: message.type as WebhookEventType, body: message.body, attempt: Number(c.attempts), claim: Number(c.claims) }];
      });
    },

    async recordWebhookAttempts(outcomes, now, failingCutoff, disabledMessage) {
      if (outcomes.length === 0) return [];
      requireTimestamp("now", now);
      requireTimestamp("failingCutoff", failingCutoff);
      return db.transaction(async (tx) => {
        // Per endpoint, in time order: whether its latest attempt succeeded, when its failures since
        // the latest success began, and whether any attempt of the batch succeeded.
        const runs = new Map<string, { ok: boolean; firstFailure: Timestamp | null; gone: boolean; succeeded: boolean }>();
        for (const outcome of [...outcomes].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))) {
          const at = requireTimestamp("at", outcome.at);
          await tx.run(
            `INSERT INTO webhook_attempts (id, message_id, endpoint_id, attempt, at, status, latency_ms, excerpt, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            `att_${newId().replaceAll("-", "")}`,
            outcome.messageId,
            outcome.endpointId,
            outcome.attempt,
            at,
            outcome.status,
            Math.max(0, Math.round(outcome.latencyMs)),
            outcome.excerpt,
            outcome.error,
          );
          const gone = outcome.status === 410;
          const state = outcome.ok ? "delivered" : gone || outcome.retryAt === null ? "failed" : "pending";
          await tx.run(
            `UPDATE webhook_deliveries SET state = ?, next_attempt_at = coalesce(?, next_attempt_at), last_attempt_at = ?, last_status = ?, last_error = ?, updated_at = ?
             WHERE message_id = ? AND endpoint_id = ? AND claims = ? AND state = 'pending'`,
            state,
            state === "pending" ? requireTimestamp("retryAt", outcome.retryAt) : null,
            at,
            outcome.status,
            outcome.ok ? null : (outcome.error ?? `HTTP ${outcome.status}`),
            now,
            outcome.messageId,
            outcome.endpointId,
            outcome.claim,
          );
          const run = runs.get(outcome.endpointId) ?? { ok: true, firstFailure: null, gone: false, succeeded: false };
          runs.set(outcome.endpointId, outcome.ok ? { ok: true, firstFailure: null, gone: run.gone, succeeded: true } : { ok: false, firstFailure: run.firstFailure ?? at, gone: run.gone || gone, succeeded: run.succeeded });
        }
        const disabled: DisabledEndpoint[] = [];
        for (const [endpointId, run] of runs) {
          if (run.ok) await tx.run(`UPDATE webhook_endpoints SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL`, endpointId);
          // A success earlier in the batch ended the stored run: the failures run from after it.
          else if (run.succeeded) await tx.run(`UPDATE webhook_endpoints SET failing_since = ? WHERE id = ?`, run.firstFailure, endpointId);
          else await tx.run(`UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, ?) WHERE id = ?`, run.firstFailure, endpointId);
          const off = run.gone
            ? await disable(tx, endpointId, "The endpoint answered 410 Gone: it asked not to be sent messages any more.", now, "", [], disabledMessage)
            : run.ok
              ? null
              : await disable(tx, endpointId, "Every attempt failed for 5 days.", now, " AND failing_since IS NOT NULL AND failing_since <= ?", [failingCutoff], disabledMessage);
          if (off !== null) disabled.push(off);
        }
        return disabled;
      });
    },

    async listWebhookDeliveries(brandId, endpointId, query) {
      const where = ["d.brand_id = ?", "d.endpoint_id = ?"];
      const params: SqlValue[] = [String(brandId), String(endpointId)];
      if (query.state !== undefined) (where.push("d.state = ?"), params.push(requireOneOf("state", query.state, ["pending", "delivered", "failed"] as const)));
      if (query.cursor !== undefined && query.cursor !== null) {
        const after = decodeCursor(query.cursor);
        where.push("(d.created_at, d.message_id) < (?, ?)");
        params.push(after.createdAt, after.id);
      }
      const limit = Math.max(1, Math.min(100, Math.floor(query.limit)));
      const rows = await db.all<DeliveryRow>(
        `SELECT d.message_id, d.endpoint_id, m.type, d.state, d.attempts, d.next_attempt_at, d.last_attempt_at, d.last_status, d.last_error, d.created_at
         FROM webhook_deliveries d JOIN webhook_messages m ON m.id = d.message_id
         WHERE ${where.join(" AND ")} ORDER BY d.created_at DESC, d.message_id DESC LIMIT ?`,
        ...params,
        limit + 1,
      );
      const page = rows.slice(0, limit);
      const logs = new Map<string, WebhookAttempt[]>();
      if (page.length > 0) {
        const attempts = await db.all<AttemptRow>(
          `SELECT message_id, attempt, at, status, latency_ms, excerpt, error FROM webhook_attempts
           WHERE endpoint_id = ? AND message_id IN (${page.map(() => "?").join(", ")}) ORDER BY at DESC`,
          String(endpointId),
          ...page.map((r) => r.message_id),
        );
        for (const row of attempts) {
          const log = logs.get(row.message_id) ?? [];
          if (log.length < LOG_PER_DELIVERY) log.push(toAttempt(row));
          logs.set(row.message_id, log);
        }
      }
      const items: WebhookDelivery[] = page.map((r) => ({
        messageId: r.message_id,
        endpointId: r.endpoint_id,
        type: r.type as WebhookEventType,
        state: r.state as WebhookDeliveryState,
        attempts: Number(r.attempts),
        nextAttemptAt: r.state === "pending" ? (r.next_attempt_at as Timestamp) : null,
        lastAttemptAt: r.last_attempt_at as Timestamp | null,
        lastStatus: r.last_status === null ? null : Number(r.last_status),
        lastError: r.last_error,
        createdAt: r.created_at as Timestamp,
        log: logs.get(r.message_id) ?? [],
      }));
      const last = items.at(-1);
      return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor({ createdAt: last.createdAt, id: last.messageId }) : null };
    },

    async resendWebhookMessage(brandId, endpointId, messageId, now) {
      requireTimestamp("now", now);
      const changed = await db.transaction((tx) =>
        tx.run(
          `INSERT INTO webhook_deliveries (message_id, endpoint_id, brand_id, state, attempts, claims, next_attempt_at, last_attempt_at, last_status, last_error, created_at, updated_at)
           SELECT m.id, e.id, e.brand_id, 'pending', 0, 0, ?, NULL, NULL, NULL, m.created_at, ?
           FROM webhook_messages m JOIN webhook_endpoints e ON e.brand_id = m.brand_id
           WHERE m.id = ? AND m.brand_id = ? AND e.id = ? AND e.deleted_at IS NULL
           ON CONFLICT (message_id, endpoint_id) DO UPDATE SET state = 'pending', attempts = 0, claims = webhook_deliveries.claims + 1, next_attempt_at = excluded.next_attempt_at, updated_at = excluded.updated_at`,
          now,
          now,
          requireKey("messageId", messageId),
          String(brandId),
          String(endpointId),
        ),
      );
      return changed > 0;
    },

    async replayWebhookMessages(brandId, endpointId, since, now) {
      requireTimestamp("since", since);
      requireTimestamp("now", now);
      return db.transaction((tx) =>
        tx.run(
          `INSERT INTO webhook_deliveries (message_id, endpoint_id, brand_id, state, attempts, claims, next_attempt_at, last_attempt_at, last_status, last_error, created_at, updated_at)
           SELECT m.id, e.id, e.brand_id, 'pending', 0, 0, ?, NULL, NULL, NULL, m.created_at, ?
           FROM webhook_messages m JOIN webhook_endpoints e ON e.brand_id = m.brand_id
           WHERE m.brand_id = ? AND e.id = ? AND e.deleted_at IS NULL AND m.created_at >= ? AND e.events LIKE '%"' || m.type || '"%'
           ON CONFLICT (message_id, endpoint_id) DO UPDATE SET state = 'pending', attempts = 0, claims = webhook_deliveries.claims + 1, next_attempt_at = excluded.next_attempt_at, updated_at = excluded.updated_at`,
          now,
          now,
          String(brandId),
          String(endpointId),
          since,
        ),
      );
    },

    writeWebhookMessage: (message) => db.transaction((tx) => writeOutboxMessage(tx, message)),

    async pruneWebhookHistory(before) {
      requireTimestamp("before", before);
      return db.transaction(async (tx) => {
        const attempts = await tx.run(`DELETE FROM webhook_attempts WHERE at < ?`, before);
        const deliveries = await tx.run(`DELETE FROM webhook_deliveries WHERE created_at < ? AND state <> 'pending'`, before);
        // Brand by brand, through the index messages are read by (no index of their own for age: one
        // less to write with every change that sends a message).
        let messages = 0;
        for (const { id } of await tx.all<{ id: string }>(`SELECT id FROM brands`)) {
          messages += await tx.run(
            `DELETE FROM webhook_messages WHERE brand_id = ? AND created_at < ? AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.message_id = webhook_messages.id)`,
            id,
            before,
          );
        }
        return attempts + deliveries + messages;
      });
    },
  };
}
