import { randomBytes } from "node:crypto";
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import { decodeCursor, encodeCursor } from "../cursor.ts";
import { StoreBusyError, StoreInputError } from "../errors.ts";
import {
  COUNTED_CLAIM_STATUSES,
  MAX_PAGE_SIZE,
  type ApiKey,
  type Brand,
  type Claim,
  type ClaimQuery,
  type CompleteClaimInput,
  type Drop,
  type DropPatch,
  type DropQuery,
  type NewDrop,
  type ReserveClaimInput,
  type ReserveClaimResult,
  type ConsumeCodeInput,
  type ConsumeCodeResult,
  type NewApiKey,
  type NewPerk,
  type Page,
  type Perk,
  type PerkPatch,
  type PerkQuery,
  type PruneResult,
  type RedeemInput,
  type RedeemResult,
  type Redemption,
  type RedemptionQuery,
  type Store,
  type Timestamp,
} from "../store.ts";
import {
  clampPageSize,
  normalizeNewDrop,
  normalizeNewPerk,
  optionalTimestamp,
  requireAddress,
  requireAddresses,
  requireClaimError,
  requireClaimStatus,
  requireKey,
  requireLimits,
  requireSha256Hex,
  requireText,
  requireTimestamp,
  requireRawTx,
  requireTxHash,
  requireWindow,
  ruleToJson,
} from "../validate.ts";
import { toTimestamp } from "../time.ts";
import { applyMigrations } from "./migrations.ts";
import {
  apiKeyColumns,
  brandColumns,
  claimColumns,
  dropColumns,
  perkColumns,
  redemptionColumns,
  toApiKey,
  toBrand,
  toClaim,
  toDrop,
  toPerk,
  toRedemption,
  type ApiKeyRow,
  type BrandRow,
  type ClaimRow,
  type DropRow,
  type PerkRow,
  type RedemptionRow,
} from "./rows.ts";

export interface SqliteStoreOptions {
  /**
   * How long a write waits for another connection (or process) holding the write lock before it
   * fails with SQLITE_BUSY. Default 5000 ms.
   */
  busyTimeoutMs?: number;
}

/** Default for {@link SqliteStoreOptions.busyTimeoutMs}. */
type LimitRefusal =
  | { status: "not_started" }
  | { status: "ended" }
  | { status: "member_limit_reached"; limit: number }
  | { status: "total_limit_reached"; limit: number };

export const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

interface CountRow {
  n: number;
}

// Claims that count against a drop's limits, as an SQL list: ('pending', 'minted', 'issued').
const COUNTED = `(${COUNTED_CLAIM_STATUSES.map((s) => `'${s}'`).join(", ")})`;

/**
 * Sets a database to WAL. On a brand-new file that several processes open at once, SQLite may answer
 * SQLITE_BUSY at once rather than wait (waiting could deadlock), so this retries within the busy timeout.
 */
function switchToWal(db: DatabaseSync, busyTimeoutMs: number): { journal_mode?: string } | undefined {
  const deadline = Date.now() + busyTimeoutMs;
  for (;;) {
    try {
      return db.prepare("PRAGMA journal_mode = WAL").get() as { journal_mode?: string } | undefined;
    } catch (error) {
      if (!isBusy(error) || Date.now() >= deadline) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
}

const SQLITE_BUSY = 5;

/** SQLITE_BUSY, extended codes included (the primary code is the low byte). */
function isBusy(error: unknown): boolean {
  const code = (error as { errcode?: unknown } | null)?.errcode;
  return typeof code === "number" && (code & 0xff) === SQLITE_BUSY;
}

/**
 * The {@link Store} on SQLite through `node:sqlite` (Node >= 24): the embedded default, needing no
 * server. One file may be shared by several processes: WAL lets readers run beside the one
 * writer, every write runs in a `BEGIN IMMEDIATE` transaction so writers queue for the lock from the
 * start, and `busy_timeout` makes them wait for it rather than fail.
 *
 * node:sqlite is synchronous, so each method does all its work (a whole transaction) before it
 * returns its promise: calls from one process never interleave inside a transaction. The price is
 * that a write waiting for another process's lock blocks this process's event loop meanwhile (at
 * most `busyTimeoutMs`). One exception: `useNonce` calls made in the same turn of the event loop
 * share one transaction (see there).
 */
export class SqliteStore implements Store {
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  #pendingNonces: { nonce: string; expiresAt: Timestamp; settle: (used: boolean | Error) => void }[] = [];

  private constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /**
   * Opens (creating if needed) a database file, or a private in-memory database for ":memory:",
   * and brings its schema up to date (see migrations.ts).
   */
  static open(path: string, options: SqliteStoreOptions = {}): SqliteStore {
    const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
    if (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
      throw new RangeError(`busyTimeoutMs must be a non-negative integer, got ${busyTimeoutMs}`);
    }
    const db = new DatabaseSync(path, { timeout: busyTimeoutMs, enableForeignKeyConstraints: true });
    try {
      db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
      db.exec("PRAGMA foreign_keys = ON");
      if (path !== ":memory:") {
        // Persistent in the file; a no-op once set. In-memory databases cannot use WAL.
        const row = switchToWal(db, busyTimeoutMs);
        if (row?.journal_mode !== "wal") throw new Error(`could not switch ${path} to WAL (got ${row?.journal_mode})`);
        // FULL: a commit the caller saw (a redemption code shown to a member) survives a power cut.
        db.exec("PRAGMA synchronous = FULL");
      }
      applyMigrations(db);
    } catch (error) {
      db.close();
      throw error;
    }
    return new SqliteStore(db);
  }

  // --- Plumbing -----------------------------------------------------------------------------

  #statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #get<Row>(sql: string, ...params: SQLInputValue[]): Row | undefined {
    return this.#statement(sql).get(...params) as Row | undefined;
  }

  #all<Row>(sql: string, ...params: SQLInputValue[]): Row[] {
    return this.#statement(sql).all(...params) as unknown as Row[];
  }

  #count(sql: string, ...params: SQLInputValue[]): number {
    return this.#get<CountRow>(sql, ...params)?.n ?? 0;
  }

  /**
   * Why a perk or drop cannot be taken now, or null: its window and then its limits, counted by
   * `counts` inside the caller's write transaction. Timestamps share one fixed-width shape, so text
   * order is time order.
   */
  #refusal(
    offer: { starts_at: string | null; ends_at: string | null; per_member_limit: number | null; total_limit: number | null },
    now: string,
    counts: { mine: () => number; all: () => number },
  ): LimitRefusal | null {
    if (offer.starts_at !== null && now < offer.starts_at) return { status: "not_started" };
    if (offer.ends_at !== null && now >= offer.ends_at) return { status: "ended" };
    if (offer.per_member_limit !== null && counts.mine() >= offer.per_member_limit) {
      return { status: "member_limit_reached", limit: offer.per_member_limit };
    }
    if (offer.total_limit !== null && counts.all() >= offer.total_limit) return { status: "total_limit_reached", limit: offer.total_limit };
    return null;
  }

  #run(sql: string, ...params: SQLInputValue[]): number {
    return Number(this.#statement(sql).run(...params).changes);
  }

  /**
   * Runs `work` in a write transaction. BEGIN IMMEDIATE takes the write lock up front (waiting up
   * to busy_timeout), so the reads inside see the latest data and nothing can change it before
   * COMMIT. `work` must be synchronous.
   */
  #write<T>(work: () => T, durability: "durable" | "ephemeral" = "durable"): T {
    // Nonces and sessions skip the per-commit fsync: after a power cut the worst case is signing in
    // again. Everything else (redemptions above all) is on disk before the caller hears "done"; its
    // commit also syncs any ephemeral commits written before it.
    if (durability === "ephemeral") this.#db.exec("PRAGMA synchronous = NORMAL");
    try {
      this.#db.exec("BEGIN IMMEDIATE");
      const result = work();
      this.#db.exec("COMMIT");
      return result;
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
      throw isBusy(error) ? new StoreBusyError(error) : error;
    } finally {
      if (durability === "ephemeral") this.#db.exec("PRAGMA synchronous = FULL");
    }
  }

  // --- Sign-in -----------------------------------------------------------------------------

  /**
   * Sign-ins come in bursts, and a commit costs more than the row: nonces used in the same turn of
   * the event loop are recorded in one transaction. Each caller still gets its own answer, after
   * that transaction committed.
   */
  useNonce(nonce: string, expiresAt: Timestamp): Promise<boolean> {
    try {
      requireKey("nonce", nonce);
      requireTimestamp("expiresAt", expiresAt);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      if (this.#pendingNonces.length === 0) setImmediate(() => this.#recordNonces());
      this.#pendingNonces.push({ nonce, expiresAt, settle: (used) => (used instanceof Error ? reject(used) : resolve(used)) });
    });
  }

  #recordNonces(): void {
    const batch = this.#pendingNonces;
    this.#pendingNonces = [];
    if (batch.length === 0) return;
    let used: boolean[];
    try {
      if (!this.#db.isOpen) throw new Error("the store is closed");
      used = this.#write(() => batch.map((b) => this.#run("INSERT OR IGNORE INTO used_nonces (nonce, expires_at) VALUES (?, ?)", b.nonce, b.expiresAt) === 1), "ephemeral");
    } catch (error) {
      for (const b of batch) b.settle(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    batch.forEach((b, i) => b.settle(used[i]!));
  }

  async revokeSession(id: string, expiresAt: Timestamp): Promise<boolean> {
    requireKey("id", id);
    requireTimestamp("expiresAt", expiresAt);
    return this.#write(() => this.#run("INSERT OR IGNORE INTO revoked_sessions (id, expires_at) VALUES (?, ?)", id, expiresAt) === 1, "ephemeral");
  }

  async isSessionRevoked(id: string): Promise<boolean> {
    return this.#get("SELECT 1 AS revoked FROM revoked_sessions WHERE id = ?", String(id)) !== undefined;
  }

  async secret(name: string): Promise<Uint8Array> {
    requireKey("name", name);
    const read = () => this.#get<{ value: Uint8Array }>("SELECT value FROM secrets WHERE name = ?", name)?.value;
    // Whoever comes first makes it; everyone else reads that one.
    const value =
      read() ??
      this.#write(() => {
        this.#run("INSERT OR IGNORE INTO secrets (name, value, created_at) VALUES (?, ?, ?)", name, randomBytes(32), toTimestamp());
        return read();
      });
    if (value === undefined) throw new Error(`secret ${name} could not be created`);
    return new Uint8Array(value);
  }

  async pruneExpired(now: Timestamp): Promise<PruneResult> {
    requireTimestamp("now", now);
    return this.#write(
      () => ({
        nonces: this.#run("DELETE FROM used_nonces WHERE expires_at <= ?", now),
        revokedSessions: this.#run("DELETE FROM revoked_sessions WHERE expires_at <= ?", now),
      }),
      "ephemeral",
    );
  }

  // --- Brands and API keys ------------------------------------------------------------------

  async createBrand(brand: Brand): Promise<Brand> {
    const record: Brand = {
      id: requireKey("id", brand.id),
      name: requireText("name", brand.name),
      createdAt: requireTimestamp("createdAt", brand.createdAt),
    };
    this.#write(() =>
      this.#run(`INSERT INTO brands (${brandColumns}) VALUES (?, ?, ?)`, record.id, record.name, record.createdAt),
    );
    return record;
  }

  async getBrand(id: string): Promise<Brand | null> {
    const row = this.#get<BrandRow>(`SELECT ${brandColumns} FROM brands WHERE id = ?`, String(id));
    return row === undefined ? null : toBrand(row);
  }

  async createApiKey(key: NewApiKey): Promise<ApiKey> {
    const record: ApiKey = {
      id: requireKey("id", key.id),
      brandId: requireKey("brandId", key.brandId),
      label: requireText("label", key.label),
      createdAt: requireTimestamp("createdAt", key.createdAt),
      revokedAt: null,
    };
    const keyHash = requireSha256Hex("keyHash", key.keyHash);
    this.#write(() =>
      this.#run(
        "INSERT INTO api_keys (id, brand_id, key_hash, label, created_at) VALUES (?, ?, ?, ?, ?)",
        record.id,
        record.brandId,
        keyHash,
        record.label,
        record.createdAt,
      ),
    );
    return record;
  }

  async listApiKeys(brandId: string): Promise<ApiKey[]> {
    return this.#all<ApiKeyRow>(
      `SELECT ${apiKeyColumns} FROM api_keys WHERE brand_id = ? ORDER BY created_at, id`,
      String(brandId),
    ).map(toApiKey);
  }

  async findBrandByApiKeyHash(keyHash: string): Promise<Brand | null> {
    const row = this.#get<BrandRow>(
      `SELECT b.id, b.name, b.created_at FROM api_keys k JOIN brands b ON b.id = k.brand_id
       WHERE k.key_hash = ? AND k.revoked_at IS NULL`,
      String(keyHash),
    );
    return row === undefined ? null : toBrand(row);
  }

  async revokeApiKey(brandId: string, id: string, now: Timestamp): Promise<boolean> {
    requireTimestamp("now", now);
    return this.#write(
      () =>
        this.#run(
          "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND brand_id = ? AND revoked_at IS NULL",
          now,
          String(id),
          String(brandId),
        ) === 1,
    );
  }

  // --- Perks --------------------------------------------------------------------------------

  async createPerk(perk: NewPerk): Promise<Perk> {
    const p = normalizeNewPerk(perk);
    const ruleJson = ruleToJson("rule", p.rule);
    // Hand back what a later read returns (the rule after a JSON round trip), not the caller's object.
    const record: Perk = { ...p, rule: JSON.parse(ruleJson) as unknown, updatedAt: p.createdAt };
    this.#write(() =>
      this.#run(
        `INSERT INTO perks (${perkColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        record.id,
        record.brandId,
        record.title,
        record.description,
        JSON.stringify(record.collections),
        ruleJson,
        record.limits.perMember,
        record.limits.total,
        record.startsAt,
        record.endsAt,
        record.createdAt,
        record.updatedAt,
      ),
    );
    return record;
  }

  async updatePerk(brandId: string, id: string, patch: PerkPatch): Promise<Perk | null> {
    const updatedAt = requireTimestamp("updatedAt", patch.updatedAt);
    const title = patch.title === undefined ? undefined : requireText("title", patch.title);
    const description = patch.description === undefined ? undefined : requireText("description", patch.description);
    const collections =
      patch.collections === undefined ? undefined : [...new Set(requireAddresses("collections", patch.collections))];
    const ruleJson = patch.rule === undefined ? undefined : ruleToJson("rule", patch.rule);
    const startsAt = patch.startsAt === undefined ? undefined : optionalTimestamp("startsAt", patch.startsAt);
    const endsAt = patch.endsAt === undefined ? undefined : optionalTimestamp("endsAt", patch.endsAt);
    if (patch.limits !== undefined && (typeof patch.limits !== "object" || patch.limits === null)) {
      throw new StoreInputError("limits", "expected an object");
    }

    return this.#write(() => {
      const row = this.#get<PerkRow>(
        `SELECT ${perkColumns} FROM perks WHERE id = ? AND brand_id = ? AND deleted_at IS NULL`,
        String(id),
        String(brandId),
      );
      if (row === undefined) return null;
      const current = toPerk(row);
      const limits = requireLimits("limits", { ...current.limits, ...patch.limits });
      const next: Perk = {
        ...current,
        title: title ?? current.title,
        description: description ?? current.description,
        collections: collections ?? current.collections,
        rule: ruleJson === undefined ? current.rule : (JSON.parse(ruleJson) as unknown),
        limits,
        startsAt: startsAt === undefined ? current.startsAt : startsAt,
        endsAt: endsAt === undefined ? current.endsAt : endsAt,
        updatedAt,
      };
      requireWindow(next.startsAt, next.endsAt);
      this.#run(
        `UPDATE perks SET title = ?, description = ?, collections = ?, rule = ?, per_member_limit = ?,
           total_limit = ?, starts_at = ?, ends_at = ?, updated_at = ?
         WHERE id = ?`,
        next.title,
        next.description,
        JSON.stringify(next.collections),
        ruleJson ?? row.rule,
        next.limits.perMember,
        next.limits.total,
        next.startsAt,
        next.endsAt,
        next.updatedAt,
        next.id,
      );
      return next;
    });
  }

  async deletePerk(brandId: string, id: string, now: Timestamp): Promise<boolean> {
    requireTimestamp("now", now);
    return this.#write(
      () =>
        this.#run(
          "UPDATE perks SET deleted_at = ?, updated_at = ? WHERE id = ? AND brand_id = ? AND deleted_at IS NULL",
          now,
          now,
          String(id),
          String(brandId),
        ) === 1,
    );
  }

  async getPerk(id: string): Promise<Perk | null> {
    const row = this.#get<PerkRow>(`SELECT ${perkColumns} FROM perks WHERE id = ? AND deleted_at IS NULL`, String(id));
    return row === undefined ? null : toPerk(row);
  }

  async listPerks(query: PerkQuery = {}): Promise<Perk[]> {
    const rows =
      query.brandId === undefined
        ? this.#all<PerkRow>(
            `SELECT ${perkColumns} FROM perks WHERE deleted_at IS NULL ORDER BY created_at DESC, id DESC`,
          )
        : this.#all<PerkRow>(
            `SELECT ${perkColumns} FROM perks WHERE brand_id = ? AND deleted_at IS NULL ORDER BY created_at DESC, id DESC`,
            String(query.brandId),
          );
    return rows.map(toPerk);
  }

  // --- Redemptions --------------------------------------------------------------------------

  async redeem(input: RedeemInput): Promise<RedeemResult> {
    const perkId = requireKey("perkId", input.perkId);
    const member = requireAddress("member", input.member);
    const idempotencyKey = requireKey("idempotencyKey", input.idempotencyKey);
    const id = requireKey("id", input.id);
    const code = requireKey("code", input.code);
    const now = requireTimestamp("now", input.now);

    return this.#write((): RedeemResult => {
      const previous = this.#get<RedemptionRow>(
        `SELECT ${redemptionColumns} FROM redemptions WHERE member = ? AND idempotency_key = ?`,
        member,
        idempotencyKey,
      );
      if (previous !== undefined) {
        return previous.perk_id === perkId
          ? { status: "replayed", redemption: toRedemption(previous) }
          : { status: "idempotency_conflict" };
      }

      const perk = this.#get<Pick<PerkRow, "brand_id" | "per_member_limit" | "total_limit" | "starts_at" | "ends_at">>(
        "SELECT brand_id, per_member_limit, total_limit, starts_at, ends_at FROM perks WHERE id = ? AND deleted_at IS NULL",
        perkId,
      );
      if (perk === undefined) return { status: "perk_not_found" };
      const refusal = this.#refusal(perk, now, {
        mine: () => this.#count("SELECT count(*) AS n FROM redemptions WHERE perk_id = ? AND member = ?", perkId, member),
        all: () => this.#count("SELECT count(*) AS n FROM redemptions WHERE perk_id = ?", perkId),
      });
      if (refusal !== null) return refusal;

      const redemption: Redemption = {
        id,
        perkId,
        brandId: perk.brand_id,
        member,
        code,
        idempotencyKey,
        createdAt: now,
        consumedAt: null,
      };
      this.#run(
        `INSERT INTO redemptions (${redemptionColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)`,
        redemption.id,
        redemption.perkId,
        redemption.brandId,
        redemption.member,
        redemption.code,
        redemption.idempotencyKey,
        redemption.createdAt,
      );
      return { status: "created", redemption };
    });
  }

  async findRedemption(member: string, idempotencyKey: string): Promise<Redemption | null> {
    const row = this.#get<RedemptionRow>(
      `SELECT ${redemptionColumns} FROM redemptions WHERE member = ? AND idempotency_key = ?`,
      requireAddress("member", member),
      requireKey("idempotencyKey", idempotencyKey),
    );
    return row === undefined ? null : toRedemption(row);
  }

  async listRedemptions(query: RedemptionQuery): Promise<Page<Redemption>> {
    const limit = clampPageSize(query.limit, MAX_PAGE_SIZE);
    const where: string[] = [];
    const params: SQLInputValue[] = [];
    if (query.member !== undefined) {
      where.push("member = ?");
      params.push(requireAddress("member", query.member));
    }
    if (query.brandId !== undefined) {
      where.push("brand_id = ?");
      params.push(String(query.brandId));
    }
    if (query.perkId !== undefined) {
      where.push("perk_id = ?");
      params.push(String(query.perkId));
    }
    if (query.consumed !== undefined) where.push(query.consumed ? "consumed_at IS NOT NULL" : "consumed_at IS NULL");
    if (query.cursor !== undefined && query.cursor !== null) {
      const after = decodeCursor(query.cursor);
      where.push("(created_at, id) < (?, ?)");
      params.push(after.createdAt, after.id);
    }
    const rows = this.#all<RedemptionRow>(
      `SELECT ${redemptionColumns} FROM redemptions
       ${where.length === 0 ? "" : `WHERE ${where.join(" AND ")}`}
       ORDER BY created_at DESC, id DESC LIMIT ?`,
      ...params,
      limit + 1,
    );
    const items = rows.slice(0, limit).map(toRedemption);
    const last = items.at(-1);
    return {
      items,
      nextCursor: rows.length > limit && last !== undefined ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
    };
  }

  async consumeRedemptionCode(input: ConsumeCodeInput): Promise<ConsumeCodeResult> {
    const now = requireTimestamp("now", input.now);
    const brandId = String(input.brandId);
    const code = String(input.code);
    return this.#write((): ConsumeCodeResult => {
      const consumed = this.#get<RedemptionRow>(
        `UPDATE redemptions SET consumed_at = ?
         WHERE code = ? AND brand_id = ? AND consumed_at IS NULL
         RETURNING ${redemptionColumns}`,
        now,
        code,
        brandId,
      );
      if (consumed !== undefined) return { status: "consumed", redemption: toRedemption(consumed) };
      const existing = this.#get<RedemptionRow>(
        `SELECT ${redemptionColumns} FROM redemptions WHERE code = ? AND brand_id = ?`,
        code,
        brandId,
      );
      return existing === undefined
        ? { status: "not_found" }
        : { status: "already_consumed", redemption: toRedemption(existing) };
    });
  }

  // --- Drops --------------------------------------------------------------------------------

  async createDrop(drop: NewDrop): Promise<Drop> {
    const d = normalizeNewDrop(drop);
    const ruleJson = ruleToJson("rule", d.rule);
    const record: Drop = { ...d, rule: JSON.parse(ruleJson) as unknown, updatedAt: d.createdAt };
    this.#write(() =>
      this.#run(
        `INSERT INTO drops (${dropColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        record.id,
        record.brandId,
        record.title,
        record.description,
        record.collection,
        record.tokenId,
        record.amount,
        ruleJson,
        record.limits.perMember,
        record.limits.total,
        record.mode,
        record.startsAt,
        record.endsAt,
        record.createdAt,
        record.updatedAt,
      ),
    );
    return record;
  }

  async updateDrop(brandId: string, id: string, patch: DropPatch): Promise<Drop | null> {
    const updatedAt = requireTimestamp("updatedAt", patch.updatedAt);
    const title = patch.title === undefined ? undefined : requireText("title", patch.title);
    const description = patch.description === undefined ? undefined : requireText("description", patch.description);
    const ruleJson = patch.rule === undefined ? undefined : ruleToJson("rule", patch.rule);
    const startsAt = patch.startsAt === undefined ? undefined : optionalTimestamp("startsAt", patch.startsAt);
    const endsAt = patch.endsAt === undefined ? undefined : optionalTimestamp("endsAt", patch.endsAt);
    if (patch.limits !== undefined && (typeof patch.limits !== "object" || patch.limits === null)) {
      throw new StoreInputError("limits", "expected an object");
    }

    return this.#write(() => {
      const row = this.#get<DropRow>(
        `SELECT ${dropColumns} FROM drops WHERE id = ? AND brand_id = ? AND deleted_at IS NULL`,
        String(id),
        String(brandId),
      );
      if (row === undefined) return null;
      const current = toDrop(row);
      const next: Drop = {
        ...current,
        title: title ?? current.title,
        description: description ?? current.description,
        rule: ruleJson === undefined ? current.rule : (JSON.parse(ruleJson) as unknown),
        limits: requireLimits("limits", { ...current.limits, ...patch.limits }),
        startsAt: startsAt === undefined ? current.startsAt : startsAt,
        endsAt: endsAt === undefined ? current.endsAt : endsAt,
        updatedAt,
      };
      requireWindow(next.startsAt, next.endsAt);
      this.#run(
        `UPDATE drops SET title = ?, description = ?, rule = ?, per_member_limit = ?, total_limit = ?,
           starts_at = ?, ends_at = ?, updated_at = ?
         WHERE id = ?`,
        next.title,
        next.description,
        ruleJson ?? row.rule,
        next.limits.perMember,
        next.limits.total,
        next.startsAt,
        next.endsAt,
        next.updatedAt,
        next.id,
      );
      return next;
    });
  }

  async deleteDrop(brandId: string, id: string, now: Timestamp): Promise<boolean> {
    requireTimestamp("now", now);
    return this.#write(
      () =>
        this.#run(
          "UPDATE drops SET deleted_at = ?, updated_at = ? WHERE id = ? AND brand_id = ? AND deleted_at IS NULL",
          now,
          now,
          String(id),
          String(brandId),
        ) === 1,
    );
  }

  async getDrop(id: string): Promise<Drop | null> {
    const row = this.#get<DropRow>(`SELECT ${dropColumns} FROM drops WHERE id = ? AND deleted_at IS NULL`, String(id));
    return row === undefined ? null : toDrop(row);
  }

  async listDrops(query: DropQuery = {}): Promise<Drop[]> {
    const rows =
      query.brandId === undefined
        ? this.#all<DropRow>(`SELECT ${dropColumns} FROM drops WHERE deleted_at IS NULL ORDER BY created_at DESC, id DESC`)
        : this.#all<DropRow>(
            `SELECT ${dropColumns} FROM drops WHERE brand_id = ? AND deleted_at IS NULL ORDER BY created_at DESC, id DESC`,
            String(query.brandId),
          );
    return rows.map(toDrop);
  }

  // --- Claims -------------------------------------------------------------------------------

  async reserveClaim(input: ReserveClaimInput): Promise<ReserveClaimResult> {
    const dropId = requireKey("dropId", input.dropId);
    const member = requireAddress("member", input.member);
    const idempotencyKey = requireKey("idempotencyKey", input.idempotencyKey);
    const id = requireKey("id", input.id);
    const now = requireTimestamp("now", input.now);

    return this.#write((): ReserveClaimResult => {
      const previous = this.#get<ClaimRow>(
        `SELECT ${claimColumns} FROM claims WHERE member = ? AND idempotency_key = ?`,
        member,
        idempotencyKey,
      );
      if (previous !== undefined) {
        return previous.drop_id === dropId ? { status: "replayed", claim: toClaim(previous) } : { status: "idempotency_conflict" };
      }

      const drop = this.#get<DropRow>(`SELECT ${dropColumns} FROM drops WHERE id = ? AND deleted_at IS NULL`, dropId);
      if (drop === undefined) return { status: "drop_not_found" };
      const refusal = this.#refusal(drop, now, {
        mine: () => this.#count(`SELECT count(*) AS n FROM claims WHERE drop_id = ? AND member = ? AND status IN ${COUNTED}`, dropId, member),
        all: () => this.#count(`SELECT count(*) AS n FROM claims WHERE drop_id = ? AND status IN ${COUNTED}`, dropId),
      });
      if (refusal !== null) return refusal;

      const claim: Claim = {
        id,
        dropId,
        brandId: drop.brand_id,
        member,
        idempotencyKey,
        collection: drop.collection,
        tokenId: drop.token_id,
        amount: drop.amount,
        mode: drop.mode as Claim["mode"],
        status: "pending",
        txHash: null,
        rawTx: null,
        voucher: null,
        error: null,
        createdAt: now,
        updatedAt: now,
      };
      this.#run(
        `INSERT INTO claims (${claimColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', NULL, NULL, NULL, NULL, NULL, ?, ?)`,
        claim.id,
        claim.dropId,
        claim.brandId,
        claim.member,
        claim.idempotencyKey,
        claim.collection,
        claim.tokenId,
        claim.amount,
        claim.mode,
        claim.createdAt,
        claim.updatedAt,
      );
      return { status: "created", claim };
    });
  }

  async recordClaimTx(id: string, tx: { hash: string; raw: string }, now: Timestamp): Promise<Claim | null> {
    if (typeof tx !== "object" || tx === null) throw new StoreInputError("tx", "expected {hash, raw}");
    const hash = requireTxHash("tx.hash", tx.hash);
    const raw = requireRawTx("tx.raw", tx.raw);
    requireTimestamp("now", now);
    const row = this.#write(() =>
      this.#get<ClaimRow>(
        `UPDATE claims SET tx_hash = ?, tx_raw = ?, updated_at = ? WHERE id = ? AND status = 'pending' RETURNING ${claimColumns}`,
        hash,
        raw,
        now,
        String(id),
      ),
    );
    return row === undefined ? null : toClaim(row);
  }

  async completeClaim(id: string, input: CompleteClaimInput): Promise<Claim | null> {
    const status = requireClaimStatus("status", input.status);
    const now = requireTimestamp("now", input.now);
    if (status === "pending") throw new StoreInputError("status", "a claim cannot go back to pending");
    // The statuses a claim may reach `status` from.
    const from = status === "expired" ? ["issued"] : status === "minted" ? ["pending", "issued"] : ["pending"];
    const txHash = input.txHash === undefined ? null : requireTxHash("txHash", input.txHash);
    const voucherJson = input.voucher === undefined ? null : ruleToJson("voucher", input.voucher);
    const error = input.error === undefined ? null : requireClaimError("error", input.error);
    const row = this.#write(() =>
      this.#get<ClaimRow>(
        `UPDATE claims SET status = ?, tx_hash = coalesce(?, tx_hash), voucher = coalesce(?, voucher),
           error_code = coalesce(?, error_code), error_message = coalesce(?, error_message), updated_at = ?
         WHERE id = ? AND status IN (${from.map(() => "?").join(", ")})
         RETURNING ${claimColumns}`,
        status,
        txHash,
        voucherJson,
        error?.code ?? null,
        error?.message ?? null,
        now,
        String(id),
        ...from,
      ),
    );
    return row === undefined ? null : toClaim(row);
  }

  async getClaim(id: string): Promise<Claim | null> {
    const row = this.#get<ClaimRow>(`SELECT ${claimColumns} FROM claims WHERE id = ?`, String(id));
    return row === undefined ? null : toClaim(row);
  }

  async findClaim(member: string, idempotencyKey: string): Promise<Claim | null> {
    const row = this.#get<ClaimRow>(
      `SELECT ${claimColumns} FROM claims WHERE member = ? AND idempotency_key = ?`,
      requireAddress("member", member),
      requireKey("idempotencyKey", idempotencyKey),
    );
    return row === undefined ? null : toClaim(row);
  }

  async listClaims(query: ClaimQuery): Promise<Page<Claim>> {
    const limit = clampPageSize(query.limit, MAX_PAGE_SIZE);
    const where: string[] = [];
    const params: SQLInputValue[] = [];
    if (query.member !== undefined) {
      where.push("member = ?");
      params.push(requireAddress("member", query.member));
    }
    if (query.brandId !== undefined) {
      where.push("brand_id = ?");
      params.push(String(query.brandId));
    }
    if (query.dropId !== undefined) {
      where.push("drop_id = ?");
      params.push(String(query.dropId));
    }
    if (query.status !== undefined) {
      where.push("status = ?");
      params.push(requireClaimStatus("status", query.status));
    }
    if (query.cursor !== undefined && query.cursor !== null) {
      const after = decodeCursor(query.cursor);
      where.push("(created_at, id) < (?, ?)");
      params.push(after.createdAt, after.id);
    }
    const rows = this.#all<ClaimRow>(
      `SELECT ${claimColumns} FROM claims
       ${where.length === 0 ? "" : `WHERE ${where.join(" AND ")}`}
       ORDER BY created_at DESC, id DESC LIMIT ?`,
      ...params,
      limit + 1,
    );
    const items = rows.slice(0, limit).map(toClaim);
    const last = items.at(-1);
    return {
      items,
      nextCursor: rows.length > limit && last !== undefined ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
    };
  }

  async memberClaimCounts(member: string): Promise<Map<string, number>> {
    const rows = this.#all<{ drop_id: string; n: number }>(
      `SELECT drop_id, count(*) AS n FROM claims WHERE member = ? AND status IN ${COUNTED} GROUP BY drop_id`,
      requireAddress("member", member),
    );
    return new Map(rows.map((r) => [r.drop_id, r.n]));
  }

  async close(): Promise<void> {
    // Nonces already handed in are recorded (or refused) before the database closes.
    if (this.#db.isOpen) this.#recordNonces();
    if (this.#db.isOpen) this.#db.close();
  }
}
