import { describe, expect, it } from "vitest";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { createKeyVault, KeyVaultError } from "./key-vault.ts";

const SECRET = "a-vault-secret-of-at-least-32-characters";

describe("the key vault", () => {
  const vault = createKeyVault(SECRET);
  const key = generatePrivateKey();
  const address = privateKeyToAccount(key).address;

  it("seals a key so that only the same secret, brand and address open it", () => {
    const sealed = vault.seal("brand_a", address, key);
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain(key.slice(2));
    expect(vault.open("brand_a", address, sealed)).toBe(key);
    expect(createKeyVault(SECRET).open("brand_a", address.toLowerCase() as `0x${string}`, sealed)).toBe(key);
  });

  it("seals the same key differently every time (a fresh IV)", () => {
    expect(vault.seal("brand_a", address, key)).not.toBe(vault.seal("brand_a", address, key));
  });

  it("refuses another secret, another brand's row, another address, and tampering", () => {
    const sealed = vault.seal("brand_a", address, key);
    const other = privateKeyToAccount(generatePrivateKey()).address;
    expect(() => createKeyVault(`${SECRET}-other`).open("brand_a", address, sealed)).toThrow(KeyVaultError);
    expect(() => vault.open("brand_b", address, sealed)).toThrow(KeyVaultError);
    expect(() => vault.open("brand_a", other, sealed)).toThrow(KeyVaultError);
    const [v, iv, ciphertext, tag] = sealed.split(".");
    const flipped = ciphertext!.slice(0, -2) + (ciphertext!.endsWith("AA") ? "AB" : "AA");
    expect(() => vault.open("brand_a", address, [v, iv, flipped, tag].join("."))).toThrow(KeyVaultError);
    expect(() => vault.open("brand_a", address, "not sealed")).toThrow(KeyVaultError);
  });

  it("needs a secret of 32 characters or more, and a 32-byte key", () => {
    expect(() => createKeyVault("short")).toThrow(RangeError);
    expect(() => vault.seal("brand_a", address, "0x1234")).toThrow(KeyVaultError);
  });
});
