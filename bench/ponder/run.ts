/**
 * Index catch-up benchmark: Ponder (this folder's project) indexing a StampbookCollection's
 * transfer history from a local chain.
 *
 *   npm run bench:index:ponder                       # installs this folder's lock file, then runs
 *   node bench/ponder/run.ts [--events 20000] [--per-transaction 250] [--database pglite|postgres|both] [--rpc-urls 1]
 *
 * One run: a Hardhat chain served over HTTP from this process; a history of at least `--events`
 * transfer events (scripts/bench/transfer-history.ts); then, for each database, `ponder start` as a
 * child process on a database of its own (a fresh PGlite directory, Ponder's embedded default; a
 * throwaway PostgreSQL database on the server BENCH_POSTGRES_URL names, default
 * postgresql://root@127.0.0.1:5432/test, skipped when that server cannot be reached and --database
 * is not postgres). Ponder has no cached chain data on either, so it fetches everything.
 *
 * Ponder treats a block of chain 31337 as final 30 blocks below the tip (not configurable), and only
 * final blocks are part of its historical catch-up; the chain gets that many empty blocks after the
 * history, so that the whole history is final, as an older history is on a public chain.
 *
 * Timing, per database, from the spawn of the process:
 *   - start-up: until Ponder logs that it starts fetching the backfill (build, database set-up);
 *   - total: until GET /ready answers 200 (historical indexing complete, what Ponder says it means);
 *   - catch-up = total - start-up; events per second are given for both;
 *   - what Ponder logs itself: the time it took fetching the backfill's JSON-RPC data and indexing it,
 *     and the time its handlers and database writes took, summed over the block ranges it indexed.
 * Then the check: Ponder's event count, and its balance of every holder and token id (read through
 * this project's API route) against `balanceOfBatch` on chain. A run that fails the check does not
 * count. RPC requests by method come from Ponder's /metrics.
 * Ponder limits its own JSON-RPC request rate per URL (20/s at first, raised 5% at a time while
 * requests succeed). `--rpc-urls N` gives it the chain's URL N times, so N times the limit: a
 * diagnostic of how much the limit costs, written to bench/results/index-ponder-rpc-urls-N.json;
 * the benchmark is the default, one URL, as Ponder is configured for one node.
 * Writes bench/results/index-ponder.json; exits 1 if a check failed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { network } from "hardhat";
// Nothing here imports viem: this folder has its own (Ponder's), the history module the repository's.
import { localChain, makeTransferHistory, readHistory, type TransferHistory } from "../../scripts/bench/transfer-history.ts";
import { freePort } from "../../scripts/free-port.ts";
import { createThrowawayDatabase, PostgresUnreachableError, type ThrowawayDatabase } from "../../scripts/throwaway-database.ts";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const BAR = { events: 20_000, events_per_s: 5_000 };
/** Ponder's finality depth for chain 31337 (ponder/src/utils/finality.ts: every chain it does not list). */
const PONDER_FINALITY_BLOCKS = 30;
const READY_TIMEOUT_MS = 30 * 60_000;

const { values: args } = parseArgs({
  options: {
    events: { type: "string", default: String(BAR.events) },
    "per-transaction": { type: "string", default: "250" },
    database: { type: "string", default: "both" },
    "rpc-urls": { type: "string", default: "1" },
  },
});
const events = Number(args.events);
const perTransaction = Number(args["per-transaction"]);
const rpcUrlCopies = Number(args["rpc-urls"]);
if (!Number.isInteger(rpcUrlCopies) || rpcUrlCopies < 1) throw new Error(`--rpc-urls must be a positive integer, got ${args["rpc-urls"]}`);
if (!["pglite", "postgres", "both"].includes(args.database!)) throw new Error(`--database must be pglite, postgres or both, got ${args.database}`);

const ponderPackage = JSON.parse(await readFile(join(here, "node_modules", "ponder", "package.json"), "utf8").catch(() => {
  throw new Error("bench/ponder has no node_modules: run `npm ci --prefix bench/ponder` (or `npm run bench:index:ponder`)");
})) as { version: string; bin: { ponder: string } };
const ponderBin = join(here, "node_modules", "ponder", ponderPackage.bin.ponder);

// ---------------------------------------------------------------- chain and history
const loadBefore = loadavg();
const server = await network.createServer("default", "127.0.0.1", await freePort());
const { port: chainPort } = await server.listen();
const rpcUrl = `http://127.0.0.1:${chainPort}`;
const chain = localChain(rpcUrl);

const started = performance.now();
const history = await makeTransferHistory({ rpcUrl, chain, events, perTransaction });
const historySeconds = (performance.now() - started) / 1000;
// What the chain says every holder has of every token id: what Ponder must agree with.
const { balances: onChain, blocksWithEvents } = await readHistory({ rpcUrl, chain }, history);
const mined = await fetch(rpcUrl, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "hardhat_mine", params: [`0x${(PONDER_FINALITY_BLOCKS + 2).toString(16)}`] }),
});
if (!mined.ok || "error" in ((await mined.json()) as object)) throw new Error("the chain did not mine the blocks that make the history final");
const blocks = Number(history.toBlock - history.deployBlock) + 1;
console.log(
  `history: ${history.events.toLocaleString("en")} transfer events in ${blocks.toLocaleString("en")} blocks (${blocksWithEvents.toLocaleString("en")} with events), ` +
    `${history.mix.transactions.toLocaleString("en")} transactions, made in ${historySeconds.toFixed(1)} s`,
);

// ---------------------------------------------------------------- one Ponder run
type Run = Awaited<ReturnType<typeof runPonder>>;

const children = new Set<ChildProcess>();
const cleanups = new Set<() => Promise<void>>();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    for (const child of children) child.kill("SIGKILL");
    Promise.allSettled([...cleanups].map((c) => c())).finally(() => process.exit(130));
  });
}

async function stop(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Ponder's /metrics: requests per JSON-RPC method (the count of its request-duration histogram). */
function rpcRequests(metrics: string) {
  const requests: Record<string, number> = {};
  for (const line of metrics.split("\n")) {
    const match = /^ponder_rpc_request_duration_count\{([^}]*)\} (\d+)/.exec(line);
    const method = match && /method="([^"]+)"/.exec(match[1]!)?.[1];
    if (method) requests[method] = (requests[method] ?? 0) + Number(match[2]);
  }
  return requests;
}

async function runPonder(database: "pglite" | "postgres", postgres: ThrowawayDatabase | undefined, history: TransferHistory) {
  const pgliteDir = database === "pglite" ? await mkdtemp(join(tmpdir(), "stampbook-ponder-pglite-")) : undefined;
  const removeDir = async () => {
    if (pgliteDir) await rm(pgliteDir, { recursive: true, force: true });
  };
  cleanups.add(removeDir);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Ponder takes PostgreSQL from these when they are set: only this run's settings count.
  for (const name of ["DATABASE_URL", "DATABASE_PRIVATE_URL", "DATABASE_SCHEMA", "DATABASE_VIEWS_SCHEMA"]) delete env[name];
  Object.assign(env, {
    BENCH_PONDER_DATABASE: database,
    BENCH_PONDER_PGLITE_DIR: pgliteDir ?? "",
    BENCH_PONDER_POSTGRES_URL: postgres?.url ?? "",
    BENCH_PONDER_RPC_URL: rpcUrl,
    BENCH_PONDER_RPC_URLS: String(rpcUrlCopies),
    BENCH_PONDER_COLLECTION: history.collection,
    BENCH_PONDER_START_BLOCK: history.deployBlock.toString(),
  });
  const logFile = join(tmpdir(), `stampbook-ponder-${database}-${process.pid}.log`);
  const logLines: string[] = [];
  const marks = new Map<string, { at: number; line: Record<string, unknown> }>();
  const problems: string[] = [];
  // Ponder logs each block range it indexed (its events through the handlers into the database) with its duration.
  let indexedRanges = 0;
  let indexingMs = 0;

  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [ponderBin, "start", "--schema", "bench", "--port", String(port), "--hostname", "127.0.0.1", "--log-format", "json"], { cwd: here, env, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  const onLine = (text: string) => {
    const at = performance.now();
    logLines.push(text);
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    const msg = String(line.msg ?? "");
    if (!marks.has(msg)) marks.set(msg, { at, line });
    if (msg === "Indexed block range" && typeof line.duration === "number") {
      indexedRanges++;
      indexingMs += line.duration;
    }
    if (typeof line.level === "number" ? line.level >= 40 : /warn|error|fatal/.test(String(line.level))) problems.push(`${String(line.level)}: ${msg}${line.error ? ` (${JSON.stringify(line.error).slice(0, 300)})` : ""}`);
  };
  for (const stream of [child.stdout!, child.stderr!]) {
    let rest = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      for (const part of parts) if (part.trim()) onLine(part);
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));

  try {
    // Ready: historical indexing is complete.
    let readyAt: number | undefined;
    while (readyAt === undefined) {
      if (exitCode !== undefined) throw new Error(`ponder exited (code ${exitCode}) before it was ready; its log: ${logFile}`);
      if (performance.now() - spawnedAt > READY_TIMEOUT_MS) throw new Error(`ponder was not ready after ${READY_TIMEOUT_MS / 60_000} minutes; its log: ${logFile}`);
      const status = await fetch(`${base}/ready`).then((r) => r.status, () => 0);
      if (status === 200) readyAt = performance.now();
      else await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const seconds = (at: number | undefined) => (at === undefined ? null : Number(((at - spawnedAt) / 1000).toFixed(3)));
    const backfillStart = marks.get("Started fetching backfill JSON-RPC data")?.at ?? marks.get("Started backfill indexing")?.at;
    const total = (readyAt - spawnedAt) / 1000;
    const startup = backfillStart === undefined ? null : (backfillStart - spawnedAt) / 1000;
    const loggedSeconds = (msg: string) => {
      const duration = marks.get(msg)?.line.duration;
      return typeof duration === "number" ? Number((duration / 1000).toFixed(3)) : null;
    };

    // The check: every event, and every holder's balance of every token id, against the chain.
    const indexedEvents = ((await (await fetch(`${base}/bench/events`)).json()) as { events: number }).events;
    const rows = (await (await fetch(`${base}/bench/balances`)).json()) as Array<{ tokenId: string; holder: string; amount: string }>;
    const indexed = new Map(rows.map((r) => [`${r.holder.toLowerCase()}:${BigInt(r.tokenId)}`, BigInt(r.amount)]));
    const mismatches: string[] = [];
    for (const [key, amount] of onChain) if ((indexed.get(key) ?? 0n) !== amount) mismatches.push(`${key}: chain ${amount}, ponder ${indexed.get(key) ?? "no row"}`);
    for (const [key, amount] of indexed) if (!onChain.has(key) && amount !== 0n) mismatches.push(`${key}: ponder ${amount}, not a holder of the history`);
    const passed = indexedEvents === history.events && mismatches.length === 0;
    const metrics = await (await fetch(`${base}/metrics`)).text();

    const catchUp = startup === null ? null : total - startup;
    const requests = rpcRequests(metrics);
    const fetchSeconds = loggedSeconds("Finished fetching backfill JSON-RPC data");
    return {
      database: database === "pglite" ? "pglite (embedded, fresh directory)" : "postgresql (throwaway database on 127.0.0.1:5432)",
      seconds_total: Number(total.toFixed(3)),
      seconds_startup: startup === null ? null : Number(startup.toFixed(3)),
      seconds_excluding_startup: catchUp === null ? null : Number(catchUp.toFixed(3)),
      events_per_s: Math.round(history.events / total),
      events_per_s_excluding_startup: catchUp === null ? null : Math.round(history.events / catchUp),
      ponder_logged: {
        backfill_rpc_fetch_s: loggedSeconds("Finished fetching backfill JSON-RPC data"),
        backfill_indexing_s: loggedSeconds("Completed backfill indexing across all chains"),
        // Running the handlers and writing the rows, summed over the block ranges (overlaps the fetching).
        handlers_and_writes_s: Number((indexingMs / 1000).toFixed(3)),
        block_ranges_indexed: indexedRanges,
      },
      timeline_s: {
        backfill_fetch_started: seconds(backfillStart),
        backfill_fetch_finished: seconds(marks.get("Finished fetching backfill JSON-RPC data")?.at),
        backfill_indexing_completed: seconds(marks.get("Completed backfill indexing across all chains")?.at),
        ready: seconds(readyAt),
      },
      rpc_requests: requests,
      // Ponder limits its own request rate per RPC URL (from 20/s, raised 5% at a time while requests succeed).
      rpc_requests_per_s_while_fetching: fetchSeconds ? Math.round(Object.values(requests).reduce((a, b) => a + b, 0) / fetchSeconds) : null,
      check: { passed, events_indexed: indexedEvents, balance_rows: rows.length, pairs_checked: onChain.size, mismatches: mismatches.length, first_mismatches: mismatches.slice(0, 5) },
      warnings: [...new Set(problems)].slice(0, 20),
    };
  } finally {
    await stop(child);
    children.delete(child);
    await writeFile(logFile, `${logLines.join("\n")}\n`);
    await removeDir();
    cleanups.delete(removeDir);
  }
}

// ---------------------------------------------------------------- the runs
const runs: Run[] = [];
const skipped: Record<string, string> = {};
try {
  if (args.database !== "postgres") {
    const run = await runPonder("pglite", undefined, history);
    runs.push(run);
    report(run);
  }
  if (args.database !== "pglite") {
    const serverUrl = process.env.BENCH_POSTGRES_URL || "postgresql://root@127.0.0.1:5432/test";
    let postgres: ThrowawayDatabase | undefined;
    try {
      postgres = await createThrowawayDatabase(serverUrl, { variable: "BENCH_POSTGRES_URL", prefix: "stampbook_ponder" });
    } catch (error) {
      if (!(error instanceof PostgresUnreachableError) || args.database === "postgres") throw error;
      skipped.postgresql = (error as Error).message;
      console.log(`PostgreSQL run skipped: ${skipped.postgresql}`);
    }
    if (postgres) {
      const drop = () => postgres.drop();
      cleanups.add(drop);
      try {
        const run = await runPonder("postgres", postgres, history);
        runs.push(run);
        report(run);
      } finally {
        await drop();
        cleanups.delete(drop);
      }
    }
  }
} finally {
  await server.close();
}

function report(run: Run) {
  const rate = (n: number | null) => (n === null ? "?" : n.toLocaleString("en"));
  console.log(
    `${run.database}: ready after ${run.seconds_total.toFixed(1)} s (start-up ${run.seconds_startup?.toFixed(1) ?? "?"} s): ` +
      `${rate(run.events_per_s)} events/s, ${rate(run.events_per_s_excluding_startup)} events/s without start-up; check ${run.check.passed ? "passed" : "FAILED"}`,
  );
  console.log(`  rpc requests: ${JSON.stringify(run.rpc_requests)}; ponder logged: ${JSON.stringify(run.ponder_logged)}`);
  for (const w of run.warnings) console.log(`  ${w}`);
}

const results = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, cpu_model: cpus()[0]?.model ?? "unknown", memory_gb: Math.round(totalmem() / 2 ** 30), node: process.version, load_average_before: loadBefore.map((l) => Number(l.toFixed(2))), load_average_after: loadavg().map((l) => Number(l.toFixed(2))) },
  ponder_version: ponderPackage.version,
  ponder_version_note:
    "the newest release (npm dist-tag latest). npm also lists a 1.0.0, deprecated and older code (its dependencies are 0.9/0.10-era). " +
    "@ponder/utils is held at 0.2.18 by an override: 0.3.0 changes only its peer-dependency ranges and formatting, and the registry this was installed from lacks it.",
  bar: BAR,
  history: {
    events: history.events,
    blocks,
    blocks_with_events: blocksWithEvents,
    seconds_to_make: Number(historySeconds.toFixed(1)),
    per_transaction: perTransaction,
    mix: history.mix,
    chain: "Hardhat (EDR) in the benchmark's process, HTTP on loopback, one transaction per block",
    finality: `${PONDER_FINALITY_BLOCKS + 2} empty blocks after the history: Ponder treats chain 31337's blocks as final ${PONDER_FINALITY_BLOCKS} below the tip`,
  },
  rpc_urls: rpcUrlCopies === 1 ? "the chain's URL, once (Ponder's rate limit as for any one node)" : `the chain's URL listed ${rpcUrlCopies} times: a diagnostic with ${rpcUrlCopies} times Ponder's per-URL rate limit`,
  runs,
  skipped,
  passed: runs.length > 0 && runs.every((r) => r.check.passed),
  meets_bar: runs.length > 0 && runs.every((r) => r.check.passed && (r.events_per_s_excluding_startup ?? 0) >= BAR.events_per_s) && history.events >= BAR.events,
};
await mkdir(join(root, "bench", "results"), { recursive: true });
const resultFile = rpcUrlCopies === 1 ? "index-ponder.json" : `index-ponder-rpc-urls-${rpcUrlCopies}.json`;
await writeFile(join(root, "bench", "results", resultFile), `${JSON.stringify(results, null, 2)}\n`);
console.log(`wrote bench/results/${resultFile}; bar (${BAR.events_per_s.toLocaleString("en")} events/s over ${BAR.events.toLocaleString("en")}+ events) ${results.meets_bar ? "met" : "not met"}`);
process.exit(results.passed ? 0 : 1);
