import secp256k1 from "secp256k1";
import { keccak256 } from "./keccak.ts";

// Native libsecp256k1 does the curve work: this runs on every sign-in, and pure-JS recovery
// (viem's recoverAddress) is over an order of magnitude slower.

/** secp256k1 group order n, halved: ECDSA signatures with s above it are the malleable twin (EIP-2). */
const HALF_CURVE_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;
const signaturePattern = /^0x[0-9a-fA-F]{130}$/;
const EIP191_PREFIX = "\x19Ethereum Signed Message:\n";

/** EIP-191 `personal_sign` hash of a message: what a wallet signs when asked to sign this text. */
export function hashPersonalMessage(message: string): Uint8Array {
  const body = Buffer.from(message, "utf8");
  return keccak256([`${EIP191_PREFIX}${body.length}`, body]);
}

export type LocalRecovery =
  /** `address` is lowercase hex. */
  | { ok: true; address: `0x${string}` }
  | { ok: false; reason: "malformed_signature" | "malleable_signature" };

/**
 * Recovers the signer of a 65-byte `r || s || v` ECDSA signature over a 32-byte hash.
 * `v` may be 27/28 (wallets) or 0/1 (raw recovery id). Signatures with a high `s` are refused:
 * every valid signature has a second, high-s form, and accepting both lets one signature pass
 * as two different strings.
 */
export function recoverSigner(hash: Uint8Array, signature: string): LocalRecovery {
  if (hash.length !== 32 || !signaturePattern.test(signature)) return { ok: false, reason: "malformed_signature" };
  const bytes = Buffer.from(signature.slice(2), "hex");
  const v = bytes[64] ?? -1;
  const recoveryId = v >= 27 ? v - 27 : v;
  if (recoveryId !== 0 && recoveryId !== 1) return { ok: false, reason: "malformed_signature" };
  if (BigInt(`0x${signature.slice(66, 130)}`) > HALF_CURVE_ORDER) return { ok: false, reason: "malleable_signature" };
  let publicKey: Uint8Array;
  try {
    publicKey = secp256k1.ecdsaRecover(bytes.subarray(0, 64), recoveryId, hash, false);
  } catch {
    // r or s is zero or not below the curve order, or no point has this r.
    return { ok: false, reason: "malformed_signature" };
  }
  const digest = keccak256(publicKey.subarray(1));
  return { ok: true, address: `0x${Buffer.from(digest.subarray(12)).toString("hex")}` };
}
