/**
 * CSV in and out: an airdrop's recipients (one address a row, an optional header, an optional
 * amount column), checked row by row so every bad row is reported by its line number at once; and
 * tables written as RFC 4180 CSV.
 */
import { getAddress, isAddress, type Address } from "viem";

export type Recipient = { line: number; address: Address; amount: bigint };

export type RecipientList = { recipients: Recipient[]; problems: string[] };

/** Header names of the address and amount columns (the console's airdrop reads files by the same names). */
export const ADDRESS_HEADERS = ["address", "wallet", "recipient", "to", "account", "member"];
export const AMOUNT_HEADERS = ["amount", "quantity", "qty", "count", "units"];

/** The cells of one CSV line (double quotes around a cell are taken off; "" inside is a quote). */
export function cellsOf(line: string): string[] {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === "," || c === ";" || c === "\t") {
      cells.push(cell.trim());
      cell = "";
    } else cell += c;
  }
  cells.push(cell.trim());
  return cells;
}

/**
 * Reads recipients from CSV text. Blank lines and lines starting with # are skipped. A first row
 * without a 0x value is a header naming the address and amount columns; otherwise the address is
 * the first column and the amount (default `defaultAmount`) the second. Each address may appear once.
 */
export function parseRecipients(text: string, defaultAmount: bigint): RecipientList {
  const recipients: Recipient[] = [];
  const problems: string[] = [];
  const seen = new Map<string, number>();
  let addressColumn = 0;
  let amountColumn: number | null = 1;
  let first = true;

  for (const [index, raw] of text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/).entries()) {
    const line = index + 1;
    if (raw.trim() === "" || raw.trimStart().startsWith("#")) continue;
    const cells = cellsOf(raw);
    if (first) {
      first = false;
      const lower = cells.map((c) => c.toLowerCase());
      if (!cells.some((c) => /^0x/i.test(c)) && lower.some((c) => ADDRESS_HEADERS.includes(c) || AMOUNT_HEADERS.includes(c))) {
        const a = lower.findIndex((c) => ADDRESS_HEADERS.includes(c));
        if (a === -1) {
          problems.push(`line ${line}: the header names no address column (call it "address")`);
          return { recipients, problems };
        }
        addressColumn = a;
        const n = lower.findIndex((c) => AMOUNT_HEADERS.includes(c));
        amountColumn = n === -1 ? null : n;
        continue;
      }
    }
    const value = cells[addressColumn] ?? "";
    const rowProblems: string[] = [];
    let address: Address | null = null;
    if (!isAddress(value, { strict: false })) rowProblems.push(`"${value.slice(0, 60)}" is not an address (0x and 40 hex digits)`);
    else if (!isAddress(value)) rowProblems.push(`${value} has mixed case that is not a valid checksum (a typo?); write it all in lowercase if it is right`);
    else {
      address = getAddress(value);
      const earlier = seen.get(address);
      if (earlier === undefined) seen.set(address, line);
      else rowProblems.push(`${address} is listed already on line ${earlier}`);
    }
    const amountCell = amountColumn === null ? "" : (cells[amountColumn] ?? "");
    const amount = amountCell === "" ? defaultAmount : /^[0-9]+$/.test(amountCell) && BigInt(amountCell) > 0n ? BigInt(amountCell) : null;
    if (amount === null) rowProblems.push(`the amount "${amountCell.slice(0, 40)}" is not a whole number of at least 1`);
    if (rowProblems.length > 0) problems.push(`line ${line}: ${rowProblems.join("; ")}`);
    else recipients.push({ line, address: address!, amount: amount! });
  }
  if (recipients.length === 0 && problems.length === 0) problems.push("the file lists no addresses");
  return { recipients, problems };
}

/** One CSV cell: quoted when it must be; text a spreadsheet would run as a formula is prefixed with '. */
export function csvCell(value: string | number | bigint | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A table as CSV text: a header row of `columns`, then one row per item. */
export function toCsv<T extends Record<string, unknown>>(columns: readonly (keyof T & string)[], rows: readonly T[]): string {
  const lines = [columns.join(","), ...rows.map((row) => columns.map((c) => csvCell(row[c] as string | null)).join(","))];
  return `${lines.join("\r\n")}\r\n`;
}
