/**
 * What became of a transaction a sender recorded and (maybe) broadcast: the one settlement every
 * feature uses for its recorded transactions (a claim's mint, an award batch's airdrop, and anything
 * sent later the same way).
 *
 * - A receipt whose block is `confirmations` (CONFIRMATIONS) under the head: mined (done) or reverted
 *   (nothing it would have done happened). The chain index's rule: a block is final once
 *   head - block >= CONFIRMATIONS, so 0 settles a receipt at the head, as it comes.
 * - A receipt less deep: confirming. A reorg may still take its block out, so nothing is done yet and
 *   it is asked again; taken out, it has no receipt and is settled as below (sent again).
 * - No receipt, and its nonce went to another transaction (the sender's mined nonce is past it, or
 *   the node refuses it again for its nonce): once that is final too (the nonce is used at the final
 *   block) and unless the node still has this very transaction, it never can be mined — dropped.
 * - Replaced: a sender that signs again after a nonce clash records the replacement in place of the
 *   one it replaces, so the recorded transaction is always the one whose fate settles the work.
 * - Otherwise it may still be mined; the node may have lost it (a restart, a full mempool, a reorg
 *   that took its block out), so the very same signed transaction goes out again, which is always
 *   harmless: at most one transaction with its nonce is ever mined. Pending.
 *
 * Nothing here signs: a settlement never sends anything but the recorded transaction itself. With
 * CONFIRMATIONS above 0 the node must keep state that many blocks back (full nodes keep 128) to tell
 * a dropped transaction.
 */
import { BaseError, parseTransaction, recoverTransactionAddress, TransactionNotFoundError, TransactionReceiptNotFoundError, type Address, type Hex, type PublicClient } from "viem";
import { isAlreadyKnown, isNonceError, isTransportError } from "./failures.ts";

/** A transaction as recorded before its broadcast. `from` and `nonce` are read from `raw` when not given. */
export type RecordedTransaction = { hash: Hex; raw: Hex | null; from?: Address | null; nonce?: number | null };

export type SettleOptions = {
  /** Blocks a receipt's block must be under the head before it settles the work (CONFIRMATIONS). Default 0: at once. */
  confirmations?: number;
};

export type Settlement =
  /** Mined and succeeded, `confirmations` deep. */
  | { status: "mined"; blockNumber: bigint; gasUsed: bigint }
  /** Mined and reverted, `confirmations` deep. */
  | { status: "reverted"; blockNumber: bigint }
  /** Mined (or reverted) at `blockNumber`, only `depth` blocks under the head so far: a reorg may still take it out. Not done. */
  | { status: "confirming"; blockNumber: bigint; depth: number }
  /** Not mined, and never can be: its nonce went to another transaction. */
  | { status: "dropped"; nonce: number }
  /** Not mined yet, and may be: sent again. `trouble`: why the node did not take it again, in words (null when it did). */
  | { status: "pending"; trouble: string | null }
  /** The chain could not be read: nothing is known yet. */
  | { status: "unreadable"; error: unknown };

/** The transaction's receipt, or null while it has none; throws when the chain cannot be read. */
export async function receiptOf(client: PublicClient, hash: Hex): Promise<{ status: "success" | "reverted"; blockNumber: bigint; blockHash: Hex; gasUsed: bigint } | null> {
  try {
    return await client.getTransactionReceipt({ hash });
  } catch (error) {
    if (error instanceof TransactionReceiptNotFoundError) return null;
    throw error;
  }
}

/**
 * What the transaction's receipt settles: mined or reverted once its block is `confirmations` under
 * the head, confirming before that; null while it has none (or only one from a branch the chain
 * left). Throws when the chain cannot be read.
 */
export async function settledReceipt(client: PublicClient, hash: Hex, confirmations: number): Promise<Settlement | null> {
  const receipt = await receiptOf(client, hash);
  if (receipt === null) return null;
  if (confirmations > 0) {
    // The head after the receipt, so the receipt's block is never above it.
    const depth = (await client.getBlockNumber({ cacheTime: 0 })) - receipt.blockNumber;
    if (depth < BigInt(confirmations)) return { status: "confirming", blockNumber: receipt.blockNumber, depth: depth < 0n ? 0 : Number(depth) };
    // Deep enough if its block is still the chain's at that height: a reorg between the two reads must not lend it the new branch's depth.
    if ((await client.getBlock({ blockNumber: receipt.blockNumber })).hash !== receipt.blockHash) return null;
  }
  return receipt.status === "success" ? { status: "mined", blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed } : { status: "reverted", blockNumber: receipt.blockNumber };
}

/**
 * Sends a signed transaction again (the node may never have had it). `nonce_used`: its nonce went
 * to another transaction, so unless it is itself mined it never can be.
 */
export async function rebroadcast(client: PublicClient, raw: Hex): Promise<"sent" | "nonce_used" | "unavailable"> {
  try {
    await client.request({ method: "eth_sendRawTransaction", params: [raw] });
    return "sent";
  } catch (error) {
    if (isTransportError(error)) return "unavailable";
    if (isAlreadyKnown(error)) return "sent";
    return isNonceError(error, "low") ? "nonce_used" : "unavailable";
  }
}

/** Whether the node has the transaction (mined or waiting); true when it cannot tell, to stay on the safe side. */
export async function transactionKnown(client: PublicClient, hash: Hex): Promise<boolean> {
  try {
    await client.getTransaction({ hash });
    return true;
  } catch (error) {
    return !(error instanceof BaseError && error.walk((e) => e instanceof TransactionNotFoundError) !== null);
  }
}

/** Settles a recorded transaction from the chain; see the top of this file. Never throws. */
export async function settleTransaction(client: PublicClient, tx: RecordedTransaction, options: SettleOptions = {}): Promise<Settlement> {
  const confirmations = options.confirmations ?? 0;
  try {
    if (tx.raw === null) {
      // Recorded without its signed form: only a receipt can settle it.
      return (await settledReceipt(client, tx.hash, confirmations)) ?? { status: "pending", trouble: null };
    }
    const signer = await signerOf({ ...tx, raw: tx.raw });
    // The mined nonce first, the receipt second: a transaction mined in between shows as mined, never as dropped.
    const mined = await client.getTransactionCount({ address: signer.from, blockTag: "latest" });
    const settled = await settledReceipt(client, tx.hash, confirmations);
    if (settled !== null) return settled;
    if (mined > signer.nonce) return dropUnlessKnown(client, tx.hash, signer, confirmations, null);
    // Not mined, nonce unused: the very same transaction again. A node that mines at once shows its receipt now.
    const resent = await rebroadcast(client, tx.raw);
    if (resent !== "unavailable") {
      const after = await settledReceipt(client, tx.hash, confirmations).catch(() => null);
      if (after !== null) return after;
    }
    if (resent === "nonce_used") return dropUnlessKnown(client, tx.hash, signer, confirmations, `nonce ${signer.nonce} is being used by another transaction`);
    return { status: "pending", trouble: resent === "sent" ? null : "the chain did not take it again; retrying" };
  } catch (error) {
    return { status: "unreadable", error };
  }
}

/**
 * Its nonce is used by a transaction that is not this one: it never can be mined, unless the node
 * still has this one (it cannot tell, or it is catching up) or the other is not final yet (a reorg
 * may give the nonce back).
 */
async function dropUnlessKnown(client: PublicClient, hash: Hex, signer: { from: Address; nonce: number }, confirmations: number, trouble: string | null): Promise<Settlement> {
  if (confirmations > 0) {
    const final = (await client.getBlockNumber({ cacheTime: 0 })) - BigInt(confirmations);
    const usedFinal = final < 0n ? 0 : await client.getTransactionCount({ address: signer.from, blockNumber: final });
    if (usedFinal <= signer.nonce) return { status: "pending", trouble };
  }
  return (await transactionKnown(client, hash)) ? { status: "pending", trouble } : { status: "dropped", nonce: signer.nonce };
}

/** Who signed the transaction, and with which nonce: as recorded, or read from the signed transaction. */
async function signerOf(tx: RecordedTransaction & { raw: Hex }): Promise<{ from: Address; nonce: number }> {
  const nonce = tx.nonce ?? parseTransaction(tx.raw).nonce;
  if (nonce === undefined) throw new Error(`transaction ${tx.hash} was recorded without a nonce`);
  return { from: tx.from ?? (await recoverTransactionAddress({ serializedTransaction: tx.raw as never })), nonce };
}
