/**
 * Entitlement private keys at rest: AES-256-GCM under a 32-byte key that comes, like the session
 * signing keys (auth/signed-sessions.ts), from AUTH_SECRET when it is set (then a copy of the
 * database alone cannot sign entitlements) or else from a secret the store makes and keeps. The key
 * id is bound in as associated data: a sealed key moved to another row does not open.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import type { Store } from "./storage/index.ts";

export type KeySealer = {
  seal(kid: string, plain: Uint8Array): Promise<string>;
  open(kid: string, sealed: string): Promise<Buffer>;
};

const VERSION = "v1";

/** `purpose` keeps each use's key apart (default: entitlement keys); `kid` is bound in as associated data. */
export function createKeySealer(deps: { store: Pick<Store, "secret">; secret: string | null; purpose?: string }): KeySealer {
  const purpose = deps.purpose ?? "entitlement-key-sealing";
  let key: Promise<Buffer> | undefined;
  const sealingKey = () => {
    if (key === undefined) {
      key = deps.secret
        ? Promise.resolve(Buffer.from(hkdfSync("sha256", deps.secret, "", `stampbook ${purpose}`, 32)))
        : deps.store.secret(purpose).then((bytes) => Buffer.from(bytes));
      // A failed read (the store was unavailable) is not remembered: the next call asks again.
      key.catch(() => (key = undefined));
    }
    return key;
  };

  return {
    async seal(kid, plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", await sealingKey(), iv);
      cipher.setAAD(Buffer.from(kid, "utf8"));
      const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
      return [VERSION, iv.toString("base64url"), ciphertext.toString("base64url"), cipher.getAuthTag().toString("base64url")].join(".");
    },

    async open(kid, sealed) {
      const [version, iv, ciphertext, tag, ...rest] = sealed.split(".");
      if (version !== VERSION || iv === undefined || ciphertext === undefined || tag === undefined || rest.length > 0) throw new Error(`${kid} is not sealed as expected`);
      const decipher = createDecipheriv("aes-256-gcm", await sealingKey(), Buffer.from(iv, "base64url"));
      decipher.setAAD(Buffer.from(kid, "utf8"));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]);
    },
  };
}
