/**
 * Writes the local chain's journal as the chain changes. It sees every JSON-RPC request the chain
 * answers (a Hardhat `onRequest` hook): after each one that can mine or change state, it journals the
 * blocks mined since (their transactions rebuilt as raw signed transactions, since the chain has no
 * eth_getRawTransactionByHash) and the state changes made outside transactions, in the order they
 * happened. Those requests are taken one at a time so that order is exact; reads pass straight through.
 */
import { formatTransaction, keccak256, recoverTransactionAddress, serializeTransaction, toHex, type Hex } from "viem";
import type { JournalRecord, JournalWriter, UnsignedSend } from "./chain-journal.ts";

export type Rpc = (method: string, params?: unknown[]) => Promise<any>;
export type ChainTip = { number: number; hash: Hex };

/** State changes outside transactions: a replay makes the same calls at the same point. */
const JOURNALED_CALLS = new Set([
  "hardhat_setBalance",
  "hardhat_setCode",
  "hardhat_setNonce",
  "hardhat_setStorageAt",
  "hardhat_setCoinbase",
  "hardhat_setPrevRandao",
  "hardhat_setNextBlockBaseFeePerGas",
  "hardhat_setMinGasPrice",
  "hardhat_impersonateAccount",
  "hardhat_stopImpersonatingAccount",
  "evm_setBlockGasLimit",
]);

/** Requests after which blocks may have been mined. */
const MINING = new Set(["eth_sendRawTransaction", "eth_sendTransaction", "evm_mine", "hardhat_mine", "evm_setAutomine", "evm_setIntervalMining"]);

/** Snapshots, and going back to one: the journal goes back with the chain. */
const UNDOING = new Set(["evm_snapshot", "evm_revert"]);

type RpcTransaction = Record<string, any> & { hash: Hex; from: Hex; type: Hex; input: Hex; v: Hex; r: Hex; s: Hex };

class Unrestorable extends Error {}

export type ChainRecorder = {
  /** Answers one request with `send`, journaling what it changed. */
  handle(method: string, params: unknown[], send: () => Promise<unknown>): Promise<unknown>;
  stop(): void;
};

/**
 * Journals the chain `rpc` reaches into `journal`, from `tip` (the last block the journal holds) on.
 * When something happens a replay could not reproduce, it says why once (`onUnrestorable`), marks
 * the journal and stops writing.
 */
export function recordChain(options: { rpc: Rpc; journal: JournalWriter; tip: ChainTip; onUnrestorable: (reason: string) => void }): ChainRecorder {
  const { rpc, journal } = options;
  let tip = options.tip;
  let stopped = false;
  let queue: Promise<unknown> = Promise.resolve();
  // Transactions the chain signed itself: real signatures for its own accounts, placeholders for impersonated ones.
  const nodeSigned = new Set<string>();
  const snapshots = new Map<bigint, { mark: number; tip: ChainTip }>();

  function serially<T>(work: () => Promise<T>): Promise<T> {
    const run = queue.then(work);
    queue = run.catch(() => undefined);
    return run;
  }

  function giveUp(reason: string) {
    if (stopped) return;
    journal.append({ unrestorable: reason });
    stop();
    options.onUnrestorable(reason);
  }

  function stop() {
    stopped = true;
    clearInterval(poll);
    journal.close();
  }

  /** Journals the blocks mined since `tip`. After hardhat_mine (`mined` blocks, `interval` apart) its empty blocks are one record. */
  async function catchUp(mined?: { count: number; interval: number }) {
    const head = Number(await rpc("eth_blockNumber"));
    let n = tip.number + 1;
    while (n <= head) {
      const block = await rpc("eth_getBlockByNumber", [toHex(n), true]);
      if (block.parentHash !== tip.hash) throw new Unrestorable(`block ${n} does not follow block ${tip.number} as journaled`);
      const time = Number(block.timestamp);
      if (block.transactions.length === 0 && mined && head - n >= 2 && n > head - mined.count) {
        const last = await rpc("eth_getBlockByNumber", [toHex(head), false]);
        if (last.transactions.length === 0 && Number(last.timestamp) === time + (head - n) * mined.interval) {
          journal.append({ block: n, time, hash: last.hash, empty: head - n + 1, interval: mined.interval });
          tip = { number: head, hash: last.hash };
          return;
        }
      }
      const txs: Array<Hex | UnsignedSend> = [];
      for (const tx of block.transactions as RpcTransaction[]) txs.push(await journaled(tx));
      journal.append({ block: n, time, hash: block.hash, txs });
      tip = { number: n, hash: block.hash };
      n++;
    }
  }

  /** A mined transaction as a replay sends it again: raw and signed, or (impersonated) as it was asked for. */
  async function journaled(tx: RpcTransaction): Promise<Hex | UnsignedSend> {
    if (tx.type === "0x3") throw new Unrestorable(`transaction ${tx.hash} carries blobs`);
    // viem's serializer reads the calldata from `data`.
    const formatted = { ...(formatTransaction(tx as never) as Record<string, unknown>), data: tx.input };
    const raw =
      tx.type === "0x0"
        ? // Legacy: its v says whether (and for which chain) it is replay-protected.
          serializeTransaction({ ...formatted, chainId: tx.chainId === undefined ? undefined : Number(tx.chainId), v: undefined, yParity: undefined, r: undefined, s: undefined } as never, { r: tx.r, s: tx.s, v: BigInt(tx.v) })
        : serializeTransaction(formatted as never);
    if (keccak256(raw) !== tx.hash) throw new Unrestorable(`transaction ${tx.hash} (type ${tx.type}) cannot be rebuilt from what the chain returns`);
    if (nodeSigned.delete(tx.hash) && !(await signedBy(raw, tx.from))) return { send: sendFields(tx), hash: tx.hash };
    return raw;
  }

  async function afterSuccess(method: string, params: unknown[], result: unknown) {
    if (method === "eth_sendTransaction") nodeSigned.add(result as string);
    if (method === "evm_revert") {
      const id = BigInt(params[0] as string);
      const snapshot = snapshots.get(id);
      if (result !== true) return;
      if (snapshot === undefined) throw new Unrestorable("evm_revert went back to a snapshot taken before this run");
      journal.truncate(snapshot.mark);
      tip = snapshot.tip;
      // Reverting uses up that snapshot and every later one.
      for (const later of [...snapshots.keys()].filter((k) => k >= id)) snapshots.delete(later);
      return;
    }
    await catchUp(method === "hardhat_mine" ? { count: Number(params[0] ?? 1), interval: Number(params[1] ?? 1) } : undefined);
    if (method === "evm_snapshot") snapshots.set(BigInt(result as string), { mark: journal.mark(), tip });
    if (JOURNALED_CALLS.has(method)) journal.append({ call: method, params } satisfies JournalRecord);
  }

  async function guarded(work: () => Promise<void>) {
    try {
      await work();
    } catch (error) {
      giveUp(error instanceof Unrestorable ? error.message : `journaling failed (${(error as Error).message})`);
    }
  }

  // Blocks can also be mined by a timer (evm_setIntervalMining): looked for every few seconds.
  const poll = setInterval(() => void serially(() => guarded(() => catchUp())), 2_000);
  poll.unref();

  return {
    handle(method, params, send) {
      if (stopped || !(MINING.has(method) || JOURNALED_CALLS.has(method) || UNDOING.has(method))) return send();
      return serially(async () => {
        const response = (await send()) as { result?: unknown; error?: unknown };
        if (response.error === undefined) await guarded(() => afterSuccess(method, params, response.result));
        return response;
      });
    },
    stop() {
      if (!stopped) stop();
    },
  };
}

async function signedBy(raw: Hex, from: Hex): Promise<boolean> {
  try {
    return (await recoverTransactionAddress({ serializedTransaction: raw as never })).toLowerCase() === from.toLowerCase();
  } catch {
    return false;
  }
}

/** What eth_sendTransaction needs to make the same transaction again. */
function sendFields(tx: RpcTransaction): Record<string, unknown> {
  const fields: Record<string, unknown> = { from: tx.from, to: tx.to ?? undefined, value: tx.value, data: tx.input, gas: tx.gas, nonce: tx.nonce };
  if (tx.type === "0x0" || tx.type === "0x1") fields.gasPrice = tx.gasPrice;
  else Object.assign(fields, { maxFeePerGas: tx.maxFeePerGas, maxPriorityFeePerGas: tx.maxPriorityFeePerGas });
  if (tx.type !== "0x0") fields.accessList = tx.accessList ?? [];
  if (tx.authorizationList) fields.authorizationList = tx.authorizationList;
  return fields;
}
