/** Balances per (token id, holder) and one row per transfer event, from the collection's transfer logs. */
import { type Context, ponder } from "ponder:registry";
import schema from "ponder:schema";
import { zeroAddress } from "viem";

async function add(db: Context["db"], holder: `0x${string}`, tokenId: bigint, amount: bigint) {
  if (holder === zeroAddress) return;
  await db
    .insert(schema.balance)
    .values({ tokenId, holder, amount })
    .onConflictDoUpdate((row) => ({ amount: row.amount + amount }));
}

ponder.on("StampbookCollection:TransferSingle", async ({ event, context }) => {
  const { operator, from, to, id, value } = event.args;
  await add(context.db, from, id, -value);
  await add(context.db, to, id, value);
  await context.db.insert(schema.transferEvent).values({
    id: event.id,
    kind: "single",
    blockNumber: event.block.number,
    logIndex: event.log.logIndex,
    transactionHash: event.transaction.hash,
    operator,
    from,
    to,
    ids: [id],
    values: [value],
  });
});

ponder.on("StampbookCollection:TransferBatch", async ({ event, context }) => {
  const { operator, from, to, ids, values } = event.args;
  for (let i = 0; i < ids.length; i++) {
    await add(context.db, from, ids[i]!, -values[i]!);
    await add(context.db, to, ids[i]!, values[i]!);
  }
  await context.db.insert(schema.transferEvent).values({
    id: event.id,
    kind: "batch",
    blockNumber: event.block.number,
    logIndex: event.log.logIndex,
    transactionHash: event.transaction.hash,
    operator,
    from,
    to,
    ids: [...ids],
    values: [...values],
  });
});
