// Child process for the PostgreSQL cross-process tests (run with `node` >= 24, which strips the types):
//   node take-worker.test-helper.ts <url> <schema> <kind> <offerId> <attempts> <workerIndex> [members] [keys] [open]
// - members: "one" (default: every take by the same member), "each" (every take by its own member)
//   or "ten" (take i by member i % 10, the same ten members in every worker)
// - keys: "own" (default: keys unique to this worker) or "shared" (key i is the same in every worker)
// - open: "open-first" (default) or "open-on-go" (connect after "go", so several workers race to
//   bring a brand-new schema up to date)
// Over IPC: connects PostgresStore to the schema, sends {type:"ready"}, waits for "go", fires
// <attempts> concurrent takes of the offer, and sends {type:"done", counts, takeIds} with how many of
// each TakeResult status it got and, per attempt, the id of the take it was given (created or
// replayed), or null.
import type { Address } from "viem";
import type { OfferKind, TakeResult } from "../../offers/types.ts";
import type { Store } from "../store.ts";
import { PostgresStore } from "./postgres-store.ts";

export type WorkerMembers = "one" | "each" | "ten";
export type WorkerKeys = "own" | "shared";
export type WorkerOpen = "open-first" | "open-on-go";

/** The member every take is made by when `members` is "one". */
export const WORKER_MEMBER: Address = `0x${"a".repeat(40)}`;
/** Connections per worker: several workers together still stay well inside max_connections. */
export const WORKER_POOL_SIZE = 5;

export interface WorkerReport {
  type: "done";
  worker: number;
  counts: Partial<Record<TakeResult["status"], number>>;
  takeIds: (string | null)[];
}

const [url, schema, kindText, offerId, attemptsText, workerText, membersText = "one", keysText = "own", openText = "open-first"] = process.argv.slice(2);
if (url === undefined || schema === undefined || kindText === undefined || offerId === undefined || process.send === undefined) {
  console.error("usage: (forked with IPC) take-worker.test-helper.ts <url> <schema> <kind> <offerId> <attempts> <worker> [one|each|ten] [own|shared] [open-first|open-on-go]");
  process.exit(2);
}
const kind = kindText as OfferKind;
const attempts = Number(attemptsText ?? "0");
const worker = Number(workerText ?? "0");
const members = membersText as WorkerMembers;
const memberOf = (i: number): Address =>
  members === "each" ? `0x${(worker * 1_000_000 + i + 1).toString(16).padStart(40, "0")}` : members === "ten" ? `0x${(i % 10 + 1).toString(16).padStart(40, "0")}` : WORKER_MEMBER;
const keyOf = (i: number) => ((keysText as WorkerKeys) === "shared" ? `k${i}` : `w${worker}-k${i}`);
const ipcSend = process.send.bind(process);
const send = (message: unknown, then?: () => void) => ipcSend(message, undefined, undefined, then);
const connect = () => PostgresStore.connect(url, { schema, poolSize: WORKER_POOL_SIZE });
const connectedEarly: Store | undefined = (openText as WorkerOpen) === "open-on-go" ? undefined : await connect();

process.once("message", async (message) => {
  if (message !== "go") return;
  const store = connectedEarly ?? (await connect());
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
    await store.close();
    const report: WorkerReport = { type: "done", worker, counts, takeIds };
    send(report, () => process.exit(0));
  } catch (error) {
    console.error(error);
    process.exit(1);
  }
});

send({ type: "ready" });
