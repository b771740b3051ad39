/**
 * Staff sessions: a staff member signs in with Ethereum exactly as a member does (the same nonce,
 * message checks and signature verification, `AuthService.verify`), for one brand, and gets a staff
 * token (tokens.ts) if the roles (roles.ts) give the address a role with that brand. Tokens are
 * signed, not stored; signing out records the session as ended in the store's revoked sessions, as
 * member sign-outs do, until it would have expired.
 */
import { hkdfSync, type KeyObject } from "node:crypto";
import { getAddress, type Address } from "viem";
import type { AuthService } from "../auth/sessions.ts";
import { createSessionCache } from "../auth/session-cache.ts";
import { newSessionId, signingKey } from "../auth/signed-tokens.ts";
import { toTimestamp, type Store } from "../storage/index.ts";
import type { StaffRoles } from "./roles.ts";
import { openStaffToken, signStaffToken, type StaffClaims } from "./tokens.ts";
import type { StaffRole } from "./types.ts";

export type StaffSignedIn = { token: string; brandId: string; brandName: string; address: Address; role: StaffRole; expiresAt: string };

/** A live staff session: who, for which brand. The address is checksummed. */
export type StaffSession = { id: string; brandId: string; address: Address; expiresAt: string };

export type StaffSessions = {
  /** Verifies the signed message, resolves the signer's role with the brand (403 `not_staff` without one), and starts a session. */
  signIn(message: string, signature: string, brandId: string): Promise<StaffSignedIn>;
  /** The live session a token stands for, or null (not a staff token, expired or signed out). */
  authenticate(token: string): Promise<StaffSession | null>;
  signOut(token: string): Promise<void>;
  /** Drops a session (without an id: every session) from this instance's cache: another instance ended it. */
  forget(sessionId?: string): void;
  roles: StaffRoles;
};

/** The name of the store's secret staff tokens are signed with. */
export const STAFF_SESSION_SECRET = "staff-session";

const MAX_CACHED_SESSIONS = 10_000;

/**
 * @param deps.secret what the signing key derives from (AUTH_SECRET); without it the store makes and keeps it.
 * @param deps.sessionCacheMs how long a session found not ended may be trusted without asking the
 *   store again (a sign-out elsewhere takes effect within this, at once when `forget` is called).
 * @param deps.onSignOut told each ended session's id once the store recorded it; awaited.
 */
export function createStaffSessions(deps: {
  verify: AuthService["verify"];
  store: Store;
  roles: StaffRoles;
  secret?: string | null;
  ttlSeconds: number;
  sessionCacheMs: number;
  now?: () => Date;
  onSignOut?: (sessionId: string) => Promise<void> | void;
}): StaffSessions {
  const { store, roles } = deps;
  const now = deps.now ?? (() => new Date());
  const sessions = createSessionCache<StaffSession>({ ttlMs: deps.sessionCacheMs, maxEntries: MAX_CACHED_SESSIONS });
  let key: Promise<KeyObject> | undefined;

  function signing(): Promise<KeyObject> {
    if (key === undefined) {
      key = (deps.secret ? Promise.resolve(new Uint8Array(hkdfSync("sha256", deps.secret, "", `stampbook ${STAFF_SESSION_SECRET}`, 32))) : store.secret(STAFF_SESSION_SECRET)).then(signingKey);
      // A failed read (the store was unavailable) is not remembered: the next request asks again.
      key.catch(() => (key = undefined));
    }
    return key;
  }

  /** A token's claims if this server signed it and it has not expired; ended sessions included. */
  async function claimsOf(token: string, at: number): Promise<StaffClaims | null> {
    const claims = openStaffToken(await signing(), token);
    return claims !== null && at < claims.expiresAtMs ? claims : null;
  }

  return {
    roles,

    async signIn(message, signature, brandId) {
      const verified = await deps.verify(message, signature);
      // Read now: someone just added on another instance signs in at once.
      const { brand, role } = await roles.access(brandId, verified.address, { fresh: true });
      const { token, expiresAtMs } = signStaffToken(await signing(), {
        id: newSessionId(),
        brandId: brand.id,
        address: verified.address.toLowerCase() as `0x${string}`,
        expiresAtMs: now().getTime() + deps.ttlSeconds * 1000,
      });
      return { token, brandId: brand.id, brandName: brand.name, address: verified.address, role, expiresAt: toTimestamp(expiresAtMs) };
    },

    async authenticate(token) {
      const at = now().getTime();
      const cached = sessions.get(token, at);
      if (cached !== undefined) return cached;
      const generation = sessions.begin();
      const claims = await claimsOf(token, at);
      if (claims === null || (await store.isSessionRevoked(claims.id))) return null;
      const session: StaffSession = { id: claims.id, brandId: claims.brandId, address: getAddress(claims.address), expiresAt: toTimestamp(claims.expiresAtMs) };
      sessions.put(token, { id: claims.id, value: session, at, expiresAtMs: claims.expiresAtMs }, generation);
      return session;
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
