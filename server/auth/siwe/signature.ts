import { bytesToHex, type Hex } from "viem";
import { verifyWithChain, type ChainClient } from "./contract-wallet.ts";
import { parseSiweMessage, type SiweMessage } from "./message.ts";
import { hashPersonalMessage, recoverSigner } from "./recover.ts";

export interface VerifySiweSignatureParameters {
  /** The exact text the wallet signed. */
  message: string;
  /** 0x-prefixed hex, as returned by `personal_sign` (or a contract wallet's signature). */
  signature: string;
  /** The EIP-191 hash of `message`, if the caller already has it. */
  hash?: Hex;
  /** `message` parsed, if the caller already has it. */
  parsed?: SiweMessage;
  /** Enables contract-wallet sign-in (EIP-1271, ERC-6492). Without it only plain wallets verify. */
  client?: ChainClient;
}

export type SiweSignatureVerification =
  | { ok: true; method: "eoa" | "erc1271" | "erc6492" }
  | {
      ok: false;
      /** For logs and tests; the caller answers `siwe_bad_signature` whatever the reason. */
      reason: "malformed_signature" | "malleable_signature" | "signer_mismatch" | "contract_rejected";
    };

const hashPattern = /^0x[0-9a-fA-F]{64}$/;
const hexBytesPattern = /^0x(?:[0-9a-fA-F]{2})+$/;

/**
 * Verifies that the address named in a SIWE message signed it.
 *
 * A plain wallet's signature is checked locally (native secp256k1, no RPC). Only if that fails and
 * a client is given is the chain asked, for contract wallets: EIP-1271 on a deployed wallet, or an
 * ERC-6492 wrapped signature for one not yet deployed.
 *
 * This checks the signature only; run {@link checkSiweMessage} for domain, nonce, chain and time.
 *
 * @throws {SiweError} `siwe_malformed` if `message` does not parse; `chain_unavailable` if the
 *   chain was needed but could not answer (fail closed: refuse the sign-in, e.g. with a 503).
 * @example
 * const result = await verifySiweSignature({ message, signature, client: publicClient });
 * if (!result.ok) throw new SiweError("siwe_bad_signature", "signature does not match the address");
 */
export async function verifySiweSignature({
  message,
  signature,
  hash,
  parsed,
  client,
}: VerifySiweSignatureParameters): Promise<SiweSignatureVerification> {
  const { address } = parsed ?? parseSiweMessage(message);
  if (hash !== undefined && !hashPattern.test(hash)) throw new TypeError("hash must be 32 bytes of 0x-prefixed hex");
  const digest = hash === undefined ? hashPersonalMessage(message) : Buffer.from(hash.slice(2), "hex");

  const local = recoverSigner(digest, signature);
  if (local.ok && local.address === address.toLowerCase()) return { ok: true, method: "eoa" };
  const localFailure = local.ok ? "signer_mismatch" : local.reason;
  if (client === undefined || !hexBytesPattern.test(signature)) return { ok: false, reason: localFailure };

  const verdict = await verifyWithChain(client, {
    address,
    hash: hash ?? bytesToHex(digest),
    signature: signature as Hex,
  });
  switch (verdict) {
    case "erc1271":
    case "erc6492":
      return { ok: true, method: verdict };
    case "no_contract":
      return { ok: false, reason: localFailure };
    case "rejected":
      return { ok: false, reason: "contract_rejected" };
  }
}
