/**
 * Input a store refuses: a malformed timestamp, address, hash, limit, rule or cursor. The routes
 * validate requests first, so reaching this is a bug or a bad cursor; map it to HTTP 400.
 */
export class StoreInputError extends Error {
  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = "StoreInputError";
    this.field = field;
  }
}

/**
 * The store could not take a write in time: another process held the database's write lock for
 * longer than the busy timeout. Nothing was written, and a retry may succeed; map it to HTTP 503.
 */
export class StoreBusyError extends Error {
  constructor(cause: unknown) {
    super("the store is busy: another writer held the lock past the busy timeout", { cause });
    this.name = "StoreBusyError";
  }
}
