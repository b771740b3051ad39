// Child process for the cross-process tests on either engine (run with `node` >= 24, which strips the types):
//   node take-worker.test-helper.ts <database> <schema> <kind> <offerId> <attempts> <workerIndex> [members] [keys] [open]
// - database: `sqlite:<path>` (a database file) or `postgres://…` (a PostgreSQL database)
// - schema: the PostgreSQL schema to use; "-" on SQLite
// - members: "one" (default: every take by the same member), "each" (every take by its own member)
//   or "ten" (take i by member i % 10, the same ten members in every worker)
// - keys: "own" (default: keys unique to this worker) or "shared" (key i is the same in every worker)
// - open: "open-first" (default) or "open-on-go" (open the store after "go", so several workers race
//   to bring a brand-new database up to date)
// Over IPC: opens the store, sends {type:"ready"}, waits for "go", fires <attempts> concurrent takes
// of the offer, and sends {type:"done", counts, takeIds} with how many of each TakeResult status it
// got and, per attempt, the id of the take it was given (created or replayed), or null.
import type { Address } from "viem";
import { dropKind } from "../drops/kind.ts";
import type { OfferKind, TakeResult } from "../offers/types.ts";
import { perkKind } from "../perks/kind.ts";
import { PostgresStore, SqliteStore, type Store } from "./index.ts";

export type WorkerMembers = "one" | "each" | "ten";
export type WorkerKeys = "own" | "shared";
export type WorkerOpen = "open-first" | "open-on-go";

/** The member every take is made by when `members` is "one". */
export const WORKER_MEMBER: Address = `0x${"a".repeat(40)}`;
/** Connections per worker on PostgreSQL: several workers together still stay well inside max_connections. */
export const WORKER_POOL_SIZE = 5;

export interface WorkerReport {
  type: "done";
  worker: number;
  counts: Partial<Record<TakeResult["status"], number>>;
  takeIds: (string | null)[];
}

const [database, schema, kindText, offerId, attemptsText, workerText, membersText = "one", keysText = "own", openText = "open-first"] = process.argv.slice(2);
if (database === undefined || schema === undefined || kindText === undefined || offerId === undefined || process.send === undefined) {
  console.error("usage: (forked with IPC) take-worker.test-helper.ts <sqlite:path|postgres://…> <schema|-> <kind> <offerId> <attempts> <worker> [one|each|ten] [own|shared] [open-first|open-on-go]");
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

async function open(): Promise<Store> {
  if (database!.startsWith("sqlite:")) return SqliteStore.open(database!.slice("sqlite:".length));
  if (/^postgres(ql)?:\/\//.test(database!)) return PostgresStore.connect(database!, { schema: schema!, poolSize: WORKER_POOL_SIZE });
  throw new Error(`take-worker: not a database URL this worker knows: ${database}`);
}
const openedEarly: Store | undefined = (openText as WorkerOpen) === "open-on-go" ? undefined : await open();

process.once("message", async (message) => {
  if (message !== "go") return;
  try {
    const store = openedEarly ?? (await open());
    const results = await Promise.all(
      Array.from({ length: attempts }, (_, i) =>
        store.take({
          offerId,
          kind,
          member: memberOf(i),
          idempotencyKey: keyOf(i),
          id: `w${worker}-t${i}`,
          code: kind === "perk" ? `w${worker}-c${i}` : null,
          policy: (kind === "perk" ? perkKind : dropKind).takes,
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
