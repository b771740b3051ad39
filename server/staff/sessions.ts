/**
 * Staff sessions: a staff member signs in with Ethereum exactly as a member does (the same nonce,
 * message checks and signature verification, `AuthService.verify`), for one brand, and gets a staff
 * token (tokens.ts) if the roles (roles.ts) give the address a role with that brand. Tokens are
 * signed, not stored; finding, caching and ending them is what member sessions do too
 * (server/auth/signed-sessions.ts).
 */
import { getAddress, type Address } from "viem";
import type { AuthService } from "../auth/sessions.ts";
import { createSignedSessions, lazySigningKey } from "../auth/signed-sessions.ts";
import { newSessionId } from "../auth/signed-tokens.ts";
import { Problem } from "../errors.ts";
import { toTimestamp, type Store } from "../storage/index.ts";
import type { StaffRoles } from "./roles.ts";
import { openStaffToken, signStaffToken } from "./tokens.ts";
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
  const sessions = createSignedSessions({
    store,
    key: lazySigningKey(deps, STAFF_SESSION_SECRET),
    format: { sign: signStaffToken, open: openStaffToken },
    // Signed out only: a member's erasure ends their member sessions, not a staff role's.
    isEnded: (claims) => store.isSessionRevoked(claims.id),
    holder: (claims): StaffSession => ({ id: claims.id, brandId: claims.brandId, address: getAddress(claims.address), expiresAt: toTimestamp(claims.expiresAtMs) }),
    cacheMs: deps.sessionCacheMs,
    maxCached: MAX_CACHED_SESSIONS,
    now,
    onSignOut: deps.onSignOut,
  });

  return {
    roles,

    async signIn(message, signature, brandId) {
      const verified = await deps.verify(message, signature);
      // A brand's own site signs in its own staff only; the deployment's console signs in anyone's.
      if (verified.brandId !== null && verified.brandId !== brandId) {
        throw new Problem(403, "origin_not_allowed", "This site may not sign in another brand's staff", "Sign in from the console, or from a site this brand registered.");
      }
      // Read now: someone just added on another instance signs in at once.
      const { brand, role } = await roles.access(brandId, verified.address, { fresh: true });
      const { token, expiresAtMs } = await sessions.start({
        id: newSessionId(),
        brandId: brand.id,
        address: verified.address.toLowerCase() as `0x${string}`,
        expiresAtMs: now().getTime() + deps.ttlSeconds * 1000,
      });
      return { token, brandId: brand.id, brandName: brand.name, address: verified.address, role, expiresAt: toTimestamp(expiresAtMs) };
    },

    authenticate: (token) => sessions.authenticate(token),
    signOut: (token) => sessions.signOut(token),
    forget: (sessionId) => sessions.forget(sessionId),
  };
}
