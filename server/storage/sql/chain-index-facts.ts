/**
 * {@link ChainFacts} in SQL, read from the chain index's tables (chain-index-schema.ts) and nothing
 * else: no table of their own, so a rollback that deletes a block's events and changes takes its
 * facts with it. Each query is one statement, joined with the cursor: it sees one state of the index
 * (never half a page or half a rollback), and judges confirmation by that state's head.
 *
 * Token ids, balances, deltas and expiries are decimal TEXT: sums are made here in bigints, and
 * expiries are compared as NUMERIC (exact on PostgreSQL; on SQLite exact for any time of the next
 * few hundred million years, and "never" stays above every time).
 */
import type { Address, Hex } from "viem";
import type { BalancesAt, BalancesQuery, ChainFact, ChainFacts, ExpiredQuery, ExpiringQuery, FactPosition, FactsPage, FactsQuery, MembershipStates } from "../../chain/index/facts.ts";
import { comparePositions, DEFAULT_EXPIRING_WITHIN, factsOfEvent, formatPosition, lastPosition, MAX_FACTS, parsePosition, type MembershipChange } from "./chain-index-facts-fold.ts";
import type { IndexEvent } from "../../chain/index/types.ts";
import { StoreInputError } from "../errors.ts";
import { requireAddress } from "../validate.ts";
import type { SqlDatabase, SqlValue } from "./database.ts";

/** Most token ids one balances query takes. */
const MAX_TOKEN_IDS = 1_000;

type FactRow = {
  indexed_block: number;
  head_number: number;
  block_number: number | null;
  log_index: number | null;
  block_hash: string | null;
  block_time: number | null;
  tx_hash: string | null;
  name: string | null;
  args: string | null;
  token_id: string | null;
  holder: string | null;
  delta: string | null;
  expires_after: string | null;
  held_before: string | number | null;
  expires_before: string | null;
};

type BalanceRow = { head_number: number; indexed_through: number; holder: string | null; token_id: string | null; delta: string | null };

type StateRow = {
  chain_time: number;
  head_number: number;
  holder: string | null;
  token_id: string | null;
  balance: string | null;
  expires_at: string | null;
  block_number: number | null;
  log_index: number | null;
  position: number | null;
  block_hash: string | null;
  block_time: number | null;
  tx_hash: string | null;
};

/** The same position as change `c`, before it in chain order. */
const EARLIER = `p.collection = c.collection AND p.token_id = c.token_id AND p.holder = c.holder AND (p.block_number, p.log_index, p.position) < (c.block_number, c.log_index, c.position)`;
const LATEST = "ORDER BY p.block_number DESC, p.log_index DESC, p.position DESC LIMIT 1";

function requireLimit(field: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1 || value > MAX_FACTS) throw new StoreInputError(field, `expected an integer from 1 to ${MAX_FACTS}, got ${value}`);
  return value;
}

function requireConfirmations(value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new StoreInputError("confirmations", `expected a whole number of blocks, got ${value}`);
  return value;
}

function requireSeconds(field: string, value: bigint): number {
  if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) throw new StoreInputError(field, `expected unix seconds, got ${value}`);
  return Number(value);
}

const confirmedThrough = (headNumber: number, confirmations: number) => BigInt(Math.max(0, headNumber - confirmations));

export function createChainFacts(db: SqlDatabase): ChainFacts {
  /**
   * Memberships held now with an expiry in (`lower`, `upper`]: each bound SQL, an expression of the
   * cursor's chain time (`cur.block_time`) or a parameter, with `params` in the order they appear.
   */
  async function membershipStates(query: ExpiringQuery | ExpiredQuery, bounds: { lower: string; upper: string; params: SqlValue[] }): Promise<MembershipStates | null> {
    const collection = requireAddress("collection", query.collection);
    const confirmations = requireConfirmations(query.confirmations);
    const limit = requireLimit("limit", query.limit ?? 1_000);
    const { lower, upper, params } = bounds;
    const after = query.after ?? null;
    const expiry = "CAST(h.expires_at AS NUMERIC)";
    const rows = await db.all<StateRow>(
      `SELECT cur.block_time AS chain_time, cur.head_number, h.holder, h.token_id, h.balance, h.expires_at,
              s.block_number, s.log_index, s.position, e.block_hash, e.block_time, e.tx_hash
       FROM chain_index_cursor cur
       LEFT JOIN chain_index_holdings h ON h.collection = ? AND ${expiry} > ${lower} AND ${expiry} <= ${upper}
            ${after === null ? "" : `AND (${expiry}, h.token_id, h.holder) > (?, ?, ?)`}
       LEFT JOIN chain_index_changes s ON s.collection = h.collection AND s.token_id = h.token_id AND s.holder = h.holder
            AND (s.block_number, s.log_index, s.position) = (SELECT p.block_number, p.log_index, p.position FROM chain_index_changes p
                 WHERE p.collection = h.collection AND p.token_id = h.token_id AND p.holder = h.holder AND p.expires_at IS NOT NULL ${LATEST})
       LEFT JOIN chain_index_events e ON e.block_number = s.block_number AND e.log_index = s.log_index
       WHERE cur.id = 1
       ORDER BY ${expiry}, h.token_id, h.holder
       LIMIT ?`,
      collection,
      ...params,
      ...(after === null ? [] : [requireSeconds("after.expiresAt", after.expiresAt), after.tokenId.toString(), requireAddress("after.holder", after.holder)]),
      limit,
    );
    const first = rows[0];
    if (first === undefined) return null;
    const confirmed = confirmedThrough(Number(first.head_number), confirmations);
    const items = rows
      .filter((r) => r.holder !== null)
      .map((r) => {
        const tokenId = BigInt(r.token_id!);
        const expiresAt = BigInt(r.expires_at!);
        const blockNumber = BigInt(r.block_number!);
        return {
          id: `${collection}:${tokenId}:${r.holder}:${expiresAt}`,
          collection,
          tokenId,
          holder: r.holder as Address,
          balance: BigInt(r.balance!),
          expiresAt,
          source: { collection, blockNumber, blockHash: r.block_hash as Hex, logIndex: Number(r.log_index), position: Number(r.position), txHash: r.tx_hash as Hex, blockTime: BigInt(r.block_time!) },
          confirmed: blockNumber <= confirmed,
        };
      });
    const last = items.at(-1);
    return {
      now: query.now ?? BigInt(first.chain_time),
      items,
      next: items.length === limit && last !== undefined ? { expiresAt: last.expiresAt, tokenId: last.tokenId, holder: last.holder } : null,
    };
  }

  return {
    async factsAfter(query: FactsQuery): Promise<FactsPage | null> {
      const collection = requireAddress("collection", query.collection);
      const limit = requireLimit("limit", query.limit);
      const confirmations = requireConfirmations(query.confirmations);
      const after = query.after === undefined || query.after === null ? null : parsePosition(query.after);
      if (query.after && after === null) throw new StoreInputError("after", `expected a fact position like 123:4:0, got ${query.after}`);
      // One more log than facts asked for: a log that says nothing past `after` (a mint's expiry, a
      // log already read to its end) never keeps a page from moving on.
      const where = ["collection = ?", "name IN ('TransferSingle', 'TransferBatch', 'MembershipExtended')"];
      const params: SqlValue[] = [collection];
      if (after !== null) {
        where.push("(block_number, log_index) >= (?, ?)");
        params.push(Number(after.blockNumber), after.logIndex);
      }
      if (query.onlyConfirmed === true) {
        where.push("block_number <= (SELECT head_number - ? FROM chain_index_cursor WHERE id = 1)");
        params.push(confirmations);
      }
      const rows = await db.all<FactRow>(
        `SELECT cur.block_number AS indexed_block, cur.head_number,
                e.block_number, e.log_index, e.block_hash, e.block_time, e.tx_hash, e.name, e.args,
                c.token_id, c.holder, c.delta,
                CASE WHEN c.delta <> '0' AND c.delta NOT LIKE '-%'
                     THEN COALESCE(c.expires_at, (SELECT p.expires_at FROM chain_index_changes p WHERE ${EARLIER} AND p.expires_at IS NOT NULL ${LATEST})) END AS expires_after,
                CASE WHEN c.delta = '0' THEN (SELECT CAST(SUM(CAST(p.delta AS NUMERIC)) AS TEXT) FROM chain_index_changes p WHERE ${EARLIER}) END AS held_before,
                CASE WHEN c.delta = '0' THEN (SELECT p.expires_at FROM chain_index_changes p WHERE ${EARLIER} AND p.expires_at IS NOT NULL ${LATEST}) END AS expires_before
         FROM chain_index_cursor cur
         LEFT JOIN (SELECT block_number, log_index, collection, block_hash, block_time, tx_hash, name, args FROM chain_index_events
                    WHERE ${where.join(" AND ")} ORDER BY block_number, log_index LIMIT ?) e ON 1 = 1
         LEFT JOIN chain_index_changes c ON c.collection = e.collection AND c.block_number = e.block_number AND c.log_index = e.log_index
              AND EXISTS (SELECT 1 FROM chain_index_token_types t WHERE t.collection = c.collection AND t.token_id = c.token_id AND t.membership = 1)
         WHERE cur.id = 1
         ORDER BY e.block_number, e.log_index, c.position`,
        ...params,
        limit + 1,
      );
      const first = rows[0];
      if (first === undefined) return null;
      const confirmedBlock = confirmedThrough(Number(first.head_number), confirmations);

      // The rows are one per (log, membership change), in chain order: back to logs and their changes.
      const logs: { event: IndexEvent; changes: MembershipChange[] }[] = [];
      for (const row of rows) {
        if (row.block_number === null) continue;
        let log = logs.at(-1);
        if (log === undefined || log.event.blockNumber !== BigInt(row.block_number) || log.event.logIndex !== Number(row.log_index)) {
          log = {
            event: {
              collection,
              blockNumber: BigInt(row.block_number),
              blockHash: row.block_hash as Hex,
              blockTime: BigInt(row.block_time!),
              logIndex: Number(row.log_index),
              txHash: row.tx_hash as Hex,
              name: row.name as IndexEvent["name"],
              args: JSON.parse(row.args!) as IndexEvent["args"],
            },
            changes: [],
          };
          logs.push(log);
        }
        if (row.holder === null) continue;
        log.changes.push({
          tokenId: BigInt(row.token_id!),
          holder: row.holder as Address,
          delta: BigInt(row.delta!),
          expiresAfter: row.expires_after === null ? null : BigInt(row.expires_after),
          heldBefore: row.held_before === null ? 0n : BigInt(String(row.held_before)),
          expiresBefore: row.expires_before === null ? 0n : BigInt(row.expires_before),
        });
      }

      const facts: ChainFact[] = [];
      let next: FactPosition | null = query.after ?? null;
      for (const { event, changes } of logs) {
        for (const fact of factsOfEvent(event, changes, event.blockNumber <= confirmedBlock)) {
          if (after !== null && comparePositions(parsePosition(fact.id)!, after) <= 0) continue;
          if (facts.length === limit) return { facts, next, indexedBlock: BigInt(first.indexed_block), confirmedBlock };
          facts.push(fact);
          next = fact.id;
        }
        // The whole log is read: the next page starts past it.
        const end = formatPosition(event.blockNumber, event.logIndex, lastPosition(event));
        if (after === null || comparePositions(parsePosition(end)!, after) > 0) next = end;
      }
      return { facts, next, indexedBlock: BigInt(first.indexed_block), confirmedBlock };
    },

    async balancesAt(query: BalancesQuery): Promise<BalancesAt | null> {
      const collection = requireAddress("collection", query.collection);
      const confirmations = requireConfirmations(query.confirmations);
      if (query.block < 0n || query.block > BigInt(Number.MAX_SAFE_INTEGER)) throw new StoreInputError("block", `expected a block number, got ${query.block}`);
      const ids = query.tokenIds === undefined ? null : [...new Set(query.tokenIds.map((id) => id.toString()))];
      if (ids !== null && (ids.length === 0 || ids.length > MAX_TOKEN_IDS)) throw new StoreInputError("tokenIds", `expected 1 to ${MAX_TOKEN_IDS} token ids`);
      const holder = query.holder === undefined ? null : requireAddress("holder", query.holder);
      // The collection's progress in the same statement: a block it has not applied answers nothing.
      // One holder's: looked up type by type (every unit moved is of a type the collection created).
      const rows = await db.all<BalanceRow>(
        `SELECT cur.head_number, k.indexed_through, c.holder, c.token_id, c.delta
         FROM chain_index_cursor cur
         JOIN chain_index_collections k ON k.collection = ?
         LEFT JOIN chain_index_changes c ON c.collection = k.collection AND c.block_number <= ?
              ${ids !== null ? `AND c.token_id IN (${ids.map(() => "?").join(", ")})` : holder !== null ? "AND c.token_id IN (SELECT token_id FROM chain_index_token_types WHERE collection = k.collection)" : ""}
              ${holder === null ? "" : "AND c.holder = ?"}
         WHERE cur.id = 1`,
        collection,
        Number(query.block),
        ...(ids ?? []),
        ...(holder === null ? [] : [holder]),
      );
      const first = rows[0];
      if (first === undefined || BigInt(first.indexed_through) < query.block) return null;
      const sums = new Map<string, { holder: Address; tokenId: bigint; balance: bigint }>();
      for (const row of rows) {
        if (row.holder === null) continue;
        const key = `${row.token_id}|${row.holder}`;
        const entry = sums.get(key) ?? { holder: row.holder as Address, tokenId: BigInt(row.token_id!), balance: 0n };
        entry.balance += BigInt(row.delta!);
        sums.set(key, entry);
      }
      const balances = [...sums.values()]
        .filter((b) => b.balance !== 0n)
        .sort((a, b) => (a.tokenId !== b.tokenId ? (a.tokenId < b.tokenId ? -1 : 1) : a.holder < b.holder ? -1 : a.holder > b.holder ? 1 : 0));
      return { collection, block: query.block, confirmed: query.block <= confirmedThrough(Number(first.head_number), confirmations), balances };
    },

    membershipsExpiring(query) {
      const within = query.within ?? DEFAULT_EXPIRING_WITHIN;
      return membershipStates(
        query,
        query.now === undefined
          ? { lower: "cur.block_time", upper: "cur.block_time + ?", params: [requireSeconds("within", within)] }
          : { lower: "?", upper: "?", params: [requireSeconds("now", query.now), requireSeconds("now + within", query.now + within)] },
      );
    },

    membershipsExpired(query) {
      const since = requireSeconds("since", query.since ?? 0n);
      return membershipStates(query, { lower: "?", upper: query.now === undefined ? "cur.block_time" : "?", params: query.now === undefined ? [since] : [since, requireSeconds("now", query.now)] });
    },
  };
}
