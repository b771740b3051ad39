/** Which PostgreSQL failures are the store being unreachable (503 store_unavailable) and which are the statement's own. */
import { describe, expect, it } from "vitest";
import { isUnreachable } from "./database.ts";

const withCode = (code: string, message = "failed") => Object.assign(new Error(message), { code });

describe("isUnreachable", () => {
  it("counts the server or the path to it being gone, and the server unable to serve anything just now", () => {
    for (const code of [
      "08006", // connection failure
      "57P01", // admin shutdown
      "57P03", // cannot connect now
      "57P05", // idle session timeout
      "25P03", // idle in transaction session timeout
      "53100", // disk full
      "53200", // out of memory
      "53300", // too many connections
      "58030", // I/O error
      "XX001", // data corrupted
      "ECONNREFUSED",
      "ECONNRESET",
    ]) {
      expect(isUnreachable(withCode(code)), code).toBe(true);
    }
    for (const message of ["Connection terminated unexpectedly", "Query read timeout", "timeout exceeded when trying to connect", "Cannot use a pool after calling end on the pool"]) {
      expect(isUnreachable(new Error(message)), message).toBe(true);
    }
  });

  it("leaves what the statement itself caused to the caller", () => {
    for (const code of ["23505", "22P02", "42601", "55P03", "40001", "XX000"]) expect(isUnreachable(withCode(code)), code).toBe(false);
    expect(isUnreachable(new Error("something else"))).toBe(false);
    expect(isUnreachable(null)).toBe(false);
  });
});
