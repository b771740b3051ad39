import { index, onchainTable, primaryKey } from "ponder";

/** Units of each token id each holder has (the zero address is never a holder). */
export const balance = onchainTable(
  "balance",
  (t) => ({
    tokenId: t.bigint().notNull(),
    holder: t.hex().notNull(),
    amount: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.tokenId, table.holder] }) }),
);

/** Every TransferSingle and TransferBatch, one row each (a batch keeps its ids and values). */
export const transferEvent = onchainTable(
  "transfer_event",
  (t) => ({
    id: t.text().primaryKey(),
    kind: t.text().notNull(),
    blockNumber: t.bigint().notNull(),
    logIndex: t.integer().notNull(),
    transactionHash: t.hex().notNull(),
    operator: t.hex().notNull(),
    from: t.hex().notNull(),
    to: t.hex().notNull(),
    ids: t.bigint().array().notNull(),
    values: t.bigint().array().notNull(),
  }),
  (table) => ({ blockIndex: index().on(table.blockNumber) }),
);
