/**
 * What member and staff sessions share: a session is a token the server signs (never stored), found
 * through a short cache, checked against the store's ended sessions, and ended by recording its id
 * until it would have expired. Each kind brings its own token format, key and holder; member
 * sessions also end with the member's erasure, staff sessions do not.
 */
import { hkdfSync, type KeyObject } from "node:crypto";
import { toTimestamp, type Store } from "../storage/index.ts";
import { createSessionCache } from "./session-cache.ts";
import { signingKey } from "./signed-tokens.ts";

/** The signing key named `name`: derived from `secret` (AUTH_SECRET) when given, else made and kept by the store. */
export function lazySigningKey(deps: { store: Pick<Store, "secret">; secret?: string | null | undefined }, name: string): () => Promise<KeyObject> {
  let key: Promise<KeyObject> | undefined;
  return () => {
    if (key === undefined) {
      key = (deps.secret ? Promise.resolve(new Uint8Array(hkdfSync("sha256", deps.secret, "", `stampbook ${name}`, 32))) : deps.store.secret(name)).then(signingKey);
      // A failed read (the store was unavailable) is not remembered: the next request asks again.
      key.catch(() => (key = undefined));
    }
    return key;
  };
}

/** What every session token carries. */
export type SessionTokenClaims = { id: string; expiresAtMs: number };

/** A kind of session token: how to sign one and how to read one back (null when this key did not sign it). */
export type SessionTokenFormat<Claims extends SessionTokenClaims> = {
  sign(key: KeyObject, claims: Claims): { token: string; expiresAtMs: number };
  open(key: KeyObject, token: string): Claims | null;
};

export type SignedSessions<Claims extends SessionTokenClaims, Holder> = {
  /** A new session's token; its expiry is rounded up to a whole second (returned). */
  start(claims: Claims): Promise<{ token: string; expiresAtMs: number }>;
  /** Who the live session a token stands for belongs to, or null (not this kind, expired or ended). */
  authenticate(token: string): Promise<Holder | null>;
  /** Records the session as ended (nothing for a token that is not a live one of this kind). */
  signOut(token: string): Promise<void>;
  /** Drops a session (without an id: every session) from this instance's cache: another instance ended it. */
  forget(sessionId?: string): void;
};

/**
 * @param deps.isEnded whether the store holds a session as ended (signed out, or ended otherwise).
 * @param deps.holder who a live session belongs to, as `authenticate` answers (and caches) it.
 * @param deps.cacheMs how long a session found not ended may be trusted without asking the store
 *   again. A sign-out on this instance takes effect at once; one on another instance sharing the
 *   store, within this long (at once when `onSignOut` tells them and they call `forget`). 0 asks
 *   the store on every request.
 * @param deps.onSignOut told each ended session's id once the store has recorded it; awaited, so a
 *   sign-out answers after the other instances were told.
 */
export function createSignedSessions<Claims extends SessionTokenClaims, Holder>(deps: {
  store: Pick<Store, "revokeSession">;
  key: () => Promise<KeyObject>;
  format: SessionTokenFormat<Claims>;
  isEnded: (claims: Claims) => Promise<boolean>;
  holder: (claims: Claims) => Holder;
  cacheMs: number;
  maxCached: number;
  now: () => Date;
  onSignOut?: ((sessionId: string) => Promise<void> | void) | undefined;
}): SignedSessions<Claims, Holder> {
  const { store, format, now } = deps;
  // Keyed by the token itself: a hit costs no MAC, no store read and no checksumming.
  const sessions = createSessionCache<Holder>({ ttlMs: deps.cacheMs, maxEntries: deps.maxCached });

  /** A token's claims if this server signed it and it has not expired; ended sessions included. */
  async function claimsOf(token: string, at: number): Promise<Claims | null> {
    const claims = format.open(await deps.key(), token);
    return claims !== null && at < claims.expiresAtMs ? claims : null;
  }

  return {
    start: async (claims) => format.sign(await deps.key(), claims),

    async authenticate(token) {
      const at = now().getTime();
      const cached = sessions.get(token, at);
      if (cached !== undefined) return cached;
      const generation = sessions.begin();
      const claims = await claimsOf(token, at);
      if (claims === null || (await deps.isEnded(claims))) return null;
      const holder = deps.holder(claims);
      sessions.put(token, { id: claims.id, value: holder, at, expiresAtMs: claims.expiresAtMs }, generation);
      return holder;
    },

    async signOut(token) {
      sessions.drop(token);
      const claims = await claimsOf(token, now().getTime());
      if (claims === null) return;
      await store.revokeSession(claims.id, toTimestamp(claims.expiresAtMs));
      await deps.onSignOut?.(claims.id);
    },

    forget: (sessionId) => sessions.forget(sessionId),
  };
}
