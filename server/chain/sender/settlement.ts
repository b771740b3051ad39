/**
 * What became of a transaction a sender recorded and (maybe) broadcast: the one settlement every
 * feature uses for its recorded transactions (a claim's mint, an award batch's airdrop, and anything
 * sent later the same way).
 *
 * - A receipt: mined (done) or reverted (nothing it would have done happened).
 * - No receipt, and its nonce went to another transaction (the sender's mined nonce is past it, or
 *   the node refuses it again for its nonce): unless the node still has this very transaction, it
 *   never can be mined — dropped.
 * - Replaced: a sender that signs again after a nonce clash records the replacement in place of the
 *   one it replaces, so the recorded transaction is always the one whose fate settles the work.
 * - Otherwise it may still be mined; the node may have lost it (a restart, a full mempool), so the
 *   very same signed transaction goes out again, which is always harmless. Pending.
 *
 * Nothing here signs: a settlement never sends anything but the recorded transaction itself.
 */
import { BaseError, parseTransaction, recoverTransactionAddress, TransactionNotFoundError, TransactionReceiptNotFoundError, type Address, type Hex, type PublicClient } from "viem";
import { isAlreadyKnown, isNonceError, isTransportError } from "./failures.ts";

/** A transaction as recorded before its broadcast. `from` and `nonce` are read from `raw` when not given. */
export type RecordedTransaction = { hash: Hex; raw: Hex | null; from?: Address | null; nonce?: number | null };

export type Settlement =
  /** Mined and succeeded. */
  | { status: "mined"; blockNumber: bigint; gasUsed: bigint }
  /** Mined and reverted. */
  | { status: "reverted"; blockNumber: bigint }
  /** Not mined, and never can be: its nonce went to another transaction. */
  | { status: "dropped"; nonce: number }
  /** Not mined yet, and may be: sent again. `trouble`: why the node did not take it again, in words (null when it did). */
  | { status: "pending"; trouble: string | null }
  /** The chain could not be read: nothing is known yet. */
  | { status: "unreadable"; error: unknown };

/** The transaction's receipt, or null while it has none; throws when the chain cannot be read. */
export async function receiptOf(client: PublicClient, hash: Hex): Promise<{ status: "success" | "reverted"; blockNumber: bigint; gasUsed: bigint } | null> {
  try {
    return await client.getTransactionReceipt({ hash });
  } catch (error) {
    if (error instanceof TransactionReceiptNotFoundError) return null;
    throw error;
  }
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
export async function settleTransaction(client: PublicClient, tx: RecordedTransaction): Promise<Settlement> {
  try {
    if (tx.raw === null) {
      // Recorded without its signed form: only a receipt can settle it.
      return fromReceipt(await receiptOf(client, tx.hash)) ?? { status: "pending", trouble: null };
    }
    const { from, nonce } = await signerOf({ ...tx, raw: tx.raw });
    // The mined nonce first, the receipt second: a transaction mined in between shows as mined, never as dropped.
    const mined = await client.getTransactionCount({ address: from, blockTag: "latest" });
    const settled = fromReceipt(await receiptOf(client, tx.hash));
    if (settled !== null) return settled;
    if (mined > nonce) return dropUnlessKnown(client, tx.hash, nonce, null);
    // Not mined, nonce unused: the very same transaction again. A node that mines at once shows its receipt now.
    const resent = await rebroadcast(client, tx.raw);
    if (resent !== "unavailable") {
      const after = fromReceipt(await receiptOf(client, tx.hash).catch(() => null));
      if (after !== null) return after;
    }
    if (resent === "nonce_used") return dropUnlessKnown(client, tx.hash, nonce, `nonce ${nonce} is being used by another transaction`);
    return { status: "pending", trouble: resent === "sent" ? null : "the chain did not take it again; retrying" };
  } catch (error) {
    return { status: "unreadable", error };
  }
}

function fromReceipt(receipt: Awaited<ReturnType<typeof receiptOf>>): Settlement | null {
  if (receipt === null) return null;
  return receipt.status === "success" ? { status: "mined", blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed } : { status: "reverted", blockNumber: receipt.blockNumber };
}

/** Its nonce is used by a transaction that is not this one: unless the node still has this one (it cannot tell, or it is catching up), it never can be mined. */
async function dropUnlessKnown(client: PublicClient, hash: Hex, nonce: number, trouble: string | null): Promise<Settlement> {
  return (await transactionKnown(client, hash)) ? { status: "pending", trouble } : { status: "dropped", nonce };
}

/** Who signed the transaction, and with which nonce: as recorded, or read from the signed transaction. */
async function signerOf(tx: RecordedTransaction & { raw: Hex }): Promise<{ from: Address; nonce: number }> {
  const nonce = tx.nonce ?? parseTransaction(tx.raw).nonce;
  if (nonce === undefined) throw new Error(`transaction ${tx.hash} was recorded without a nonce`);
  return { from: tx.from ?? (await recoverTransactionAddress({ serializedTransaction: tx.raw as never })), nonce };
}
