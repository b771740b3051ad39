/** Brands' webhook endpoints (schema: webhook-schema.ts). Every read and write is scoped to the brand that asks. */
import type { WebhookEventType } from "../../../sdk/src/protocol/webhooks.ts";
import type { NewWebhookEndpoint, SealedWebhookSecrets, WebhookEndpoint, WebhookEndpointPatch, WebhookStore } from "../../webhooks/types.ts";
import type { Timestamp } from "../time.ts";
import { requireKey, requireTimestamp } from "../validate.ts";
import type { SqlDatabase, SqlValue } from "./database.ts";

type EndpointRow = { id: string; brand_id: string; url: string; events: string; description: string; enabled: number; disabled_reason: string | null; failing_since: string | null; created_at: string; updated_at: string };
const columns = "id, brand_id, url, events, description, enabled, disabled_reason, failing_since, created_at, updated_at";

const toEndpoint = (row: EndpointRow): WebhookEndpoint => ({
  id: row.id,
  brandId: row.brand_id,
  url: row.url,
  events: JSON.parse(row.events) as WebhookEventType[],
  description: row.description,
  enabled: Number(row.enabled) === 1,
  disabledReason: row.disabled_reason,
  failingSince: row.failing_since as Timestamp | null,
  createdAt: row.created_at as Timestamp,
  updatedAt: row.updated_at as Timestamp,
});

export function createWebhookStore(db: SqlDatabase): WebhookStore {
  const live = "deleted_at IS NULL";

  return {
    async createWebhook(input: NewWebhookEndpoint, max: number) {
      const id = requireKey("id", input.id);
      const brandId = requireKey("brandId", input.brandId);
      const now = requireTimestamp("now", input.now);
      return db.transaction(async (tx) => {
        // Counted under the brand's row lock (PostgreSQL) or the write lock (SQLite): two creations at once cannot both pass the quota.
        await tx.get(`SELECT id FROM brands WHERE id = ?${db.dialect.forUpdate}`, brandId);
        const count = await tx.get<{ n: number }>(`SELECT CAST(count(*) AS INTEGER) AS n FROM webhook_endpoints WHERE brand_id = ? AND ${live}`, brandId);
        if (Number(count!.n) >= max) return { status: "quota_exceeded" as const, limit: max };
        const row = await tx.get<EndpointRow>(
          `INSERT INTO webhook_endpoints (id, brand_id, url, events, description, enabled, disabled_reason, secret, previous_secret, previous_valid_until, created_at, updated_at, deleted_at)
           VALUES (?, ?, ?, ?, ?, ?, NULL, ?, NULL, NULL, ?, ?, NULL) RETURNING ${columns}`,
          id,
          brandId,
          String(input.url),
          JSON.stringify(input.events),
          String(input.description),
          input.enabled ? 1 : 0,
          String(input.sealedSecret),
          now,
          now,
        );
        return { status: "created" as const, endpoint: toEndpoint(row!) };
      });
    },

    async listWebhooks(brandId) {
      return (await db.all<EndpointRow>(`SELECT ${columns} FROM webhook_endpoints WHERE brand_id = ? AND ${live} ORDER BY created_at, id`, String(brandId))).map(toEndpoint);
    },

    async getWebhook(brandId, id) {
      const row = await db.get<EndpointRow>(`SELECT ${columns} FROM webhook_endpoints WHERE id = ? AND brand_id = ? AND ${live}`, String(id), String(brandId));
      return row === undefined ? null : toEndpoint(row);
    },

    async updateWebhook(brandId, id, patch: WebhookEndpointPatch) {
      const now = requireTimestamp("now", patch.now);
      const sets: string[] = ["updated_at = ?"];
      const values: SqlValue[] = [now];
      if (patch.url !== undefined) (sets.push("url = ?"), values.push(String(patch.url)));
      if (patch.events !== undefined) (sets.push("events = ?"), values.push(JSON.stringify(patch.events)));
      if (patch.description !== undefined) (sets.push("description = ?"), values.push(String(patch.description)));
      // Turned on again by the brand: why it was turned off, and its run of failures, no longer hold.
      if (patch.enabled !== undefined) (sets.push("enabled = ?", "disabled_reason = NULL", "failing_since = NULL"), values.push(patch.enabled ? 1 : 0));
      const row = await db.transaction((tx) =>
        tx.get<EndpointRow>(`UPDATE webhook_endpoints SET ${sets.join(", ")} WHERE id = ? AND brand_id = ? AND ${live} RETURNING ${columns}`, ...values, String(id), String(brandId)),
      );
      return row === undefined ? null : toEndpoint(row);
    },

    async deleteWebhook(brandId, id, now) {
      requireTimestamp("now", now);
      const changed = await db.transaction((tx) =>
        tx.run(`UPDATE webhook_endpoints SET deleted_at = ?, updated_at = ?, enabled = 0 WHERE id = ? AND brand_id = ? AND ${live}`, now, now, String(id), String(brandId)),
      );
      return changed === 1;
    },

    async rotateWebhookSecret(brandId, id, sealedSecret, previousValidUntil, now) {
      requireTimestamp("now", now);
      requireTimestamp("previousValidUntil", previousValidUntil);
      const row = await db.transaction((tx) =>
        tx.get<EndpointRow>(
          `UPDATE webhook_endpoints SET previous_secret = secret, previous_valid_until = ?, secret = ?, updated_at = ?
           WHERE id = ? AND brand_id = ? AND ${live} RETURNING ${columns}`,
          previousValidUntil,
          String(sealedSecret),
          now,
          String(id),
          String(brandId),
        ),
      );
      return row === undefined ? null : toEndpoint(row);
    },

    async webhookSecrets(id): Promise<SealedWebhookSecrets | null> {
      const row = await db.get<{ secret: string; previous_secret: string | null; previous_valid_until: string | null }>(
        `SELECT secret, previous_secret, previous_valid_until FROM webhook_endpoints WHERE id = ? AND ${live}`,
        String(id),
      );
      return row === undefined ? null : { current: row.secret, previous: row.previous_secret, previousValidUntil: row.previous_valid_until as Timestamp | null };
    },
  };
}
