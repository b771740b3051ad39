import type { AddOriginResult, BrandOrigin, OriginStore } from "../../origins/types.ts";
import { requireKey, requireOrigin, requireTimestamp } from "../validate.ts";
import type { SqlDatabase } from "./database.ts";

type BrandOriginRow = { origin: string; brand_id: string; created_at: string };
const columns = "origin, brand_id, created_at";
const toBrandOrigin = (row: BrandOriginRow): BrandOrigin => ({ origin: row.origin, brandId: row.brand_id, createdAt: row.created_at });

/** The origins brands registered for their storefronts and apps. */
export function createOriginStore(db: SqlDatabase): OriginStore {
  return {
    async addOrigin(input: BrandOrigin): Promise<AddOriginResult> {
      const origin = requireOrigin("origin", input.origin);
      const brandId = requireKey("brandId", input.brandId);
      const createdAt = requireTimestamp("createdAt", input.createdAt);
      return db.transaction(async (tx): Promise<AddOriginResult> => {
        // Whoever inserts first owns the origin; a concurrent insert waits, then does nothing.
        const inserted = await tx.run(`INSERT INTO brand_origins (${columns}) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, origin, brandId, createdAt);
        const owner = toBrandOrigin((await tx.get<BrandOriginRow>(`SELECT ${columns} FROM brand_origins WHERE origin = ?`, origin))!);
        if (inserted === 1) return { status: "added", origin: owner };
        return owner.brandId === brandId ? { status: "already_added", origin: owner } : { status: "taken" };
      });
    },

    async listOrigins(query: { brandId?: string } = {}): Promise<BrandOrigin[]> {
      const rows =
        query.brandId === undefined
          ? await db.all<BrandOriginRow>(`SELECT ${columns} FROM brand_origins ORDER BY created_at, origin`)
          : await db.all<BrandOriginRow>(`SELECT ${columns} FROM brand_origins WHERE brand_id = ? ORDER BY created_at, origin`, String(query.brandId));
      return rows.map(toBrandOrigin);
    },

    async removeOrigin(brandId: string, origin: string): Promise<boolean> {
      return db.transaction(async (tx) => (await tx.run("DELETE FROM brand_origins WHERE brand_id = ? AND origin = ?", String(brandId), String(origin))) === 1);
    },
  };
}
