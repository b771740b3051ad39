import { describe, expect, it } from "vitest";
import { parseTimestamp } from "./time.ts";

describe("parseTimestamp", () => {
  it.each([
    ["2021-09-30T16:25:24Z", Date.UTC(2021, 8, 30, 16, 25, 24)],
    ["2021-09-30T16:25:24.000Z", Date.UTC(2021, 8, 30, 16, 25, 24)],
    ["2021-09-30T16:25:24.5Z", Date.UTC(2021, 8, 30, 16, 25, 24, 500)],
    ["2021-09-30T16:25:24.123456789Z", Date.UTC(2021, 8, 30, 16, 25, 24, 123)],
    ["2021-09-30T16:25:24-02:00", Date.UTC(2021, 8, 30, 18, 25, 24)],
    ["2021-09-30T16:25:24+05:30", Date.UTC(2021, 8, 30, 10, 55, 24)],
    ["2021-09-30t16:25:24z", Date.UTC(2021, 8, 30, 16, 25, 24)],
    ["2024-02-29T00:00:00Z", Date.UTC(2024, 1, 29)],
    ["2000-02-29T00:00:00Z", Date.UTC(2000, 1, 29)],
    ["2016-12-31T23:59:60Z", Date.UTC(2017, 0, 1)],
    ["2016-12-31T20:59:60-03:00", Date.UTC(2017, 0, 1)],
  ])("reads %s", (text, ms) => {
    expect(parseTimestamp(text)).toBe(ms);
  });

  it("keeps years below 100 as written", () => {
    expect(new Date(parseTimestamp("0050-01-01T00:00:00Z") ?? Number.NaN).getUTCFullYear()).toBe(50);
  });

  it.each([
    "2022-02-31T17:09:38.578Z", // no such day
    "2023-02-29T00:00:00Z", // not a leap year
    "2100-02-29T00:00:00Z", // century, not a leap year
    "2021-04-31T00:00:00Z",
    "2021-13-01T00:00:00Z",
    "2021-00-01T00:00:00Z",
    "2021-01-00T00:00:00Z",
    "2021-01-01T24:00:00Z",
    "2021-01-01T12:60:00Z",
    "2021-01-01T12:00:61Z",
    "2021-01-01T12:34:60Z", // a leap second only ends a UTC day
    "2021-01-01T12:00:00+24:00",
    "2021-01-01T12:00:00+01:60",
    "2021-01-01T12:00:00", // offset is required
    "2021-01-01 12:00:00Z",
    "2021-01-01T12:00Z",
    "2021-01-01T12:00:00.Z",
    "2021-01-01T12:00:00+0100",
    "2021-1-01T12:00:00Z",
    "Wed Oct 05 2011 16:48:00 GMT+0200 (CEST)",
    "1633019124",
    "",
    " 2021-01-01T12:00:00Z",
  ])("refuses %j", (text) => {
    expect(parseTimestamp(text)).toBeNull();
  });
});
