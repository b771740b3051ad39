/**
 * A brand's sender: one private key with MINTER_ROLE that pays the gas of server-side mints and
 * airdrops and signs claim vouchers, so members never need native currency.
 *
 * Transactions are signed here and go out as raw transactions through the API's own chain client.
 * Sends are serialised through an in-process queue (nonce, sign, record, broadcast), so two claims
 * never get the same nonce; waiting for receipts happens outside the queue, in parallel. Across
 * instances, sends with one key take turns under the key's lease (`exclusive`, see brand-senders.ts).
 *
 * A transaction's hash is known before it is broadcast, and the caller records it first
 * (`beforeBroadcast`): work that has no hash was never sent, and work that has one can always be
 * settled from the chain later (settlement.ts). That is what makes it safe to release a failed
 * claim's limit, or put a batch's awards back in the queue.
 */
import { createWalletClient, custom, encodeFunctionData, keccak256, parseSignature, publicActions, signatureToCompactSignature, type Address, type Hex, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { LeaseTimeoutError } from "../../background/leases.ts";
import { createTurns } from "../../background/turns.ts";
import { StoreBusyError, StoreUnavailableError } from "../../storage/index.ts";
import { MINTER_ROLE, stampbookCollectionAbi } from "../../../contracts/bindings/index.ts";
import { claimVoucherDomain, claimVoucherTypes, type ClaimVoucher } from "../../../contracts/bindings/index.ts";
import { classify, isAlreadyKnown, isNonceError, isTransportError, type SendFailure } from "./failures.ts";
import { createNonceCounter } from "./nonce.ts";
import { settledReceipt, transactionKnown } from "./settlement.ts";

/** A signed transaction, as the caller records it before broadcast. */
export type SignedTransaction = { hash: Hex; raw: Hex; nonce: number };

export type MintOutcome =
  /** Mined and succeeded, CONFIRMATIONS deep. */
  | { status: "minted"; txHash: Hex; blockNumber: bigint }
  /** Definitely not minted: refused before broadcast, or mined and reverted. */
  | SendFailure
  /** Broadcast (or possibly broadcast), no receipt yet or not yet CONFIRMATIONS deep: the outcome is unknown. */
  | { status: "pending"; txHash: Hex }
  /** `beforeBroadcast` said no: nothing was sent. */
  | { status: "aborted" };

export type MintRequest = {
  collection: Address;
  to: Address;
  tokenId: bigint;
  amount: bigint;
  /** Called with the signed transaction and its hash before it is sent; false: do not send. */
  beforeBroadcast: (tx: { hash: Hex; raw: Hex }) => Promise<boolean>;
};

/** `airdrop(tokenId, recipients, amount)` on `collection`. */
export type AirdropCall = {
  collection: Address;
  tokenId: bigint;
  recipients: readonly Address[];
  amount: bigint;
};

export type AirdropRequest = AirdropCall & {
  /** From {@link Sender.estimateAirdrop}; sent with 20% headroom. */
  gas: bigint;
  /**
   * Called with each signed transaction before it is sent (again after a nonce clash, with the
   * replacement); false: do not send.
   */
  beforeBroadcast: (tx: SignedTransaction) => Promise<boolean>;
};

export type GasEstimate = { status: "ok"; gas: bigint } | SendFailure;

/** How a send ended, without waiting for its receipt. */
export type SendOutcome =
  /** The node took it. */
  | { status: "sent"; txHash: Hex; nonce: number }
  /** Recorded, and maybe with the node: only the chain can tell later. */
  | { status: "pending"; txHash: Hex; nonce: number }
  | SendFailure
  /** `beforeBroadcast` said no: nothing was sent. */
  | { status: "aborted" };

export type SignedVoucher = {
  chainId: number;
  collection: Address;
  voucher: ClaimVoucher;
  /** The 65-byte signature. */
  signature: Hex;
  /** ERC-2098 compact form, as `claim(voucher, r, vs)` takes it. */
  r: Hex;
  vs: Hex;
};

export type Sender = {
  address: Address;
  /**
   * Mints `amount` of `tokenId` to `to`, waiting up to the receipt timeout for its receipt to be
   * `confirmations` deep. Throws only a StoreUnavailableError or StoreBusyError, when the store did
   * not answer before the broadcast (nothing was sent: try again later).
   */
  mint(request: MintRequest): Promise<MintOutcome>;
  /** Simulates the airdrop: its gas, or why the collection (or a recipient) would refuse it. Never throws. */
  estimateAirdrop(call: AirdropCall): Promise<GasEstimate>;
  /** Signs, records (`beforeBroadcast`) and broadcasts the airdrop; does not wait for the receipt. Throws only as `mint` does. */
  sendAirdrop(request: AirdropRequest): Promise<SendOutcome>;
  /** Signs a claim voucher with the minter key. */
  signVoucher(collection: Address, voucher: ClaimVoucher): Promise<SignedVoucher>;
  /** Whether the minter holds MINTER_ROLE on `collection`. Throws when the chain cannot be read. */
  canMint(collection: Address): Promise<boolean>;
};

export type SenderOptions = {
  /** The chain client whose transport carries the minter's requests (the API's own). */
  client: PublicClient;
  privateKey: Hex;
  chainId: number;
  /** How long `mint` waits for a receipt before answering `pending`. */
  receiptTimeoutMs: number;
  /** Blocks a mint's receipt must be under the head before `mint` answers from it (CONFIRMATIONS, see settlement.ts). Default 0. */
  confirmations?: number;
  /** How often it asks for the receipt meanwhile. Default: a tenth of the timeout, 50 ms to 1 s. */
  pollingIntervalMs?: number;
  /**
   * Runs one send (nonce, sign, record, broadcast) while no other process sends with this key:
   * several API instances share each brand's minter. `stillExclusive` says whether that still holds
   * (a lease lost while the store was out of reach): nothing is recorded or sent once it does not.
   * Default: this process's queue alone.
   */
  exclusive?: <T>(send: (stillExclusive: () => boolean) => Promise<T>) => Promise<T>;
};

const MAX_NONCE_RETRIES = 3;

export function createSender(options: SenderOptions): Sender {
  const account = privateKeyToAccount(options.privateKey);
  const chain = {
    id: options.chainId,
    name: `chain ${options.chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [] as string[] } },
  };
  const { client } = options;
  // Requests go through the API's client, which has its own retry policy: none added here.
  const wallet = createWalletClient({ account, chain, transport: custom({ request: (args) => client.request(args as never) }, { retryCount: 0 }) }).extend(publicActions);
  const pollingMs = options.pollingIntervalMs ?? Math.min(1_000, Math.max(50, Math.floor(options.receiptTimeoutMs / 10)));
  const confirmations = options.confirmations ?? 0;

  // The send queue: each job runs after the previous one has broadcast (or given up).
  const serially = createTurns();
  const exclusive = options.exclusive ?? (<T>(send: (stillExclusive: () => boolean) => Promise<T>) => send(() => true));
  // Read under `exclusive`, so another instance's broadcasts show in the node's pending count.
  const nonces = createNonceCounter(client, account.address);

  /** One transaction to the collection: its calldata, gas and the caller's record step. */
  type Call = { to: Address; data: Hex; gas: bigint; beforeBroadcast: (tx: SignedTransaction) => Promise<boolean> };

  /** Simulates a call: a revert (no role, sold out, membership already held, paused, a refusing recipient) ends here, decoded. */
  async function estimate(to: Address, call: CollectionCall): Promise<bigint | SendFailure> {
    try {
      // `from` as a bare address: just eth_estimateGas, without viem filling in a whole local-account transaction first.
      return await wallet.estimateContractGas({ address: to, abi: stampbookCollectionAbi, ...call, account: account.address } as never);
    } catch (error) {
      return { status: "failed", ...classify(error, call.functionName) };
    }
  }

  /** Runs in the queue: nonce, sign, record, broadcast. */
  async function send(call: Call, stillExclusive: () => boolean): Promise<SendOutcome> {
    const { data, gas } = call;
    for (let attempt = 1; ; attempt++) {
      let serialized: Hex;
      let nonce: number;
      try {
        nonce = await nonces.next();
        // 20% headroom over the estimate: state may change between estimate and inclusion.
        const prepared = await wallet.prepareTransactionRequest({ account, chain, to: call.to, data, gas: (gas * 12n) / 10n, nonce });
        serialized = await wallet.signTransaction(prepared as never);
      } catch (error) {
        return { status: "failed", ...classify(error) };
      }
      const txHash = keccak256(serialized);
      // The lease lapsed (the store was out of reach for a lease time): another instance may have
      // this key's turn now, and with it this nonce. Record nothing, send nothing; try again later.
      if (!stillExclusive()) throw new StoreUnavailableError(new Error("the minter's send lease lapsed while the store was out of reach"));
      if (!(await call.beforeBroadcast({ hash: txHash, raw: serialized, nonce }))) return { status: "aborted" };
      try {
        await wallet.sendRawTransaction({ serializedTransaction: serialized });
        nonces.accepted(nonce);
        return { status: "sent", txHash, nonce };
      } catch (error) {
        if (isTransportError(error)) {
          // The node may or may not have it: only the chain can tell later.
          return { status: "pending", txHash, nonce };
        }
        // A transport retry may have delivered it after all (then the node says "already known" or
        // "nonce too low"): if the node has this very transaction, it was sent; signing another would mint twice.
        if ((isNonceError(error) || isAlreadyKnown(error)) && (await transactionKnown(client, txHash))) {
          nonces.accepted(nonce);
          return { status: "sent", txHash, nonce };
        }
        if (isNonceError(error) && attempt < MAX_NONCE_RETRIES) {
          // Someone else used this key (another API process, a script): ask the node again.
          nonces.forget();
          continue;
        }
        return { status: "failed", txHash, ...classify(error) };
      }
    }
  }

  /** A send in this process's queue, holding the key's lease across instances. */
  async function queued(call: Call): Promise<SendOutcome> {
    try {
      return await serially(() => exclusive((stillExclusive) => send(call, stillExclusive)));
    } catch (error) {
      // The store did not answer (for the key's turn, or to record the transaction): nothing was
      // sent, and the caller's work may simply be tried again once it answers.
      if (error instanceof StoreUnavailableError || error instanceof StoreBusyError) throw error;
      // Another instance held the key's turn too long, or the record step refused: nothing was sent.
      const message = error instanceof LeaseTimeoutError ? "the minter is busy: another instance held its key too long" : "the transaction could not be recorded; nothing was sent";
      return { status: "failed", code: "mint_failed", message };
    }
  }

  async function waitForReceipt(txHash: Hex): Promise<MintOutcome> {
    const deadline = Date.now() + options.receiptTimeoutMs;
    for (;;) {
      // Not mined yet, not deep yet, or the chain cannot be read right now: ask again until the deadline.
      const settled = await settledReceipt(client, txHash, confirmations).catch(() => null);
      if (settled?.status === "mined") return { status: "minted", txHash, blockNumber: settled.blockNumber };
      if (settled?.status === "reverted") return { status: "failed", code: "mint_failed", message: "the mint transaction reverted", txHash };
      const left = deadline - Date.now();
      if (left <= 0) return { status: "pending", txHash };
      await new Promise((resolve) => setTimeout(resolve, Math.min(pollingMs, left)));
    }
  }

  return {
    address: account.address,

    async mint(request) {
      const call = { functionName: "mint", args: [request.to, request.tokenId, request.amount] } as const;
      // Estimates run side by side; only what needs the nonce waits its turn.
      const gas = await estimate(request.collection, call);
      if (typeof gas !== "bigint") return gas;
      const sent = await queued({ to: request.collection, data: encodeFunctionData({ abi: stampbookCollectionAbi, ...call }), gas, beforeBroadcast: request.beforeBroadcast });
      if (sent.status === "sent") return waitForReceipt(sent.txHash);
      return sent.status === "pending" ? { status: "pending", txHash: sent.txHash } : sent;
    },

    async estimateAirdrop(call) {
      const gas = await estimate(call.collection, airdropCall(call));
      return typeof gas === "bigint" ? { status: "ok", gas } : gas;
    },

    sendAirdrop: (request) =>
      queued({ to: request.collection, data: encodeFunctionData({ abi: stampbookCollectionAbi, ...airdropCall(request) }), gas: request.gas, beforeBroadcast: request.beforeBroadcast }),

    async signVoucher(collection, voucher) {
      const signature = await account.signTypedData({
        domain: claimVoucherDomain(collection, options.chainId),
        types: claimVoucherTypes,
        primaryType: "ClaimVoucher",
        message: voucher,
      });
      const { r, yParityAndS } = signatureToCompactSignature(parseSignature(signature));
      return { chainId: options.chainId, collection, voucher, signature, r, vs: yParityAndS };
    },

    async canMint(collection) {
      return wallet.readContract({ address: collection, abi: stampbookCollectionAbi, functionName: "hasRole", args: [MINTER_ROLE, account.address] });
    },
  };
}

type CollectionCall = { functionName: "mint"; args: readonly [Address, bigint, bigint] } | { functionName: "airdrop"; args: readonly [bigint, readonly Address[], bigint] };

function airdropCall(call: AirdropCall) {
  return { functionName: "airdrop", args: [call.tokenId, call.recipients, call.amount] } as const;
}
