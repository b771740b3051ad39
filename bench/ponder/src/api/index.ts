/**
 * What bench/ponder/run.ts reads back to check the index: every balance row and the number of
 * events, as JSON (integers as decimal strings).
 */
import { db } from "ponder:api";
import schema from "ponder:schema";
import { count } from "ponder";
import { Hono } from "hono";

const app = new Hono();

app.get("/bench/balances", async (c) => {
  const rows = await db.select().from(schema.balance);
  return c.json(rows.map((r) => ({ tokenId: r.tokenId.toString(), holder: r.holder, amount: r.amount.toString() })));
});

app.get("/bench/events", async (c) => {
  const [row] = await db.select({ events: count() }).from(schema.transferEvent);
  return c.json({ events: Number(row?.events ?? 0) });
});

export default app;
