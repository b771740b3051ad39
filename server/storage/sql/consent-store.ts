/** Members' profiles, brands' data requests and members' signed grants (see server/member-data/types.ts). */
import type { Address } from "viem";
import { DATA_FIELDS, canonicalFields } from "../../../sdk/src/protocol/data-fields.ts";
import type { AccessLogEntry, Consent, ConsentStore, DataField, DataRequest, ErasureCounts, ListedAccessLogEntry, ListedDataRequest, MemberProfile } from "../../member-data/types.ts";
import { decodeCursor, encodeCursor } from "../cursor.ts";
import { StoreInputError } from "../errors.ts";
import { MAX_PAGE_SIZE } from "../store.ts";
import { clampPageSize, optionalTimestamp, requireAddress, requireKey, requireText, requireTimestamp } from "../validate.ts";
import { writeOutboxMessages } from "./webhook-outbox.ts";
import type { SqlDatabase } from "./database.ts";

interface ProfileRow {
  address: string;
  email: string | null;
  name: string | null;
  birthday_month: number | null;
  birthday_day: number | null;
  city: string | null;
  preferences: string;
  updated_at: string;
}

interface RequestRow {
  id: string;
  brand_id: string;
  fields: string;
  purpose: string;
  retention_days: number;
  perk_id: string | null;
  created_at: string;
  brand_name?: string;
}

interface ConsentRow {
  id: string;
  member: string;
  brand_id: string;
  request_id: string;
  fields: string;
  purpose: string;
  granted_at: string;
  expires_at: string;
  revoked_at: string | null;
  nonce: string;
  message: string;
  signature: string;
}

interface AccessRow {
  id: string;
  member: string;
  brand_id: string;
  consent_id: string;
  fields: string;
  purpose: string;
  actor: string;
  at: string;
  brand_name: string;
}

const accessColumns = "id, member, brand_id, consent_id, fields, purpose, actor, at";

const profileColumns = "address, email, name, birthday_month, birthday_day, city, preferences, updated_at";
const requestColumns = "id, brand_id, fields, purpose, retention_days, perk_id, created_at";
const consentColumns = "id, member, brand_id, request_id, fields, purpose, granted_at, expires_at, revoked_at, nonce, message, signature";

function toProfile(row: ProfileRow): MemberProfile {
  return {
    address: row.address as Address,
    email: row.email,
    name: row.name,
    birthday: row.birthday_month === null || row.birthday_day === null ? null : { month: Number(row.birthday_month), day: Number(row.birthday_day) },
    city: row.city,
    preferences: JSON.parse(row.preferences),
    updatedAt: row.updated_at,
  };
}

function toRequest(row: RequestRow): DataRequest {
  return { id: row.id, brandId: row.brand_id, fields: JSON.parse(row.fields), purpose: row.purpose, retentionDays: Number(row.retention_days), perkId: row.perk_id, createdAt: row.created_at };
}

function toConsent(row: ConsentRow): Consent {
  return {
    id: row.id,
    member: row.member as Address,
    brandId: row.brand_id,
    requestId: row.request_id,
    fields: JSON.parse(row.fields),
    purpose: row.purpose,
    grantedAt: row.granted_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    nonce: row.nonce,
    message: row.message,
    signature: row.signature,
  };
}

function toAccessEntry(row: AccessRow): ListedAccessLogEntry {
  return {
    id: row.id,
    member: row.member as Address,
    brandId: row.brand_id,
    brandName: row.brand_name,
    consentId: row.consent_id,
    fields: JSON.parse(row.fields),
    purpose: row.purpose,
    actor: row.actor,
    at: row.at,
  };
}

function requireFields(field: string, value: unknown): DataField[] {
  if (!Array.isArray(value) || value.length === 0 || value.some((f) => !DATA_FIELDS.includes(f))) throw new StoreInputError(field, `expected a non-empty list of ${DATA_FIELDS.join(", ")}`);
  return canonicalFields(value as DataField[]);
}

function optionalText(field: string, value: unknown): string | null {
  return value === null ? null : requireText(field, value);
}

function requireDay(field: string, value: unknown, max: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1 || value > max) throw new StoreInputError(field, `expected an integer from 1 to ${max}`);
  return value;
}

export function createConsentStore(db: SqlDatabase): ConsentStore {
  return {
    async getProfile(address) {
      const row = await db.get<ProfileRow>(`SELECT ${profileColumns} FROM member_profiles WHERE address = ?`, requireAddress("address", address));
      return row === undefined ? null : toProfile(row);
    },

    async putProfile(profile) {
      if (typeof profile !== "object" || profile === null) throw new StoreInputError("profile", "expected a MemberProfile");
      const birthday = profile.birthday === null ? null : { month: requireDay("birthday.month", profile.birthday?.month, 12), day: requireDay("birthday.day", profile.birthday?.day, 31) };
      if (typeof profile.preferences !== "object" || profile.preferences === null || Array.isArray(profile.preferences)) throw new StoreInputError("preferences", "expected an object");
      const record: MemberProfile = {
        address: requireAddress("address", profile.address),
        email: optionalText("email", profile.email),
        name: optionalText("name", profile.name),
        birthday,
        city: optionalText("city", profile.city),
        preferences: profile.preferences,
        updatedAt: requireTimestamp("updatedAt", profile.updatedAt),
      };
      await db.run(
        `INSERT INTO member_profiles (${profileColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (address) DO UPDATE SET email = excluded.email, name = excluded.name, birthday_month = excluded.birthday_month,
           birthday_day = excluded.birthday_day, city = excluded.city, preferences = excluded.preferences, updated_at = excluded.updated_at`,
        record.address,
        record.email,
        record.name,
        birthday?.month ?? null,
        birthday?.day ?? null,
        record.city,
        JSON.stringify(record.preferences),
        record.updatedAt,
      );
      return record;
    },

    async createDataRequest(request) {
      if (typeof request !== "object" || request === null) throw new StoreInputError("request", "expected a DataRequest");
      const record: DataRequest = {
        id: requireKey("id", request.id),
        brandId: requireKey("brandId", request.brandId),
        fields: requireFields("fields", request.fields),
        purpose: requireText("purpose", request.purpose),
        retentionDays: requireDay("retentionDays", request.retentionDays, 3650),
        perkId: request.perkId === null ? null : requireKey("perkId", request.perkId),
        createdAt: requireTimestamp("createdAt", request.createdAt),
      };
      await db.run(
        `INSERT INTO data_requests (${requestColumns}, deleted_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)`,
        record.id,
        record.brandId,
        JSON.stringify(record.fields),
        record.purpose,
        record.retentionDays,
        record.perkId,
        record.createdAt,
      );
      return record;
    },

    async getDataRequest(id) {
      const row = await db.get<RequestRow>(`SELECT ${requestColumns} FROM data_requests WHERE id = ? AND deleted_at IS NULL`, String(id));
      return row === undefined ? null : toRequest(row);
    },

    async listDataRequests(query = {}): Promise<ListedDataRequest[]> {
      const columns = requestColumns.split(", ").map((c) => `r.${c}`).join(", ");
      const where = query.brandId === undefined ? "" : " AND r.brand_id = ?";
      const rows = await db.all<RequestRow>(
        `SELECT ${columns}, b.name AS brand_name FROM data_requests r JOIN brands b ON b.id = r.brand_id
          WHERE r.deleted_at IS NULL${where} ORDER BY r.created_at, r.id`,
        ...(query.brandId === undefined ? [] : [String(query.brandId)]),
      );
      return rows.map((row) => ({ ...toRequest(row), brandName: row.brand_name! }));
    },

    async deleteDataRequest(brandId, id, now) {
      const at = requireTimestamp("now", now);
      const deleted = await db.writeOne<{ id: string }>("UPDATE data_requests SET deleted_at = ? WHERE id = ? AND brand_id = ? AND deleted_at IS NULL RETURNING id", at, String(id), String(brandId));
      return deleted.length > 0;
    },

    async createConsent(consent, announce) {
      if (typeof consent !== "object" || consent === null) throw new StoreInputError("consent", "expected a Consent");
      const record: Consent = {
        id: requireKey("id", consent.id),
        member: requireAddress("member", consent.member),
        brandId: requireKey("brandId", consent.brandId),
        requestId: requireKey("requestId", consent.requestId),
        fields: requireFields("fields", consent.fields),
        purpose: requireText("purpose", consent.purpose),
        grantedAt: requireTimestamp("grantedAt", consent.grantedAt),
        expiresAt: requireTimestamp("expiresAt", consent.expiresAt),
        revokedAt: optionalTimestamp("revokedAt", consent.revokedAt),
        nonce: requireKey("nonce", consent.nonce),
        message: requireText("message", consent.message),
        signature: requireText("signature", consent.signature),
      };
      return db.transaction(async (tx) => {
        // The request is read (and on PostgreSQL locked) in the same transaction: a request deleted
        // meanwhile is never granted.
        const request = await tx.get<{ id: string }>(`SELECT id FROM data_requests WHERE id = ? AND brand_id = ? AND deleted_at IS NULL${db.dialect.forUpdate}`, record.requestId, record.brandId);
        if (request === undefined) return { created: false, reason: "request_gone" } as const;
        const inserted = await tx.run(
          `INSERT INTO consents (${consentColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (nonce) DO NOTHING`,
          record.id,
          record.member,
          record.brandId,
          record.requestId,
          JSON.stringify(record.fields),
          record.purpose,
          record.grantedAt,
          record.expiresAt,
          record.revokedAt,
          record.nonce,
          record.message,
          record.signature,
        );
        if (inserted === 0) return { created: false, reason: "nonce_used" } as const;
        if (announce !== undefined) await writeOutboxMessages(tx, announce(record));
        return { created: true, consent: record } as const;
      });
    },

    async findConsentByNonce(nonce) {
      const row = await db.get<ConsentRow>(`SELECT ${consentColumns} FROM consents WHERE nonce = ?`, String(nonce));
      return row === undefined ? null : toConsent(row);
    },

    async listConsents(member) {
      const rows = await db.all<ConsentRow>(`SELECT ${consentColumns} FROM consents WHERE member = ? ORDER BY granted_at DESC, id DESC`, requireAddress("member", member));
      return rows.map(toConsent);
    },

    async revokeConsent(member, id, now, announce) {
      const at = requireTimestamp("now", now);
      const revoke = [`UPDATE consents SET revoked_at = ? WHERE id = ? AND member = ? AND revoked_at IS NULL RETURNING ${consentColumns}`, at, String(id), requireAddress("member", member)] as const;
      if (announce === undefined) {
        const rows = await db.writeOne<ConsentRow>(...revoke);
        return rows.length === 0 ? null : toConsent(rows[0]!);
      }
      return db.transaction(async (tx) => {
        const row = await tx.get<ConsentRow>(...revoke);
        if (row === undefined) return null;
        const consent = toConsent(row);
        await writeOutboxMessages(tx, announce(consent));
        return consent;
      });
    },

    async logAccess(entries) {
      if (!Array.isArray(entries)) throw new StoreInputError("entries", "expected an array of access log entries");
      const records: AccessLogEntry[] = entries.map((entry, i) => ({
        id: requireKey(`entries[${i}].id`, entry?.id),
        member: requireAddress(`entries[${i}].member`, entry?.member),
        brandId: requireKey(`entries[${i}].brandId`, entry?.brandId),
        consentId: requireKey(`entries[${i}].consentId`, entry?.consentId),
        fields: requireFields(`entries[${i}].fields`, entry?.fields),
        purpose: requireText(`entries[${i}].purpose`, entry?.purpose),
        actor: requireText(`entries[${i}].actor`, entry?.actor),
        at: requireTimestamp(`entries[${i}].at`, entry?.at),
      }));
      if (records.length === 0) return;
      await db.transaction(async (tx) => {
        for (const r of records) {
          await tx.run(`INSERT INTO access_log (${accessColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, r.id, r.member, r.brandId, r.consentId, JSON.stringify(r.fields), r.purpose, r.actor, r.at);
        }
      });
    },

    async listAccessLog(member, query = {}) {
      const limit = clampPageSize(query.limit, MAX_PAGE_SIZE);
      const params: (string | number)[] = [requireAddress("member", member)];
      let after = "";
      if (query.cursor !== undefined && query.cursor !== null) {
        const cursor = decodeCursor(query.cursor);
        after = " AND (a.at, a.id) < (?, ?)";
        params.push(cursor.createdAt, cursor.id);
      }
      const columns = accessColumns.split(", ").map((c) => `a.${c}`).join(", ");
      const rows = await db.all<AccessRow>(
        `SELECT ${columns}, b.name AS brand_name FROM access_log a JOIN brands b ON b.id = a.brand_id
          WHERE a.member = ?${after} ORDER BY a.at DESC, a.id DESC LIMIT ?`,
        ...params,
        limit + 1,
      );
      const items = rows.slice(0, limit).map(toAccessEntry);
      const last = items.at(-1);
      return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor({ createdAt: last.at, id: last.id }) : null };
    },

    async memberRecords(member) {
      const address = requireAddress("member", member);
      const [first, events] = await Promise.all([
        db.get<{ first_seen_at: string }>("SELECT first_seen_at FROM members WHERE address = ?", address),
        db.all<{ brand_id: string; brand_name: string; type: string; properties: string; occurred_at: string }>(
          `SELECT e.brand_id, b.name AS brand_name, e.type, e.properties, e.occurred_at FROM journey_events e JOIN brands b ON b.id = e.brand_id
            WHERE e.member = ? ORDER BY e.occurred_at, e.id`,
          address,
        ),
      ]);
      return {
        firstSignedInAt: first?.first_seen_at ?? null,
        events: events.map((e) => ({ brandId: e.brand_id, brandName: e.brand_name, type: e.type, properties: JSON.parse(e.properties), occurredAt: e.occurred_at })),
      };
    },

    async eraseMember(input) {
      const address = requireAddress("address", input?.address);
      const pseudonym = requireAddress("pseudonym", input?.pseudonym);
      if (pseudonym === address) throw new StoreInputError("pseudonym", "must differ from the address");
      const now = requireTimestamp("now", input.now);
      const sessionsExpireBy = requireTimestamp("sessionsExpireBy", input.sessionsExpireBy);
      return db.transaction(async (tx): Promise<ErasureCounts> => {
        if (input.announce !== undefined) {
          // Every brand that kept records of the member hears of the erasure, before the records lose the address.
          const brands = await tx.all<{ brand_id: string }>(
            `SELECT brand_id FROM takes WHERE member = ? UNION SELECT brand_id FROM consents WHERE member = ? UNION SELECT brand_id FROM journey_events WHERE member = ?
             UNION SELECT brand_id FROM awards WHERE member = ? UNION SELECT j.brand_id FROM journey_members m JOIN journeys j ON j.id = m.journey_id WHERE m.member = ?`,
            address,
            address,
            address,
            address,
            address,
          );
          await writeOutboxMessages(tx, input.announce({ brandIds: brands.map((b) => b.brand_id).sort() }));
        }
        const unlink = (table: string, column: string) => tx.run(`UPDATE ${table} SET ${column} = ? WHERE ${column} = ?`, pseudonym, address);
        const counts: ErasureCounts = {
          profile: (await tx.run("DELETE FROM member_profiles WHERE address = ?", address)) > 0,
          consents: await tx.run("DELETE FROM consents WHERE member = ?", address),
          accessLog: await tx.run("DELETE FROM access_log WHERE member = ?", address),
          takesUnlinked: {},
          journeyRecordsUnlinked: 0,
        };
        // Every kind's takes go on under the pseudonym; counted by kind first, inside the same transaction.
        for (const row of await tx.all<{ kind: string; n: number }>("SELECT kind, CAST(count(*) AS INTEGER) AS n FROM takes WHERE member = ? GROUP BY kind", address)) {
          counts.takesUnlinked[row.kind] = Number(row.n);
        }
        await unlink("takes", "member");
        await tx.run("DELETE FROM journey_invitations WHERE member = ?", address);
        for (const [table, column] of [
          ["journey_members", "member"],
          ["journey_progress", "member"],
          ["journey_events", "member"],
          ["journey_referrals", "invitee"],
          ["journey_referrals", "inviter"],
          ["members", "address"],
        ] as const) {
          counts.journeyRecordsUnlinked += await unlink(table, column);
        }
        await tx.run(
          `INSERT INTO ended_member_sessions (address, ended_at, sessions_expire_by) VALUES (?, ?, ?)
           ON CONFLICT (address) DO UPDATE SET ended_at = excluded.ended_at, sessions_expire_by = excluded.sessions_expire_by`,
          address,
          now,
          sessionsExpireBy,
        );
        return counts;
      });
    },
  };
}
