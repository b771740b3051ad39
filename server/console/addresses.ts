/**
 * Recipients typed, pasted (one per line) or read from a CSV file, checked before anything is sent:
 * every mistake is named with its line number, and an address given twice is sent once. A file's
 * amount column is honoured as the CLI honours it (same header names, same cell reading: both from
 * sdk/cli/csv.ts, which imports only viem). The rest stays the console's own: the CLI refuses a
 * repeated address where the console sends it once, and the CLI takes the first column where the
 * console looks for the cell that starts with 0x in a pasted list.
 */
import { getAddress, isAddress, type Address } from "viem";
import { ADDRESS_HEADERS, AMOUNT_HEADERS, cellsOf } from "../../sdk/cli/csv.ts";

/** `amount`: the file's for this address; null where it gives none (the form's amount applies). */
export type Recipient = { line: number; address: Address; amount: bigint | null };
export type LineProblem = { line: number; message: string };
export type RecipientList = { recipients: Recipient[]; problems: LineProblem[]; repeats: Array<{ line: number; first: number }> };


/**
 * Reads one address per line; a line with several cells (CSV) gives the address column: the one a
 * header names (address, wallet, member, recipient, to, account), else the first cell that starts
 * with 0x; and the amount column a header names (amount, quantity, qty, count, units). Blank lines
 * and lines starting with # are skipped.
 */
export function parseRecipients(text: string): RecipientList {
  const recipients: Recipient[] = [];
  const problems: LineProblem[] = [];
  const repeats: RecipientList["repeats"] = [];
  const seen = new Map<string, number>();
  let column: number | null = null;
  let amountColumn: number | null = null;
  let first = true;

  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const row = cellsOf(trimmed);
    if (first) {
      first = false;
      const lower = row.map((cell) => cell.toLowerCase());
      const named = lower.findIndex((cell) => ADDRESS_HEADERS.includes(cell));
      if (named >= 0) {
        column = named;
        const amountNamed = lower.findIndex((cell) => AMOUNT_HEADERS.includes(cell));
        amountColumn = amountNamed >= 0 ? amountNamed : null;
        continue;
      }
    }
    const text = column !== null ? (row[column] ?? "") : (row.find((cell) => /^0x/i.test(cell)) ?? row[0]!);
    if (text === "") {
      problems.push({ line, message: column !== null ? "the address column is empty" : "no address on this line" });
      continue;
    }
    if (!/^0x[0-9a-fA-F]{40}$/.test(text)) {
      problems.push({ line, message: `"${text.length > 50 ? `${text.slice(0, 47)}…` : text}" is not an address (0x and 40 hex digits)` });
      continue;
    }
    // Mixed case carries a checksum: a wrong one is most likely a typo.
    if (!isAddress(text, { strict: true })) {
      problems.push({ line, message: `${text}: the checksum (its upper and lower case letters) does not match; check for a typo` });
      continue;
    }
    const amountCell = amountColumn === null ? "" : (row[amountColumn] ?? "");
    if (amountCell !== "" && !(/^[0-9]+$/.test(amountCell) && BigInt(amountCell) > 0n)) {
      problems.push({ line, message: `the amount "${amountCell.slice(0, 40)}" is not a whole number of at least 1` });
      continue;
    }
    const address = getAddress(text);
    const earlier = seen.get(address);
    if (earlier !== undefined) {
      repeats.push({ line, first: earlier });
      continue;
    }
    seen.set(address, line);
    recipients.push({ line, address, amount: amountCell === "" ? null : BigInt(amountCell) });
  }
  return { recipients, problems, repeats };
}

/** `items` in consecutive batches of at most `size`. */
export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
