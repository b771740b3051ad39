export { decodeCursor, encodeCursor, type PageCursor } from "./cursor.ts";
export { StoreBusyError, StoreInputError } from "./errors.ts";
export { sha256Hex } from "./hash.ts";
export { newId, newRedemptionCode, normalizeRedemptionCode } from "./ids.ts";
export { applyMigrations, migrations, type Migration } from "./sqlite/migrations.ts";
export { DEFAULT_BUSY_TIMEOUT_MS, SqliteStore, type SqliteStoreOptions } from "./sqlite/sqlite-store.ts";
export { MAX_PAGE_SIZE, type BrandStore, type OfferStore, type Page, type PruneResult, type SignInStore, type Store, type TakeStore } from "./store.ts";
export { isTimestamp, normalizeTimestamp, toTimestamp, type Timestamp } from "./time.ts";
