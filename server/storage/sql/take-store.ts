import type { Address } from "viem";
import { decodeCursor, encodeCursor } from "../cursor.ts";
import { StoreInputError } from "../errors.ts";
import type { CompleteTakeInput, ConsumeCodeResult, OfferKind, Take, TakeInput, TakeQuery, TakeResult, TakeStatus } from "../../offers/types.ts";
import { MAX_PAGE_SIZE, type Page, type TakeStore } from "../store.ts";
import type { Timestamp } from "../time.ts";
import {
  clampPageSize,
  jsonText,
  requireAddress,
  requireKey,
  requireName,
  requireNames,
  requireOneOf,
  requireRawTx,
  requireTakeError,
  requireTakePolicy,
  requireTimestamp,
  requireTxHash,
} from "../validate.ts";
import type { SqlDatabase, SqlValue } from "./database.ts";
import { cteParams, outboxCtes, writeOutboxMessages } from "./webhook-outbox.ts";
import { offerColumns, takeColumns, toOffer, toTake, type OfferRow, type TakeRow } from "./rows.ts";

/** Statuses as an SQL list, e.g. `('pending', 'minted')`: names only (see requireName), so safe to inline. */
export function sqlList(statuses: readonly TakeStatus[]): string {
  return `(${statuses.map((s) => `'${s}'`).join(", ")})`;
}

/** Takes of every kind; what counts against limits comes with each call (the kind's policy). */
export function createTakeStore(db: SqlDatabase): TakeStore {

  return {
    async take(input: TakeInput): Promise<TakeResult> {
      const offerId = requireKey("offerId", input.offerId);
      const kind = requireName("kind", input.kind);
      const member = requireAddress("member", input.member);
      const vault = input.vault === undefined || input.vault === null ? null : requireAddress("vault", input.vault);
      if (vault === member) throw new StoreInputError("vault", "a member is not their own vault");
      const idempotencyKey = requireKey("idempotencyKey", input.idempotencyKey);
      const id = requireKey("id", input.id);
      const code = input.code === null ? null : requireKey("code", input.code);
      const now = requireTimestamp("now", input.now);
      const policy = requireTakePolicy("policy", input.policy);
      // Takes that count against the offer's limits, as an SQL list.
      const COUNTED = sqlList(policy.counted);

      // The common case in one statement (no transaction around it unless messages go with it): an offer with no limits, open,
      // and no take with this key yet. It inserts nothing otherwise (ON CONFLICT DO NOTHING catches a
      // take with the key, or a duplicate id or code), and the full check below says why. A code
      // is given for an offer with a code reward, and only for it (the full check refuses the rest).
      {
        /** The insert, optionally also checking the offer's brand (`CAST(? AS TEXT)` first, before the offer's id). */
        const fastInsert = (brandCheck: boolean) => `INSERT INTO takes (${takeColumns})
           SELECT CAST(? AS TEXT), id, brand_id, kind, CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), reward, CAST(? AS TEXT),
                  NULL, NULL, NULL, NULL, NULL, NULL, CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT)
           FROM offers
           WHERE ${brandCheck ? "brand_id = CAST(? AS TEXT) AND " : ""}id = ? AND kind = ? AND deleted_at IS NULL AND per_member_limit IS NULL AND total_limit IS NULL
             AND (starts_at IS NULL OR starts_at <= ?) AND (ends_at IS NULL OR ends_at > ?)
             AND (reward = '{"type":"code"}') = (CAST(? AS TEXT) IS NOT NULL)
           ON CONFLICT DO NOTHING
           RETURNING ${takeColumns}`;
        const fastParams = (brandId?: string): SqlValue[] => [id, member, idempotencyKey, policy.initial, code, now, now, vault, ...(brandId === undefined ? [] : [brandId]), offerId, kind, now, now, code];
        const fast = [fastInsert(false), ...fastParams()] as const;
        // With messages to write, the insert and its messages commit together (the outbox).
        const announce = input.announce;
        const expected = input.offer;
        let created: TakeRow | undefined;
        if (announce === undefined) created = (await db.writeOne<TakeRow>(...fast))[0];
        else if (db.dialect.name === "postgres" && expected !== undefined) {
          // One round trip: the take it would be (the offer's brand and reward as the caller read
          // them, checked against the row) tells the message; both are written by one statement.
          const would: Take = { id, offerId, brandId: expected.brandId, kind, member, vault, idempotencyKey, status: policy.initial, reward: expected.reward, code, consumedAt: null, txHash: null, rawTx: null, voucher: null, error: null, createdAt: now, updatedAt: now };
          const messages = announce(would);
          const checked = fastInsert(true);
          const bound = fastParams(expected.brandId);
          if (messages.length === 1) {
            created = (await db.writeOne<TakeRow>(`WITH t AS (${checked}), ${outboxCtes("t")} SELECT ${takeColumns} FROM t`, ...bound, ...cteParams(messages[0]!)))[0];
          } else {
            created = await db.transaction(async (tx) => {
              const row = await tx.get<TakeRow>(checked, ...bound);
              if (row !== undefined) await writeOutboxMessages(tx, messages);
              return row;
            });
          }
        } else {
          created = await db.transaction(async (tx) => {
            const row = await tx.get<TakeRow>(...fast);
            if (row !== undefined) await writeOutboxMessages(tx, announce(toTake(row)));
            return row;
          });
        }
        if (created !== undefined) return { status: "created", take: toTake(created) };
      }

      const attempt = () =>
        db.transaction(async (tx): Promise<TakeResult> => {
          const replay = (previous: TakeRow): TakeResult => (previous.offer_id === offerId ? { status: "replayed", take: toTake(previous) } : { status: "idempotency_conflict" });
          const byKey = `SELECT ${takeColumns} FROM takes WHERE kind = ? AND member = ? AND idempotency_key = ?`;
          const previous = await tx.get<TakeRow>(byKey, kind, member, idempotencyKey);
          if (previous !== undefined) return replay(previous);
          const select = `SELECT ${offerColumns}, deleted_at FROM offers WHERE id = ?`;
          let row = await tx.get<OfferRow & { deleted_at: string | null }>(select, offerId);
          const live = (r: typeof row): r is OfferRow & { deleted_at: null } => r !== undefined && r.deleted_at === null && r.kind === kind;
          if (!live(row)) return { status: "offer_not_found" };
          const limited = row.per_member_limit !== null || row.total_limit !== null;
          if (limited && db.dialect.forUpdate !== "") {
            // Counting against a limit needs the takes of this offer to take turns: PostgreSQL runs
            // transactions side by side, so take the offer's row lock and read the row as it now
            // stands. (SQLite's write transactions take turns anyway.) Offers without limits need no
            // turns: a take with the same key that commits meanwhile makes the insert below a unique
            // violation, answered as a replay.
            row = await tx.get<OfferRow & { deleted_at: string | null }>(`${select}${db.dialect.forUpdate}`, offerId);
            if (!live(row)) return { status: "offer_not_found" };
          }
          const offer = toOffer(row);
          // Timestamps share one fixed-width shape, so text order is time order.
          if (offer.startsAt !== null && now < offer.startsAt) return { status: "not_started" };
          if (offer.endsAt !== null && now >= offer.endsAt) return { status: "ended" };
          const { perMember, total } = offer.limits;
          if (limited) {
            // One statement under the lock: a take with this key that committed while this one
            // waited (idempotency comes before limits), and the counts. A wallet's count holds its
            // own takes and those its holdings unlocked as a vault: two delegates of one vault, or
            // the vault and its delegate, share the vault's count.
            const counts = await tx.get<{ previous_id: string | null; member_count: number; vault_count: number; total_count: number }>(
              `SELECT (SELECT id FROM takes WHERE kind = ? AND member = ? AND idempotency_key = ?) AS previous_id,
                      CAST((SELECT count(*) FROM takes WHERE offer_id = ? AND (member = ? OR vault = ?) AND status IN ${COUNTED}) AS INTEGER) AS member_count,
                      CAST((SELECT count(*) FROM takes WHERE offer_id = ? AND (member = ? OR vault = ?) AND status IN ${COUNTED}) AS INTEGER) AS vault_count,
                      CAST((SELECT count(*) FROM takes WHERE offer_id = ? AND status IN ${COUNTED}) AS INTEGER) AS total_count`,
              kind,
              member,
              idempotencyKey,
              offerId,
              member,
              member,
              offerId,
              vault,
              vault,
              offerId,
            );
            if (counts!.previous_id !== null) return replay((await tx.get<TakeRow>(byKey, kind, member, idempotencyKey))!);
            if (perMember !== null && counts!.member_count >= perMember) return { status: "member_limit_reached", limit: perMember };
            if (perMember !== null && vault !== null && counts!.vault_count >= perMember) return { status: "vault_limit_reached", limit: perMember, vault };
            if (total !== null && counts!.total_count >= total) return { status: "total_limit_reached", limit: total };
          }

          if ((offer.reward.type === "code") !== (code !== null)) throw new StoreInputError("code", "a code reward's take needs a code, and only it");
          const take: Take = {
            id,
            offerId,
            brandId: offer.brandId,
            kind,
            member,
            vault,
            idempotencyKey,
            status: policy.initial,
            reward: offer.reward,
            code,
            consumedAt: null,
            txHash: null,
            rawTx: null,
            voucher: null,
            error: null,
            createdAt: now,
            updatedAt: now,
          };
          await tx.run(
            `INSERT INTO takes (${takeColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL, NULL, NULL, ?, ?, ?)`,
            take.id,
            take.offerId,
            take.brandId,
            take.kind,
            take.member,
            take.idempotencyKey,
            take.status,
            row.reward,
            take.code,
            take.createdAt,
            take.updatedAt,
            take.vault,
          );
          await writeOutboxMessages(tx, input.announce?.(take));
          return { status: "created", take };
        });
      try {
        return await attempt();
      } catch (error) {
        // The same key taken at the same moment (for this offer or another): the unique index
        // refused the second; asked again, it is a replay or a conflict. A duplicate id or code
        // fails the same way again, and is the caller's error.
        if (!db.isUniqueViolation(error)) throw error;
        return attempt();
      }
    },

    async findTake(kind: OfferKind, member: Address, idempotencyKey: string): Promise<Take | null> {
      const row = await db.get<TakeRow>(
        `SELECT ${takeColumns} FROM takes WHERE kind = ? AND member = ? AND idempotency_key = ?`,
        requireName("kind", kind),
        requireAddress("member", member),
        requireKey("idempotencyKey", idempotencyKey),
      );
      return row === undefined ? null : toTake(row);
    },

    async getTake(id: string): Promise<Take | null> {
      const row = await db.get<TakeRow>(`SELECT ${takeColumns} FROM takes WHERE id = ?`, String(id));
      return row === undefined ? null : toTake(row);
    },

    async listTakes(query: TakeQuery): Promise<Page<Take>> {
      const limit = clampPageSize(query.limit, MAX_PAGE_SIZE);
      const where = ["kind = ?"];
      const params: SqlValue[] = [requireName("kind", query.kind)];
      if (query.member !== undefined) {
        where.push("member = ?");
        params.push(requireAddress("member", query.member));
      }
      if (query.brandId !== undefined) {
        where.push("brand_id = ?");
        params.push(String(query.brandId));
      }
      if (query.offerId !== undefined) {
        where.push("offer_id = ?");
        params.push(String(query.offerId));
      }
      if (query.status !== undefined) {
        where.push("status = ?");
        params.push(requireName("status", query.status));
      }
      if (query.consumed !== undefined) where.push(query.consumed ? "consumed_at IS NOT NULL" : "consumed_at IS NULL");
      if (query.cursor !== undefined && query.cursor !== null) {
        const after = decodeCursor(query.cursor);
        where.push("(created_at, id) < (?, ?)");
        params.push(after.createdAt, after.id);
      }
      const rows = await db.all<TakeRow>(`SELECT ${takeColumns} FROM takes WHERE ${where.join(" AND ")} ORDER BY created_at DESC, id DESC LIMIT ?`, ...params, limit + 1);
      const items = rows.slice(0, limit).map(toTake);
      const last = items.at(-1);
      return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null };
    },

    async memberTakeCounts(kind: OfferKind, member: Address, counted: readonly TakeStatus[]): Promise<Map<string, number>> {
      const rows = await db.all<{ offer_id: string; n: number }>(
        `SELECT offer_id, CAST(count(*) AS INTEGER) AS n FROM takes WHERE kind = ? AND member = ? AND status IN ${sqlList(requireNames("counted", counted))} GROUP BY offer_id`,
        requireName("kind", kind),
        requireAddress("member", member),
      );
      return new Map(rows.map((r) => [r.offer_id, r.n]));
    },

    async consumeCode(brandId, code, now, announce): Promise<ConsumeCodeResult> {
      requireTimestamp("now", now);
      return db.transaction(async (tx): Promise<ConsumeCodeResult> => {
        const consumed = await tx.get<TakeRow>(
          `UPDATE takes SET consumed_at = ?, updated_at = ? WHERE code = ? AND brand_id = ? AND consumed_at IS NULL RETURNING ${takeColumns}`,
          now,
          now,
          String(code),
          String(brandId),
        );
        if (consumed !== undefined) {
          const take = toTake(consumed);
          if (announce !== undefined) {
            const offer = await tx.get<{ title: string }>(`SELECT title FROM offers WHERE id = ?`, take.offerId);
            await writeOutboxMessages(tx, announce({ take, title: offer?.title ?? "" }));
          }
          return { status: "consumed", take };
        }
        const existing = await tx.get<TakeRow>(`SELECT ${takeColumns} FROM takes WHERE code = ? AND brand_id = ?`, String(code), String(brandId));
        return existing === undefined ? { status: "not_found" } : { status: "already_consumed", take: toTake(existing) };
      });
    },

    async recordTakeTx(id: string, tx: { hash: string; raw: string }, now: Timestamp, holder?: string): Promise<Take | null> {
      if (typeof tx !== "object" || tx === null) throw new StoreInputError("tx", "expected {hash, raw}");
      const hash = requireTxHash("tx.hash", tx.hash);
      const raw = requireRawTx("tx.raw", tx.raw);
      requireTimestamp("now", now);
      const held = holder === undefined ? "" : " AND holder = ?";
      const row = await db.transaction((tx) =>
        tx.get<TakeRow>(
          `UPDATE takes SET tx_hash = ?, tx_raw = ?, updated_at = ? WHERE id = ? AND status = 'pending'${held} RETURNING ${takeColumns}`,
          hash,
          raw,
          now,
          String(id),
          ...(holder === undefined ? [] : [requireKey("holder", holder)]),
        ),
      );
      return row === undefined ? null : toTake(row);
    },

    async holdTake(id: string, holder: string, now: Timestamp, staleBefore?: Timestamp): Promise<Take | null> {
      requireKey("holder", holder);
      requireTimestamp("now", now);
      // Without staleBefore: a take nobody holds yet, or the holder's own. With it: the holder's own,
      // or one nobody renewed since then (a fresh take another instance is about to hold is left alone).
      const whose = staleBefore === undefined ? "holder IS NULL" : "updated_at < ?";
      const row = await db.transaction((tx) =>
        tx.get<TakeRow>(
          `UPDATE takes SET holder = ?, updated_at = ?
           WHERE id = ? AND status = 'pending' AND tx_hash IS NULL AND (holder = ? OR ${whose})
           RETURNING ${takeColumns}`,
          holder,
          now,
          String(id),
          holder,
          ...(staleBefore === undefined ? [] : [requireTimestamp("staleBefore", staleBefore)]),
        ),
      );
      return row === undefined ? null : toTake(row);
    },

    async releaseTakeTx(id: string, txHash: string, holder: string, now: Timestamp): Promise<Take | null> {
      const hash = requireTxHash("txHash", txHash);
      requireKey("holder", holder);
      requireTimestamp("now", now);
      const row = await db.transaction((tx) =>
        tx.get<TakeRow>(
          `UPDATE takes SET tx_hash = NULL, tx_raw = NULL, holder = ?, updated_at = ?
           WHERE id = ? AND status = 'pending' AND tx_hash = ?
           RETURNING ${takeColumns}`,
          holder,
          now,
          String(id),
          hash,
        ),
      );
      return row === undefined ? null : toTake(row);
    },

    async renewTake(id: string, holder: string, now: Timestamp): Promise<boolean> {
      requireKey("holder", holder);
      requireTimestamp("now", now);
      const changed = await db.transaction(
        (tx) => tx.run(`UPDATE takes SET updated_at = ? WHERE id = ? AND holder = ? AND status = 'pending' AND tx_hash IS NULL`, now, String(id), holder),
        // A renewal lost to a power cut only lets another instance take over sooner.
        { durability: "ephemeral" },
      );
      return changed === 1;
    },

    async completeTake(id: string, input: CompleteTakeInput): Promise<Take | null> {
      const status = requireOneOf("status", input.status, ["minted", "issued", "failed", "expired"] as const);
      const now = requireTimestamp("now", input.now);
      // The statuses a take may reach `status` from.
      const from = status === "expired" ? ["issued"] : status === "minted" ? ["pending", "issued"] : ["pending"];
      const txHash = input.txHash === undefined ? null : requireTxHash("txHash", input.txHash);
      const voucherJson = input.voucher === undefined ? null : jsonText("voucher", input.voucher);
      const error = input.error === undefined ? null : requireTakeError("error", input.error);
      const row = await db.transaction(async (tx) => {
        const changed = await tx.get<TakeRow>(
          `UPDATE takes SET status = ?, tx_hash = coalesce(?, tx_hash), voucher = coalesce(?, voucher),
             error_code = coalesce(?, error_code), error_message = coalesce(?, error_message), updated_at = ?
           WHERE id = ? AND status IN (${from.map(() => "?").join(", ")})
           RETURNING ${takeColumns}`,
          status,
          txHash,
          voucherJson,
          error?.code ?? null,
          error?.message ?? null,
          now,
          String(id),
          ...from,
        );
        if (changed !== undefined && input.announce !== undefined) await writeOutboxMessages(tx, input.announce(toTake(changed)));
        return changed;
      });
      return row === undefined ? null : toTake(row);
    },
  };
}
