/**
 * The storage interface the API talks to. It holds no SQL: each backend (SQLite today, PostgreSQL
 * later) implements `Store`, and the shared behaviour tests in `store-contract.test-helper.ts` run
 * against every implementation.
 *
 * Conventions every method follows:
 * - Time is a {@link Timestamp}: an ISO-8601 UTC string in exactly the shape
 *   `Date.prototype.toISOString()` produces, `YYYY-MM-DDTHH:mm:ss.sssZ` (years 0000-9999). Strings of
 *   that shape sort the same way as the instants they name, so backends may compare them as text.
 *   The store never reads the clock: callers pass `now`, `createdAt`, `expiresAt`... (see `time.ts`
 *   for `toTimestamp` and `normalizeTimestamp`).
 * - Identifiers are opaque, caller-chosen, non-empty strings (see `ids.ts` for `newId`).
 * - Ethereum addresses are stored and returned as lowercase `0x` + 40 hex digits; the store
 *   lowercases the addresses it is given.
 * - Secrets (session tokens, API keys) are never stored: callers pass their SHA-256 digest as 64
 *   lowercase hex digits (see `hash.ts`), and the store refuses anything else.
 * - Input that breaks these rules is rejected with a `StoreInputError` (`errors.ts`). A duplicate
 *   caller-chosen id, nonce, token hash, key hash or redemption code is a programming error and
 *   rejects with the backend's own constraint error.
 */

/** ISO-8601 UTC instant, `YYYY-MM-DDTHH:mm:ss.sssZ`, as `Date.prototype.toISOString()` writes it. */
export type Timestamp = string;

/** Lowercase hex Ethereum address, `0x` + 40 digits. */
export type Address = string;

export interface Brand {
  id: string;
  name: string;
  createdAt: Timestamp;
}

/** An API key as the store reports it: the key hash is write-only. */
export interface ApiKey {
  id: string;
  brandId: string;
  label: string;
  createdAt: Timestamp;
  revokedAt: Timestamp | null;
}

export interface NewApiKey {
  id: string;
  brandId: string;
  /** SHA-256 of the key, 64 lowercase hex digits. */
  keyHash: string;
  label: string;
  createdAt: Timestamp;
}

/** Redemption caps; `null` means no cap. Counts include consumed and unconsumed redemptions. */
export interface PerkLimits {
  perMember: number | null;
  total: number | null;
}

export interface Perk {
  id: string;
  brandId: string;
  title: string;
  description: string;
  /** Collection contract addresses the rule reads, lowercase. */
  collections: Address[];
  /** Eligibility rule: any JSON value, opaque to the store. */
  rule: unknown;
  limits: PerkLimits;
  /** Redemptions are open from `startsAt` (inclusive) to `endsAt` (exclusive); `null` = unbounded. */
  startsAt: Timestamp | null;
  endsAt: Timestamp | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

/** A new perk; `updatedAt` starts equal to `createdAt`. */
export type NewPerk = Omit<Perk, "updatedAt">;

/** Fields to change; absent fields keep their value. `limits` merges field by field. */
export interface PerkPatch {
  title?: string;
  description?: string;
  collections?: Address[];
  rule?: unknown;
  limits?: Partial<PerkLimits>;
  startsAt?: Timestamp | null;
  endsAt?: Timestamp | null;
  updatedAt: Timestamp;
}

export interface PerkQuery {
  brandId?: string;
}

export interface Redemption {
  id: string;
  perkId: string;
  brandId: string;
  member: Address;
  /** One-time code the member shows at the till; unique across all brands. */
  code: string;
  idempotencyKey: string;
  createdAt: Timestamp;
  consumedAt: Timestamp | null;
}

export interface RedeemInput {
  perkId: string;
  member: Address;
  /** Client-chosen key; unique per member. A retry with the same key gets the same redemption. */
  idempotencyKey: string;
  /** Id and code for the redemption if one is created; ignored on a replay. */
  id: string;
  code: string;
  now: Timestamp;
}

/**
 * Outcome of {@link Store.redeem}. Checks run in this order, all in one write transaction:
 * idempotency (replayed / idempotency_conflict), perk exists and is not deleted, window, per-member
 * limit, total limit.
 */
export type RedeemResult =
  | { status: "created"; redemption: Redemption }
  | { status: "replayed"; redemption: Redemption }
  | { status: "idempotency_conflict" }
  | { status: "perk_not_found" }
  | { status: "not_started" }
  | { status: "ended" }
  | { status: "member_limit_reached"; limit: number }
  | { status: "total_limit_reached"; limit: number };

export type RedeemStatus = RedeemResult["status"];

/** Filters are combined with AND. */
export interface RedemptionQuery {
  member?: Address;
  brandId?: string;
  perkId?: string;
  /** true: only consumed; false: only unconsumed; absent: both. */
  consumed?: boolean;
  /** Page size, clamped to 1..{@link MAX_PAGE_SIZE}. */
  limit: number;
  /** `nextCursor` of the previous page; absent or null for the first page. */
  cursor?: string | null;
}

/** Largest page `listRedemptions` returns. */
export const MAX_PAGE_SIZE = 100;

export interface Page<T> {
  items: T[];
  /** Opaque; pass it back to get the next page. `null` on the last page. */
  nextCursor: string | null;
}

export interface ConsumeCodeInput {
  brandId: string;
  code: string;
  now: Timestamp;
}

export type ConsumeCodeResult =
  | { status: "consumed"; redemption: Redemption }
  | { status: "already_consumed"; redemption: Redemption }
  | { status: "not_found" };

// --- Drops and claims ----------------------------------------------------------------------

/** How a claim is fulfilled: the server mints (its minter key pays gas) or signs a voucher anyone may submit. */
export type DropMode = "mint" | "voucher";

/** Claim caps; `null` means no cap. Counts include pending, minted and issued claims, never failed or expired ones. */
export type DropLimits = PerkLimits;

/** Something a brand gives away: `amount` units of token `tokenId` of `collection` per claim. */
export interface Drop {
  id: string;
  brandId: string;
  title: string;
  description: string;
  /** The collection contract, lowercase. */
  collection: Address;
  /** Token type id, as a decimal string (uint256). */
  tokenId: string;
  /** Units minted per claim, a decimal string of at least 1. */
  amount: string;
  /** Eligibility rule: any JSON value, opaque to the store; `null` means any signed-in member. */
  rule: unknown;
  limits: DropLimits;
  mode: DropMode;
  /** Claims are open from `startsAt` (inclusive) to `endsAt` (exclusive); `null` = unbounded. */
  startsAt: Timestamp | null;
  endsAt: Timestamp | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

/** A new drop; `updatedAt` starts equal to `createdAt`. */
export type NewDrop = Omit<Drop, "updatedAt">;

/**
 * Fields to change; absent fields keep their value. `limits` merges field by field. What a claim
 * gives (collection, token, amount) and how (mode) are fixed once the drop exists: claims already
 * made keep their own copy, and a different gift is a different drop.
 */
export interface DropPatch {
  title?: string;
  description?: string;
  rule?: unknown;
  limits?: Partial<DropLimits>;
  startsAt?: Timestamp | null;
  endsAt?: Timestamp | null;
  updatedAt: Timestamp;
}

export interface DropQuery {
  brandId?: string;
}

/**
 * - `pending`: reserved, counts against the limits; a mint may be under way (`txHash` once signed).
 * - `minted`: the mint transaction succeeded (`txHash`).
 * - `issued`: a signed voucher was handed out (`voucher`); it counts until it expires unused.
 * - `failed`: nothing was minted (`error`); does not count, so the member may try again.
 * - `expired`: an issued voucher passed its `validUntil` without being used; does not count.
 */
export type ClaimStatus = "pending" | "minted" | "issued" | "failed" | "expired";

/** Statuses that count against a drop's limits. */
export const COUNTED_CLAIM_STATUSES: readonly ClaimStatus[] = ["pending", "minted", "issued"];

export interface ClaimError {
  /** A stable problem code, e.g. `mint_failed` or `chain_unavailable`. */
  code: string;
  message: string;
}

export interface Claim {
  id: string;
  dropId: string;
  brandId: string;
  member: Address;
  idempotencyKey: string;
  /** What the claim gives, copied from the drop when it was made. */
  collection: Address;
  tokenId: string;
  amount: string;
  mode: DropMode;
  status: ClaimStatus;
  /** The mint transaction (mode `mint`), recorded before it is broadcast. */
  txHash: string | null;
  /** That transaction, signed (0x hex), so it can be sent again if the node never got it. */
  rawTx: string | null;
  /** The signed voucher (mode `voucher`): any JSON value, opaque to the store. */
  voucher: unknown;
  error: ClaimError | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface ReserveClaimInput {
  dropId: string;
  member: Address;
  /** Client-chosen key; unique per member. A retry with the same key gets the same claim. */
  idempotencyKey: string;
  /** Id for the claim if one is created; ignored on a replay. */
  id: string;
  now: Timestamp;
}

/**
 * Outcome of {@link Store.reserveClaim}. Checks run in this order, all in one write transaction:
 * idempotency (replayed / idempotency_conflict), drop exists and is not deleted, window, per-member
 * limit, total limit (both counting pending, minted and issued claims).
 */
export type ReserveClaimResult =
  | { status: "created"; claim: Claim }
  | { status: "replayed"; claim: Claim }
  | { status: "idempotency_conflict" }
  | { status: "drop_not_found" }
  | { status: "not_started" }
  | { status: "ended" }
  | { status: "member_limit_reached"; limit: number }
  | { status: "total_limit_reached"; limit: number };

export type ReserveClaimStatus = ReserveClaimResult["status"];

/**
 * A claim's outcome. Allowed transitions: `pending` to `minted`, `issued` or `failed`, and `issued`
 * to `minted` (its voucher was used on chain) or `expired`. Absent fields keep their value.
 */
export interface CompleteClaimInput {
  status: "minted" | "issued" | "failed" | "expired";
  txHash?: string;
  voucher?: unknown;
  error?: ClaimError;
  now: Timestamp;
}

/** Filters are combined with AND. */
export interface ClaimQuery {
  member?: Address;
  brandId?: string;
  dropId?: string;
  status?: ClaimStatus;
  /** Page size, clamped to 1..{@link MAX_PAGE_SIZE}. */
  limit: number;
  cursor?: string | null;
}

export interface PruneResult {
  nonces: number;
  revokedSessions: number;
}

export interface Store {
  // --- Sign-in -----------------------------------------------------------------------------
  // Nonces and session tokens are signed by the server, not stored; the store keeps what must be
  // shared and remembered: used nonces, ended sessions and the signing keys.

  /**
   * Records a nonce as used, until `expiresAt`. True the first time for a nonce, false ever after
   * (also when many callers race): this is what makes a nonce single-use.
   */
  useNonce(nonce: string, expiresAt: Timestamp): Promise<boolean>;
  /** Ends a session before `expiresAt`, when it would have expired anyway. False if it was ended already. */
  revokeSession(id: string, expiresAt: Timestamp): Promise<boolean>;
  isSessionRevoked(id: string): Promise<boolean>;
  /**
   * The secret called `name`: 32 random bytes made on first use, then the same for every process
   * sharing this store, and across restarts.
   */
  secret(name: string): Promise<Uint8Array>;
  /** Forgets used nonces and ended sessions with `expiresAt <= now`: they cannot come back anyway. */
  pruneExpired(now: Timestamp): Promise<PruneResult>;

  // --- Brands and API keys ------------------------------------------------------------------
  createBrand(brand: Brand): Promise<Brand>;
  getBrand(id: string): Promise<Brand | null>;
  /** Fails if the brand does not exist. */
  createApiKey(key: NewApiKey): Promise<ApiKey>;
  /** The brand's keys, revoked ones included, oldest first. */
  listApiKeys(brandId: string): Promise<ApiKey[]>;
  /** The brand owning an unrevoked key with this hash, or null. */
  findBrandByApiKeyHash(keyHash: string): Promise<Brand | null>;
  /** Revokes one of the brand's keys. False if the key is missing, another brand's, or already revoked. */
  revokeApiKey(brandId: string, id: string, now: Timestamp): Promise<boolean>;

  // --- Perks --------------------------------------------------------------------------------
  /** Fails if the brand does not exist. */
  createPerk(perk: NewPerk): Promise<Perk>;
  /** The updated perk, or null if it is missing, deleted or another brand's. */
  updatePerk(brandId: string, id: string, patch: PerkPatch): Promise<Perk | null>;
  /**
   * Soft-deletes a perk: it disappears from `getPerk`/`listPerks` and cannot be redeemed, while
   * its redemptions stay (and stay consumable). False if missing, already deleted or another brand's.
   */
  deletePerk(brandId: string, id: string, now: Timestamp): Promise<boolean>;
  /** A live (not deleted) perk, or null. */
  getPerk(id: string): Promise<Perk | null>;
  /** Live perks, newest first, optionally of one brand. */
  listPerks(query?: PerkQuery): Promise<Perk[]>;

  // --- Redemptions --------------------------------------------------------------------------
  /**
   * Redeems a perk for a member whose eligibility the caller has already checked. The store owns
   * idempotency, the window and the limits; see {@link RedeemResult}.
   */
  redeem(input: RedeemInput): Promise<RedeemResult>;
  /**
   * The redemption a member made with an idempotency key, or null. Lets the caller answer a retry
   * with the original result before re-checking eligibility, which may have changed since.
   */
  findRedemption(member: Address, idempotencyKey: string): Promise<Redemption | null>;
  /** Newest first, keyset-paged on (createdAt, id). */
  listRedemptions(query: RedemptionQuery): Promise<Page<Redemption>>;
  /** Marks a brand's code used, once. Another brand's code is `not_found`. */
  consumeRedemptionCode(input: ConsumeCodeInput): Promise<ConsumeCodeResult>;

  // --- Drops --------------------------------------------------------------------------------
  /** Fails if the brand does not exist. */
  createDrop(drop: NewDrop): Promise<Drop>;
  /** The updated drop, or null if it is missing, deleted or another brand's. */
  updateDrop(brandId: string, id: string, patch: DropPatch): Promise<Drop | null>;
  /**
   * Soft-deletes a drop: it disappears from `getDrop`/`listDrops` and cannot be claimed, while its
   * claims stay (and pending ones may still complete). False if missing, already deleted or another brand's.
   */
  deleteDrop(brandId: string, id: string, now: Timestamp): Promise<boolean>;
  /** A live (not deleted) drop, or null. */
  getDrop(id: string): Promise<Drop | null>;
  /** Live drops, newest first, optionally of one brand. */
  listDrops(query?: DropQuery): Promise<Drop[]>;

  // --- Claims -------------------------------------------------------------------------------
  /**
   * Reserves a claim (status `pending`) for a member whose eligibility the caller has already
   * checked. The store owns idempotency, the window and the limits; see {@link ReserveClaimResult}.
   */
  reserveClaim(input: ReserveClaimInput): Promise<ReserveClaimResult>;
  /**
   * Records the transaction a pending claim's mint is about to broadcast. Null (and nothing changes)
   * unless the claim exists and is still `pending`: the caller must then not broadcast.
   */
  recordClaimTx(id: string, tx: { hash: string; raw: string }, now: Timestamp): Promise<Claim | null>;
  /** Settles a claim (see {@link CompleteClaimInput}); null if it is missing or the transition is not allowed. */
  completeClaim(id: string, input: CompleteClaimInput): Promise<Claim | null>;
  getClaim(id: string): Promise<Claim | null>;
  /** The claim a member made with an idempotency key, or null. */
  findClaim(member: Address, idempotencyKey: string): Promise<Claim | null>;
  /** Newest first, keyset-paged on (createdAt, id). */
  listClaims(query: ClaimQuery): Promise<Page<Claim>>;
  /** How many counted (pending, minted, issued) claims a member has, per drop id; drops without any are absent. */
  memberClaimCounts(member: Address): Promise<Map<string, number>>;

  /** Releases the backend's resources; the store is unusable afterwards. */
  close(): Promise<void>;
}
