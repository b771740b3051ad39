/**
 * The chain index in SQL (schema: chain-index-schema.ts). Pages are applied and reorgs rolled back in
 * one transaction each, conditional on the cursor's generation: a reader never sees half a page or
 * half a rollback, and a writer that lost its lease changes nothing.
 */
import type { Address, Hex } from "viem";
import type {
  ChainIndexStore,
  Delegation,
  HoldingChange,
  IndexCursor,
  IndexedBlock,
  IndexedCollection,
  IndexedHolding,
  IndexedTokenType,
  IndexEvent,
  IndexPage,
  Lot,
} from "../../chain/index/types.ts";
import { delegationRecordsOf, delegationsInForce, type DelegationRecord } from "./chain-index-delegations.ts";
import { applyChange, EMPTY_POSITION, foldEvents, positionKey, touchedPositions, typeKey, type Position } from "./chain-index-fold.ts";
import type { Timestamp } from "../time.ts";
import { requireAddress, requireTimestamp } from "../validate.ts";
import type { SqlDatabase, SqlExecutor, SqlValue } from "./database.ts";

type CursorRow = { chain_id: number; block_number: number; block_hash: string; parent_hash: string; block_time: number; head_number: number; head_seen_at: string; generation: number };
type BlockRow = { number: number; hash: string; parent_hash: string; time: number };
type HoldingRow = { holder: string; collection: string; token_id: string; balance: string; expires_at: string; lots: string };
type TypeRow = { collection: string; token_id: string; membership: number; points: string };
type EventRow = { block_number: number; log_index: number; collection: string; block_hash: string; block_time: number; tx_hash: string; name: string; args: string };
type DelegationRow = { block_number: number; log_index: number; delegate: string; vault: string; kind: string; contract: string | null; token_id: string | null; rights: string; amount: string };
type ChangeRow = { delta: string; expires_at: string | null; block_number: number; block_time: number };

const toBlock = (row: BlockRow): IndexedBlock => ({ number: BigInt(row.number), hash: row.hash as Hex, parentHash: row.parent_hash as Hex, time: BigInt(row.time) });
const encodeLots = (lots: readonly Lot[]) => JSON.stringify(lots.map((l) => [l.units.toString(), l.sinceBlock.toString(), l.sinceTime.toString()]));
const decodeLots = (text: string): Lot[] => (JSON.parse(text) as [string, string, string][]).map(([units, sinceBlock, sinceTime]) => ({ units: BigInt(units), sinceBlock: BigInt(sinceBlock), sinceTime: BigInt(sinceTime) }));
const toHolding = (row: HoldingRow): IndexedHolding => ({
  collection: row.collection as Address,
  tokenId: BigInt(row.token_id),
  holder: row.holder as Address,
  balance: BigInt(row.balance),
  expiresAt: BigInt(row.expires_at),
  lots: decodeLots(row.lots),
});
const toEvent = (row: EventRow): IndexEvent => ({
  collection: row.collection as Address,
  blockNumber: BigInt(row.block_number),
  blockHash: row.block_hash as Hex,
  blockTime: BigInt(row.block_time),
  logIndex: Number(row.log_index),
  txHash: row.tx_hash as Hex,
  name: row.name as IndexEvent["name"],
  args: JSON.parse(row.args) as IndexEvent["args"],
});
const toRecord = (row: DelegationRow): DelegationRecord => ({
  vault: row.vault as Address,
  delegate: row.delegate as Address,
  kind: row.kind as Delegation["kind"],
  contract: row.contract as Address | null,
  tokenId: row.token_id === null ? null : BigInt(row.token_id),
  rights: row.rights as Hex,
  amount: BigInt(row.amount),
  blockNumber: BigInt(row.block_number),
  logIndex: Number(row.log_index),
});
const toType = (row: TypeRow): IndexedTokenType => ({ collection: row.collection as Address, tokenId: BigInt(row.token_id), membership: Number(row.membership) === 1, points: BigInt(row.points) });

/**
 * Runs `statement(n)` (a statement for n rows of `width` values) over `rows`: whole chunks of 256,
 * the rest in powers of two, so the engines' statement caches hold a handful of shapes, not hundreds.
 */
async function forChunks<T>(rows: readonly T[], run: (chunk: readonly T[]) => Promise<unknown>): Promise<void> {
  let at = 0;
  for (let size = 256; size >= 1; size >>= 1) {
    while (rows.length - at >= size) {
      await run(rows.slice(at, at + size));
      at += size;
    }
  }
}

const placeholders = (rows: number, width: number) => Array.from({ length: rows }, () => `(${Array(width).fill("?").join(", ")})`).join(", ");

async function insertRows(tx: SqlExecutor, head: string, width: number, rows: readonly SqlValue[][], tail = ""): Promise<void> {
  await forChunks(rows, (chunk) => tx.run(`${head} VALUES ${placeholders(chunk.length, width)}${tail}`, ...chunk.flat()));
}

export function createChainIndexStore(db: SqlDatabase): ChainIndexStore {
  const { forUpdate } = db.dialect;

  async function cursorIn(tx: SqlExecutor, lock: boolean): Promise<CursorRow | undefined> {
    return tx.get<CursorRow>(`SELECT chain_id, block_number, block_hash, parent_hash, block_time, head_number, head_seen_at, generation FROM chain_index_cursor WHERE id = 1${lock ? forUpdate : ""}`);
  }

  /** The cursor at `block` (the head seen: the same block), unless there is one already; 1 when inserted. */
  function insertCursor(tx: SqlExecutor, chainId: number, block: IndexedBlock, now: Timestamp, generation: number): Promise<number> {
    return tx.run(
      `INSERT INTO chain_index_cursor (id, chain_id, block_number, block_hash, parent_hash, block_time, head_number, head_seen_at, generation)
       VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      chainId,
      Number(block.number),
      block.hash,
      block.parentHash,
      Number(block.time),
      Number(block.number),
      now,
      generation,
    );
  }

  async function positionsIn(tx: SqlExecutor, keys: readonly { collection: Address; tokenId: bigint; holder: Address }[]): Promise<Map<string, Position>> {
    const positions = new Map<string, Position>();
    await forChunks(keys, async (chunk) => {
      const rows = await tx.all<HoldingRow>(
        `SELECT holder, collection, token_id, balance, expires_at, lots FROM chain_index_holdings WHERE (holder, collection, token_id) IN (${placeholders(chunk.length, 3)})`,
        ...chunk.flatMap((k) => [k.holder.toLowerCase(), k.collection.toLowerCase(), k.tokenId.toString()]),
      );
      for (const row of rows) positions.set(positionKey(row.collection, BigInt(row.token_id), row.holder), { balance: BigInt(row.balance), expiresAt: BigInt(row.expires_at), lots: decodeLots(row.lots) });
    });
    return positions;
  }

  async function typesIn(tx: SqlExecutor, collections: readonly Address[]): Promise<Map<string, IndexedTokenType>> {
    const types = new Map<string, IndexedTokenType>();
    await forChunks(collections, async (chunk) => {
      const rows = await tx.all<TypeRow>(`SELECT collection, token_id, membership, points FROM chain_index_token_types WHERE collection IN (${chunk.map(() => "?").join(", ")})`, ...chunk.map((c) => c.toLowerCase()));
      for (const row of rows) types.set(typeKey(row.collection, BigInt(row.token_id)), toType(row));
    });
    return types;
  }

  /** Writes positions: upserts those holding units, deletes the emptied ones. */
  async function writePositions(tx: SqlExecutor, positions: ReadonlyMap<string, Position>): Promise<void> {
    const held: SqlValue[][] = [];
    const emptied: SqlValue[][] = [];
    for (const [key, p] of positions) {
      const [collection, tokenId, holder] = key.split("|") as [string, string, string];
      if (p.balance === 0n) emptied.push([holder, collection, tokenId]);
      else held.push([holder, collection, tokenId, p.balance.toString(), p.expiresAt.toString(), encodeLots(p.lots)]);
    }
    await forChunks(emptied, (chunk) => tx.run(`DELETE FROM chain_index_holdings WHERE (holder, collection, token_id) IN (${placeholders(chunk.length, 3)})`, ...chunk.flat()));
    await insertRows(
      tx,
      "INSERT INTO chain_index_holdings (holder, collection, token_id, balance, expires_at, lots)",
      6,
      held,
      " ON CONFLICT (holder, collection, token_id) DO UPDATE SET balance = excluded.balance, expires_at = excluded.expires_at, lots = excluded.lots",
    );
  }

  async function writeTypes(tx: SqlExecutor, types: Iterable<IndexedTokenType & { createdBlock: bigint | undefined; pointsBlock: bigint }>): Promise<void> {
    const rows = [...types].map((t) => [t.collection.toLowerCase(), t.tokenId.toString(), t.membership ? 1 : 0, t.points.toString(), t.createdBlock === undefined ? null : Number(t.createdBlock), Number(t.pointsBlock)]);
    await insertRows(
      tx,
      "INSERT INTO chain_index_token_types (collection, token_id, membership, points, created_block, points_block)",
      6,
      rows,
      ` ON CONFLICT (collection, token_id) DO UPDATE SET membership = excluded.membership, points = excluded.points,
        created_block = COALESCE(excluded.created_block, chain_index_token_types.created_block), points_block = excluded.points_block`,
    );
  }

  async function writeBlocks(tx: SqlExecutor, blocks: readonly IndexedBlock[]): Promise<void> {
    await insertRows(
      tx,
      "INSERT INTO chain_index_blocks (number, hash, parent_hash, time)",
      4,
      blocks.map((b) => [Number(b.number), b.hash, b.parentHash, Number(b.time)]),
      " ON CONFLICT (number) DO UPDATE SET hash = excluded.hash, parent_hash = excluded.parent_hash, time = excluded.time",
    );
  }

  async function clearAfter(tx: SqlExecutor, blockNumber: number): Promise<void> {
    // Positions the abandoned blocks changed, folded again from the changes that remain.
    const affected = await tx.all<{ collection: string; token_id: string; holder: string }>("SELECT DISTINCT collection, token_id, holder FROM chain_index_changes WHERE block_number > ?", blockNumber);
    await tx.run("DELETE FROM chain_index_changes WHERE block_number > ?", blockNumber);
    const positions = new Map<string, Position>();
    for (const key of affected) {
      const changes = await tx.all<ChangeRow>(
        "SELECT delta, expires_at, block_number, block_time FROM chain_index_changes WHERE collection = ? AND token_id = ? AND holder = ? ORDER BY block_number, log_index, position",
        key.collection,
        key.token_id,
        key.holder,
      );
      let position = EMPTY_POSITION;
      for (const c of changes) position = applyChange(position, { delta: BigInt(c.delta), expiresAt: c.expires_at === null ? undefined : BigInt(c.expires_at), blockNumber: BigInt(c.block_number), blockTime: BigInt(c.block_time) });
      positions.set(positionKey(key.collection, BigInt(key.token_id), key.holder), position);
    }
    await writePositions(tx, positions);
    // Token types touched after the ancestor: folded again from their collections' remaining type events.
    const typeCollections = (await tx.all<{ collection: string }>("SELECT DISTINCT collection FROM chain_index_token_types WHERE points_block > ?", blockNumber)).map((r) => r.collection as Address);
    await tx.run("DELETE FROM chain_index_events WHERE block_number > ?", blockNumber);
    for (const collection of typeCollections) {
      await tx.run("DELETE FROM chain_index_token_types WHERE collection = ?", collection);
      const events = (await tx.all<EventRow>(
        "SELECT block_number, log_index, collection, block_hash, block_time, tx_hash, name, args FROM chain_index_events WHERE collection = ? AND name IN ('TokenTypeCreated', 'TokenTypeTermsUpdated') ORDER BY block_number, log_index",
        collection,
      )).map(toEvent);
      await writeTypes(tx, foldEvents(events, new Map(), new Map()).types.values());
    }
    await tx.run("DELETE FROM chain_index_delegations WHERE block_number > ?", blockNumber);
    await tx.run("DELETE FROM chain_index_blocks WHERE number > ?", blockNumber);
    await tx.run("UPDATE chain_index_collections SET indexed_through = ? WHERE indexed_through > ?", blockNumber, blockNumber);
  }

  return {
    async indexCursor(): Promise<IndexCursor | null> {
      const row = await cursorIn(db, false);
      if (row === undefined) return null;
      return {
        chainId: Number(row.chain_id),
        block: toBlock({ number: row.block_number, hash: row.block_hash, parent_hash: row.parent_hash, time: row.block_time }),
        headNumber: BigInt(row.head_number),
        headSeenAt: row.head_seen_at as Timestamp,
        generation: Number(row.generation),
      };
    },

    async startIndex(chainId, block, now) {
      requireTimestamp("now", now);
      return db.transaction(async (tx) => {
        const inserted = await insertCursor(tx, chainId, block, now, 1);
        if (inserted === 1) await writeBlocks(tx, [block]);
        return inserted === 1;
      });
    },

    async indexedBlocks(fromNumber) {
      return (await db.all<BlockRow>("SELECT number, hash, parent_hash, time FROM chain_index_blocks WHERE number >= ? ORDER BY number", Number(fromNumber))).map(toBlock);
    },

    async indexedCollections(): Promise<IndexedCollection[]> {
      const rows = await db.all<{ collection: string; start_block: number; indexed_through: number }>("SELECT collection, start_block, indexed_through FROM chain_index_collections ORDER BY collection");
      return rows.map((r) => ({ collection: r.collection as Address, startBlock: BigInt(r.start_block), indexedThrough: BigInt(r.indexed_through) }));
    },

    async followCollection(collection, startBlock) {
      const address = requireAddress("collection", collection);
      if (startBlock < 0n) throw new RangeError("startBlock must not be negative");
      await db.transaction((tx) =>
        tx.run("INSERT INTO chain_index_collections (collection, start_block, indexed_through) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", address, Number(startBlock), Number(startBlock) - 1),
      );
    },

    async applyIndexPage(page: IndexPage, expected: number, advance: IndexedBlock | null, pruneBefore: bigint): Promise<boolean> {
      const collections = page.collections.map((c) => c.toLowerCase() as Address);
      return db.transaction(async (tx) => {
        const cursor = await cursorIn(tx, true);
        if (cursor === undefined || Number(cursor.generation) !== expected) return false;
        if (advance !== null && (BigInt(cursor.block_number) !== page.fromBlock - 1n || advance.number !== page.toBlock)) return false;
        for (const collection of collections) {
          const row = await tx.get<{ indexed_through: number }>(`SELECT indexed_through FROM chain_index_collections WHERE collection = ?${forUpdate}`, collection);
          if (row === undefined || BigInt(row.indexed_through) !== page.fromBlock - 1n) return false;
        }
        const events = page.events;
        await insertRows(
          tx,
          "INSERT INTO chain_index_events (block_number, log_index, collection, block_hash, block_time, tx_hash, name, args)",
          8,
          events.map((e) => [Number(e.blockNumber), e.logIndex, e.collection, e.blockHash, Number(e.blockTime), e.txHash, e.name, JSON.stringify(e.args)]),
        );
        const fold = foldEvents(events, await positionsIn(tx, touchedPositions(events)), await typesIn(tx, collections));
        await insertRows(
          tx,
          "INSERT INTO chain_index_changes (collection, token_id, holder, block_number, log_index, position, delta, expires_at, block_time)",
          9,
          fold.changes.map((c: HoldingChange) => [c.collection, c.tokenId.toString(), c.holder.toLowerCase(), Number(c.blockNumber), c.logIndex, c.position, c.delta.toString(), c.expiresAt === undefined ? null : c.expiresAt.toString(), Number(c.blockTime)]),
        );
        await writePositions(tx, fold.positions);
        await writeTypes(tx, fold.types.values());
        await insertRows(
          tx,
          "INSERT INTO chain_index_delegations (block_number, log_index, delegate, vault, kind, contract, token_id, rights, amount)",
          9,
          delegationRecordsOf(events).map((r) => [Number(r.blockNumber), r.logIndex, r.delegate, r.vault, r.kind, r.contract, r.tokenId === null ? null : r.tokenId.toString(), r.rights, r.amount.toString()]),
        );
        await forChunks(collections, (chunk) =>
          tx.run(`UPDATE chain_index_collections SET indexed_through = ? WHERE collection IN (${chunk.map(() => "?").join(", ")})`, Number(page.toBlock), ...chunk),
        );
        if (advance !== null) {
          await writeBlocks(tx, page.blocks);
          await tx.run("DELETE FROM chain_index_blocks WHERE number < ?", Number(pruneBefore));
          await tx.run(
            "UPDATE chain_index_cursor SET block_number = ?, block_hash = ?, parent_hash = ?, block_time = ?, generation = generation + 1 WHERE id = 1",
            Number(advance.number),
            advance.hash,
            advance.parentHash,
            Number(advance.time),
          );
        } else {
          await tx.run("UPDATE chain_index_cursor SET generation = generation + 1 WHERE id = 1");
        }
        return true;
      });
    },

    async rollbackIndex(ancestor, expected) {
      return db.transaction(async (tx) => {
        const cursor = await cursorIn(tx, true);
        if (cursor === undefined || Number(cursor.generation) !== expected) return false;
        const known = await tx.get<BlockRow>("SELECT number, hash, parent_hash, time FROM chain_index_blocks WHERE number = ?", Number(ancestor.number));
        if (known === undefined || known.hash !== ancestor.hash) return false;
        await clearAfter(tx, Number(ancestor.number));
        await tx.run(
          "UPDATE chain_index_cursor SET block_number = ?, block_hash = ?, parent_hash = ?, block_time = ?, generation = generation + 1 WHERE id = 1",
          Number(ancestor.number),
          ancestor.hash,
          ancestor.parentHash,
          Number(ancestor.time),
        );
        return true;
      });
    },

    async resetIndex(chainId, block, now) {
      requireTimestamp("now", now);
      await db.transaction(async (tx) => {
        for (const table of ["chain_index_changes", "chain_index_delegations", "chain_index_holdings", "chain_index_events", "chain_index_token_types", "chain_index_blocks"]) await tx.run(`DELETE FROM ${table}`);
        await tx.run("UPDATE chain_index_collections SET indexed_through = start_block - 1");
        const generation = Number((await cursorIn(tx, true))?.generation ?? 0) + 1;
        await tx.run("DELETE FROM chain_index_cursor");
        await insertCursor(tx, chainId, block, now, generation);
        await writeBlocks(tx, [block]);
      });
    },

    async recordHead(headNumber, seenAt, expected) {
      requireTimestamp("seenAt", seenAt);
      const changed = await db.transaction((tx) => tx.run("UPDATE chain_index_cursor SET head_number = ?, head_seen_at = ? WHERE id = 1 AND generation = ?", Number(headNumber), seenAt, expected), { durability: "ephemeral" });
      return changed === 1;
    },

    async holdingsOf(holder, collections) {
      const address = requireAddress("holder", holder);
      const columns = "holder, collection, token_id, balance, expires_at, lots";
      if (collections === undefined) return (await db.all<HoldingRow>(`SELECT ${columns} FROM chain_index_holdings WHERE holder = ?`, address)).map(toHolding);
      if (collections.length === 0) return [];
      const list = collections.map((c) => c.toLowerCase());
      return (await db.all<HoldingRow>(`SELECT ${columns} FROM chain_index_holdings WHERE holder = ? AND collection IN (${list.map(() => "?").join(", ")})`, address, ...list)).map(toHolding);
    },

    async collectionHoldings(collection) {
      const address = requireAddress("collection", collection);
      return (await db.all<HoldingRow>("SELECT holder, collection, token_id, balance, expires_at, lots FROM chain_index_holdings WHERE collection = ? ORDER BY token_id, holder", address)).map(toHolding);
    },

    async indexedTokenTypes(collections) {
      return [...(await typesIn(db, collections)).values()];
    },

    async delegationsTo(delegate) {
      const address = requireAddress("delegate", delegate);
      const rows = await db.all<DelegationRow>(
        "SELECT block_number, log_index, delegate, vault, kind, contract, token_id, rights, amount FROM chain_index_delegations WHERE delegate = ? ORDER BY block_number, log_index",
        address,
      );
      return delegationsInForce(rows.map(toRecord));
    },

    async indexEvents(collection, fromBlock, limit) {
      const address = requireAddress("collection", collection);
      const rows = await db.all<EventRow>(
        "SELECT block_number, log_index, collection, block_hash, block_time, tx_hash, name, args FROM chain_index_events WHERE collection = ? AND block_number >= ? ORDER BY block_number, log_index LIMIT ?",
        address,
        Number(fromBlock),
        Math.max(0, Math.min(limit, 10_000)),
      );
      return rows.map(toEvent);
    },
  };
}
