/**
 * The brand's minter: one private key with MINTER_ROLE that pays the gas of server-side mints and
 * airdrops and signs claim vouchers, so members never need native currency.
 *
 * Transactions are signed here and go out as raw transactions through the API's own chain client.
 * Sends are serialised through an in-process queue (nonce, sign, record, broadcast), so two claims
 * never get the same nonce; waiting for receipts happens outside the queue, in parallel.
 *
 * A transaction's hash is known before it is broadcast, and the caller records it first
 * (`beforeBroadcast`): a claim that has no hash was never sent, and one that has a hash can always
 * be looked up on chain later. That is what makes it safe to release a failed claim's limit.
 */
import {
  BaseError,
  ContractFunctionRevertedError,
  createWalletClient,
  custom,
  encodeFunctionData,
  HttpRequestError,
  InsufficientFundsError,
  keccak256,
  NonceTooHighError,
  NonceTooLowError,
  parseSignature,
  publicActions,
  RpcRequestError,
  signatureToCompactSignature,
  SocketClosedError,
  TimeoutError,
  TransactionNotFoundError,
  type Address,
  type Hex,
  type PublicClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { LeaseTimeoutError } from "../../background/leases.ts";
import { StoreBusyError, StoreUnavailableError } from "../../storage/index.ts";
import { MINTER_ROLE, stampbookCollectionAbi } from "../../../contracts/bindings/index.ts";
import { claimVoucherDomain, claimVoucherTypes, type ClaimVoucher } from "../../../contracts/bindings/index.ts";

/** Why a mint did not happen, as a problem code. */
export type MintFailureCode = "mint_failed" | "chain_unavailable";

/** A revert the collection answered with: the custom error's name when the ABI knows it (null when it does not: a recipient contract's own), and its arguments. */
export type Revert = { name: string | null; args: readonly unknown[] };

/** Refused before broadcast, or at it (then `txHash` is the transaction the node refused). */
export type SendFailure = { status: "failed"; code: MintFailureCode; message: string; txHash?: Hex; revert?: Revert };

/** A signed transaction, as the caller records it before broadcast. */
export type SignedTransaction = { hash: Hex; raw: Hex; nonce: number };

export type MintOutcome =
  /** Mined and succeeded. */
  | { status: "minted"; txHash: Hex; blockNumber: bigint }
  /** Definitely not minted: refused before broadcast, or mined and reverted. */
  | SendFailure
  /** Broadcast (or possibly broadcast), no receipt yet: the outcome is unknown. */
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
  /** From {@link Minter.estimateAirdrop}; sent with 20% headroom. */
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

export type ReceiptCheck = { status: "minted"; blockNumber: bigint } | { status: "reverted" } | { status: "unknown" };

export type Minter = {
  address: Address;
  /**
   * Mints `amount` of `tokenId` to `to`, waiting up to the receipt timeout. Throws only a
   * StoreUnavailableError or StoreBusyError, when the store did not answer before the broadcast
   * (nothing was sent: try again later).
   */
  mint(request: MintRequest): Promise<MintOutcome>;
  /** Simulates the airdrop: its gas, or why the collection (or a recipient) would refuse it. Never throws. */
  estimateAirdrop(call: AirdropCall): Promise<GasEstimate>;
  /** Signs, records (`beforeBroadcast`) and broadcasts the airdrop; does not wait for the receipt. Throws only as `mint` does. */
  sendAirdrop(request: AirdropRequest): Promise<SendOutcome>;
  /** Signs a claim voucher with the minter key. */
  signVoucher(collection: Address, voucher: ClaimVoucher): Promise<SignedVoucher>;
  /** What the chain says about a transaction sent earlier; `unknown` when it has no receipt (yet) or cannot be read. */
  checkTransaction(txHash: Hex): Promise<ReceiptCheck>;
  /**
   * Sends a signed transaction again (the node may never have had it). `nonce_used`: its nonce went
   * to another transaction, so unless it is itself mined it never can be.
   */
  rebroadcast(raw: Hex): Promise<"sent" | "nonce_used" | "unavailable">;
  /** Whether the minter holds MINTER_ROLE on `collection`. Throws when the chain cannot be read. */
  canMint(collection: Address): Promise<boolean>;
};

export type MinterOptions = {
  /** The chain client whose transport carries the minter's requests (the API's own). */
  client: PublicClient;
  privateKey: Hex;
  chainId: number;
  /** How long `mint` waits for a receipt before answering `pending`. */
  receiptTimeoutMs: number;
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

export function createMinter(options: MinterOptions): Minter {
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

  // The send queue: each job runs after the previous one has broadcast (or given up).
  let tail: Promise<unknown> = Promise.resolve();
  function serially<T>(job: () => Promise<T>): Promise<T> {
    const run = tail.then(job, job);
    tail = run.catch(() => undefined);
    return run;
  }
  const exclusive = options.exclusive ?? (<T>(send: (stillExclusive: () => boolean) => Promise<T>) => send(() => true));
  // The nonce after our last accepted broadcast: an RPC behind a load balancer may lag behind it.
  // Another instance's broadcasts show in the node's pending count, read under `exclusive`.
  let nextNonce = 0;

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
        nonce = Math.max(nextNonce, await wallet.getTransactionCount({ address: account.address, blockTag: "pending" }));
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
        nextNonce = nonce + 1;
        return { status: "sent", txHash, nonce };
      } catch (error) {
        if (isTransportError(error)) {
          // The node may or may not have it: only the chain can tell later.
          return { status: "pending", txHash, nonce };
        }
        // A transport retry may have delivered it after all (then the node says "already known" or
        // "nonce too low"): if the node has this very transaction, it was sent; signing another would mint twice.
        if ((isNonceError(error) || /already known|known transaction|already imported/i.test(errorText(error))) && (await transactionKnown(client, txHash))) {
          nextNonce = nonce + 1;
          return { status: "sent", txHash, nonce };
        }
        if (isNonceError(error) && attempt < MAX_NONCE_RETRIES) {
          // Someone else used this key (another API process, a script): ask the node again.
          nextNonce = 0;
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
      const check = await checkTransaction(client, txHash);
      if (check.status === "minted") return { status: "minted", txHash, blockNumber: check.blockNumber };
      if (check.status === "reverted") return { status: "failed", code: "mint_failed", message: "the mint transaction reverted", txHash };
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

    checkTransaction: (txHash) => checkTransaction(client, txHash),

    rebroadcast: (raw) => rebroadcast(client, raw),

    async canMint(collection) {
      return wallet.readContract({ address: collection, abi: stampbookCollectionAbi, functionName: "hasRole", args: [MINTER_ROLE, account.address] });
    },
  };
}

type CollectionCall = { functionName: "mint"; args: readonly [Address, bigint, bigint] } | { functionName: "airdrop"; args: readonly [bigint, readonly Address[], bigint] };

function airdropCall(call: AirdropCall) {
  return { functionName: "airdrop", args: [call.tokenId, call.recipients, call.amount] } as const;
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
    if (/already known|already imported|known transaction/i.test(errorText(error))) return "sent";
    return isNonceError(error, "low") ? "nonce_used" : "unavailable";
  }
}

/** What the chain says about a transaction: `unknown` when it has no receipt (yet) or cannot be read. */
export async function checkTransaction(client: PublicClient, txHash: Hex): Promise<ReceiptCheck> {
  try {
    const receipt = await client.getTransactionReceipt({ hash: txHash });
    return receipt.status === "success" ? { status: "minted", blockNumber: receipt.blockNumber } : { status: "reverted" };
  } catch {
    // TransactionReceiptNotFoundError (not mined yet) or the chain cannot be read.
    return { status: "unknown" };
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

function errorText(error: unknown): string {
  if (error instanceof BaseError) return `${error.shortMessage} ${error.details ?? ""} ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** A refusal because of the nonce: viem's typed errors where it maps them, the node's words otherwise. */
function isNonceError(error: unknown, which: "low" | "any" = "any"): boolean {
  const typed = error instanceof BaseError && error.walk((e) => e instanceof NonceTooLowError || (which === "any" && e instanceof NonceTooHighError)) !== null;
  const pattern = which === "low" ? /nonce too low|nonce has already been used|nonce is too low/i : /nonce too (low|high)|nonce has already been used|nonce is too (low|high)/i;
  return typed || pattern.test(errorText(error));
}

/** The revert inside a failed call: viem decodes it with the collection's ABI (a recipient contract's own error stays nameless). */
function revertOf(error: BaseError): { name: string | null; args: readonly unknown[]; reason: string | undefined } | null {
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null;
  if (reverted === null) return null;
  return { name: reverted.data?.errorName ?? null, args: reverted.data?.args ?? [], reason: reverted.reason ?? (reverted.signature ? `error ${reverted.signature}` : undefined) };
}

function isTransportError(error: unknown): boolean {
  if (!(error instanceof BaseError)) return true; // fetch and socket failures arrive unwrapped
  return error.walk((e) => e instanceof HttpRequestError || e instanceof TimeoutError || e instanceof SocketClosedError) !== null;
}

/** The collection's custom errors a member may meet, in words. */
const REVERTS_IN_WORDS: Record<string, string> = {
  MaxSupplyExceeded: "none are left",
  MembershipAlreadyHeld: "you already hold this membership",
  EnforcedPause: "the collection is paused for now",
  ERC1155InvalidReceiver: "this wallet cannot receive it",
  UnknownTokenType: "the item does not exist",
  AccessControlUnauthorizedAccount: "the brand's minter may not mint on this collection",
  AmountTooLarge: "the amount is too large",
};

/** A failure before or at broadcast, as a problem code and a message for people (and the revert, decoded, when there was one). */
function classify(error: unknown, what: "mint" | "airdrop" = "mint"): { code: MintFailureCode; message: string; revert?: Revert } {
  if (error instanceof BaseError) {
    const reverted = revertOf(error);
    if (reverted !== null) {
      // Members read the message: the reason in words; the decoded error stays in `revert`, for details.
      const words = reverted.name === null ? undefined : REVERTS_IN_WORDS[reverted.name];
      const detail = reverted.name === null ? (reverted.reason ?? "no reason given") : words === undefined ? reverted.name : `${words} (${reverted.name})`;
      return { code: "mint_failed", message: `the collection refused the ${what}: ${detail}`, revert: { name: reverted.name, args: reverted.args } };
    }
    if (error.walk((e) => e instanceof InsufficientFundsError) !== null) {
      return { code: "mint_failed", message: "the minter cannot pay for gas (insufficient funds)" };
    }
    if (isTransportError(error)) return { code: "chain_unavailable", message: "the chain cannot be reached" };
    if (error.walk((e) => e instanceof RpcRequestError) !== null || error.shortMessage) {
      return { code: "mint_failed", message: error.shortMessage };
    }
  }
  if (!(error instanceof BaseError)) return { code: "chain_unavailable", message: "the chain cannot be reached" };
  return { code: "mint_failed", message: "the mint could not be sent" };
}
