/**
 * Each brand's own minter: a key the server generates for the brand (the brand grants its address
 * MINTER_ROLE) or one the brand supplies. Stored sealed by the key vault; opened only to mint and
 * sign vouchers for that brand's drops and to airdrop its members' awards. No minter serves every brand.
 */
import type { Address, Hex, PublicClient } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { Problem } from "../errors.ts";
import { createMinter, type Minter } from "../chain/sender/sender.ts";
import { DEFAULT_LEASE_TTL_MS, withLease } from "../background/leases.ts";
import { toTimestamp, type Store } from "../storage/index.ts";
import type { KeyVault } from "../chain/sender/key-vault.ts";
import type { BrandMinter } from "./types.ts";

export type BrandMinters = {
  /** The brand's minter, ready to mint, airdrop and sign; null when it has none. */
  forBrand(brandId: string): Promise<Minter | null>;
  /** What may be shown of the brand's minter (never its key), or null. */
  describe(brandId: string): Promise<Omit<BrandMinter, "sealedKey"> | null>;
  /** Makes a new key for the brand, replacing any minter it had. */
  generate(brandId: string): Promise<Omit<BrandMinter, "sealedKey">>;
  /** Takes the brand's own key as its minter, replacing any it had. */
  supply(brandId: string, privateKey: Hex): Promise<Omit<BrandMinter, "sealedKey">>;
};

export type BrandMintersOptions = {
  store: Store;
  /** null: no MINTER_KEY_SECRET is configured, so no minter can be stored or opened. */
  vault: KeyVault | null;
  client: PublicClient;
  chainId: number;
  receiptTimeoutMs: number;
  /** This instance, as the holder of a minter's send lease. */
  instanceId: string;
  /** How long a send lease holds without renewal (LEASE_TTL_MS): another instance waits at most this long after its holder died. */
  leaseTtlMs?: number;
  now?: () => Date;
};

/** How long a send waits for another instance's send with the same key before it gives up (nothing sent). */
const SEND_WAIT_MS = 15_000;

export function minterUnavailable(detail: string): Problem {
  return new Problem(503, "minter_unavailable", "No minter can mint for this brand", detail);
}

export function createBrandMinters(options: BrandMintersOptions): BrandMinters {
  const { store, vault } = options;
  const now = options.now ?? (() => new Date());
  // One Minter per key (per address) in this process, whichever brands use it: its send queue, and
  // across instances its send lease, keep two mints off one nonce.
  const open = new Map<string, Minter>();

  function requireVault(): KeyVault {
    if (vault === null) throw minterUnavailable("This server keeps no minter keys: its operator has not set MINTER_KEY_SECRET.");
    return vault;
  }

  const visible = ({ sealedKey: _sealed, ...rest }: BrandMinter) => rest;

  async function store_(brandId: string, privateKey: Hex, source: BrandMinter["source"]) {
    const sealer = requireVault();
    if ((await store.getBrand(brandId)) === null) throw new Problem(404, "brand_not_found", "No such brand", `brand ${brandId}`);
    let address: Address;
    try {
      address = privateKeyToAccount(privateKey).address.toLowerCase() as Address;
    } catch {
      throw new Problem(400, "validation_failed", "The request is not valid", "privateKey is not a valid secp256k1 private key");
    }
    const minter = await store.setMinter({ brandId, address, sealedKey: sealer.seal(brandId, address, privateKey), source, createdAt: toTimestamp(now()) });
    return visible(minter);
  }

  return {
    async forBrand(brandId) {
      const stored = await store.getMinter(brandId);
      if (stored === null || vault === null) return null;
      const cached = open.get(stored.address);
      if (cached !== undefined) return cached;
      const minter = createMinter({
        client: options.client,
        privateKey: vault.open(brandId, stored.address, stored.sealedKey),
        chainId: options.chainId,
        receiptTimeoutMs: options.receiptTimeoutMs,
        // Every instance serving this deployment mints with this key: one of them sends at a time.
        // The lease is renewed while a send runs; a holder that died lets go within one lease time.
        exclusive: (send) => withLease(store, `minter:${stored.address}`, options.instanceId, (lease) => send(() => lease.held), { ttlMs: options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS, waitMs: SEND_WAIT_MS }),
      });
      open.set(stored.address, minter);
      return minter;
    },

    async describe(brandId) {
      const stored = await store.getMinter(brandId);
      return stored === null ? null : visible(stored);
    },

    generate: (brandId) => store_(brandId, generatePrivateKey(), "generated"),
    supply: (brandId, privateKey) => store_(brandId, privateKey, "supplied"),
  };
}
