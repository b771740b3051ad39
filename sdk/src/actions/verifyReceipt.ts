import { getAddress, isAddressEqual, recoverMessageAddress, type Address, type Hex } from "viem";
import { createSiweMessage, parseSiweMessage } from "viem/siwe";
import type { ConsentReceipt } from "../protocol/data.ts";
import type { DataField } from "../protocol/data-fields.ts";
import { readGrantRecap, RECAP_PREFIX } from "../protocol/recap.ts";
import { grantStatement } from "../protocol/statements.ts";

/** Checks a signature on chain (EIP-1271 contract wallets, EIP-6492 undeployed ones): a viem PublicClient does. */
export type ReceiptChainVerifier = {
  verifyMessage(parameters: { address: Address; message: string; signature: Hex }): Promise<boolean>;
};

export type VerifyReceiptParameters = ConsentReceipt;
export type VerifyReceiptOptions = {
  /**
   * A viem PublicClient on the receipt's chain, to check receipts signed by contract wallets. Without
   * one, a receipt whose signature does not recover to its address is `needs_chain`.
   */
  client?: ReceiptChainVerifier;
  /** The time `expired` is judged at (default: now). */
  now?: Date;
};

/**
 * Why a receipt does not hold: "malformed" (not an EIP-4361 message, or the signature is not hex),
 * "not_a_grant" (its last resource is not one canonical ReCap carrying exactly one Stampbook data grant,
 * or its Expiration Time is not the grant's expiry), "statement_mismatch" (the statement does not say
 * what the ReCap grants), "bad_signature" (the signature is empty, or the chain says it is not the
 * address's), "needs_chain" (it does not recover to the address offline: a contract wallet, or
 * someone else's signature; pass `client` to tell).
 */
export type ReceiptInvalidReason = "malformed" | "not_a_grant" | "statement_mismatch" | "bad_signature" | "needs_chain";

/** A receipt that holds: who granted what to which brand, why, and until when. */
export type VerifiedReceipt = {
  valid: true;
  signer: Address;
  brandId: string;
  requestId: string;
  fields: DataField[];
  purpose: string;
  /** The message's Issued At. */
  grantedAt: string;
  expiresAt: string;
  domain: string;
  uri: string;
  chainId: number;
  nonce: string;
  /** The grant's expiry has passed (at `options.now`). */
  expired: boolean;
};

export type VerifyReceiptReturnType = VerifiedReceipt | { valid: false; reason: ReceiptInvalidReason };

/**
 * Verifies a consent's receipt, offline, without a client or the API: parses the EIP-4361 message,
 * reads the ERC-5573 ReCap (its last resource) as a Stampbook data grant, checks the statement says
 * what the ReCap grants, and recovers the signer from the signature. A contract wallet's signature
 * cannot be checked offline: give `options.client` (a viem PublicClient) to check it on chain.
 * Never throws for a bad receipt; says why it does not hold instead.
 *
 * @example
 * import { verifyReceipt } from "@stampbook/sdk/receipts";
 * const [consent] = await client.getConsents();
 * const result = await verifyReceipt(consent!.receipt);
 * if (result.valid) console.log(`${result.signer} shares ${result.fields.join(", ")} with ${result.brandId} until ${result.expiresAt}`);
 * else console.warn("not a valid receipt:", result.reason);
 * // contract wallets: await verifyReceipt(receipt, { client: createPublicClient({ chain: base, transport: http() }) });
 */
export async function verifyReceipt(receipt: VerifyReceiptParameters, options: VerifyReceiptOptions = {}): Promise<VerifyReceiptReturnType> {
  const invalid = (reason: ReceiptInvalidReason) => ({ valid: false, reason }) as const;
  const { message, signature } = (receipt ?? {}) as Partial<ConsentReceipt>;
  if (typeof message !== "string" || typeof signature !== "string" || !/^0x[0-9a-fA-F]*$/.test(signature)) return invalid("malformed");

  const fields = readMessage(message);
  if (fields === null) return invalid("malformed");
  const { address, statement, resources = [], expirationTime } = fields;

  // ERC-5573: at most one ReCap, and it is the last resource.
  const recaps = resources.filter((r) => r.startsWith(RECAP_PREFIX));
  const grant = recaps.length === 1 && resources.at(-1) === recaps[0] ? readGrantRecap(recaps[0]!) : null;
  if (grant === null || expirationTime === undefined || expirationTime.getTime() !== Date.parse(grant.expires)) return invalid("not_a_grant");
  if (statement !== grantStatement(grant)) return invalid("statement_mismatch");

  if (signature === "0x") return invalid("bad_signature");
  let recovered: Address | null = null;
  try {
    recovered = await recoverMessageAddress({ message, signature });
  } catch {
    // not a 65-byte signature that recovers: maybe a contract wallet's
  }
  if (recovered === null || !isAddressEqual(recovered, address)) {
    if (!options.client) return invalid("needs_chain");
    let valid = false;
    try {
      valid = await options.client.verifyMessage({ address, message, signature });
    } catch {
      // an unreachable chain proves nothing either way, but the receipt is not shown to hold
    }
    if (!valid) return invalid("bad_signature");
  }

  const expiresAt = expirationTime.toISOString();
  return {
    valid: true,
    signer: address,
    brandId: grant.brandId,
    requestId: grant.request,
    fields: grant.fields,
    purpose: grant.purpose,
    grantedAt: fields.issuedAt.toISOString(),
    expiresAt,
    domain: fields.domain,
    uri: fields.uri,
    chainId: fields.chainId,
    nonce: fields.nonce,
    expired: expirationTime.getTime() <= (options.now ?? new Date()).getTime(),
  };
}

type MessageFields = {
  address: Address;
  domain: string;
  statement: string | undefined;
  uri: string;
  chainId: number;
  nonce: string;
  issuedAt: Date;
  expirationTime: Date | undefined;
  resources: string[] | undefined;
};

/**
 * The fields of an EIP-4361 message, or null unless the message is exactly what its fields format to
 * (timestamps may be written with any offset or precision): nothing unparsed is hidden in it.
 */
function readMessage(message: string): MessageFields | null {
  try {
    const parsed = parseSiweMessage(message);
    const { address, domain, uri, chainId, nonce, issuedAt } = parsed;
    if (address === undefined || domain === undefined || uri === undefined || chainId === undefined || nonce === undefined || issuedAt === undefined || parsed.version !== "1") return null;
    const normalised = message.replace(/^(Issued At|Expiration Time|Not Before): (.*)$/gm, (_, name: string, time: string) => `${name}: ${new Date(time).toISOString()}`);
    if (createSiweMessage({ ...parsed, address, domain, uri, chainId, nonce, issuedAt, version: "1" }) !== normalised) return null;
    return { address: getAddress(address), domain, statement: parsed.statement, uri, chainId, nonce, issuedAt, expirationTime: parsed.expirationTime, resources: parsed.resources };
  } catch {
    return null;
  }
}
