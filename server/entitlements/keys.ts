/**
 * The key ring entitlements are signed with (ES256, P-256). The store keeps the keys, so every
 * instance signs with the same key and publishes the same JWKS:
 *
 * - the newest generation signs; the first is made on first use;
 * - rotation adds the next generation: on a schedule (the signing key is older than `rotationMs`;
 *   whichever instance gets there first, the store lets one insert win) or when the operator asks;
 * - the previous key stays published until every token it signed has expired: another instance may
 *   sign with it for up to `cacheMs` after the rotation (until it reads the ring again), and its
 *   tokens live `ttlMs`, with `skewMs` of clock difference allowed to verifiers;
 * - older keys are forgotten by the store. Rotating twice within a token's life thus ends the tokens
 *   of the key two back: what an operator rotating in a hurry (a leaked key) wants.
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { calculateJwkThumbprint, type JWK } from "jose";
import { ENTITLEMENT_ALGORITHM } from "../../sdk/src/protocol/entitlements.ts";
import { toTimestamp, type Store } from "../storage/index.ts";
import type { EntitlementKey } from "./types.ts";
import type { KeySealer } from "../sealing.ts";

export type PublicEntitlementJwk = { kty: string; crv: string; x: string; y: string; kid: string; alg: string; use: string };

export type SigningKey = { kid: string; key: KeyObject };

export type KeyRing = {
  /** The key that signs now (made on first use, rotated when due). */
  signingKey(): Promise<SigningKey>;
  /** The public keys verifiers may meet: the signing key and, while its tokens may live, the previous. */
  jwks(): Promise<{ keys: PublicEntitlementJwk[] }>;
  /** Starts signing with a new key now; the previous stays published while its tokens live. */
  rotate(): Promise<{ kid: string; createdAt: string }>;
  /** Reads the ring from the store next time (another instance rotated). */
  forget(): void;
};

type Loaded = { at: number; keys: EntitlementKey[] };

/** Generations the store keeps: the signing key and the previous. */
const KEEP = 2;

export function createKeyRing(deps: {
  store: Pick<Store, "listEntitlementKeys" | "addEntitlementKey">;
  sealer: KeySealer;
  rotationMs: number;
  ttlMs: number;
  skewMs: number;
  /** How long the ring read from the store is reused. */
  cacheMs: number;
  now: () => Date;
}): KeyRing {
  let loaded: Promise<Loaded> | undefined;
  const opened = new Map<string, Promise<KeyObject>>();

  async function newKey(generation: number): Promise<EntitlementKey> {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const jwk = publicKey.export({ format: "jwk" }) as JWK;
    const kid = await calculateJwkThumbprint(jwk, "sha256");
    const sealedPrivateKey = await deps.sealer.seal(kid, privateKey.export({ format: "der", type: "pkcs8" }));
    return { generation, kid, publicJwk: JSON.stringify({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }), sealedPrivateKey, createdAt: toTimestamp(deps.now()) };
  }

  /** Adds the generation after `current` (or the first); false when another instance added it first. */
  async function addAfter(current: EntitlementKey | undefined): Promise<boolean> {
    return deps.store.addEntitlementKey(await newKey((current?.generation ?? 0) + 1), KEEP);
  }

  async function read(): Promise<Loaded> {
    let keys = await deps.store.listEntitlementKeys(KEEP);
    const current = keys[0];
    if (due(current)) {
      // Whether this instance's key or another's won, the newest is read back.
      await addAfter(current);
      keys = await deps.store.listEntitlementKeys(KEEP);
    }
    return { at: Date.now(), keys };
  }

  const due = (key: EntitlementKey | undefined) => key === undefined || Date.parse(key.createdAt) + deps.rotationMs <= deps.now().getTime();

  /** The ring as last read, or read again when older than cacheMs or its signing key is due. */
  async function ring(): Promise<Loaded> {
    const last = loaded;
    if (last !== undefined) {
      const read = await last;
      if (Date.now() - read.at < deps.cacheMs && !due(read.keys[0])) return read;
      if (loaded === last) loaded = undefined;
    }
    if (loaded === undefined) {
      loaded = read();
      // A failed read (the store was unavailable) is not remembered.
      loaded.catch(() => (loaded = undefined));
    }
    return loaded;
  }

  function privateKeyOf(key: EntitlementKey): Promise<KeyObject> {
    let open = opened.get(key.kid);
    if (open === undefined) {
      open = deps.sealer.open(key.kid, key.sealedPrivateKey).then((der) => createPrivateKey({ key: der, format: "der", type: "pkcs8" }));
      open.catch(() => opened.delete(key.kid));
      if (opened.size >= 8) opened.clear();
      opened.set(key.kid, open);
    }
    return open;
  }

  const publicJwk = (key: EntitlementKey): PublicEntitlementJwk => ({ ...(JSON.parse(key.publicJwk) as { kty: string; crv: string; x: string; y: string }), kid: key.kid, alg: ENTITLEMENT_ALGORITHM, use: "sig" });

  return {
    async signingKey() {
      const { keys } = await ring();
      const current = keys[0]!;
      return { kid: current.kid, key: await privateKeyOf(current) };
    },

    async jwks() {
      const { keys } = await ring();
      const [current, previous] = keys;
      const published = [current!];
      // The previous key's last token was signed at most cacheMs after the rotation, and lives ttlMs.
      if (previous !== undefined && Date.parse(current!.createdAt) + deps.cacheMs + deps.ttlMs + deps.skewMs > deps.now().getTime()) published.push(previous);
      return { keys: published.map(publicJwk) };
    },

    async rotate() {
      for (let attempt = 0; attempt < 3; attempt++) {
        const [current] = await deps.store.listEntitlementKeys(1);
        if (await addAfter(current)) break;
      }
      loaded = undefined;
      const { keys } = await ring();
      return { kid: keys[0]!.kid, createdAt: keys[0]!.createdAt };
    },

    forget() {
      loaded = undefined;
    },
  };
}
