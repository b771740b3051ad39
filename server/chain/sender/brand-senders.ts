/**
 * Each brand's sender, from the brand's minter key: stored sealed (key-vault.ts), opened only to
 * mint and sign vouchers for that brand's drops and to airdrop its members' awards. No key serves
 * every brand.
 *
 * One Sender per key (per address) in this process, whichever brands use it: its send queue, and
 * across instances the key's send lease, keep two transactions off one nonce.
 */
import type { Hex, PublicClient } from "viem";
import { DEFAULT_LEASE_TTL_MS, withLease, type LeaseStore } from "../../background/leases.ts";
import { Problem } from "../../errors.ts";
import type { Store } from "../../storage/index.ts";
import type { KeyVault } from "./key-vault.ts";
import { createSender, type Sender, type SenderOptions } from "./sender.ts";

export type BrandSenders = {
  /** The brand's sender, ready to mint, airdrop and sign; null when it has no key this server can open. */
  forBrand(brandId: string): Promise<Sender | null>;
};

export type BrandSendersOptions = {
  store: Pick<Store, "getMinter"> & LeaseStore;
  /** null: no MINTER_KEY_SECRET is configured, so no key can be opened. */
  vault: KeyVault | null;
  client: PublicClient;
  chainId: number;
  receiptTimeoutMs: number;
  /** Blocks a mint must be under the head before it counts as done (CONFIRMATIONS). */
  confirmations: number;
  /** This instance, as the holder of a key's send lease. */
  holder: string;
  /** How long a send lease holds without renewal (LEASE_TTL_MS): another instance waits at most this long after its holder died. */
  leaseTtlMs?: number;
};

/** How long a send waits for another instance's send with the same key before it gives up (nothing sent). */
const SEND_WAIT_MS = 15_000;

/** The 503 a brand's work answers with when it has no key this server can send with. */
export function minterUnavailable(detail: string): Problem {
  return new Problem(503, "minter_unavailable", "No minter can mint for this brand", detail);
}

/**
 * Sends with the key `address` while this instance holds its lease: every instance serving the
 * deployment sends with the same keys, one of them at a time per key. The lease is renewed while a
 * send runs; a holder that died lets go within one lease time.
 */
export function sendLease(store: LeaseStore, address: string, holder: string, options: { ttlMs: number; waitMs: number }): NonNullable<SenderOptions["exclusive"]> {
  return (send) => withLease(store, `minter:${address.toLowerCase()}`, holder, (lease) => send(() => lease.held), options);
}

export function createBrandSenders(options: BrandSendersOptions): BrandSenders {
  const { store, vault } = options;
  const open = new Map<string, Sender>();

  return {
    async forBrand(brandId) {
      const stored = await store.getMinter(brandId);
      if (stored === null || vault === null) return null;
      const cached = open.get(stored.address);
      if (cached !== undefined) return cached;
      const privateKey: Hex = vault.open(brandId, stored.address, stored.sealedKey);
      const sender = createSender({
        client: options.client,
        privateKey,
        chainId: options.chainId,
        receiptTimeoutMs: options.receiptTimeoutMs,
        confirmations: options.confirmations,
        exclusive: sendLease(store, stored.address, options.holder, { ttlMs: options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS, waitMs: SEND_WAIT_MS }),
      });
      open.set(stored.address, sender);
      return sender;
    },
  };
}
