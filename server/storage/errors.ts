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

/**
 * The store could not be reached: the connection failed, dropped or timed out, or the database
 * cannot be read or written (a full disk, an I/O error). A read changed nothing; a write that was
 * under way may or may not have committed, so a client retries it with the same idempotency key and
 * gets the one outcome. Map it to HTTP 503.
 */
export class StoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super("the store could not be reached", { cause });
    this.name = "StoreUnavailableError";
  }
}
