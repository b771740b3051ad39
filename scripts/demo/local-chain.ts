/**
 * The local chain `npm start` runs, kept across restarts. Hardhat's simulated chain has no state dump,
 * so a new chain journals itself from its first block (chain-recorder.ts), and the next start creates a
 * chain with the same genesis time (so the same genesis block) and replays the journal into it
 * (chain-replay.ts). Then one empty block brings the chain's clock back to now, and journaling goes on.
 */
import { hooks, network } from "hardhat";
import type { NetworkHooks } from "hardhat/types/hooks";
import type { JsonRpcServer, NetworkConnection } from "hardhat/types/network";
import { JOURNAL_VERSION, NO_JOURNAL, openJournal, readJournal, type JournalHeader, type JournalWriter } from "./chain-journal.ts";
import { recordChain, type ChainTip, type Rpc } from "./chain-recorder.ts";
import { replayJournal, ReplayError } from "./chain-replay.ts";

export type LocalChain = {
  /** The chain's JSON-RPC server, not listening yet. */
  server: JsonRpcServer;
  /** Set when the saved chain came back: its blocks, and how long creating and replaying it took. */
  restored: { blocks: number; seconds: number } | undefined;
  close(): Promise<void>;
};

type Options = { host: string; port: number; journalPath: string; onUnrestorable: (reason: string) => void };

/**
 * The chain saved in the journal at `journalPath`, replayed; or, when there is none or it cannot be
 * used, why (`missing` when there is none at all). `onUnrestorable` hears, once, if the chain later
 * does something a journal cannot replay (it then starts clean next time).
 */
export async function restoreLocalChain(options: Options): Promise<LocalChain | { problem: string; missing: boolean }> {
  const saved = readJournal(options.journalPath);
  if (!saved.ok) return { problem: saved.problem, missing: saved.problem === NO_JOURNAL };
  const started = performance.now();
  const chain = await createChain(options.host, options.port, saved.header.genesisTime);
  let tip: ChainTip;
  try {
    const genesis = await chain.rpc("eth_getBlockByNumber", ["0x0", false]);
    const chainId = Number(await chain.rpc("eth_chainId"));
    if (genesis.hash !== saved.header.genesisHash || chainId !== saved.header.chainId) throw new ReplayError("the chain's configuration changed since it was saved");
    tip = await replayJournal(chain.rpc, saved.records, { number: 0, hash: genesis.hash });
  } catch (error) {
    await chain.connection.close();
    if (error instanceof ReplayError) return { problem: `it could not be replayed: ${error.message}`, missing: false };
    throw error;
  }
  const restored = { blocks: tip.number, seconds: (performance.now() - started) / 1000 };
  const local = record(chain, openJournal(options.journalPath, { validBytes: saved.validBytes }), tip, options, restored);
  // The chain's clock stopped at its last block: one empty block (journaled too) takes it to now.
  const now = Math.floor(Date.now() / 1000);
  if (now > Number((await chain.rpc("eth_getBlockByNumber", ["latest", false])).timestamp)) await chain.rpc("evm_mine", [now]);
  return local;
}

/** A new chain, journaled from its genesis on into a new journal at `journalPath`. */
export async function newLocalChain(options: Options): Promise<LocalChain> {
  const chain = await createChain(options.host, options.port, Math.floor(Date.now() / 1000));
  const genesis = await chain.rpc("eth_getBlockByNumber", ["0x0", false]);
  const header: JournalHeader = { journal: "stampbook-local-chain", version: JOURNAL_VERSION, chainId: Number(await chain.rpc("eth_chainId")), genesisTime: Number(genesis.timestamp), genesisHash: genesis.hash };
  return record(chain, openJournal(options.journalPath, { header }), { number: 0, hash: genesis.hash }, options, undefined);
}

/** Journals every request to `chain` from `tip` on. */
function record(chain: Chain, journal: JournalWriter, tip: ChainTip, options: Options, restored: LocalChain["restored"]): LocalChain {
  const { connection, server } = chain;
  const recorder = recordChain({ rpc: chain.rpc, journal, tip, onUnrestorable: options.onUnrestorable });
  const recording: Partial<NetworkHooks> = {
    onRequest: async (context, requestConnection, request, next) =>
      requestConnection === connection
        ? ((await recorder.handle(request.method, Array.isArray(request.params) ? request.params : [], () => next(context, requestConnection, request))) as Awaited<ReturnType<typeof next>>)
        : next(context, requestConnection, request),
  };
  hooks.registerHandlers("network", recording);
  return {
    server,
    restored,
    async close() {
      recorder.stop();
      hooks.unregisterHandlers("network", recording);
      await server.close();
      await connection.close();
    },
  };
}

type Chain = Awaited<ReturnType<typeof createChain>>;

/** A simulated chain whose genesis block has `genesisTime`, behind a JSON-RPC server for `host`:`port`. */
async function createChain(host: string, port: number, genesisTime: number) {
  // createServer makes its connection inside; this hook hands it over, to be driven without HTTP.
  let connection: NetworkConnection | undefined;
  const capture: Partial<NetworkHooks> = {
    newConnection: async (context, next) => {
      const made = await next(context);
      connection ??= made as NetworkConnection;
      return made;
    },
  };
  hooks.registerHandlers("network", capture);
  let server: JsonRpcServer;
  try {
    server = await network.createServer({ network: "default", override: { initialDate: new Date(genesisTime * 1000) } }, host, port);
  } finally {
    hooks.unregisterHandlers("network", capture);
  }
  const made = connection!;
  const rpc: Rpc = (method, params = []) => made.provider.request({ method, params });
  return { server, connection: made, rpc };
}
