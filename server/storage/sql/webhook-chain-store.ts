/**
 * What the chain's webhook messages need kept (schema: webhook-delivery-schema.ts): each collection's
 * announcing cursor, the levels members were last announced at, and the messages about blocks still
 * watched for a reorg. Written by one instance at a time (server/webhooks/chain-events.ts runs under a lease).
 */
import type { WebhookEventType } from "../../../sdk/src/protocol/webhooks.ts";
import type { AnnouncedLevel, WebhookChainStore } from "../../webhooks/types.ts";
import { requireKey } from "../validate.ts";
import type { SqlDatabase } from "./database.ts";
import { writeOutboxMessage, writeOutboxMessages } from "./webhook-outbox.ts";

export function createWebhookChainStore(db: SqlDatabase): WebhookChainStore {
  return {
    async webhookChainCursor(collection) {
      const row = await db.get<{ position: string; expired_through: number }>(`SELECT position, expired_through FROM webhook_chain_cursors WHERE collection = ?`, String(collection).toLowerCase());
      return row === undefined ? null : { position: row.position, expiredThrough: BigInt(row.expired_through) };
    },

    async announceChain(collection, messages, levels, cursor) {
      const key = requireKey("collection", String(collection).toLowerCase());
      return db.transaction(async (tx) => {
        let written = 0;
        for (const message of messages) if (await writeOutboxMessage(tx, message)) written++;
        for (const level of levels) {
          await tx.run(
            `INSERT INTO webhook_member_levels (brand_id, member, level_key, points) VALUES (?, ?, ?, ?)
             ON CONFLICT (brand_id, member) DO UPDATE SET level_key = excluded.level_key, points = excluded.points`,
            level.brandId,
            level.member.toLowerCase(),
            level.levelKey,
            level.points.toString(),
          );
        }
        await tx.run(
          `INSERT INTO webhook_chain_cursors (collection, position, expired_through) VALUES (?, ?, ?)
           ON CONFLICT (collection) DO UPDATE SET position = excluded.position, expired_through = excluded.expired_through`,
          key,
          cursor.position,
          Number(cursor.expiredThrough),
        );
        return written;
      });
    },

    async watchedChainMessages(limit) {
      const rows = await db.all<{ id: string; brand_id: string; type: string; body: string; chain_block: number; chain_hash: string; chain_state: string }>(
        `SELECT id, brand_id, type, body, chain_block, chain_hash, chain_state FROM webhook_messages
         WHERE chain_state IN ('unconfirmed', 'confirmed') ORDER BY chain_block, id LIMIT ?`,
        Math.max(1, Math.floor(limit)),
      );
      return rows.map((r) => ({ id: r.id, brandId: r.brand_id, type: r.type as WebhookEventType, body: r.body, block: BigInt(r.chain_block), hash: r.chain_hash, state: r.chain_state as "unconfirmed" | "confirmed" }));
    },

    async settleChainMessages(changes, followUps) {
      if (changes.length === 0 && followUps.length === 0) return;
      await db.transaction(async (tx) => {
        for (const change of changes) await tx.run(`UPDATE webhook_messages SET chain_state = ? WHERE id = ? AND chain_state IN ('unconfirmed', 'confirmed')`, change.state, change.id);
        await writeOutboxMessages(tx, followUps);
      });
    },

    async announcedLevels(brandId, members) {
      const levels = new Map<string, AnnouncedLevel>();
      if (members.length === 0) return levels;
      const list = members.map((m) => m.toLowerCase());
      const rows = await db.all<{ member: string; level_key: string | null; points: string }>(
        `SELECT member, level_key, points FROM webhook_member_levels WHERE brand_id = ? AND member IN (${list.map(() => "?").join(", ")})`,
        String(brandId),
        ...list,
      );
      for (const row of rows) levels.set(row.member, { brandId: String(brandId), member: row.member, levelKey: row.level_key, points: BigInt(row.points) });
      return levels;
    },
  };
}
