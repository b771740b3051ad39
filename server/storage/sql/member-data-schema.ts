/**
 * Schema of the access log and of erasure (SQLite migration 12, PostgreSQL migration 8). Never edit
 * once released.
 *
 * `access_log`: every time a brand read a member's data, one row per grant the read went under:
 * which brand, which fields, under which grant and purpose, who at the brand (`actor`, in words), when.
 * The member reads it; erasure deletes it with the grants.
 *
 * `journey_events_member`: a member's events, for their export and their erasure.
 *
 * `ended_member_sessions`: a member who erased their data had every session ended at `ended_at`:
 * a session token that expires no later than `sessions_expire_by` was issued before that (sessions
 * last SESSION_TTL_SECONDS) and is refused. The row may go once `sessions_expire_by` has passed.
 *
 * (No comments inside the SQL: the PostgreSQL migration runner splits statements at semicolons.)
 */
const sql = (postgres: boolean) => {
  const id = postgres ? `TEXT COLLATE "C"` : "TEXT";
  const strict = postgres ? "" : " STRICT";
  const json = (column: string) => (postgres ? "TEXT" : `TEXT CHECK (json_valid(${column}))`);
  return `
      CREATE TABLE access_log (
        id          ${id} PRIMARY KEY,
        member      ${id} NOT NULL,
        brand_id    ${id} NOT NULL REFERENCES brands (id),
        consent_id  ${id} NOT NULL,
        fields      ${json("fields")} NOT NULL,
        purpose     TEXT NOT NULL,
        actor       TEXT NOT NULL,
        at          ${id} NOT NULL
      )${strict};
      CREATE INDEX access_log_member ON access_log (member, at, id);
      CREATE INDEX journey_events_member ON journey_events (member, occurred_at);
      CREATE TABLE ended_member_sessions (
        address            ${id} PRIMARY KEY,
        ended_at           ${id} NOT NULL,
        sessions_expire_by ${id} NOT NULL
      )${strict};
    `;
};

export const memberDataSchema = { sqlite: sql(false), postgres: sql(true) };
