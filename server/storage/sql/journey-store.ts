/**
 * Long because completing a step, recording an event and queueing the award are one transaction
 * each, and their SQL reads best beside the rows they share.
 */
import type { Address } from "viem";
import type { MemberStore } from "../../members/types.ts";
import type {
  JourneyCompletion,
  AwardState,
  AwardStatus,
  CompleteStepResult,
  CreateJourneyResult,
  Journey,
  JourneyEvent,
  JourneyPatch,
  JourneyProgress,
  JourneyStep,
  JourneyStore,
  MemberProgress,
  NewJourney,
  ProgressVia,
  RecordEventResult,
  SignInResult,
  StepCompletion,
  StepRef,
  StoredJourneyEvent,
  UpdateJourneyResult,
} from "../../journeys/types.ts";
import { decodeCursor, encodeCursor } from "../cursor.ts";
import { newId } from "../ids.ts";
import { MAX_PAGE_SIZE, type Page } from "../store.ts";
import type { Timestamp } from "../time.ts";
import { clampPageSize, jsonText, optionalTimestamp, requireAddress, requireKey, requireOneOf, requireSha256Hex, requireText, requireTimestamp, requireUintString, requireWindow } from "../validate.ts";
import { StoreInputError } from "../errors.ts";
import type { SqlDatabase, SqlExecutor } from "./database.ts";
import { writeOutboxMessages } from "./webhook-outbox.ts";
import type { Announce } from "../../webhooks/types.ts";

interface JourneyRow {
  id: string;
  brand_id: string;
  title: string;
  description: string;
  starts_at: string | null;
  ends_at: string | null;
  ordered: number;
  collection: string;
  token_id: string;
  amount: string;
  steps: string;
  created_at: string;
  updated_at: string;
}

interface EventRow {
  brand_id: string;
  idempotency_key: string;
  id: string;
  request_hash: string;
  type: string;
  member: string;
  properties: string;
  occurred_at: string;
  received_at: string;
  matched: string;
}

const journeyColumns = "id, brand_id, title, description, starts_at, ends_at, ordered, collection, token_id, amount, steps, created_at, updated_at";
const eventColumns = "brand_id, idempotency_key, id, request_hash, type, member, properties, occurred_at, received_at, matched";

function toJourney(row: JourneyRow): Journey {
  return {
    id: row.id,
    brandId: row.brand_id,
    title: row.title,
    description: row.description,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    ordered: row.ordered === 1,
    stamp: { collection: row.collection as Address, tokenId: row.token_id, amount: row.amount },
    steps: JSON.parse(row.steps) as JourneyStep[],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toEvent(row: EventRow): StoredJourneyEvent {
  return {
    id: row.id,
    brandId: row.brand_id,
    idempotencyKey: row.idempotency_key,
    requestHash: row.request_hash,
    type: row.type,
    member: row.member as Address,
    properties: JSON.parse(row.properties) as StoredJourneyEvent["properties"],
    occurredAt: row.occurred_at,
    receivedAt: row.received_at,
    matched: JSON.parse(row.matched) as StepRef[],
  };
}

const VIAS: readonly ProgressVia[] = ["member", "event", "referral"];

function requireSteps(value: unknown): string {
  if (!Array.isArray(value) || value.length === 0) throw new StoreInputError("steps", "expected a non-empty array of steps");
  const ids = new Set<string>();
  value.forEach((step: unknown, i) => {
    const id = (step as { id?: unknown } | null)?.id;
    requireKey(`steps[${i}].id`, id);
    if (ids.has(id as string)) throw new StoreInputError(`steps[${i}].id`, `duplicate step id ${String(id)}`);
    ids.add(id as string);
  });
  return jsonText("steps", value);
}

/** Journeys, members' progress on them, their codes, events and referrals. */
export function createJourneyStore(db: SqlDatabase): JourneyStore & MemberStore {
  const postgres = db.dialect.name === "postgres";
  /**
   * A completion reads the journey under a key-share lock: completions run side by side, while a
   * change of steps (which takes FOR UPDATE) waits for them, and then sees their progress and refuses.
   * SQLite's write transactions take turns anyway.
   */
  const keyShare = postgres ? " FOR KEY SHARE" : "";
  const exclusive = postgres ? " FOR UPDATE" : "";

  async function liveJourney(tx: SqlExecutor, id: string, lock: string): Promise<Journey | null> {
    const row = await tx.get<JourneyRow>(`SELECT ${journeyColumns} FROM journeys WHERE id = ? AND deleted_at IS NULL${lock}`, id);
    return row === undefined ? null : toJourney(row);
  }

  /**
   * Completes one step inside `tx`. The member's row on the journey is locked first (made if need
   * be), so their completions of this journey take turns: the one that finds every other step done is
   * the one that inserts the award. A refusal leaves nothing behind (a row made for it is deleted).
   */
  async function applyStep(tx: SqlExecutor, journey: Journey, c: Omit<StepCompletion, "journeyId">, announce?: Announce<JourneyCompletion>): Promise<CompleteStepResult> {
    const index = journey.steps.findIndex((s) => s.id === c.stepId);
    if (index < 0) return { status: "step_not_found" };
    // Timestamps share one fixed-width shape: text order is time order.
    if (journey.startsAt !== null && c.completedAt < journey.startsAt) return { status: "not_started" };
    if (journey.endsAt !== null && c.completedAt >= journey.endsAt) return { status: "ended" };

    const made = await tx.run("INSERT INTO journey_members (journey_id, member, started_at, completed_at) VALUES (?, ?, ?, NULL) ON CONFLICT (journey_id, member) DO NOTHING", journey.id, c.member, c.now);
    await tx.get(`SELECT member FROM journey_members WHERE journey_id = ? AND member = ?${db.dialect.forUpdate}`, journey.id, c.member);
    const refuse = async (result: CompleteStepResult): Promise<CompleteStepResult> => {
      if (made === 1) await tx.run("DELETE FROM journey_members WHERE journey_id = ? AND member = ?", journey.id, c.member);
      return result;
    };

    const done = new Map(
      (await tx.all<{ step_id: string; completed_at: string }>("SELECT step_id, completed_at FROM journey_progress WHERE journey_id = ? AND member = ?", journey.id, c.member)).map((r) => [r.step_id, r.completed_at]),
    );
    const already = done.get(c.stepId);
    if (already !== undefined) return { status: "already_done", completedAt: already };
    if (journey.ordered) {
      const waiting = journey.steps.slice(0, index).find((s) => !done.has(s.id));
      if (waiting !== undefined) return refuse({ status: "step_locked", waitingFor: waiting.id });
    }
    if (c.codeHash !== undefined) {
      const used = await tx.run(
        "UPDATE journey_codes SET used_by = ?, used_at = ? WHERE journey_id = ? AND step_id = ? AND code_hash = ? AND used_by IS NULL",
        c.member,
        c.now,
        journey.id,
        c.stepId,
        c.codeHash,
      );
      if (used === 0) {
        const known = await tx.get("SELECT used_by FROM journey_codes WHERE journey_id = ? AND step_id = ? AND code_hash = ?", journey.id, c.stepId, c.codeHash);
        return refuse({ status: known === undefined ? "code_invalid" : "code_used" });
      }
    }
    await tx.run(
      "INSERT INTO journey_progress (journey_id, member, step_id, completed_at, via, recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
      journey.id,
      c.member,
      c.stepId,
      c.completedAt,
      c.via,
      c.now,
    );
    done.set(c.stepId, c.completedAt);
    const journeyCompleted = journey.steps.every((s) => done.has(s.id));
    let awardId: string | null = null;
    if (journeyCompleted) {
      await tx.run("UPDATE journey_members SET completed_at = ? WHERE journey_id = ? AND member = ?", c.completedAt, journey.id, c.member);
      const id = `award_${newId().replaceAll("-", "")}`;
      const inserted = await tx.run(
        `INSERT INTO awards (id, brand_id, journey_id, member, collection, token_id, amount, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT (journey_id, member) DO NOTHING`,
        id,
        journey.brandId,
        journey.id,
        c.member,
        journey.stamp.collection,
        journey.stamp.tokenId,
        journey.stamp.amount,
        c.now,
        c.now,
      );
      if (inserted === 1) awardId = id;
      if (announce !== undefined) await writeOutboxMessages(tx, announce({ journey, member: c.member, completedAt: c.completedAt, recordedAt: c.now, awardId }));
    }
    return { status: "completed", completedAt: c.completedAt, journeyCompleted, awardId };
  }

  async function awardsWhere(where: string, ...params: string[]): Promise<{ journey_id: string; member: string; status: string; tx_hash: string | null }[]> {
    return db.all(
      `SELECT a.journey_id, a.member, a.status, coalesce(a.tx_hash, b.tx_hash) AS tx_hash FROM awards a LEFT JOIN award_batches b ON b.id = a.batch_id WHERE ${where}`,
      ...params,
    );
  }

  return {
    async createJourney(journey: NewJourney, quota: { journeys: number }): Promise<CreateJourneyResult> {
      const record: Journey = {
        id: requireKey("id", journey.id),
        brandId: requireKey("brandId", journey.brandId),
        title: requireText("title", journey.title),
        description: requireText("description", journey.description),
        startsAt: optionalTimestamp("startsAt", journey.startsAt),
        endsAt: optionalTimestamp("endsAt", journey.endsAt),
        ordered: journey.ordered === true,
        stamp: {
          collection: requireAddress("stamp.collection", journey.stamp?.collection),
          tokenId: requireUintString("stamp.tokenId", journey.stamp?.tokenId),
          amount: requireUintString("stamp.amount", journey.stamp?.amount, 1n),
        },
        steps: journey.steps,
        createdAt: requireTimestamp("createdAt", journey.createdAt),
        updatedAt: journey.createdAt,
      };
      requireWindow(record.startsAt, record.endsAt);
      const stepsJson = requireSteps(record.steps);
      record.steps = JSON.parse(stepsJson) as JourneyStep[];
      return db.transaction(async (tx): Promise<CreateJourneyResult> => {
        // The brand's journeys are counted and added one writer at a time.
        await tx.get(`SELECT id FROM brands WHERE id = ?${db.dialect.forUpdate}`, record.brandId);
        const live = await tx.get<{ n: number }>("SELECT CAST(count(*) AS INTEGER) AS n FROM journeys WHERE brand_id = ? AND deleted_at IS NULL", record.brandId);
        if ((live?.n ?? 0) >= quota.journeys) return { status: "quota_exceeded", limit: quota.journeys };
        await tx.run(
          `INSERT INTO journeys (${journeyColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          record.id,
          record.brandId,
          record.title,
          record.description,
          record.startsAt,
          record.endsAt,
          record.ordered ? 1 : 0,
          record.stamp.collection,
          record.stamp.tokenId,
          record.stamp.amount,
          stepsJson,
          record.createdAt,
          record.updatedAt,
        );
        return { status: "created", journey: record };
      });
    },

    async getJourney(id: string): Promise<Journey | null> {
      return liveJourney(db, String(id), "");
    },

    async listJourneys(query: { brandId?: string } = {}): Promise<Journey[]> {
      const rows =
        query.brandId === undefined
          ? await db.all<JourneyRow>(`SELECT ${journeyColumns} FROM journeys WHERE deleted_at IS NULL ORDER BY created_at DESC, id DESC`)
          : await db.all<JourneyRow>(`SELECT ${journeyColumns} FROM journeys WHERE brand_id = ? AND deleted_at IS NULL ORDER BY created_at DESC, id DESC`, String(query.brandId));
      return rows.map(toJourney);
    },

    async updateJourney(brandId: string, id: string, patch: JourneyPatch): Promise<UpdateJourneyResult> {
      const updatedAt = requireTimestamp("updatedAt", patch.updatedAt);
      const title = patch.title === undefined ? undefined : requireText("title", patch.title);
      const description = patch.description === undefined ? undefined : requireText("description", patch.description);
      const startsAt = patch.startsAt === undefined ? undefined : optionalTimestamp("startsAt", patch.startsAt);
      const endsAt = patch.endsAt === undefined ? undefined : optionalTimestamp("endsAt", patch.endsAt);
      const stepsJson = patch.steps === undefined ? undefined : requireSteps(patch.steps);
      const stamp =
        patch.stamp === undefined
          ? undefined
          : {
              collection: requireAddress("stamp.collection", patch.stamp.collection),
              tokenId: requireUintString("stamp.tokenId", patch.stamp.tokenId),
              amount: requireUintString("stamp.amount", patch.stamp.amount, 1n),
            };
      const fixed = stepsJson !== undefined || stamp !== undefined || patch.ordered !== undefined;

      return db.transaction(async (tx): Promise<UpdateJourneyResult> => {
        // Changing what completes the journey waits for completions under way (see keyShare).
        const current = await liveJourney(tx, String(id), fixed ? exclusive : db.dialect.forUpdate);
        if (current === null || current.brandId !== String(brandId)) return { status: "not_found" };
        if (fixed && (await tx.get("SELECT member FROM journey_members WHERE journey_id = ? LIMIT 1", current.id)) !== undefined) return { status: "has_progress" };
        const next: Journey = {
          ...current,
          title: title ?? current.title,
          description: description ?? current.description,
          startsAt: startsAt === undefined ? current.startsAt : startsAt,
          endsAt: endsAt === undefined ? current.endsAt : endsAt,
          ordered: patch.ordered === undefined ? current.ordered : patch.ordered === true,
          stamp: stamp ?? current.stamp,
          steps: stepsJson === undefined ? current.steps : (JSON.parse(stepsJson) as JourneyStep[]),
          updatedAt,
        };
        requireWindow(next.startsAt, next.endsAt);
        await tx.run(
          `UPDATE journeys SET title = ?, description = ?, starts_at = ?, ends_at = ?, ordered = ?, collection = ?, token_id = ?, amount = ?, steps = ?, updated_at = ? WHERE id = ?`,
          next.title,
          next.description,
          next.startsAt,
          next.endsAt,
          next.ordered ? 1 : 0,
          next.stamp.collection,
          next.stamp.tokenId,
          next.stamp.amount,
          JSON.stringify(next.steps),
          next.updatedAt,
          next.id,
        );
        return { status: "updated", journey: next };
      });
    },

    async deleteJourney(brandId: string, id: string, now: Timestamp): Promise<boolean> {
      requireTimestamp("now", now);
      return db.transaction(
        async (tx) => (await tx.run("UPDATE journeys SET deleted_at = ?, updated_at = ? WHERE id = ? AND brand_id = ? AND deleted_at IS NULL", now, now, String(id), String(brandId))) === 1,
      );
    },

    async completeStep(input, announce): Promise<CompleteStepResult> {
      const c = {
        stepId: requireKey("stepId", input.stepId),
        member: requireAddress("member", input.member),
        via: requireOneOf("via", input.via, VIAS),
        completedAt: requireTimestamp("completedAt", input.completedAt),
        now: requireTimestamp("now", input.now),
        ...(input.codeHash === undefined ? {} : { codeHash: requireSha256Hex("codeHash", input.codeHash) }),
      };
      const journeyId = requireKey("journeyId", input.journeyId);
      return db.transaction(async (tx) => {
        const journey = await liveJourney(tx, journeyId, keyShare);
        if (journey === null) return { status: "journey_not_found" };
        return applyStep(tx, journey, c, announce);
      });
    },

    async memberProgress(member: Address): Promise<MemberProgress> {
      const address = requireAddress("member", member);
      // One round trip for both: the member's list is on the storefront's hot path.
      const rows = await db.all<{ journey_id: string; step_id: string | null; completed_at: string | null; code: string | null }>(
        `SELECT journey_id, step_id, completed_at, NULL AS code FROM journey_progress WHERE member = ?
         UNION ALL
         SELECT journey_id, NULL, NULL, code FROM journey_invitations WHERE member = ?`,
        address,
        address,
      );
      const progress: MemberProgress = { steps: [], invitations: [] };
      for (const row of rows) {
        if (row.code !== null) progress.invitations.push({ journeyId: row.journey_id, code: row.code });
        else progress.steps.push({ journeyId: row.journey_id, stepId: row.step_id!, completedAt: row.completed_at! });
      }
      return progress;
    },

    async journeyAwards(member: Address): Promise<Map<string, AwardState>> {
      const rows = await awardsWhere("a.member = ?", requireAddress("member", member));
      return new Map(rows.map((r) => [r.journey_id, { status: r.status as AwardStatus, txHash: r.tx_hash }]));
    },

    async listProgress(journeyId: string, query: { limit: number; cursor?: string | null }): Promise<Page<JourneyProgress>> {
      const limit = clampPageSize(query.limit, MAX_PAGE_SIZE);
      const params: (string | number)[] = [String(journeyId)];
      let after = "";
      if (query.cursor !== undefined && query.cursor !== null) {
        const cursor = decodeCursor(query.cursor);
        after = " AND (started_at, member) < (?, ?)";
        params.push(cursor.createdAt, cursor.id);
      }
      const rows = await db.all<{ member: string; started_at: string; completed_at: string | null }>(
        `SELECT member, started_at, completed_at FROM journey_members WHERE journey_id = ?${after} ORDER BY started_at DESC, member DESC LIMIT ?`,
        ...params,
        limit + 1,
      );
      const page = rows.slice(0, limit);
      if (page.length === 0) return { items: [], nextCursor: null };
      const marks = page.map(() => "?").join(", ");
      const members = page.map((r) => r.member);
      const [steps, awards] = await Promise.all([
        db.all<{ member: string; step_id: string; completed_at: string }>(`SELECT member, step_id, completed_at FROM journey_progress WHERE journey_id = ? AND member IN (${marks})`, String(journeyId), ...members),
        awardsWhere(`a.journey_id = ? AND a.member IN (${marks})`, String(journeyId), ...members),
      ]);
      const items = page.map(
        (r): JourneyProgress => ({ member: r.member as Address, startedAt: r.started_at, steps: {}, completedAt: r.completed_at, award: null }),
      );
      const byMember = new Map(items.map((item) => [item.member as string, item]));
      for (const s of steps) byMember.get(s.member)!.steps[s.step_id] = s.completed_at;
      for (const a of awards) byMember.get(a.member)!.award = { status: a.status as AwardStatus, txHash: a.tx_hash };
      const last = page[page.length - 1]!;
      return { items, nextCursor: rows.length > limit ? encodeCursor({ createdAt: last.started_at, id: last.member }) : null };
    },

    async addJourneyCodes(input): Promise<string[]> {
      const journeyId = requireKey("journeyId", input.journeyId);
      const stepId = requireKey("stepId", input.stepId);
      const batchId = requireKey("batchId", input.batchId);
      const createdAt = requireTimestamp("createdAt", input.createdAt);
      const hashes = [...new Set(input.hashes.map((h, i) => requireSha256Hex(`hashes[${i}]`, h)))];
      return db.transaction(async (tx) => {
        const stored: string[] = [];
        for (const hash of hashes) {
          const n = await tx.run(
            "INSERT INTO journey_codes (journey_id, step_id, code_hash, batch_id, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (journey_id, step_id, code_hash) DO NOTHING",
            journeyId,
            stepId,
            hash,
            batchId,
            createdAt,
          );
          if (n === 1) stored.push(hash);
        }
        return stored;
      });
    },

    async findJourneyEvent(brandId: string, idempotencyKey: string): Promise<StoredJourneyEvent | null> {
      const row = await db.get<EventRow>(`SELECT ${eventColumns} FROM journey_events WHERE brand_id = ? AND idempotency_key = ?`, String(brandId), String(idempotencyKey));
      return row === undefined ? null : toEvent(row);
    },

    async recordJourneyEvent(event: JourneyEvent, steps: StepRef[], announce): Promise<RecordEventResult> {
      const e: JourneyEvent = {
        id: requireKey("id", event.id),
        brandId: requireKey("brandId", event.brandId),
        idempotencyKey: requireKey("idempotencyKey", event.idempotencyKey),
        requestHash: requireSha256Hex("requestHash", event.requestHash),
        type: requireKey("type", event.type),
        member: requireAddress("member", event.member),
        properties: event.properties,
        occurredAt: requireTimestamp("occurredAt", event.occurredAt),
        receivedAt: requireTimestamp("receivedAt", event.receivedAt),
      };
      const propertiesJson = jsonText("properties", e.properties);
      // One order for every transaction, so two events of one member never wait on each other in a circle.
      const ordered = [...new Map(steps.map((s) => [`${s.journeyId}\u0000${s.stepId}`, s])).values()].sort((a, b) =>
        a.journeyId === b.journeyId ? (a.stepId < b.stepId ? -1 : 1) : a.journeyId < b.journeyId ? -1 : 1,
      );
      return db.transaction(async (tx): Promise<RecordEventResult> => {
        const inserted = await tx.run(
          `INSERT INTO journey_events (${eventColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '[]') ON CONFLICT (brand_id, idempotency_key) DO NOTHING`,
          e.brandId,
          e.idempotencyKey,
          e.id,
          e.requestHash,
          e.type,
          e.member,
          propertiesJson,
          e.occurredAt,
          e.receivedAt,
        );
        if (inserted === 0) {
          const row = await tx.get<EventRow>(`SELECT ${eventColumns} FROM journey_events WHERE brand_id = ? AND idempotency_key = ?`, e.brandId, e.idempotencyKey);
          return { status: "duplicate", event: toEvent(row!) };
        }
        const matched: StepRef[] = [];
        let awards = 0;
        for (const ref of ordered) {
          const journey = await liveJourney(tx, ref.journeyId, keyShare);
          // Only the brand's own journeys, and only their event steps for this type.
          const step = journey?.steps.find((s) => s.id === ref.stepId);
          if (journey === null || journey.brandId !== e.brandId || step?.kind !== "event" || step.event !== e.type) continue;
          const result = await applyStep(tx, journey, { stepId: ref.stepId, member: e.member, via: "event", completedAt: e.occurredAt, now: e.receivedAt }, announce);
          if (result.status !== "completed") continue;
          matched.push({ journeyId: ref.journeyId, stepId: ref.stepId });
          if (result.awardId !== null) awards++;
        }
        await tx.run("UPDATE journey_events SET matched = ? WHERE brand_id = ? AND idempotency_key = ?", JSON.stringify(matched), e.brandId, e.idempotencyKey);
        return { status: "recorded", event: { ...e, properties: JSON.parse(propertiesJson) as JourneyEvent["properties"], matched }, awards };
      });
    },

    async ensureInvitation(journeyId: string, member: Address, code: string, now: Timestamp): Promise<string> {
      const args = [requireKey("journeyId", journeyId), requireAddress("member", member)] as const;
      const fresh = requireKey("code", code);
      requireTimestamp("now", now);
      const made = await db.writeOne<{ code: string }>(
        "INSERT INTO journey_invitations (code, journey_id, member, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (journey_id, member) DO NOTHING RETURNING code",
        fresh,
        ...args,
        now,
      );
      if (made.length > 0) return made[0]!.code;
      const row = await db.get<{ code: string }>("SELECT code FROM journey_invitations WHERE journey_id = ? AND member = ?", ...args);
      return row!.code;
    },

    async recordMembers(members: readonly Address[], now: Timestamp): Promise<void> {
      requireTimestamp("now", now);
      const addresses = [...new Set(members.map((m) => requireAddress("member", m)))];
      // Bounded statements: at most 500 rows (1,000 parameters) each.
      for (let i = 0; i < addresses.length; i += 500) {
        const chunk = addresses.slice(i, i + 500);
        await db.transaction(
          (tx) => tx.run(`INSERT INTO members (address, first_seen_at) VALUES ${chunk.map(() => "(?, ?)").join(", ")} ON CONFLICT (address) DO NOTHING`, ...chunk.flatMap((a) => [a, now])),
          // As a plain sign-in's row in recordSignIn: lost to a power cut, a later invitation counts the address as new.
          { durability: "ephemeral" },
        );
      }
    },

    async recordSignIn(input, announce): Promise<SignInResult> {
      const member = requireAddress("member", input.member);
      const now = requireTimestamp("now", input.now);
      const invitation = input.invitation === null ? null : requireKey("invitation", input.invitation);
      return db.transaction(async (tx): Promise<SignInResult> => {
        const firstSignIn = (await tx.run("INSERT INTO members (address, first_seen_at) VALUES (?, ?) ON CONFLICT (address) DO NOTHING", member, now)) === 1;
        if (!firstSignIn || invitation === null) return { firstSignIn, referral: null };
        const invite = await tx.get<{ journey_id: string; member: string }>("SELECT journey_id, member FROM journey_invitations WHERE code = ?", invitation);
        // Nobody invites themselves.
        if (invite === undefined || invite.member === member) return { firstSignIn, referral: null };
        const journey = await liveJourney(tx, invite.journey_id, keyShare);
        const step = journey?.steps.find((s) => s.kind === "referral");
        if (journey === null || step === undefined) return { firstSignIn, referral: null };
        const inviter = invite.member as Address;
        const result = await applyStep(tx, journey, { stepId: step.id, member: inviter, via: "referral", completedAt: now, now }, announce);
        const counted = result.status === "completed";
        await tx.run(
          "INSERT INTO journey_referrals (invitee, journey_id, inviter, code, counted, created_at) VALUES (?, ?, ?, ?, ?, ?)",
          member,
          journey.id,
          inviter,
          invitation,
          counted ? 1 : 0,
          now,
        );
        return { firstSignIn, referral: { journeyId: journey.id, inviter, stepId: step.id, counted, awardId: counted ? result.awardId : null } };
        // A plain sign-in only notes that the address is a member now: lost to a power cut, the worst
        // case is that a later invitation counts it as new. One that credits a referral is durable.
      }, { durability: invitation === null ? "ephemeral" : "durable" });
    },
  };
}
