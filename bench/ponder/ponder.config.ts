/**
 * Ponder indexing one StampbookCollection on a local chain (chain id 31337). bench/ponder/run.ts
 * makes the chain and the collection's history and sets every variable below.
 */
import { createConfig } from "ponder";
import { stampbookCollectionAbi } from "../../contracts/bindings/stampbookCollectionAbi.ts";

// Ponder limits its request rate per RPC URL (20/s at first). `--rpc-urls N` of run.ts lists the same
// URL N times, for a diagnostic run with N times the limit; the benchmark itself lists it once.
const rpcUrls = Number(process.env.BENCH_PONDER_RPC_URLS ?? "1");

function setting(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (bench/ponder/run.ts sets it)`);
  return value;
}

export default createConfig({
  // A fresh PGlite directory for each run (the embedded default), or a throwaway PostgreSQL database.
  database:
    process.env.BENCH_PONDER_DATABASE === "postgres"
      ? { kind: "postgres", connectionString: setting("BENCH_PONDER_POSTGRES_URL") }
      : { kind: "pglite", directory: setting("BENCH_PONDER_PGLITE_DIR") },
  chains: {
    local: {
      id: 31337,
      rpc: rpcUrls > 1 ? Array.from({ length: rpcUrls }, () => setting("BENCH_PONDER_RPC_URL")) : setting("BENCH_PONDER_RPC_URL"),
      // A local chain answers at once; the default is 1,000 ms. Catch-up does not poll.
      pollingInterval: 200,
    },
  },
  contracts: {
    StampbookCollection: {
      chain: "local",
      abi: stampbookCollectionAbi,
      address: setting("BENCH_PONDER_COLLECTION") as `0x${string}`,
      startBlock: Number(setting("BENCH_PONDER_START_BLOCK")),
    },
  },
});
