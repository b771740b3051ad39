import { describe, expect, it } from "vitest";
import { isTimestamp, normalizeTimestamp, toTimestamp } from "./time.ts";

describe("timestamps", () => {
  it("are Date.toISOString() output", () => {
    expect(toTimestamp(0)).toBe("1970-01-01T00:00:00.000Z");
    expect(toTimestamp(new Date(Date.UTC(2025, 5, 1, 12, 30, 5, 7)))).toBe("2025-06-01T12:30:05.007Z");
    expect(() => toTimestamp(Number.NaN)).toThrow(RangeError);
    expect(() => toTimestamp(Date.UTC(10000, 0, 1))).toThrow(RangeError);
  });

  it("are recognised only in the canonical shape and for real instants", () => {
    expect(isTimestamp("2024-02-29T23:59:59.999Z")).toBe(true);
    for (const text of [
      "2023-02-29T00:00:00.000Z",
      "2025-06-01T24:00:00.000Z",
      "2025-06-01T12:00:00Z",
      "2025-06-01T12:00:00.000+00:00",
      "2025-06-01 12:00:00.000Z",
      "+012025-06-01T12:00:00.000Z",
      1_700_000_000_000,
      null,
    ]) {
      expect(isTimestamp(text), String(text)).toBe(false);
    }
  });

  it("sort as text the way they sort as instants", () => {
    const instants = [0, 1, 999, 1000, 59_999, 86_400_000, Date.UTC(1999, 11, 31), Date.UTC(2025, 0, 1), Date.UTC(9999, 11, 31)];
    const texts = instants.map((ms) => toTimestamp(ms));
    expect([...texts].sort()).toEqual(texts);
  });

  it("normalise RFC 3339 date-times with offsets", () => {
    expect(normalizeTimestamp("2025-03-01T12:00:00+01:00")).toBe("2025-03-01T11:00:00.000Z");
    expect(normalizeTimestamp("2025-03-01T00:30:00-02:30")).toBe("2025-03-01T03:00:00.000Z");
    expect(normalizeTimestamp("2025-12-31t23:59:59.123456z")).toBe("2025-12-31T23:59:59.123Z");
    expect(normalizeTimestamp("2025-03-01T12:00:00.5Z")).toBe("2025-03-01T12:00:00.500Z");
    for (const text of ["2025-03-01", "2025-03-01T12:00:00", "2025-02-29T00:00:00Z", "2025-03-01T12:00:00+24:00", "2016-12-31T23:59:60Z"]) {
      expect(normalizeTimestamp(text), text).toBeNull();
    }
  });
});
