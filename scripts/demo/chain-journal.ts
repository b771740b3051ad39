/**
 * The local chain's journal: one JSON line per mined block (its timestamp, hash and raw signed
 * transactions) or per state change made outside transactions, appended as they happen. Hardhat's
 * simulated chain cannot dump its state, so `npm start` keeps this instead and replays it into a new
 * chain on the next start. Appended synchronously: a process killed with -9 loses nothing written.
 */
import { closeSync, ftruncateSync, openSync, readFileSync, writeSync } from "node:fs";
import type { Hex } from "viem";

export const JOURNAL_VERSION = 1;

/** What readJournal says when there is no journal at all. */
export const NO_JOURNAL = "there is no saved chain";

/** The first line: what the chain was created with, so a replay can start from the same genesis. */
export type JournalHeader = { journal: "stampbook-local-chain"; version: number; chainId: number; genesisTime: number; genesisHash: Hex };

/** A transaction sent by the chain's own accounts as someone it impersonates: no real signature, sent again as it was. */
export type UnsignedSend = { send: Record<string, unknown>; hash: Hex };

export type JournalRecord =
  /** A block and its transactions, in their order. */
  | { block: number; time: number; hash: Hex; txs: Array<Hex | UnsignedSend> }
  /** `count` empty blocks from `block` on, `interval` seconds apart (hardhat_mine); `hash` is the last one's. */
  | { block: number; time: number; hash: Hex; empty: number; interval: number }
  /** A state change made outside transactions (hardhat_setBalance, impersonation, …), replayed as called. */
  | { call: string; params: unknown[] }
  /** Something happened that a replay cannot reproduce; nothing after it is written. */
  | { unrestorable: string };

export type ReadJournal =
  | { ok: true; header: JournalHeader; records: JournalRecord[]; blocks: number; validBytes: number }
  | { ok: false; problem: string };

/** Reads a journal. A last line cut short (a kill mid-write) is left out; any other damage makes it unusable. */
export function readJournal(path: string): ReadJournal {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    return { ok: false, problem: (error as NodeJS.ErrnoException).code === "ENOENT" ? NO_JOURNAL : `the saved chain cannot be read (${(error as Error).message})` };
  }
  const lines = text.split("\n");
  // Only text up to the last newline was written whole.
  const complete = lines.slice(0, -1);
  const validBytes = Buffer.byteLength(complete.map((l) => `${l}\n`).join(""));
  let header: JournalHeader;
  try {
    header = JSON.parse(complete[0] ?? "");
  } catch {
    return { ok: false, problem: "the saved chain's journal has no readable first line" };
  }
  if (header.journal !== "stampbook-local-chain" || header.version !== JOURNAL_VERSION) return { ok: false, problem: `the saved chain's journal is of another version (${String(header.version)})` };
  const records: JournalRecord[] = [];
  let blocks = 0;
  for (const [i, line] of complete.slice(1).entries()) {
    let record: JournalRecord;
    try {
      record = JSON.parse(line);
    } catch {
      return { ok: false, problem: `line ${i + 2} of the saved chain's journal is damaged` };
    }
    if ("unrestorable" in record) return { ok: false, problem: record.unrestorable };
    if ("block" in record) blocks = "empty" in record ? record.block + record.empty - 1 : record.block;
    records.push(record);
  }
  return { ok: true, header, records, blocks, validBytes };
}

/** Appends records to a journal file; `mark()` and `truncate()` take it back to an earlier point (evm_revert). */
export type JournalWriter = {
  append(record: JournalRecord): void;
  mark(): number;
  truncate(mark: number): void;
  close(): void;
};

/** Starts a new journal at `path` with `header`, or (`validBytes` given) continues one read before, cutting off a damaged last line. */
export function openJournal(path: string, start: { header: JournalHeader } | { validBytes: number }): JournalWriter {
  const fd = openSync(path, "header" in start ? "w" : "r+");
  let size = 0;
  const write = (text: string) => {
    size += writeSync(fd, text, size);
  };
  if ("header" in start) write(`${JSON.stringify(start.header)}\n`);
  else {
    size = start.validBytes;
    ftruncateSync(fd, size);
  }
  let closed = false;
  return {
    append(record) {
      if (!closed) write(`${JSON.stringify(record)}\n`);
    },
    mark: () => size,
    truncate(mark) {
      if (closed) return;
      size = mark;
      ftruncateSync(fd, size);
    },
    close() {
      if (closed) return;
      closed = true;
      closeSync(fd);
    },
  };
}
