import { StoreInputError } from "../errors.ts";
import type { CreateOfferResult, NewOffer, Offer, OfferKind, OfferPatch, OfferQuota, UpdateOfferResult } from "../../offers/types.ts";
import type { OfferStore } from "../store.ts";
import type { Timestamp } from "../time.ts";
import { jsonText, normalizeNewOffer, optionalTimestamp, requireLimits, requireText, requireTimestamp, requireTokens, requireWindow } from "../validate.ts";
import type { SqlDatabase, SqlExecutor } from "./database.ts";
import { offerColumns, toOffer, type OfferRow } from "./rows.ts";

/** Offers (perks and drops). */
export function createOfferStore(db: SqlDatabase): OfferStore {
  /**
   * Takes the brand's row lock, so that writes checking the brand's bounds run one at a time (on
   * PostgreSQL, whose transactions run side by side; SQLite's run one at a time anyway).
   */
  async function lockBrand(tx: SqlExecutor, brandId: string): Promise<void> {
    await tx.get(`SELECT id FROM brands WHERE id = ?${db.dialect.forUpdate}`, brandId);
  }

  /**
   * Whether writing `tokens` for offer `except` (null: a new one) takes the brand past its bound. A
   * write that does not raise the brand's count is always allowed, so a brand over a lowered bound
   * can still change and trim its offers. Counted here rather than in SQL: bounded by the bound
   * itself, and the same on every engine.
   */
  async function tokensOverQuota(tx: SqlExecutor, brandId: string, except: string | null, tokens: readonly string[], quota: OfferQuota): Promise<boolean> {
    if (tokens.length === 0) return false;
    const rows = await tx.all<{ id: string; tokens: string }>("SELECT id, tokens FROM offers WHERE brand_id = ? AND deleted_at IS NULL", brandId);
    const others = new Set<string>();
    let own: string[] = [];
    for (const row of rows) {
      const keys = JSON.parse(row.tokens) as string[];
      if (row.id === except) own = keys;
      else for (const key of keys) others.add(key);
    }
    const countBefore = new Set([...others, ...own]).size;
    for (const token of tokens) others.add(token);
    return others.size > quota.tokens && others.size > countBefore;
  }

  return {
    async createOffer(offer: NewOffer, quota: OfferQuota): Promise<CreateOfferResult> {
      const o = normalizeNewOffer(offer);
      const ruleJson = jsonText("rule", o.rule);
      // Hand back what a later read returns (the rule after a JSON round trip), not the caller's object.
      const record: Offer = { ...o, rule: JSON.parse(ruleJson) as unknown, updatedAt: o.createdAt };
      return db.transaction(async (tx): Promise<CreateOfferResult> => {
        await lockBrand(tx, record.brandId);
        const live = await tx.get<{ n: number }>("SELECT CAST(count(*) AS INTEGER) AS n FROM offers WHERE brand_id = ? AND kind = ? AND deleted_at IS NULL", record.brandId, record.kind);
        if ((live?.n ?? 0) >= quota.offers) return { status: "quota_exceeded", quota: "offers", limit: quota.offers };
        if (await tokensOverQuota(tx, record.brandId, null, record.tokens, quota)) return { status: "quota_exceeded", quota: "tokens", limit: quota.tokens };
        await tx.run(
          `INSERT INTO offers (${offerColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          record.id,
          record.brandId,
          record.kind,
          record.title,
          record.description,
          ruleJson,
          JSON.stringify(record.tokens),
          record.limits.perMember,
          record.limits.total,
          record.startsAt,
          record.endsAt,
          JSON.stringify(record.reward),
          record.createdAt,
          record.updatedAt,
        );
        return { status: "created", offer: record };
      });
    },

    async updateOffer(brandId: string, id: string, patch: OfferPatch, quota: OfferQuota): Promise<UpdateOfferResult> {
      const updatedAt = requireTimestamp("updatedAt", patch.updatedAt);
      const title = patch.title === undefined ? undefined : requireText("title", patch.title);
      const description = patch.description === undefined ? undefined : requireText("description", patch.description);
      const ruleJson = patch.rule === undefined ? undefined : jsonText("rule", patch.rule);
      const tokens = patch.tokens === undefined ? undefined : requireTokens("tokens", patch.tokens);
      const startsAt = patch.startsAt === undefined ? undefined : optionalTimestamp("startsAt", patch.startsAt);
      const endsAt = patch.endsAt === undefined ? undefined : optionalTimestamp("endsAt", patch.endsAt);
      if (patch.limits !== undefined && (typeof patch.limits !== "object" || patch.limits === null)) throw new StoreInputError("limits", "expected an object");

      return db.transaction(async (tx): Promise<UpdateOfferResult> => {
        await lockBrand(tx, String(brandId));
        const row = await tx.get<OfferRow>(`SELECT ${offerColumns} FROM offers WHERE id = ? AND brand_id = ? AND deleted_at IS NULL`, String(id), String(brandId));
        if (row === undefined) return { status: "not_found" };
        const current = toOffer(row);
        const next: Offer = {
          ...current,
          title: title ?? current.title,
          description: description ?? current.description,
          rule: ruleJson === undefined ? current.rule : (JSON.parse(ruleJson) as unknown),
          tokens: tokens ?? current.tokens,
          limits: requireLimits("limits", { ...current.limits, ...patch.limits }),
          startsAt: startsAt === undefined ? current.startsAt : startsAt,
          endsAt: endsAt === undefined ? current.endsAt : endsAt,
          updatedAt,
        };
        requireWindow(next.startsAt, next.endsAt);
        if (tokens !== undefined && (await tokensOverQuota(tx, current.brandId, current.id, tokens, quota))) return { status: "quota_exceeded", quota: "tokens", limit: quota.tokens };
        await tx.run(
          `UPDATE offers SET title = ?, description = ?, rule = ?, tokens = ?, per_member_limit = ?, total_limit = ?,
             starts_at = ?, ends_at = ?, updated_at = ?
           WHERE id = ?`,
          next.title,
          next.description,
          ruleJson ?? row.rule,
          JSON.stringify(next.tokens),
          next.limits.perMember,
          next.limits.total,
          next.startsAt,
          next.endsAt,
          next.updatedAt,
          next.id,
        );
        return { status: "updated", offer: next };
      });
    },

    async deleteOffer(brandId: string, id: string, now: Timestamp): Promise<boolean> {
      requireTimestamp("now", now);
      return db.transaction(
        async (tx) => (await tx.run("UPDATE offers SET deleted_at = ?, updated_at = ? WHERE id = ? AND brand_id = ? AND deleted_at IS NULL", now, now, String(id), String(brandId))) === 1,
      );
    },

    async getOffer(id: string): Promise<Offer | null> {
      const row = await db.get<OfferRow>(`SELECT ${offerColumns} FROM offers WHERE id = ? AND deleted_at IS NULL`, String(id));
      return row === undefined ? null : toOffer(row);
    },

    async listOffers(query: { kind?: OfferKind; brandId?: string } = {}): Promise<Offer[]> {
      const where = ["deleted_at IS NULL"];
      const params: string[] = [];
      if (query.kind !== undefined) {
        where.push("kind = ?");
        params.push(String(query.kind));
      }
      if (query.brandId !== undefined) {
        where.push("brand_id = ?");
        params.push(String(query.brandId));
      }
      return (await db.all<OfferRow>(`SELECT ${offerColumns} FROM offers WHERE ${where.join(" AND ")} ORDER BY created_at DESC, id DESC`, ...params)).map(toOffer);
    },
  };
}
