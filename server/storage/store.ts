/**
 * The storage interface the API talks to. It holds no SQL: each backend (SQLite, PostgreSQL)
 * implements `Store`, and the store contract (`contract/`, one file per aggregate) runs against
 * every implementation. It is one interface per aggregate (sign-in, brands, offers, takes);
 * the domain types live beside the domain (`server/brands/types.ts`, `server/offers/types.ts`).
 *
 * Conventions every method follows:
 * - Time is a {@link Timestamp}: an ISO-8601 UTC string in exactly the shape
 *   `Date.prototype.toISOString()` produces, `YYYY-MM-DDTHH:mm:ss.sssZ` (years 0000-9999). Strings of
 *   that shape sort the same way as the instants they name, so backends may compare them as text.
 *   The store never reads the clock: callers pass `now`, `createdAt`, `expiresAt`... (see `time.ts`).
 * - Identifiers are opaque, caller-chosen, non-empty strings (see `ids.ts` for `newId`).
 * - Ethereum addresses are stored and returned as lowercase `0x` + 40 hex digits; the store
 *   lowercases the addresses it is given.
 * - Secrets (session tokens, API keys) are never stored: callers pass their SHA-256 digest as 64
 *   lowercase hex digits (see `hash.ts`), and the store refuses anything else. Minter keys are stored
 *   only sealed (encrypted by the caller).
 * - Input that breaks these rules is rejected with a `StoreInputError` (`errors.ts`). A duplicate
 *   caller-chosen id, nonce, token hash, key hash or redemption code is a programming error and
 *   rejects with the backend's own constraint error.
 */
import type { Address } from "viem";
import type {
  ApiKey,
  Brand,
  BrandCollection,
  BrandMinter,
  NewApiKey,
  RegisterCollectionInput,
  RegisterCollectionResult,
} from "../brands/types.ts";
import type {
  CompleteTakeInput,
  ConsumeCodeResult,
  CreateOfferResult,
  NewOffer,
  Offer,
  OfferKind,
  OfferPatch,
  OfferQuota,
  Take,
  TakeInput,
  TakeQuery,
  TakeResult,
  TakeStatus,
  UpdateOfferResult,
} from "../offers/types.ts";
import type { AwardStore } from "../awards/types.ts";
import type { CatalogStore } from "../catalog/types.ts";
import type { ConsentStore } from "../member-data/types.ts";
import type { JourneyStore } from "../journeys/types.ts";
import type { MemberStore } from "../members/types.ts";
import type { OriginStore } from "../origins/types.ts";
import type { StaffStore } from "../staff/types.ts";
import type { EntitlementKeyStore } from "../entitlements/types.ts";
import type { ChainIndexStore } from "../chain/index/types.ts";
import type { ChainFacts } from "../chain/index/facts.ts";
import type { Announce, WebhookChainStore, WebhookDeliveryStore, WebhookStore } from "../webhooks/types.ts";
import type { Timestamp } from "./time.ts";

export type { Timestamp } from "./time.ts";

/** Largest page a list returns. */
export { MAX_PAGE_SIZE } from "../../sdk/src/protocol/common.ts";

export interface Page<T> {
  items: T[];
  /** Opaque; pass it back to get the next page. `null` on the last page. */
  nextCursor: string | null;
}

export interface PruneResult {
  nonces: number;
  revokedSessions: number;
}

/**
 * Sign-in. Nonces and session tokens are signed by the server, not stored; the store keeps what must
 * be shared and remembered: used nonces, ended sessions and the signing keys.
 */
export interface SignInStore {
  /**
   * Records a nonce as used, until `expiresAt`. True the first time for a nonce, false ever after
   * (also when many callers race): this is what makes a nonce single-use.
   */
  useNonce(nonce: string, expiresAt: Timestamp): Promise<boolean>;
  /** Ends a session before `expiresAt`, when it would have expired anyway. False if it was ended already. */
  revokeSession(id: string, expiresAt: Timestamp): Promise<boolean>;
  /**
   * Whether a member session was ended: by its id, or (with `holder`) because its member ended every
   * session issued before the erasure of their data (see `eraseMember`).
   */
  isSessionRevoked(id: string, holder?: { address: string; expiresAt: Timestamp }): Promise<boolean>;
  /**
   * The secret called `name`: 32 random bytes made on first use, then the same for every process
   * sharing this store, and across restarts.
   */
  secret(name: string): Promise<Uint8Array>;
  /** Forgets used nonces and ended sessions with `expiresAt <= now`: they cannot come back anyway. */
  pruneExpired(now: Timestamp): Promise<PruneResult>;
}

/** Brands, their API keys, the collections they own and their minters. */
export interface BrandStore {
  createBrand(brand: Brand): Promise<Brand>;
  getBrand(id: string): Promise<Brand | null>;
  /** Every brand, oldest first. */
  listBrands(): Promise<Brand[]>;
  /** Fails if the brand does not exist. */
  createApiKey(key: NewApiKey): Promise<ApiKey>;
  /** The brand's keys, revoked ones included, oldest first. */
  listApiKeys(brandId: string): Promise<ApiKey[]>;
  /** The brand owning an unrevoked key with this hash, or null. */
  findBrandByApiKeyHash(keyHash: string): Promise<Brand | null>;
  /** Revokes one of the brand's keys. False if the key is missing, another brand's, or already revoked. */
  revokeApiKey(brandId: string, id: string, now: Timestamp): Promise<boolean>;

  /**
   * Uses the registration's nonce and, in the same transaction, makes the brand the collection's
   * owner unless another brand is; see {@link RegisterCollectionResult}. The caller has checked the
   * signature and the signer's role on chain.
   */
  registerCollection(input: RegisterCollectionInput): Promise<RegisterCollectionResult>;
  /** Registered collections, oldest first: one brand's, or every brand's. */
  listCollections(query?: { brandId?: string }): Promise<BrandCollection[]>;
  /** Sets (or replaces) a brand's minter. Fails if the brand does not exist. */
  setMinter(minter: BrandMinter): Promise<BrandMinter>;
  getMinter(brandId: string): Promise<BrandMinter | null>;
}

/** Offers of every kind: what brands put up for members to take. The store keeps any kind it is given. */
export interface OfferStore {
  /**
   * Creates an offer unless the brand is at a bound of `quota` (checked in the same transaction).
   * Fails if the brand does not exist.
   */
  createOffer(offer: NewOffer, quota: OfferQuota): Promise<CreateOfferResult>;
  /** Changes one of the brand's live offers; a new rule's tokens are checked against `quota.tokens`. */
  updateOffer(brandId: string, id: string, patch: OfferPatch, quota: OfferQuota): Promise<UpdateOfferResult>;
  /**
   * Soft-deletes an offer: it disappears from `getOffer`/`listOffers` and cannot be taken, while its
   * takes stay (codes stay consumable, pending mints may complete). False if missing, already
   * deleted or another brand's.
   */
  deleteOffer(brandId: string, id: string, now: Timestamp): Promise<boolean>;
  /** A live (not deleted) offer, or null. */
  getOffer(id: string): Promise<Offer | null>;
  /** Live offers, newest first, optionally of one kind and one brand. */
  listOffers(query?: { kind?: OfferKind; brandId?: string }): Promise<Offer[]>;
}

/** Takes of offers of every kind: members taking offers, exactly once per key. */
export interface TakeStore {
  /**
   * Takes an offer for a member whose eligibility the caller has already checked. The store owns
   * idempotency, the window and the limits; see {@link TakeResult}.
   */
  take(input: TakeInput): Promise<TakeResult>;
  /** The take a member made with an idempotency key for this kind, or null. */
  findTake(kind: OfferKind, member: Address, idempotencyKey: string): Promise<Take | null>;
  getTake(id: string): Promise<Take | null>;
  /** Newest first, keyset-paged on (createdAt, id). */
  listTakes(query: TakeQuery): Promise<Page<Take>>;
  /** How many takes of this kind in a `counted` status a member has, per offer id; offers without any are absent. */
  memberTakeCounts(kind: OfferKind, member: Address, counted: readonly TakeStatus[]): Promise<Map<string, number>>;
  /** Marks a brand's code used, once. Another brand's code is `not_found`. `announce` is told the take and its offer's title. */
  consumeCode(brandId: string, code: string, now: Timestamp, announce?: Announce<{ take: Take; title: string }>): Promise<ConsumeCodeResult>;
  /**
   * Records the transaction a pending take's mint is about to broadcast. Null (and nothing changes)
   * unless the take exists and is still `pending` (and, with `holder`, is held by it: see
   * {@link holdTake}): the caller must then not broadcast.
   */
  recordTakeTx(id: string, tx: { hash: string; raw: string }, now: Timestamp, holder?: string): Promise<Take | null>;
  /**
   * Makes `holder` the one instance that may send a pending take's transaction, while none is
   * recorded yet: a take nobody holds, or already held by `holder`, or (with `staleBefore`) one whose
   * holder has not renewed it (updated_at) since then, because it died. Null, changing nothing,
   * otherwise. Holding renews it.
   */
  holdTake(id: string, holder: string, now: Timestamp, staleBefore?: Timestamp): Promise<Take | null>;
  /**
   * Gives a pending take whose recorded transaction can never be mined (its nonce went to another,
   * final) back to unsent, held by `holder`, which then signs it again. Null, changing nothing,
   * unless the take is pending with exactly `txHash` recorded: of two instances settling it, one
   * sends it again, never both.
   */
  releaseTakeTx(id: string, txHash: string, holder: string, now: Timestamp): Promise<Take | null>;
  /** Renews `holder`'s hold on an unsent pending take; false once it is no longer its own (or was sent or settled). */
  renewTake(id: string, holder: string, now: Timestamp): Promise<boolean>;
  /** Settles a token take (see {@link CompleteTakeInput}); null if it is missing or the transition is not allowed. */
  completeTake(id: string, input: CompleteTakeInput): Promise<Take | null>;
}

/**
 * Leases: background work that several instances could each start (the claim sweep, pruning) is done
 * by one of them at a time, the lease's holder, until the lease expires or is released.
 */
export interface LeaseStore {
  /**
   * Takes the lease `name` for `holder` until `expiresAt`, or renews it if `holder` has it. False,
   * changing nothing, while another holder has it and it has not expired by `now`.
   */
  acquireLease(name: string, holder: string, expiresAt: Timestamp, now: Timestamp): Promise<boolean>;
  /** Gives the lease up, if `holder` has it. */
  releaseLease(name: string, holder: string): Promise<void>;
}

export interface Store extends SignInStore, BrandStore, OriginStore, OfferStore, TakeStore, LeaseStore, CatalogStore, JourneyStore, MemberStore, AwardStore, StaffStore, ConsentStore, EntitlementKeyStore, ChainIndexStore, ChainFacts, WebhookStore, WebhookDeliveryStore, WebhookChainStore {
  /** Releases the backend's resources; the store is unusable afterwards. */
  close(): Promise<void>;
}
