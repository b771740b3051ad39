/**
 * Seals brands' minter keys for storage: AES-256-GCM under a key derived (HKDF-SHA256) from a
 * configured secret, so a copy of the database alone cannot mint. The brand id and the key's address
 * are bound in as associated data: a sealed key moved to another brand's row, or paired with another
 * address, does not open.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { isHex, type Address, type Hex } from "viem";

export type KeyVault = {
  /** The private key sealed as text: `v1.<iv>.<ciphertext>.<tag>` (base64url). */
  seal(brandId: string, address: Address, privateKey: Hex): string;
  /** The private key, or a KeyVaultError if the text was not sealed by this vault for this brand and address. */
  open(brandId: string, address: Address, sealed: string): Hex;
};

export class KeyVaultError extends Error {
  override name = "KeyVaultError";
}

const VERSION = "v1";

export function createKeyVault(secret: string): KeyVault {
  if (secret.length < 32) throw new RangeError("the key vault's secret must be at least 32 characters");
  const key = Buffer.from(hkdfSync("sha256", secret, "stampbook", "minter-key-sealing v1", 32));
  const associated = (brandId: string, address: Address) => Buffer.from(`${brandId}\n${address.toLowerCase()}`, "utf8");

  return {
    seal(brandId, address, privateKey) {
      if (!isHex(privateKey) || privateKey.length !== 66) throw new KeyVaultError("expected a 32-byte private key");
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      cipher.setAAD(associated(brandId, address));
      const ciphertext = Buffer.concat([cipher.update(Buffer.from(privateKey.slice(2), "hex")), cipher.final()]);
      return [VERSION, iv, ciphertext, cipher.getAuthTag()].map((part) => (typeof part === "string" ? part : part.toString("base64url"))).join(".");
    },

    open(brandId, address, sealed) {
      const [version, iv, ciphertext, tag, ...rest] = sealed.split(".");
      if (version !== VERSION || iv === undefined || ciphertext === undefined || tag === undefined || rest.length > 0) throw new KeyVaultError("not a sealed key");
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
        decipher.setAAD(associated(brandId, address));
        decipher.setAuthTag(Buffer.from(tag, "base64url"));
        const plain = Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]);
        return `0x${plain.toString("hex")}`;
      } catch {
        // Wrong secret, another brand's or address's key, or tampered text: all look the same from here.
        throw new KeyVaultError("the sealed key does not open with this secret for this brand");
      }
    },
  };
}
