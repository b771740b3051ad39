import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "./cursor.ts";
import { StoreInputError } from "./errors.ts";

describe("page cursors", () => {
  it("round-trip and are URL-safe", () => {
    const cursor = { createdAt: "2025-06-01T12:00:00.000Z", id: "id/with+odd?chars=ü" };
    const text = encodeCursor(cursor);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(text)).toEqual(cursor);
  });

  it("refuse anything else", () => {
    const bad = ["", "%%%", Buffer.from("{}").toString("base64url"), Buffer.from('["2025-06-01T12:00:00.000Z",""]').toString("base64url")];
    for (const text of bad) expect(() => decodeCursor(text), text).toThrow(StoreInputError);
  });
});
