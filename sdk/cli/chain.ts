/**
 * A chain reached by its RPC URL, and a signing account on it: contract writes are simulated first
 * (so a revert is decoded into words before anything is sent), then sent and waited for.
 */
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  getAddress,
  http,
  type Abi,
  type Address,
  type Chain,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
  type WalletClient,
} from "viem";
import type { PrivateKeyAccount } from "viem/accounts";
import { stampbookCollectionAbi } from "../../contracts/bindings/index.ts";
import { chainErrorInWords, decodeRevert } from "./contract-errors.ts";
import { CliError } from "./errors.ts";

type CollectionAbi = typeof stampbookCollectionAbi;
type WriteName = ContractFunctionName<CollectionAbi, "nonpayable" | "payable">;

export type Sent = { hash: Hex; receipt: TransactionReceipt; url: string | null };

export type ChainSession = {
  chain: Chain;
  publicClient: PublicClient;
  wallet: WalletClient;
  account: PrivateKeyAccount;
  /** The explorer page of a transaction, when EXPLORER_URL is set. */
  txUrl(hash: Hex): string | null;
  addressUrl(address: Address): string | null;
  /** Simulates `functionName` on the collection, sends it, waits for it; a revert fails in words (`what` says what was tried). */
  write<N extends WriteName>(what: string, call: { address: Address; functionName: N; args: ContractFunctionArgs<CollectionAbi, "nonpayable" | "payable", N>; value?: bigint }): Promise<Sent & { result: unknown }>;
  /** Sends the chain's currency. */
  transfer(what: string, to: Address, value: bigint): Promise<Sent>;
  /** Deploys a contract of the collection's ABI. */
  deploy(what: string, bytecode: Hex, args: readonly unknown[]): Promise<Sent & { address: Address }>;
};

/** A failure of the chain in words, with the revert's name and arguments for `--json`. */
export function chainFailure(what: string, error: unknown): CliError {
  const revert = decodeRevert(error);
  return new CliError(`${what} failed: ${chainErrorInWords(error)}`, {
    kind: revert === null ? "chain" : "reverted",
    data: revert === null ? {} : { error: revert.name, args: revert.args.map(String) },
    cause: error,
  });
}

/** Connects to `rpcUrl` (its chain id is asked) with `account` signing. */
export async function connectChain(options: { rpcUrl: string; account: PrivateKeyAccount; explorerUrl?: string | undefined }): Promise<ChainSession> {
  const transport = http(options.rpcUrl, { retryCount: 1 });
  let chainId: number;
  try {
    chainId = await createPublicClient({ transport }).getChainId();
  } catch (error) {
    throw new CliError(`could not reach the chain at ${options.rpcUrl}: ${chainErrorInWords(error)}`, { kind: "chain", cause: error });
  }
  const chain = defineChain({ id: chainId, name: `chain ${chainId}`, nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [options.rpcUrl] } } });
  const publicClient = createPublicClient({ chain, transport }) as PublicClient;
  const { account } = options;
  const wallet = createWalletClient({ account, chain, transport });
  const explorer = options.explorerUrl?.replace(/\/+$/, "") || null;

  async function settle(what: string, hash: Hex): Promise<Sent> {
    let receipt: TransactionReceipt;
    try {
      receipt = await publicClient.waitForTransactionReceipt({ hash });
    } catch (error) {
      throw new CliError(`${what}: transaction ${hash} was sent but its receipt could not be read: ${chainErrorInWords(error)}`, { kind: "chain", data: { hash }, cause: error });
    }
    if (receipt.status !== "success") throw new CliError(`${what}: transaction ${hash} reverted`, { kind: "reverted", data: { hash } });
    return { hash, receipt, url: explorer === null ? null : `${explorer}/tx/${hash}` };
  }

  return {
    chain,
    publicClient,
    wallet,
    account,
    txUrl: (hash) => (explorer === null ? null : `${explorer}/tx/${hash}`),
    addressUrl: (address) => (explorer === null ? null : `${explorer}/address/${address}`),

    async write(what, call) {
      let request: unknown;
      let result: unknown;
      try {
        ({ request, result } = await publicClient.simulateContract({ account, abi: stampbookCollectionAbi as Abi, ...call } as never));
      } catch (error) {
        throw chainFailure(what, error);
      }
      let hash: Hex;
      try {
        hash = await wallet.writeContract(request as never);
      } catch (error) {
        throw chainFailure(what, error);
      }
      return { ...(await settle(what, hash)), result };
    },

    async transfer(what, to, value) {
      let hash: Hex;
      try {
        hash = await wallet.sendTransaction({ account, chain, to, value });
      } catch (error) {
        throw chainFailure(what, error);
      }
      return settle(what, hash);
    },

    async deploy(what, bytecode, args) {
      let hash: Hex;
      try {
        hash = await wallet.deployContract({ account, chain, abi: stampbookCollectionAbi, bytecode, args: args as never });
      } catch (error) {
        throw chainFailure(what, error);
      }
      const sent = await settle(what, hash);
      const created = sent.receipt.contractAddress;
      if (!created) throw new CliError(`${what}: transaction ${hash} created no contract`, { kind: "chain", data: { hash } });
      return { ...sent, address: getAddress(created) };
    },
  };
}
