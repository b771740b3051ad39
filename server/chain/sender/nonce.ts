/**
 * The nonce a sender's next transaction takes: the node's pending count, or one past our own last
 * accepted broadcast when that is higher (an RPC behind a load balancer may lag behind it). Another
 * instance's broadcasts show in the node's pending count, read while that instance cannot send.
 */
import type { Address, PublicClient } from "viem";

export type NonceCounter = {
  /** The nonce to sign the next transaction with. */
  next(): Promise<number>;
  /** The node accepted a transaction with `nonce`. */
  accepted(nonce: number): void;
  /** The node refused our nonce (someone else used the key): ask it afresh next time. */
  forget(): void;
};

export function createNonceCounter(client: PublicClient, address: Address): NonceCounter {
  let afterOurs = 0;
  return {
    async next() {
      return Math.max(afterOurs, await client.getTransactionCount({ address, blockTag: "pending" }));
    },
    accepted(nonce) {
      afterOurs = nonce + 1;
    },
    forget() {
      afterOurs = 0;
    },
  };
}
