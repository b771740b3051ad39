/** Brands: the tenants of a deployment, their API keys, the collections they own and their minters. */
import type { Address } from "viem";
import type { Timestamp } from "../storage/time.ts";

export interface Brand {
  id: string;
  name: string;
  createdAt: Timestamp;
}

/** An API key as the store reports it: the key hash is write-only. */
export interface ApiKey {
  id: string;
  brandId: string;
  label: string;
  createdAt: Timestamp;
  revokedAt: Timestamp | null;
}

export interface NewApiKey {
  id: string;
  brandId: string;
  /** SHA-256 of the key, 64 lowercase hex digits. */
  keyHash: string;
  label: string;
  createdAt: Timestamp;
}

/** A collection a brand proved it controls; only its owner's drops mint on it. */
export interface BrandCollection {
  /** Lowercase. One brand per collection. */
  collection: Address;
  brandId: string;
  /** The address holding DEFAULT_ADMIN_ROLE that signed the registration, lowercase. */
  admin: Address;
  registeredAt: Timestamp;
}

export interface RegisterCollectionInput {
  brandId: string;
  collection: Address;
  admin: Address;
  /** The signed registration's nonce: it is used up here, once, until `nonceExpiresAt`. */
  nonce: string;
  nonceExpiresAt: Timestamp;
  now: Timestamp;
}

export type RegisterCollectionResult =
  | { status: "registered"; collection: BrandCollection }
  /** This brand owns it already: nothing changed (the nonce is used up all the same). */
  | { status: "already_registered"; collection: BrandCollection }
  /** Another brand owns it. */
  | { status: "taken"; brandId: string }
  /** The nonce was used before: a replayed registration. */
  | { status: "replayed" };

/** The key a brand's drops mint and sign vouchers with, sealed (see server/chain/sender/key-vault.ts). */
export interface BrandMinter {
  brandId: string;
  /** Lowercase. */
  address: Address;
  /** AES-256-GCM ciphertext of the private key; never logged, never returned by the API. */
  sealedKey: string;
  /** Made by the server, or supplied by the brand. */
  source: "generated" | "supplied";
  createdAt: Timestamp;
}
