// RFC 3339 `date-time`, as EIP-4361 requires for Issued At, Expiration Time and Not Before.
// Date.parse is not used: it accepts many other shapes and rolls 2022-02-31 over into March.
const dateTimePattern =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?(?:([Zz])|([+-])([0-9]{2}):([0-9]{2}))$/;

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Milliseconds since the epoch for a strict RFC 3339 date-time, or `null` if the text is not one
 * (wrong shape, or a calendar date or clock time that does not exist).
 *
 * @example
 * parseTimestamp("2021-09-30T16:25:24-02:00"); // 1633026324000
 * parseTimestamp("2022-02-31T17:09:38.578Z"); // null
 */
export function parseTimestamp(text: string): number | null {
  const m = dateTimePattern.exec(text);
  if (m === null) return null;
  const [, y, mo, d, h, mi, s, fraction = "", zulu, sign, offH = "0", offM = "0"] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  const offsetHours = Number(offH);
  const offsetMinutes = Number(offM);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 60) return null;
  if (zulu === undefined && (offsetHours > 23 || offsetMinutes > 59)) return null;

  const offset = (sign === "-" ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  const date = new Date(0);
  // setUTCFullYear, because Date.UTC maps years 0-99 to 1900-1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, Math.min(second, 59), Number(fraction.slice(0, 3).padEnd(3, "0")));
  const ms = date.getTime() - offset;
  if (second === 60) {
    // A leap second only ever ends a UTC day (RFC 3339 section 5.7); count it as the next instant.
    const utc = new Date(ms);
    if (utc.getUTCHours() !== 23 || utc.getUTCMinutes() !== 59) return null;
    return ms + 1000;
  }
  return ms;
}
