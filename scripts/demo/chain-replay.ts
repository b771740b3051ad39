/**
 * Replays a journal (scripts/demo/chain-journal.ts) into a new chain created with the same genesis:
 * with automine off, each block gets its journaled timestamp and transactions, then is mined, empty
 * blocks too, so numbers, transaction hashes, contract addresses and block hashes come back the same.
 * Every block's hash is checked: a chain that comes back different is not used.
 */
import { toHex, type Hex } from "viem";
import type { JournalRecord } from "./chain-journal.ts";
import type { ChainTip, Rpc } from "./chain-recorder.ts";

export class ReplayError extends Error {}

/** Replays `records` through `rpc`; returns the last block. Throws a ReplayError where the chain differs. */
export async function replayJournal(rpc: Rpc, records: JournalRecord[], genesis: ChainTip): Promise<ChainTip> {
  let tip = genesis;
  await rpc("evm_setAutomine", [false]);
  try {
    for (const record of records) {
      if ("call" in record) {
        await rpc(record.call, record.params);
        continue;
      }
      if (!("block" in record)) continue;
      await rpc("evm_setNextBlockTimestamp", [record.time]);
      if ("empty" in record) await rpc("hardhat_mine", [toHex(record.empty), toHex(record.interval)]);
      else {
        for (const tx of record.txs) {
          const sent: Hex = typeof tx === "string" ? await rpc("eth_sendRawTransaction", [tx]) : await rpc("eth_sendTransaction", [tx.send]);
          if (typeof tx !== "string" && sent !== tx.hash) throw new ReplayError(`a transaction of block ${record.block} came back as ${sent}, not ${tx.hash}`);
        }
        await rpc("evm_mine");
      }
      const number = "empty" in record ? record.block + record.empty - 1 : record.block;
      const block = await rpc("eth_getBlockByNumber", [toHex(number), false]);
      if (block?.hash !== record.hash) throw new ReplayError(`block ${number} came back different`);
      tip = { number, hash: block.hash };
    }
  } catch (error) {
    if (error instanceof ReplayError) throw error;
    throw new ReplayError(`replaying block ${tip.number + 1} failed (${(error as Error).message})`);
  } finally {
    await rpc("evm_setAutomine", [true]);
  }
  return tip;
}
