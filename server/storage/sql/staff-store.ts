/**
 * Brand staff lists (see server/staff/types.ts), and the few reads the staff console makes of the
 * rest of the store: a brand's activity by UTC day, the most recently seen members, an offer's title.
 */
import type { Address } from "viem";
import { LISTED_ROLES } from "../../../sdk/src/protocol/staff.ts";
import type { ActivityKind, BrandActivity, ListedRole, StaffMember, StaffStore } from "../../staff/types.ts";
import { StoreInputError } from "../errors.ts";
import { requireAddress, requireKey, requireName, requireNames, requireOneOf, requireTimestamp } from "../validate.ts";
import type { SqlDatabase } from "./database.ts";
import { sqlList } from "./take-store.ts";

interface StaffRow {
  brand_id: string;
  address: string;
  role: string;
  added_by: string;
  added_at: string;
}

const staffColumns = "brand_id, address, role, added_by, added_at";

function toStaffMember(row: StaffRow): StaffMember {
  return { brandId: row.brand_id, address: row.address as Address, role: row.role as ListedRole, addedBy: row.added_by as Address, addedAt: row.added_at };
}

function requireCount(field: string, value: unknown, max: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1 || value > max) throw new StoreInputError(field, `expected an integer from 1 to ${max}, got ${String(value)}`);
  return value;
}

export function createStaffStore(db: SqlDatabase): StaffStore {
  return {
    async putStaff(member: StaffMember) {
      if (typeof member !== "object" || member === null) throw new StoreInputError("member", "expected a StaffMember");
      const record: StaffMember = {
        brandId: requireKey("brandId", member.brandId),
        address: requireAddress("address", member.address),
        role: requireOneOf("role", member.role, LISTED_ROLES),
        addedBy: requireAddress("addedBy", member.addedBy),
        addedAt: requireTimestamp("addedAt", member.addedAt),
      };
      return db.transaction(async (tx) => {
        const existing = await tx.get<StaffRow>(`SELECT ${staffColumns} FROM staff WHERE brand_id = ? AND address = ?${db.dialect.forUpdate}`, record.brandId, record.address);
        // The same role again changes nothing: who gave it and when stay as they were.
        if (existing !== undefined && existing.role === record.role) return { member: toStaffMember(existing), created: false };
        await tx.run(
          `INSERT INTO staff (${staffColumns}) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (brand_id, address) DO UPDATE SET role = excluded.role, added_by = excluded.added_by, added_at = excluded.added_at`,
          record.brandId,
          record.address,
          record.role,
          record.addedBy,
          record.addedAt,
        );
        return { member: record, created: existing === undefined };
      });
    },

    async getStaffRole(brandId: string, address: Address) {
      const row = await db.get<{ role: string }>("SELECT role FROM staff WHERE brand_id = ? AND address = ?", String(brandId), requireAddress("address", address));
      return row === undefined ? null : (row.role as ListedRole);
    },

    async listStaff(brandId: string) {
      return (await db.all<StaffRow>(`SELECT ${staffColumns} FROM staff WHERE brand_id = ? ORDER BY added_at, address`, String(brandId))).map(toStaffMember);
    },

    async removeStaff(brandId: string, address: Address) {
      const removed = await db.writeOne<{ address: string }>("DELETE FROM staff WHERE brand_id = ? AND address = ? RETURNING address", String(brandId), requireAddress("address", address));
      return removed.length > 0;
    },

    async brandActivity(brandId: string, since: string, busiest: number, kinds: readonly ActivityKind[]): Promise<BrandActivity> {
      const brand = String(brandId);
      requireTimestamp("since", since);
      requireCount("busiest", busiest, 100);
      if (!Array.isArray(kinds) || kinds.length === 0) throw new StoreInputError("kinds", "expected at least one kind");
      const checked = kinds.map((k, i) => ({ kind: requireName(`kinds[${i}].kind`, k.kind), counted: sqlList(requireNames(`kinds[${i}].counted`, k.counted)), ranked: k.ranked === true }));
      // `kind IN (…)` lets both engines walk takes_kind_brand_created for each kind; each kind counts its own statuses.
      const anyKind = sqlList(checked.map((k) => k.kind));
      const countedOfItsKind = checked.map((k) => `(kind = '${k.kind}' AND status IN ${k.counted})`).join(" OR ");
      const [members, days, ...ranked] = await Promise.all([
        db.get<{ signed_in: number; active: number }>(
          `SELECT CAST((SELECT count(*) FROM members) AS INTEGER) AS signed_in,
                  CAST((SELECT count(DISTINCT member) FROM takes WHERE kind IN ${anyKind} AND brand_id = ? AND created_at >= ?) AS INTEGER) AS active`,
          brand,
          since,
        ),
        db.all<{ day: string; kind: string; n: number }>(
          `SELECT substr(created_at, 1, 10) AS day, kind, CAST(count(*) AS INTEGER) AS n
             FROM takes WHERE kind IN ${anyKind} AND brand_id = ? AND created_at >= ? AND (${countedOfItsKind})
            GROUP BY substr(created_at, 1, 10), kind`,
          brand,
          since,
        ),
        ...checked
          .filter((k) => k.ranked)
          .map((k) =>
            db.all<{ id: string; title: string; n: number }>(
              `SELECT t.offer_id AS id, o.title AS title, CAST(count(*) AS INTEGER) AS n
                 FROM takes t JOIN offers o ON o.id = t.offer_id
                WHERE t.kind = ? AND t.brand_id = ? AND t.created_at >= ? AND t.status IN ${k.counted}
                GROUP BY t.offer_id, o.title
                ORDER BY n DESC, t.offer_id
                LIMIT ?`,
              k.kind,
              brand,
              since,
              busiest,
            ),
          ),
      ]);
      const byDay = new Map<string, { date: string; takes: Record<string, number> }>();
      for (const row of days) {
        const day = byDay.get(row.day) ?? { date: row.day, takes: {} };
        day.takes[row.kind] = (day.takes[row.kind] ?? 0) + Number(row.n);
        byDay.set(row.day, day);
      }
      const rankedKinds = checked.filter((k) => k.ranked);
      return {
        signedIn: Number(members?.signed_in ?? 0),
        active: Number(members?.active ?? 0),
        days: [...byDay.values()].sort((a, b) => (a.date < b.date ? -1 : 1)),
        busiest: Object.fromEntries(rankedKinds.map((k, i) => [k.kind, ranked[i]!.map((o) => ({ id: o.id, title: o.title, takes: Number(o.n) }))])),
      };
    },

    async recentMembers(limit: number) {
      requireCount("limit", limit, 10_000);
      const [rows, total] = await Promise.all([
        db.all<{ address: string }>("SELECT address FROM members ORDER BY first_seen_at DESC, address DESC LIMIT ?", limit),
        db.get<{ n: number }>("SELECT CAST(count(*) AS INTEGER) AS n FROM members"),
      ]);
      return { addresses: rows.map((r) => r.address as Address), total: Number(total?.n ?? 0) };
    },

    async offerTitle(id: string) {
      const row = await db.get<{ title: string }>("SELECT title FROM offers WHERE id = ?", String(id));
      return row === undefined ? null : row.title;
    },
  };
}
