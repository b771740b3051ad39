/**
 * The keys entitlements are signed with, as the store keeps them: a chain of generations, the
 * newest signing, the one before it still published while tokens it signed may be alive. Private
 * keys are stored only sealed (encrypted by the caller, server/entitlements/sealing.ts).
 */
import type { Timestamp } from "../storage/time.ts";

export interface EntitlementKey {
  /** 1 for the first key, one more for each rotation: the newest signs. */
  generation: number;
  /** The key id tokens name in their header (the public key's RFC 7638 thumbprint). */
  kid: string;
  /** The public key as a JWK, JSON text. */
  publicJwk: string;
  /** The private key (PKCS#8), sealed. */
  sealedPrivateKey: string;
  createdAt: Timestamp;
}

export interface EntitlementKeyStore {
  /** The newest `limit` keys, newest first. */
  listEntitlementKeys(limit: number): Promise<EntitlementKey[]>;
  /**
   * Adds `key` unless its generation exists already (another instance rotated first: false, nothing
   * changes), and forgets keys more than `keep` generations older than it: they no longer sign, and
   * whatever they signed has expired.
   */
  addEntitlementKey(key: EntitlementKey, keep: number): Promise<boolean>;
}
