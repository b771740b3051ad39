/**
 * Webhook deliveries claimed by several instances sharing one PostgreSQL schema (each store its own
 * pool, as separate API instances have): claims made at once never hand out the same delivery, and a
 * delivery another transaction holds is passed over rather than waited for (SKIP LOCKED). Skipped
 * with a loud line where PostgreSQL cannot be reached, never under CI=true.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshSchema, POSTGRES_SKIPS, postgresForTests } from "../../../test/support/services.ts";
import type { ClaimedDelivery } from "../../webhooks/types.ts";
import type { Store } from "../store.ts";
import { toTimestamp } from "../time.ts";
import { PostgresStore } from "./postgres-store.ts";

const url = postgresForTests("webhook claims on PostgreSQL");
const T0 = Date.parse("2025-06-01T12:00:00.000Z");
const at = (ms: number) => toTimestamp(T0 + ms);

describe.skipIf(url === null)(`webhook delivery claims shared by several PostgreSQL stores (${POSTGRES_SKIPS})`, () => {
  const client = new pg.Client({ connectionString: url! });
  const schemas: string[] = [];
  const stores: Store[] = [];

  beforeAll(async () => {
    await client.connect();
  });
  afterAll(async () => {
    for (const store of stores) await store.close();
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });

  /** A fresh schema with a brand, its endpoint and `messages` deliveries due at at(0), and `count` stores on it. */
  async function prepare(messages: number, count: number): Promise<{ schema: string; stores: Store[]; ids: string[] }> {
    const schema = freshSchema();
    schemas.push(schema);
    const opened: Store[] = [];
    for (let i = 0; i < count; i++) opened.push(await PostgresStore.connect(url!, { schema, poolSize: 4 }));
    stores.push(...opened);
    const store = opened[0]!;
    await store.createBrand({ id: "brand-a", name: "Brand A", createdAt: at(0) });
    await store.createWebhook({ id: "wh_1", brandId: "brand-a", url: "https://crm.example/hooks", events: ["award.sent"], description: "", enabled: true, sealedSecret: "sealed", now: at(0) }, 5);
    const ids: string[] = [];
    for (let i = 0; i < messages; i++) {
      const id = `msg_${String(i).padStart(5, "0")}`;
      expect(await store.writeWebhookMessage({ id, brandId: "brand-a", type: "award.sent", body: `{"n":${i}}`, createdAt: at(0) })).toBe(true);
      ids.push(id);
    }
    return { schema, stores: opened, ids };
  }

  it("two stores claiming one endpoint's deliveries at once never hand out the same delivery", async () => {
    const { stores: [one, two], ids } = await prepare(120, 2);
    const handedOut: ClaimedDelivery[] = [];
    for (let round = 0; round < 50 && handedOut.length < ids.length; round++) {
      const claims = await Promise.all([one!, two!, one!, two!, one!, two!].map((store) => store.claimWebhookDeliveries("wh_1", 7, at(1_000), at(61_000))));
      handedOut.push(...claims.flat());
    }
    const messageIds = handedOut.map((c) => c.messageId);
    expect(new Set(messageIds).size).toBe(messageIds.length);
    expect(messageIds.sort()).toEqual(ids);
    expect(handedOut.every((c) => c.attempt === 1 && c.claim === 1)).toBe(true);
  });

  it("passes over deliveries another transaction holds instead of waiting for them, and claims them once they are let go", async () => {
    const { schema, stores: [store], ids } = await prepare(5, 1);
    const holder = new pg.Client({ connectionString: url! });
    await holder.connect();
    try {
      await holder.query("BEGIN");
      await holder.query(`SELECT message_id FROM ${schema}.webhook_deliveries WHERE message_id = ANY($1) FOR UPDATE`, [ids.slice(0, 2)]);
      // Resolves while the other transaction still holds its rows: it did not wait for them.
      const claimed = await store!.claimWebhookDeliveries("wh_1", 10, at(1_000), at(61_000));
      expect(claimed.map((c) => c.messageId).sort()).toEqual(ids.slice(2));
      await holder.query("COMMIT");
      const rest = await store!.claimWebhookDeliveries("wh_1", 10, at(1_000), at(61_000));
      expect(rest.map((c) => c.messageId).sort()).toEqual(ids.slice(0, 2));
    } finally {
      await holder.query("ROLLBACK").catch(() => undefined);
      await holder.end();
    }
  });
});
