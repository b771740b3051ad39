/**
 * Recipients typed, pasted (one per line) or read from a CSV file, checked before anything is sent:
 * every mistake is named with its line number, and an address given twice is sent once.
 */
import { getAddress, isAddress, type Address } from "viem";

export type Recipient = { line: number; address: Address };
export type LineProblem = { line: number; message: string };
export type RecipientList = { recipients: Recipient[]; problems: LineProblem[]; repeats: Array<{ line: number; first: number }> };

const HEADER = /^(address|wallet|member|recipient|to)$/i;

/** Cells of one CSV line (commas, semicolons or tabs; double quotes around a cell are dropped). */
function cells(line: string): string[] {
  return line.split(/[,;\t]/).map((cell) => cell.trim().replace(/^"(.*)"$/, "$1").trim());
}

/**
 * Reads one address per line; a line with several cells (CSV) gives the address column: the one a
 * header names (address, wallet, member, recipient, to), else the first cell that starts with 0x.
 * Blank lines and lines starting with # are skipped.
 */
export function parseRecipients(text: string): RecipientList {
  const recipients: Recipient[] = [];
  const problems: LineProblem[] = [];
  const repeats: RecipientList["repeats"] = [];
  const seen = new Map<string, number>();
  let column: number | null = null;
  let first = true;

  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const row = cells(trimmed);
    if (first) {
      first = false;
      const named = row.findIndex((cell) => HEADER.test(cell));
      if (named >= 0) {
        column = named;
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
    const address = getAddress(text);
    const earlier = seen.get(address);
    if (earlier !== undefined) {
      repeats.push({ line, first: earlier });
      continue;
    }
    seen.set(address, line);
    recipients.push({ line, address });
  }
  return { recipients, problems, repeats };
}

/** `items` in consecutive batches of at most `size`. */
export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
