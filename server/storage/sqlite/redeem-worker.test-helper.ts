// Child process for the cross-process tests (run with `node` >= 24, which strips the types):
//   node redeem-worker.test-helper.ts <dbPath> <perkId> <member> <attempts> <workerIndex> [open-on-go]
// Over IPC: opens the database (unless "open-on-go": then it opens after "go", so several workers
// race the open and its migrations), sends {type:"ready"}, waits for "go", fires <attempts>
// concurrent redeems with distinct idempotency keys, and sends {type:"done", counts} with how many
// of each RedeemResult status it got.
import type { RedeemStatus } from "../store.ts";
import { SqliteStore } from "./sqlite-store.ts";

export interface WorkerReport {
  type: "done";
  worker: number;
  counts: Partial<Record<RedeemStatus, number>>;
}

const [dbPath, perkId, member, attemptsText, workerText, mode] = process.argv.slice(2);
if (dbPath === undefined || perkId === undefined || member === undefined || process.send === undefined) {
  console.error("usage: (forked with IPC) redeem-worker.test-helper.ts <dbPath> <perkId> <member> <attempts> <worker>");
  process.exit(2);
}
const attempts = Number(attemptsText ?? "0");
const worker = Number(workerText ?? "0");
const ipcSend = process.send.bind(process);
const send = (message: unknown, then?: () => void) => ipcSend(message, undefined, undefined, then);
const openedEarly = mode === "open-on-go" ? undefined : SqliteStore.open(dbPath);

process.once("message", async (message) => {
  if (message !== "go") return;
  const store = openedEarly ?? SqliteStore.open(dbPath);
  try {
    const results = await Promise.all(
      Array.from({ length: attempts }, (_, i) =>
        store.redeem({
          perkId,
          member,
          idempotencyKey: `w${worker}-k${i}`,
          id: `w${worker}-r${i}`,
          code: `w${worker}-c${i}`,
          now: new Date().toISOString(),
        }),
      ),
    );
    const counts: WorkerReport["counts"] = {};
    for (const r of results) counts[r.status] = (counts[r.status] ?? 0) + 1;
    const report: WorkerReport = { type: "done", worker, counts };
    send(report, () => process.exit(0));
  } finally {
    await store.close();
  }
});

send({ type: "ready" });
