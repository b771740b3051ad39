// Child process for the cross-process tests (run with `node` >= 24, which strips the types):
//   node redeem-worker.test-helper.ts <dbPath> <kind> <offerId> <attempts> <workerIndex> [members] [keys] [open]
// - members: "one" (default: every take by the same member) or "each" (every take by its own member)
// - keys: "own" (default: keys unique to this worker) or "shared" (key i is the same in every worker)
// - open: "open-first" (default) or "open-on-go" (open after "go", so several workers race the open
//   and its migrations)
// Over IPC: opens the database, sends {type:"ready"}, waits for "go", fires <attempts> concurrent
// takes of the offer, and sends {type:"done", counts, takeIds} with how many of each TakeResult
// status it got and, per attempt, the id of the take it was given (created or replayed), or null.
import type { Address } from "viem";
import type { OfferKind, TakeResult } from "../../offers/types.ts";
import { SqliteStore } from "./sqlite-store.ts";

export type WorkerMembers = "one" | "each";
export type WorkerKeys = "own" | "shared";
export type WorkerOpen = "open-first" | "open-on-go";

/** The member every take is made by when `members` is "one". */
export const WORKER_MEMBER: Address = `0x${"a".repeat(40)}`;

export interface WorkerReport {
  type: "done";
  worker: number;
  counts: Partial<Record<TakeResult["status"], number>>;
  takeIds: (string | null)[];
}

const [dbPath, kindText, offerId, attemptsText, workerText, membersText = "one", keysText = "own", openText = "open-first"] = process.argv.slice(2);
if (dbPath === undefined || kindText === undefined || offerId === undefined || process.send === undefined) {
  console.error("usage: (forked with IPC) redeem-worker.test-helper.ts <dbPath> <kind> <offerId> <attempts> <worker> [one|each] [own|shared] [open-first|open-on-go]");
  process.exit(2);
}
const kind = kindText as OfferKind;
const attempts = Number(attemptsText ?? "0");
const worker = Number(workerText ?? "0");
const memberOf = (i: number): Address =>
  (membersText as WorkerMembers) === "each" ? `0x${(worker * 1_000_000 + i + 1).toString(16).padStart(40, "0")}` : WORKER_MEMBER;
const keyOf = (i: number) => ((keysText as WorkerKeys) === "shared" ? `k${i}` : `w${worker}-k${i}`);
const ipcSend = process.send.bind(process);
const send = (message: unknown, then?: () => void) => ipcSend(message, undefined, undefined, then);
const openedEarly = (openText as WorkerOpen) === "open-on-go" ? undefined : SqliteStore.open(dbPath);

process.once("message", async (message) => {
  if (message !== "go") return;
  const store = openedEarly ?? SqliteStore.open(dbPath);
  try {
    const results = await Promise.all(
      Array.from({ length: attempts }, (_, i) =>
        store.take({
          offerId,
          kind,
          member: memberOf(i),
          idempotencyKey: keyOf(i),
          id: `w${worker}-t${i}`,
          code: kind === "perk" ? `w${worker}-c${i}` : null,
          now: new Date().toISOString(),
        }),
      ),
    );
    const counts: WorkerReport["counts"] = {};
    for (const r of results) counts[r.status] = (counts[r.status] ?? 0) + 1;
    const takeIds = results.map((r) => ("take" in r ? r.take.id : null));
    const report: WorkerReport = { type: "done", worker, counts, takeIds };
    send(report, () => process.exit(0));
  } finally {
    await store.close();
  }
});

send({ type: "ready" });
