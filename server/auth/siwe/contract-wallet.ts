import type { Address, Chain, Client, Hex, Transport } from "viem";
import { getCode, verifyHash } from "viem/actions";
import { isErc6492Signature } from "viem/utils";
import { SiweError } from "./errors.ts";

export type ChainClient = Client<Transport, Chain | undefined>;

/**
 * What the chain said about a signature:
 * - "erc1271": the deployed contract at the address accepted it (isValidSignature);
 * - "erc6492": it is wrapped for a not-yet-deployed wallet, and the simulated deployment accepted it;
 * - "no_contract": nothing is deployed at the address and the signature is not ERC-6492 wrapped,
 *   so only an ECDSA signature by the address's own key could be valid;
 * - "rejected": the contract (or the ERC-6492 validator) refused it.
 */
export type ChainVerdict = "erc1271" | "erc6492" | "no_contract" | "rejected";

const TRANSPORT_FAILURES = new Set([
  "HttpRequestError",
  "WebSocketRequestError",
  "SocketClosedError",
  "TimeoutError",
  "ResponseBodyTooLargeError",
  "AbortError",
]);
const EXECUTION_FAILURE = /revert|out of gas|invalid opcode|invalid jump|stack (?:underflow|overflow|limit)/i;

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = error; e !== undefined && e !== null && chain.length < 16; e = (e as { cause?: unknown }).cause) {
    chain.push(e);
  }
  return chain;
}

/**
 * True if an RPC error is the EVM's answer (the call ran and reverted, ran out of gas…), which
 * for a signature check means "not valid". Anything else (no connection, timeout, rate limit,
 * node not synced, unknown error) means there is no answer.
 */
export function isExecutionFailure(error: unknown): boolean {
  const chain = causes(error);
  if (chain.some((e) => e instanceof Error && TRANSPORT_FAILURES.has(e.name))) return false;
  return chain.some((e) => {
    const { code, details, message } = e as { code?: unknown; details?: unknown; message?: unknown };
    if (code === 3) return true;
    return [details, message].some((text) => typeof text === "string" && EXECUTION_FAILURE.test(text));
  });
}

function unavailable(cause: unknown): SiweError {
  return new SiweError("chain_unavailable", "could not reach the chain to verify a contract-wallet signature", {
    cause,
  });
}

/**
 * Asks the chain whether `address` accepts `signature` over `hash`, for contract wallets:
 * EIP-1271 for deployed ones, ERC-6492 for counterfactual ones (both through viem's verifyHash).
 *
 * viem's verifyHash answers `false` when its eth_call fails for any reason, network included; the
 * client's requests are observed here so that an outage raises instead of passing as "invalid".
 *
 * @throws {SiweError} `chain_unavailable` when the chain could not give an answer.
 */
export async function verifyWithChain(
  client: ChainClient,
  { address, hash, signature }: { address: Address; hash: Hex; signature: Hex },
): Promise<ChainVerdict> {
  const wrapped = isErc6492Signature(signature);
  if (!wrapped) {
    let code: Hex | undefined;
    try {
      code = await getCode(client, { address });
    } catch (error) {
      throw unavailable(error);
    }
    if (code === undefined || code === "0x") return "no_contract";
  }

  const failures: unknown[] = [];
  const send = client.request as (args: unknown, options?: unknown) => Promise<unknown>;
  const request = (async (args: unknown, options?: unknown) => {
    try {
      return await send(args, options);
    } catch (error) {
      if (!isExecutionFailure(error)) failures.push(error);
      throw error;
    }
  }) as typeof client.request;
  let valid: boolean;
  try {
    valid = await verifyHash({ ...client, request }, { address, hash, signature });
  } catch (error) {
    throw unavailable(failures[0] ?? error);
  }
  if (valid) return wrapped ? "erc6492" : "erc1271";
  if (failures.length > 0) throw unavailable(failures[0]);
  return "rejected";
}
