/** ISO-8601 UTC instant, `YYYY-MM-DDTHH:mm:ss.sssZ`, as `Date.prototype.toISOString()` writes it. */
export type Timestamp = string;

// The one shape the store accepts: what Date.prototype.toISOString() writes for years 0000-9999.
const canonicalPattern = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$/;

// RFC 3339 date-time (time-offset required), as a request body may carry it.
const rfc3339Pattern =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$/;

/**
 * The store's timestamp for an instant: ISO-8601 UTC with milliseconds.
 *
 * @example
 * toTimestamp(0); // "1970-01-01T00:00:00.000Z"
 */
export function toTimestamp(instant: Date | number = Date.now()): Timestamp {
  const date = typeof instant === "number" ? new Date(instant) : instant;
  const text = date.toISOString(); // throws RangeError on an invalid date
  // Outside years 0000-9999 the text gains a sign and more digits. Checked on the year, not with
  // the pattern: every nonce and session passes here.
  const year = date.getUTCFullYear();
  if (year < 0 || year > 9999) throw new RangeError(`instant outside years 0000-9999: ${text}`);
  return text;
}

/** True if `text` is a timestamp in the store's canonical shape naming a real instant. */
export function isTimestamp(text: unknown): text is Timestamp {
  if (typeof text !== "string" || !canonicalPattern.test(text)) return false;
  const ms = Date.parse(text);
  // The round trip rejects calendar dates that do not exist (2023-02-30) and hour 24.
  return Number.isFinite(ms) && new Date(ms).toISOString() === text;
}

/**
 * The store's timestamp for an RFC 3339 date-time with any offset (e.g. from a request body), or
 * null if the text is not one. Sub-millisecond digits are truncated; leap seconds are refused.
 *
 * @example
 * normalizeTimestamp("2025-03-01T12:00:00+01:00"); // "2025-03-01T11:00:00.000Z"
 */
export function normalizeTimestamp(text: string): Timestamp | null {
  const m = rfc3339Pattern.exec(text);
  if (m === null) return null;
  const [, y, mo, d, h, mi, s, fraction = "", offset = "Z"] = m;
  const ms = fraction === "" ? "000" : fraction.slice(1, 4).padEnd(3, "0");
  const local = `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`;
  if (!isTimestamp(local)) return null;
  let instant = Date.parse(local);
  if (offset !== "Z" && offset !== "z") {
    const offH = Number(offset.slice(1, 3));
    const offM = Number(offset.slice(4, 6));
    if (offH > 23 || offM > 59) return null;
    instant -= (offset.startsWith("-") ? -1 : 1) * (offH * 60 + offM) * 60_000;
  }
  try {
    return toTimestamp(instant);
  } catch {
    return null;
  }
}
