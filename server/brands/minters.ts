/**
 * Each brand's own minter: a key the server generates for the brand (the brand grants its address
 * MINTER_ROLE) or one the brand supplies, stored sealed by the key vault. What sends with it is the
 * brand's sender (server/chain/sender/brand-senders.ts).
 */
import type { Address, Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { Problem } from "../errors.ts";
import { minterUnavailable, type BrandSenders } from "../chain/sender/brand-senders.ts";
import type { KeyVault } from "../chain/sender/key-vault.ts";
import { toTimestamp, type Store } from "../storage/index.ts";
import type { BrandMinter } from "./types.ts";

export type BrandMinters = BrandSenders & {
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
  /** Who sends with the brands' keys: whether a brand's minter is ready is whether it has a sender. */
  senders: BrandSenders;
  now?: () => Date;
};

export function createBrandMinters(options: BrandMintersOptions): BrandMinters {
  const { store, vault } = options;
  const now = options.now ?? (() => new Date());

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
    forBrand: (brandId) => options.senders.forBrand(brandId),

    async describe(brandId) {
      const stored = await store.getMinter(brandId);
      return stored === null ? null : visible(stored);
    },

    generate: (brandId) => store_(brandId, generatePrivateKey(), "generated"),
    supply: (brandId, privateKey) => store_(brandId, privateKey, "supplied"),
  };
}
