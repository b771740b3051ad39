/**
 * Sign-In with Ethereum, from nonce to session. Binds every sign-in to this server's domain, URI
 * origin and chain id and to a nonce it issued, used once; plain wallets verify locally and contract
 * wallets (EIP-1271 deployed, ERC-6492 counterfactual) through the chain.
 */
import { getAddress, type Address } from "viem";
import type { Config } from "../config.ts";
import { Problem, type ProblemCode } from "../errors.ts";
import { sha256Hex, toTimestamp, type Session, type Store } from "../storage/index.ts";
import { checkSiweMessage, parseSiweMessage, SiweError, verifySiweSignature, type ChainClient } from "./siwe/index.ts";
import { newNonce, newSessionToken, SESSION_TOKEN_PREFIX } from "./tokens.ts";

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

/** Who a live session belongs to; the address is checksummed. */
export type SessionHolder = { address: Address; chainId: number };

export type SignedIn = { token: string; address: Address; chainId: number; expiresAt: string; method: "eoa" | "erc1271" | "erc6492" };

export type AuthService = {
  issueNonce(): Promise<NonceGrant>;
  signIn(message: string, signature: string): Promise<SignedIn>;
  /** Who the live session a token stands for belongs to, or null. */
  authenticate(token: string): Promise<SessionHolder | null>;
  signOut(token: string): Promise<void>;
};

const MAX_CACHED_SESSIONS = 50_000;

/**
 * @param deps.sessionCacheMs how long a looked-up session may be reused without reading the store.
 *   A sign-out on this instance takes effect at once; one on another instance sharing the store,
 *   within this long. 0 reads the store on every request.
 */
export function createAuthService(deps: { store: Store; client: ChainClient; params: SignInParameters; sessionCacheMs?: number; now?: () => Date }): AuthService {
  const { store, client, params } = deps;
  const now = deps.now ?? (() => new Date());
  const sessionCacheMs = deps.sessionCacheMs ?? 0;
  // Keyed by the token itself: a hit costs no hashing, no store read and no checksumming.
  const sessionCache = new Map<string, { holder: SessionHolder; cachedAt: number; expiresAtMs: number }>();

  return {
    async issueNonce() {
      const at = now();
      const nonce = newNonce();
      const expiresAt = toTimestamp(at.getTime() + params.nonceTtlSeconds * 1000);
      await store.createNonce(nonce, expiresAt);
      return {
        nonce,
        expiresAt,
        domain: params.siweDomain,
        uri: params.siweUri.origin,
        chainId: params.chainId,
        statement: params.siweStatement,
        version: "1",
        issuedAt: toTimestamp(at),
      };
    },

    async signIn(text, signature) {
      const at = now();
      let message;
      try {
        message = parseSiweMessage(text);
      } catch (error) {
        throw toProblem(error);
      }
      const mismatch = checkSiweMessage(message, {
        domain: params.siweDomain,
        uri: params.siweUri.origin,
        chainId: params.chainId,
        now: at,
        clockSkewSeconds: params.clockSkewSeconds,
      });
      if (mismatch) throw toProblem(mismatch);

      let verdict;
      try {
        verdict = await verifySiweSignature({ message: text, signature, client });
      } catch (error) {
        throw toProblem(error);
      }
      if (!verdict.ok) throw new Problem(401, "siwe_bad_signature", "The signature does not match the address", undefined, { reason: verdict.reason });

      // Consumed only after the signature checks out, so nobody can burn another member's nonce, and
      // atomically, so a message is good for exactly one session even when replayed concurrently.
      if (!(await store.consumeNonce(message.nonce, toTimestamp(at)))) {
        throw new Problem(401, "siwe_nonce_invalid", "The nonce is unknown, expired or already used", "Fetch a new nonce and sign again.");
      }

      const token = newSessionToken();
      const expiresAt = toTimestamp(at.getTime() + params.sessionTtlSeconds * 1000);
      await store.createSession({ tokenHash: sha256Hex(token), address: message.address.toLowerCase(), chainId: message.chainId, createdAt: toTimestamp(at), expiresAt });
      return { token, address: message.address as Address, chainId: message.chainId, expiresAt, method: verdict.method };
    },

    async authenticate(token) {
      if (!token.startsWith(SESSION_TOKEN_PREFIX) || token.length > 128) return null;
      const at = now().getTime();
      const cached = sessionCache.get(token);
      if (cached !== undefined) {
        if (at - cached.cachedAt < sessionCacheMs && at < cached.expiresAtMs) return cached.holder;
        sessionCache.delete(token);
      }
      const session = await store.getSession(sha256Hex(token), toTimestamp(at));
      if (session === null) return null;
      const holder = holderOf(session);
      if (sessionCacheMs > 0) {
        if (sessionCache.size >= MAX_CACHED_SESSIONS) sessionCache.delete(sessionCache.keys().next().value!);
        sessionCache.set(token, { holder, cachedAt: at, expiresAtMs: Date.parse(session.expiresAt) });
      }
      return holder;
    },

    async signOut(token) {
      sessionCache.delete(token);
      if (token.startsWith(SESSION_TOKEN_PREFIX)) await store.revokeSession(sha256Hex(token));
    },
  };
}

function holderOf(session: Session): SessionHolder {
  return { address: getAddress(session.address), chainId: session.chainId };
}

const STATUS_OF: Partial<Record<ProblemCode, number>> = { siwe_malformed: 400, chain_unavailable: 503 };

function toProblem(error: unknown): Problem {
  if (!(error instanceof SiweError)) throw error;
  const code = error.code as ProblemCode;
  const status = STATUS_OF[code] ?? 401;
  return new Problem(status, code, status === 503 ? "The chain cannot be read right now" : "Sign-in refused", error.message);
}
