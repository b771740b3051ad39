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
