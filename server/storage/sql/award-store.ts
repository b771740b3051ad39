/**
 * The award queue's storage (see server/awards/types.ts). Every transition is conditional on the
 * state it leaves, so two workers (or a worker and its own restart) can only ever both try, never
 * both succeed: a batch is recorded `sent` only from `open`, settled only from `sent`, and awards
 * return to `pending` only from an `open` batch (never signed) or a settled one.
 *
 * Long because every transition of an award and its batch is one conditional statement, and they
 * are only safe read together.
 */
import type { Address, Hex } from "viem";
import { AWARD_STATUSES } from "../../../sdk/src/protocol/awards.ts";
import type { Award, AwardBatch, AwardBatchOutcome, AwardBatchStatus, AwardRetry, AwardStatus, AwardStore, NewAward } from "../../awards/types.ts";
import { AWARD_BATCH_STATUSES } from "../award-batches.ts";
import { decodeCursor, encodeCursor } from "../cursor.ts";
import { StoreInputError } from "../errors.ts";
import { MAX_PAGE_SIZE } from "../store.ts";
import { clampPageSize, optionalTimestamp, requireAddress, requireKey, requireOneOf, requireRawTx, requireText, requireTimestamp, requireTxHash, requireUintString } from "../validate.ts";
import { writeOutboxMessages } from "./webhook-outbox.ts";
import type { SqlDatabase, SqlExecutor, SqlValue } from "./database.ts";

interface AwardRow {
  id: string;
  brand_id: string;
  journey_id: string;
  member: string;
  collection: string;
  token_id: string;
  amount: string;
  status: string;
  batch_id: string | null;
  tx_hash: string | null;
  attempts: number;
  error: string | null;
  not_before: string | null;
  created_at: string;
  updated_at: string;
}

interface BatchRow {
  id: string;
  brand_id: string;
  collection: string;
  token_id: string;
  amount: string;
  size: number;
  status: string;
  minter: string | null;
  nonce: number | null;
  tx_hash: string | null;
  raw_tx: string | null;
  error: string | null;
  gas_used: string | null;
  block_number: string | null;
  created_at: string;
  updated_at: string;
}

const awardColumns = "id, brand_id, journey_id, member, collection, token_id, amount, status, batch_id, tx_hash, attempts, error, not_before, created_at, updated_at";
const batchColumns = "id, brand_id, collection, token_id, amount, size, status, minter, nonce, tx_hash, raw_tx, error, gas_used, block_number, created_at, updated_at";

function toAward(row: AwardRow): Award {
  return {
    id: row.id,
    brandId: row.brand_id,
    journeyId: row.journey_id,
    member: row.member as Address,
    collection: row.collection as Address,
    tokenId: row.token_id,
    amount: row.amount,
    status: row.status as AwardStatus,
    batchId: row.batch_id,
    txHash: row.tx_hash as Hex | null,
    attempts: Number(row.attempts),
    error: row.error,
    notBefore: row.not_before,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toBatch(row: BatchRow): AwardBatch {
  return {
    id: row.id,
    brandId: row.brand_id,
    collection: row.collection as Address,
    tokenId: row.token_id,
    amount: row.amount,
    size: Number(row.size),
    status: row.status as AwardBatchStatus,
    minter: row.minter as Address | null,
    nonce: row.nonce === null ? null : Number(row.nonce),
    txHash: row.tx_hash as Hex | null,
    rawTx: row.raw_tx as Hex | null,
    error: row.error,
    gasUsed: row.gas_used,
    blockNumber: row.block_number,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Oldest first, the order the queue serves awards in. */
const byAge = (a: Award, b: Award) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function requirePositiveInt(field: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) throw new StoreInputError(field, `expected a positive integer, got ${String(value)}`);
  return value;
}

function requireRetry(retry: AwardRetry): AwardRetry {
  if (typeof retry !== "object" || retry === null) throw new StoreInputError("retry", "expected an AwardRetry");
  const now = requireTimestamp("retry.now", retry.now);
  const notBefore = optionalTimestamp("retry.notBefore", retry.notBefore);
  if (retry.kind === "later") return { kind: "later", error: retry.error === null ? null : requireText("retry.error", retry.error), notBefore, now };
  if (retry.kind === "failed") {
    return {
      kind: "failed",
      error: requireText("retry.error", retry.error),
      notBefore,
      maxBatch: requirePositiveInt("retry.maxBatch", retry.maxBatch),
      alone: retry.alone === true,
      maxAttempts: requirePositiveInt("retry.maxAttempts", retry.maxAttempts),
      now,
    };
  }
  throw new StoreInputError("retry.kind", "expected later or failed");
}

/** Moves a batch's `sending` awards (all, or `ids`) where `retry` says; resolves to how many moved. */
async function applyRetry(tx: SqlExecutor, batchId: string, ids: readonly string[] | "all", retry: AwardRetry): Promise<number> {
  if (ids !== "all" && ids.length === 0) return 0;
  const only = ids === "all" ? "" : ` AND id IN (${ids.map(() => "?").join(", ")})`;
  const where = [batchId, ...(ids === "all" ? [] : ids)];
  if (retry.kind === "later") {
    return tx.run(
      `UPDATE awards SET status = 'pending', batch_id = NULL, tx_hash = NULL, error = ?, not_before = ?, updated_at = ? WHERE batch_id = ? AND status = 'sending'${only}`,
      retry.error,
      retry.notBefore,
      retry.now,
      ...where,
    );
  }
  if (!retry.alone) {
    return tx.run(
      `UPDATE awards SET status = 'pending', batch_id = NULL, tx_hash = NULL, attempts = attempts + 1, error = ?, not_before = ?, max_batch = ?, updated_at = ?
       WHERE batch_id = ? AND status = 'sending'${only}`,
      retry.error,
      retry.notBefore,
      retry.maxBatch,
      retry.now,
      ...where,
    );
  }
  // Alone, an award that has used its attempts is failed for good; it keeps the transaction that reverted.
  return tx.run(
    `UPDATE awards SET
       status = CASE WHEN attempts + 1 >= ? THEN 'failed' ELSE 'pending' END,
       tx_hash = CASE WHEN attempts + 1 >= ? THEN tx_hash ELSE NULL END,
       not_before = CASE WHEN attempts + 1 >= ? THEN NULL ELSE ? END,
       batch_id = NULL, attempts = attempts + 1, error = ?, max_batch = ?, updated_at = ?
     WHERE batch_id = ? AND status = 'sending'${only}`,
    retry.maxAttempts,
    retry.maxAttempts,
    retry.maxAttempts,
    retry.notBefore,
    retry.error,
    retry.maxBatch,
    retry.now,
    ...where,
  );
}

export function createAwardStore(db: SqlDatabase): AwardStore {
  // PostgreSQL: a claimer skips rows another claimer holds instead of queueing behind it.
  const skipLocked = db.dialect.forUpdate === "" ? "" : `${db.dialect.forUpdate} SKIP LOCKED`;

  const getBatch = async (ex: SqlExecutor, id: string) => {
    const row = await ex.get<BatchRow>(`SELECT ${batchColumns} FROM award_batches WHERE id = ?`, id);
    return row === undefined ? null : toBatch(row);
  };

  return {
    async queueAward(award: NewAward) {
      if (typeof award !== "object" || award === null) throw new StoreInputError("award", "expected a NewAward");
      const id = requireKey("id", award.id);
      const brandId = requireKey("brandId", award.brandId);
      const journeyId = requireKey("journeyId", award.journeyId);
      const member = requireAddress("member", award.member);
      const collection = requireAddress("collection", award.collection);
      const tokenId = requireUintString("tokenId", award.tokenId);
      const amount = requireUintString("amount", award.amount, 1n);
      const createdAt = requireTimestamp("createdAt", award.createdAt);
      const [created] = await db.writeOne<AwardRow>(
        `INSERT INTO awards (id, brand_id, journey_id, member, collection, token_id, amount, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)
         ON CONFLICT (journey_id, member) DO NOTHING
         RETURNING ${awardColumns}`,
        id,
        brandId,
        journeyId,
        member,
        collection,
        tokenId,
        amount,
        createdAt,
        createdAt,
      );
      if (created !== undefined) return { status: "queued", award: toAward(created) };
      const existing = await db.get<AwardRow>(`SELECT ${awardColumns} FROM awards WHERE journey_id = ? AND member = ?`, journeyId, member);
      if (existing === undefined) throw new Error("award conflict without an existing award");
      return { status: "exists", award: toAward(existing) };
    },

    async getAward(id: string) {
      const row = await db.get<AwardRow>(`SELECT ${awardColumns} FROM awards WHERE id = ?`, String(id));
      return row === undefined ? null : toAward(row);
    },

    async listAwards(query) {
      const limit = clampPageSize(query.limit, MAX_PAGE_SIZE);
      const where = ["brand_id = ?"];
      const params: SqlValue[] = [requireKey("brandId", query.brandId)];
      if (query.status !== undefined) {
        where.push("status = ?");
        params.push(requireOneOf("status", query.status, AWARD_STATUSES));
      }
      if (query.member !== undefined) {
        where.push("member = ?");
        params.push(requireAddress("member", query.member));
      }
      if (query.journeyId !== undefined) {
        where.push("journey_id = ?");
        params.push(requireKey("journeyId", query.journeyId));
      }
      if (query.cursor !== undefined && query.cursor !== null) {
        const after = decodeCursor(query.cursor);
        where.push("(created_at, id) < (?, ?)");
        params.push(after.createdAt, after.id);
      }
      const rows = await db.all<AwardRow>(`SELECT ${awardColumns} FROM awards WHERE ${where.join(" AND ")} ORDER BY created_at DESC, id DESC LIMIT ?`, ...params, limit + 1);
      const items = rows.slice(0, limit).map(toAward);
      const last = items.at(-1);
      return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null };
    },

    async memberAwards(member, query = {}) {
      const params: SqlValue[] = [requireAddress("member", member)];
      if (query.brandId !== undefined) params.push(requireKey("brandId", query.brandId));
      const rows = await db.all<AwardRow>(
        `SELECT ${awardColumns} FROM awards WHERE member = ?${query.brandId === undefined ? "" : " AND brand_id = ?"} ORDER BY created_at DESC, id DESC`,
        ...params,
      );
      return rows.map(toAward);
    },

    async claimAwardBatch(claim) {
      const batchId = requireKey("batchId", claim.batchId);
      const max = requirePositiveInt("max", claim.max);
      const now = requireTimestamp("now", claim.now);
      const brandId = claim.brandId === undefined ? undefined : requireKey("brandId", claim.brandId);
      return db.transaction(async (tx) => {
        const head = await tx.get<{ brand_id: string; collection: string; token_id: string; amount: string; max_batch: number | null }>(
          `SELECT brand_id, collection, token_id, amount, max_batch FROM awards
           WHERE status = 'pending' AND (not_before IS NULL OR not_before <= ?)${brandId === undefined ? "" : " AND brand_id = ?"}
           ORDER BY created_at, id LIMIT 1${skipLocked}`,
          now,
          ...(brandId === undefined ? [] : [brandId]),
        );
        if (head === undefined) return null;
        const limit = Math.min(max, head.max_batch === null ? max : Number(head.max_batch));
        // The head is among them: it is the oldest, and it accepts a batch of `limit`. (A CTE, not
        // `IN (SELECT … LIMIT …)`: PostgreSQL may run such a subquery more than once, past the limit.)
        const rows = await tx.all<AwardRow>(
          `WITH picked AS (
             SELECT id FROM awards
             WHERE status = 'pending' AND brand_id = ? AND collection = ? AND token_id = ? AND amount = ?
               AND (not_before IS NULL OR not_before <= ?) AND (max_batch IS NULL OR max_batch >= ?)
             ORDER BY created_at, id LIMIT ?${skipLocked})
           UPDATE awards SET status = 'sending', batch_id = ?, updated_at = ?
           WHERE status = 'pending' AND id IN (SELECT id FROM picked)
           RETURNING ${awardColumns}`,
          head.brand_id,
          head.collection,
          head.token_id,
          head.amount,
          now,
          limit,
          limit,
          batchId,
          now,
        );
        if (rows.length === 0) return null;
        const [batch] = await tx.all<BatchRow>(
          `INSERT INTO award_batches (id, brand_id, collection, token_id, amount, size, status, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?) RETURNING ${batchColumns}`,
          batchId,
          head.brand_id,
          head.collection,
          head.token_id,
          head.amount,
          rows.length,
          now,
          now,
        );
        return { batch: toBatch(batch!), awards: rows.map(toAward).sort(byAge) };
      });
    },

    async returnAwards(batchId, awardIds, retry) {
      const id = requireKey("batchId", batchId);
      const ids = awardIds === "all" ? "all" : awardIds.map((a, i) => requireKey(`awardIds[${i}]`, a));
      const checked = requireRetry(retry);
      return db.transaction(async (tx) => {
        const batch = await tx.get<{ status: string }>(`SELECT status FROM award_batches WHERE id = ?${db.dialect.forUpdate}`, id);
        if (batch?.status !== "open") return 0;
        const moved = await applyRetry(tx, id, ids, checked);
        const left = await tx.get<{ n: number }>(`SELECT CAST(count(*) AS INTEGER) AS n FROM awards WHERE batch_id = ? AND status = 'sending'`, id);
        const n = Number(left?.n ?? 0);
        if (n === 0) {
          await tx.run(`UPDATE award_batches SET status = 'released', error = ?, updated_at = ? WHERE id = ?`, checked.error, checked.now, id);
        } else {
          await tx.run(`UPDATE award_batches SET size = ?, updated_at = ? WHERE id = ?`, n, checked.now, id);
        }
        return moved;
      });
    },

    async recordAwardBatchTx(batchId, signed, replaces, now) {
      const id = requireKey("batchId", batchId);
      if (typeof signed !== "object" || signed === null) throw new StoreInputError("tx", "expected {hash, raw, nonce, minter}");
      const hash = requireTxHash("tx.hash", signed.hash);
      const raw = requireRawTx("tx.raw", signed.raw);
      const minter = requireAddress("tx.minter", signed.minter);
      if (!Number.isSafeInteger(signed.nonce) || signed.nonce < 0) throw new StoreInputError("tx.nonce", `expected a non-negative integer, got ${String(signed.nonce)}`);
      const previous = replaces === null ? null : requireTxHash("replaces", replaces);
      requireTimestamp("now", now);
      return db.transaction(async (tx) => {
        const changed = await tx.run(
          `UPDATE award_batches SET status = 'sent', minter = ?, nonce = ?, tx_hash = ?, raw_tx = ?, error = NULL, updated_at = ?
           WHERE id = ? AND ${previous === null ? "status = 'open'" : "status = 'sent' AND tx_hash = ?"}`,
          minter,
          signed.nonce,
          hash,
          raw,
          now,
          id,
          ...(previous === null ? [] : [previous]),
        );
        if (changed === 0) return false;
        await tx.run(`UPDATE awards SET tx_hash = ?, updated_at = ? WHERE batch_id = ? AND status = 'sending'`, hash, now, id);
        return true;
      });
    },

    async noteAwardBatchError(batchId, error, now) {
      const id = requireKey("batchId", batchId);
      const text = requireText("error", error);
      requireTimestamp("now", now);
      await db.transaction(async (tx) => {
        if ((await tx.run(`UPDATE award_batches SET error = ?, updated_at = ? WHERE id = ? AND status = 'sent'`, text, now, id)) === 0) return;
        // Brands see it on the awards waiting for that batch, too.
        await tx.run(`UPDATE awards SET error = ? WHERE batch_id = ? AND status = 'sending'`, text, id);
      });
    },

    async settleAwardBatch(batchId: string, outcome: AwardBatchOutcome) {
      const id = requireKey("batchId", batchId);
      if (outcome.status === "mined") {
        const now = requireTimestamp("now", outcome.now);
        return db.transaction(async (tx) => {
          const [batch] = await tx.all<{ tx_hash: string }>(
            `UPDATE award_batches SET status = 'mined', block_number = ?, gas_used = ?, error = NULL, updated_at = ? WHERE id = ? AND status = 'sent' RETURNING tx_hash`,
            String(outcome.blockNumber),
            String(outcome.gasUsed),
            now,
            id,
          );
          if (batch === undefined) return false;
          const sent = await tx.all<{ id: string; journey_id: string; member: string }>(
            `UPDATE awards SET status = 'awarded', tx_hash = ?, error = NULL, not_before = NULL, updated_at = ? WHERE batch_id = ? AND status = 'sending' RETURNING id, journey_id, member`,
            batch.tx_hash,
            now,
            id,
          );
          if (outcome.announce !== undefined && sent.length > 0) {
            await writeOutboxMessages(tx, outcome.announce(sent.map((a) => ({ id: a.id, journeyId: a.journey_id, member: a.member as Address, txHash: batch.tx_hash as Hex, sentAt: now }))));
          }
          return true;
        });
      }
      const status = requireOneOf("status", outcome.status, ["reverted", "dropped"] as const);
      const retry = requireRetry(outcome.retry);
      return db.transaction(async (tx) => {
        const changed = await tx.run(`UPDATE award_batches SET status = ?, error = ?, updated_at = ? WHERE id = ? AND status = 'sent'`, status, retry.error, retry.now, id);
        if (changed === 0) return false;
        await applyRetry(tx, id, "all", retry);
        return true;
      });
    },

    async releaseStaleAwardBatches(openBefore, now) {
      const before = requireTimestamp("openBefore", openBefore);
      requireTimestamp("now", now);
      return db.transaction(async (tx) => {
        const stale = await tx.all<{ id: string }>(`SELECT id FROM award_batches WHERE status = 'open' AND updated_at < ?${skipLocked}`, before);
        for (const { id } of stale) {
          await applyRetry(tx, id, "all", { kind: "later", error: null, notBefore: null, now });
          await tx.run(`UPDATE award_batches SET status = 'released', error = 'its worker stopped before signing it', updated_at = ? WHERE id = ?`, now, id);
        }
        return stale.length;
      });
    },

    getAwardBatch: (id) => getBatch(db, String(id)),

    async listAwardBatches(query) {
      const status = requireOneOf("status", query.status, AWARD_BATCH_STATUSES);
      const limit = clampPageSize(query.limit, 1_000);
      const rows = await db.all<BatchRow>(`SELECT ${batchColumns} FROM award_batches WHERE status = ? ORDER BY created_at, id LIMIT ?`, status, limit);
      return rows.map(toBatch);
    },
  };
}
