export { decodeCursor, encodeCursor, type PageCursor } from "./cursor.ts";
export { StoreBusyError, StoreInputError } from "./errors.ts";
export { sha256Hex } from "./hash.ts";
export { newId, newRedemptionCode, normalizeRedemptionCode } from "./ids.ts";
export { applyMigrations, migrations, type Migration } from "./sqlite/migrations.ts";
export { DEFAULT_BUSY_TIMEOUT_MS, SqliteStore, type SqliteStoreOptions } from "./sqlite/sqlite-store.ts";
export {
  COUNTED_CLAIM_STATUSES,
  MAX_PAGE_SIZE,
  type Address,
  type ApiKey,
  type Brand,
  type Claim,
  type ClaimError,
  type ClaimQuery,
  type ClaimStatus,
  type CompleteClaimInput,
  type Drop,
  type DropLimits,
  type DropMode,
  type DropPatch,
  type DropQuery,
  type NewDrop,
  type ReserveClaimInput,
  type ReserveClaimResult,
  type ReserveClaimStatus,
  type ConsumeCodeInput,
  type ConsumeCodeResult,
  type NewApiKey,
  type NewPerk,
  type Page,
  type Perk,
  type PerkLimits,
  type PerkPatch,
  type PerkQuery,
  type PruneResult,
  type RedeemInput,
  type RedeemResult,
  type RedeemStatus,
  type Redemption,
  type RedemptionQuery,
  type Store,
  type Timestamp,
} from "./store.ts";
export { isTimestamp, normalizeTimestamp, toTimestamp } from "./time.ts";
