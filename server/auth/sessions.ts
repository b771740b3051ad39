/**
 * Sign-In with Ethereum, from nonce to session. Binds every sign-in to the origin of the page that
 * asked for the nonce (the deployment's own, SIWE_DOMAIN and SIWE_URI, or a brand's registered
 * storefront: its host and origin), this chain id and a nonce issued for that origin, used once;
 * plain wallets verify locally and contract wallets (EIP-1271 deployed, ERC-6492 counterfactual)
 * through the chain. A session remembers which brand's origin it came from.
 *
 * Nonces and session tokens are signed, not stored (signed-tokens.ts): issuing a nonce writes
 * nothing, and a sign-in writes one row, the nonce marked used. Signing out records the session as
 * ended until it would have expired (signed-sessions.ts, as for staff sessions).
 */
import type { Address } from "viem";
import type { Config } from "../config.ts";
import { chainUnavailable } from "../chain/errors.ts";
import { Problem, type ProblemCode } from "../errors.ts";
import { toTimestamp, type Store } from "../storage/index.ts";
import { createSignedSessions, lazySigningKey } from "./signed-sessions.ts";
import { newSessionId, openNonce, openSession, signNonce, signSession } from "./signed-tokens.ts";
import { checkSiweMessage, checksumAddress, parseSiweMessage, SiweError, verifySiweSignature, type ChainClient } from "./siwe/index.ts";

export type SignInParameters = Pick<
  Config,
  "siweDomain" | "siweUri" | "siweStatement" | "chainId" | "nonceTtlSeconds" | "sessionTtlSeconds" | "clockSkewSeconds"
>;

export type NonceGrant = {
  nonce: string;
  expiresAt: string;
  domain: string;
  uri: string;
  chainId: number;
  statement: string;
  version: "1";
  issuedAt: string;
};

/** Who a live session belongs to (the address checksummed), and the brand whose origin it began on (null: the deployment's own). */
export type SessionHolder = { address: Address; chainId: number; brandId: string | null };

/**
 * A sign-in message that passed every check, its nonce now used; the address is checksummed. The
 * origin it was signed for, and the brand that registered it (null: one of the deployment's own).
 */
export type VerifiedSignIn = { address: Address; chainId: number; method: "eoa" | "erc1271" | "erc6492"; origin: string; brandId: string | null };

export type SignedIn = { token: string; address: Address; chainId: number; expiresAt: string; method: "eoa" | "erc1271" | "erc6492"; brandId: string | null };

/** Who may sign in from an origin: the deployment (brandId null), one brand, or nobody (null). */
export type OriginLookup = (origin: string) => Promise<{ brandId: string | null } | null>;

export type AuthService = {
  /**
   * A nonce for a message from `origin` (the request's Origin header; none: the deployment's
   * SIWE_URI), answering that origin's domain and URI; 403 `origin_not_allowed` for an origin
   * neither the deployment nor a brand registered.
   */
  issueNonce(origin?: string): Promise<NonceGrant>;
  /**
   * Every check of a sign-in (domain, URI, chain, times, the nonce, the signature), then the nonce is
   * used up; no session is made. Member sign-in and staff sign-in both start here.
   */
  verify(message: string, signature: string): Promise<VerifiedSignIn>;
  signIn(message: string, signature: string): Promise<SignedIn>;
  /** Who the live session a token stands for belongs to, or null. */
  authenticate(token: string): Promise<SessionHolder | null>;
  signOut(token: string): Promise<void>;
  /**
   * Drops a session (without an id: every session) from this instance's cache, so its next request
   * asks the store: another instance ended it (server/invalidation.ts).
   */
  forget(sessionId?: string): void;
};

const MAX_CACHED_SESSIONS = 50_000;

/** Names of the store's secrets that sign nonces and session tokens. */
export const NONCE_SECRET = "siwe-nonce";
export const SESSION_SECRET = "session";

/**
 * @param deps.secret what the signing keys derive from (AUTH_SECRET); without it the store makes and
 *   keeps the keys.
 * @param deps.sessionCacheMs and deps.onSignOut: as `cacheMs` and `onSignOut` of
 *   {@link createSignedSessions}, the session mechanics member and staff sessions share.
 */
export function createAuthService(deps: {
  store: Store;
  client: ChainClient;
  params: SignInParameters;
  /** The origins brands registered (server/origins/registry.ts); without it, only SIWE_URI's. */
  origins?: OriginLookup;
  secret?: string | null;
  sessionCacheMs?: number;
  now?: () => Date;
  onSignOut?: (sessionId: string) => Promise<void> | void;
}): AuthService {
  const { store, client, params } = deps;
  const now = deps.now ?? (() => new Date());
  const nonceKey = lazySigningKey(deps, NONCE_SECRET);
  const sessions = createSignedSessions({
    store,
    key: lazySigningKey(deps, SESSION_SECRET),
    format: { sign: signSession, open: openSession },
    // Ended by a sign-out, or with every session of a member who erased their data.
    isEnded: (claims) => store.isSessionRevoked(claims.id, { address: claims.address, expiresAt: toTimestamp(claims.expiresAtMs) }),
    holder: (claims): SessionHolder => ({ address: checksumAddress(claims.address), chainId: claims.chainId, brandId: claims.brandId ?? null }),
    cacheMs: deps.sessionCacheMs ?? 0,
    maxCached: MAX_CACHED_SESSIONS,
    now,
    onSignOut: deps.onSignOut,
  });

  async function verify(text: string, signature: string, at: Date = now()): Promise<VerifiedSignIn> {
    let message;
    try {
      message = parseSiweMessage(text);
    } catch (error) {
      throw toProblem(error);
    }
    // The page the message says it was signed on must be one that may sign members in here.
    const target = await signingOrigin(URL.parse(message.uri)?.origin ?? "", "verify");
    const mismatch = checkSiweMessage(message, {
      domain: target.domain,
      uri: target.origin,
      chainId: params.chainId,
      now: at,
      clockSkewSeconds: params.clockSkewSeconds,
    });
    if (mismatch) throw toProblem(mismatch);
    const nonceExpiresAt = openNonce(await nonceKey(), message.nonce, target.origin);
    if (nonceExpiresAt === null || nonceExpiresAt <= at.getTime()) throw nonceRefused();

    let verdict;
    try {
      verdict = await verifySiweSignature({ message: text, signature, client, parsed: message });
    } catch (error) {
      throw toProblem(error);
    }
    if (!verdict.ok) throw new Problem(401, "siwe_bad_signature", "The signature does not match the address", undefined, { reason: verdict.reason });

    // Used only after the signature checks out, so nobody can burn another member's nonce, and
    // atomically, so a message is good for exactly one session even when replayed concurrently.
    if (!(await store.useNonce(message.nonce, toTimestamp(nonceExpiresAt)))) throw nonceRefused();

    return { address: message.address as Address, chainId: message.chainId, method: verdict.method, origin: target.origin, brandId: target.brandId };
  }

  const deployment: SigningOrigin = { origin: params.siweUri.origin, domain: params.siweDomain, brandId: null };

  /**
   * The origin a message is signed for, with the EIP-4361 domain it must name: SIWE_URI's (with
   * SIWE_DOMAIN), or another the deployment or a brand allows (its own host). At issue time an
   * unknown origin is refused; at verify time it is the URI that does not match.
   */
  async function signingOrigin(header: string, purpose: "issue" | "verify"): Promise<SigningOrigin> {
    const origin = header.toLowerCase();
    if (origin === deployment.origin) return deployment;
    const grant = deps.origins === undefined ? null : await deps.origins(origin);
    if (grant !== null) return { origin, domain: authorityOf(origin), brandId: grant.brandId };
    if (purpose === "issue") throw new Problem(403, "origin_not_allowed", "This site may not sign members in here", "The brand registers its storefront's origin first (POST /v1/admin/origins, or Settings in the console).");
    throw new Problem(401, "siwe_uri_mismatch", "Sign-in refused", "The message's URI is not a site that may sign members in here.");
  }

  return {
    async issueNonce(origin) {
      const target = origin === undefined ? deployment : await signingOrigin(origin, "issue");
      const at = now();
      const { nonce, expiresAtMs } = signNonce(await nonceKey(), at.getTime() + params.nonceTtlSeconds * 1000, target.origin);
      return {
        nonce,
        expiresAt: toTimestamp(expiresAtMs),
        domain: target.domain,
        uri: target.origin,
        chainId: params.chainId,
        statement: params.siweStatement,
        version: "1",
        issuedAt: toTimestamp(at),
      };
    },

    verify: (text, signature) => verify(text, signature),

    async signIn(text, signature) {
      const at = now();
      const verified = await verify(text, signature, at);
      const { token, expiresAtMs } = await sessions.start({
        id: newSessionId(),
        address: verified.address.toLowerCase() as `0x${string}`,
        chainId: verified.chainId,
        expiresAtMs: at.getTime() + params.sessionTtlSeconds * 1000,
        ...(verified.brandId === null ? {} : { brandId: verified.brandId }),
      });
      return { token, ...verified, expiresAt: toTimestamp(expiresAtMs) };
    },

    authenticate: (token) => sessions.authenticate(token),
    signOut: (token) => sessions.signOut(token),
    forget: (sessionId) => sessions.forget(sessionId),
  };
}

type SigningOrigin = { origin: string; domain: string; brandId: string | null };

/** The EIP-4361 `domain` (RFC 3986 authority: host and port) a page at `origin` signs for. */
function authorityOf(origin: string): string {
  return new URL(origin).host;
}

function nonceRefused(): Problem {
  return new Problem(401, "siwe_nonce_invalid", "The nonce is unknown, expired or already used", "Fetch a new nonce and sign again.");
}

const STATUS_OF: Partial<Record<ProblemCode, number>> = { siwe_malformed: 400 };

function toProblem(error: unknown): Problem {
  if (!(error instanceof SiweError)) throw error;
  if (error.code === "chain_unavailable") return chainUnavailable("The contract wallet's signature could not be checked; nobody was signed in.", error.cause);
  const code = error.code as ProblemCode;
  return new Problem(STATUS_OF[code] ?? 401, code, "Sign-in refused", error.message);
}
