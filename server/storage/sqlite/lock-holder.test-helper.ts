// Child process that holds a database's write lock for a while, to show that another process
// waits for it (busy_timeout) instead of failing:
//   node lock-holder.test-helper.ts <dbPath> <holdMs>
// Over IPC: takes the lock (BEGIN IMMEDIATE), sends "locked", sleeps <holdMs> without releasing
// the lock, commits, sends "released" and exits.
import { DatabaseSync } from "node:sqlite";

const [dbPath, holdText] = process.argv.slice(2);
if (dbPath === undefined || process.send === undefined) {
  console.error("usage: (forked with IPC) lock-holder.test-helper.ts <dbPath> <holdMs>");
  process.exit(2);
}
const holdMs = Number(holdText ?? "500");
const ipcSend = process.send.bind(process);
const send = (message: unknown, then?: () => void) => ipcSend(message, undefined, undefined, then);

const db = new DatabaseSync(dbPath, { timeout: 5_000 });
db.exec("BEGIN IMMEDIATE");
send("locked", () => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, holdMs);
  db.exec("COMMIT");
  db.close();
  send("released", () => process.exit(0));
});
