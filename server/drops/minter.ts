/**
 * The brand's minter: one private key with MINTER_ROLE that pays the gas of server-side mints and
 * signs claim vouchers, so members never need native currency.
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
import { MINTER_ROLE, stampbookCollectionAbi } from "../../contracts/bindings/index.ts";
import { claimVoucherDomain, claimVoucherTypes, type ClaimVoucher } from "../../contracts/bindings/index.ts";

/** Why a mint did not happen, as a problem code. */
export type MintFailureCode = "mint_failed" | "chain_unavailable";

export type MintOutcome =
  /** Mined and succeeded. */
  | { status: "minted"; txHash: Hex; blockNumber: bigint }
  /** Definitely not minted: refused before broadcast, or mined and reverted. */
  | { status: "failed"; code: MintFailureCode; message: string; txHash?: Hex }
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
  /** Mints `amount` of `tokenId` to `to`, waiting up to the receipt timeout. Never throws. */
  mint(request: MintRequest): Promise<MintOutcome>;
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
   * several API instances share each brand's minter. Default: this process's queue alone.
   */
  exclusive?: <T>(send: () => Promise<T>) => Promise<T>;
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
  const exclusive = options.exclusive ?? (<T>(send: () => Promise<T>) => send());
  // The nonce after our last accepted broadcast: an RPC behind a load balancer may lag behind it.
  // Another instance's broadcasts show in the node's pending count, read under `exclusive`.
  let nextNonce = 0;

  type Sent = { status: "sent"; txHash: Hex } | Extract<MintOutcome, { status: "failed" | "pending" | "aborted" }>;

  /** Simulates the mint: a revert (no role, sold out, membership already held, paused) ends here, decoded. */
  async function estimate(request: MintRequest): Promise<bigint | Extract<MintOutcome, { status: "failed" }>> {
    try {
      // `from` as a bare address: just eth_estimateGas, without viem filling in a whole local-account transaction first.
      const args = [request.to, request.tokenId, request.amount] as const;
      return await wallet.estimateContractGas({ address: request.collection, abi: stampbookCollectionAbi, functionName: "mint", args, account: account.address });
    } catch (error) {
      return { status: "failed", ...classify(error) };
    }
  }

  /** Runs in the queue: nonce, sign, record, broadcast. */
  async function send(request: MintRequest, gas: bigint): Promise<Sent> {
    const data = encodeFunctionData({ abi: stampbookCollectionAbi, functionName: "mint", args: [request.to, request.tokenId, request.amount] });
    for (let attempt = 1; ; attempt++) {
      let serialized: Hex;
      let nonce: number;
      try {
        nonce = Math.max(nextNonce, await wallet.getTransactionCount({ address: account.address, blockTag: "pending" }));
        // 20% headroom over the estimate: state may change between estimate and inclusion.
        const prepared = await wallet.prepareTransactionRequest({ account, chain, to: request.collection, data, gas: (gas * 12n) / 10n, nonce });
        serialized = await wallet.signTransaction(prepared as never);
      } catch (error) {
        return { status: "failed", ...classify(error) };
      }
      const txHash = keccak256(serialized);
      if (!(await request.beforeBroadcast({ hash: txHash, raw: serialized }))) return { status: "aborted" };
      try {
        await wallet.sendRawTransaction({ serializedTransaction: serialized });
        nextNonce = nonce + 1;
        return { status: "sent", txHash };
      } catch (error) {
        if (isTransportError(error)) {
          // The node may or may not have it: only the chain can tell later.
          return { status: "pending", txHash };
        }
        // A transport retry may have delivered it after all (then the node says "already known" or
        // "nonce too low"): if the node has this very transaction, it was sent; signing another would mint twice.
        if ((isNonceError(error) || /already known|known transaction|already imported/i.test(errorText(error))) && (await transactionKnown(client, txHash))) {
          nextNonce = nonce + 1;
          return { status: "sent", txHash };
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
      // Estimates run side by side; only what needs the nonce waits its turn.
      const gas = await estimate(request);
      if (typeof gas !== "bigint") return gas;
      let sent: Sent;
      try {
        sent = await serially(() => exclusive(() => send(request, gas)));
      } catch {
        // Only `exclusive` throws, and only before the send ran: nothing was signed or broadcast.
        return { status: "failed", code: "mint_failed", message: "the minter is busy: another instance held its key too long" };
      }
      return sent.status === "sent" ? waitForReceipt(sent.txHash) : sent;
    },

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

    async rebroadcast(raw) {
      try {
        await wallet.sendRawTransaction({ serializedTransaction: raw });
        return "sent";
      } catch (error) {
        if (isTransportError(error)) return "unavailable";
        if (/already known|already imported|known transaction/i.test(errorText(error))) return "sent";
        return isNonceError(error, "low") ? "nonce_used" : "unavailable";
      }
    },

    async canMint(collection) {
      return wallet.readContract({ address: collection, abi: stampbookCollectionAbi, functionName: "hasRole", args: [MINTER_ROLE, account.address] });
    },
  };
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

function isTransportError(error: unknown): boolean {
  if (!(error instanceof BaseError)) return true; // fetch and socket failures arrive unwrapped
  return error.walk((e) => e instanceof HttpRequestError || e instanceof TimeoutError || e instanceof SocketClosedError) !== null;
}

/** A failure before or at broadcast, as a problem code and a message for people. */
function classify(error: unknown): { code: MintFailureCode; message: string } {
  if (error instanceof BaseError) {
    const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null;
    if (reverted !== null) {
      const name = reverted.data?.errorName;
      const detail = name ? `${name}(${(reverted.data?.args ?? []).map(String).join(", ")})` : (reverted.reason ?? "no reason given");
      return { code: "mint_failed", message: `the collection refused the mint: ${detail}` };
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
