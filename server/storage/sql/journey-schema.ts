/**
 * Schema of journeys (SQLite migration 8, PostgreSQL migration 4). Never edit once released.
 *
 * - `journeys`: a brand's definition; `steps` is JSON (server/journeys/types.ts), the stamp in columns
 *   so the award row is copied from them.
 * - `journey_members`: one row per member on a journey, made by their first progress. Every completion
 *   locks it first, so one member's completions on one journey take turns and exactly one of them sees
 *   the last step done (and inserts the award; `awards` is UNIQUE (journey_id, member) besides).
 * - `journey_progress`: once per (journey, member, step), the primary key; looked up by member for
 *   the member's list (journey_progress_member).
 * - `journey_codes`: batch codes as SHA-256 of their normal form, single use (`used_by`).
 * - `journey_events`: events brands reported, once per (brand, idempotency key), with the request's
 *   hash and the steps they completed.
 * - `journey_invitations`, `journey_referrals`, `members`: invitation codes per (journey, member), who
 *   a new member came with, and every address that ever signed in (first sign-in: a new member).
 */
// PostgreSQL compares ids and timestamps as bytes (COLLATE "C"), as the rest of its schema does.
const sql = (postgres: boolean) => {
  const id = postgres ? `TEXT COLLATE "C"` : "TEXT";
  const strict = postgres ? "" : " STRICT";
  const json = (column: string) => (postgres ? "TEXT" : `TEXT CHECK (json_valid(${column}))`);
  return `
      CREATE TABLE journeys (
        id          ${id} PRIMARY KEY,
        brand_id    ${id} NOT NULL REFERENCES brands (id),
        title       TEXT NOT NULL,
        description TEXT NOT NULL,
        starts_at   ${id},
        ends_at     ${id},
        ordered     INTEGER NOT NULL CHECK (ordered IN (0, 1)),
        collection  ${id} NOT NULL,
        token_id    TEXT NOT NULL,
        amount      TEXT NOT NULL,
        steps       ${json("steps")} NOT NULL,
        created_at  ${id} NOT NULL,
        updated_at  ${id} NOT NULL,
        deleted_at  ${id},
        CHECK (starts_at IS NULL OR ends_at IS NULL OR starts_at < ends_at)
      )${strict};
      CREATE INDEX journeys_brand_created ON journeys (brand_id, created_at, id);
      CREATE INDEX journeys_created ON journeys (created_at, id);

      CREATE TABLE journey_members (
        journey_id   ${id} NOT NULL REFERENCES journeys (id),
        member       ${id} NOT NULL,
        started_at   ${id} NOT NULL,
        completed_at ${id},
        PRIMARY KEY (journey_id, member)
      )${strict};
      CREATE INDEX journey_members_started ON journey_members (journey_id, started_at, member);

      CREATE TABLE journey_progress (
        journey_id   ${id} NOT NULL,
        member       ${id} NOT NULL,
        step_id      ${id} NOT NULL,
        completed_at ${id} NOT NULL,
        via          ${id} NOT NULL CHECK (via IN ('member', 'event', 'referral')),
        recorded_at  ${id} NOT NULL,
        PRIMARY KEY (journey_id, member, step_id)
      )${strict};
      CREATE INDEX journey_progress_member ON journey_progress (member, journey_id);

      CREATE TABLE journey_codes (
        journey_id ${id} NOT NULL,
        step_id    ${id} NOT NULL,
        code_hash  ${id} NOT NULL,
        batch_id   ${id} NOT NULL,
        created_at ${id} NOT NULL,
        used_by    ${id},
        used_at    ${id},
        PRIMARY KEY (journey_id, step_id, code_hash)
      )${strict};

      CREATE TABLE journey_events (
        brand_id        ${id} NOT NULL,
        idempotency_key ${id} NOT NULL,
        id              ${id} NOT NULL UNIQUE,
        request_hash    ${id} NOT NULL,
        type            TEXT NOT NULL,
        member          ${id} NOT NULL,
        properties      ${json("properties")} NOT NULL,
        occurred_at     ${id} NOT NULL,
        received_at     ${id} NOT NULL,
        matched         ${json("matched")} NOT NULL,
        PRIMARY KEY (brand_id, idempotency_key)
      )${strict};

      CREATE TABLE journey_invitations (
        code       ${id} PRIMARY KEY,
        journey_id ${id} NOT NULL,
        member     ${id} NOT NULL,
        created_at ${id} NOT NULL,
        UNIQUE (journey_id, member)
      )${strict};
      CREATE INDEX journey_invitations_member ON journey_invitations (member);

      CREATE TABLE journey_referrals (
        invitee    ${id} PRIMARY KEY,
        journey_id ${id} NOT NULL,
        inviter    ${id} NOT NULL,
        code       ${id} NOT NULL,
        counted    INTEGER NOT NULL CHECK (counted IN (0, 1)),
        created_at ${id} NOT NULL
      )${strict};
      CREATE INDEX journey_referrals_inviter ON journey_referrals (journey_id, inviter);

      CREATE TABLE members (
        address       ${id} PRIMARY KEY,
        first_seen_at ${id} NOT NULL
      )${strict};
    `;
};

export const journeySchema = { sqlite: sql(false), postgres: sql(true) };
