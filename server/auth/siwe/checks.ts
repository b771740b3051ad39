import { SiweError } from "./errors.ts";
import type { SiweMessage } from "./message.ts";
import { parseTimestamp } from "./time.ts";

export interface SiweExpectations {
  /** The authority the message must name, exactly, port included (e.g. "localhost:8787"). */
  domain: string;
  /** The server's origin (e.g. "http://localhost:8787"); the message URI must share it. */
  uri: string;
  chainId: number;
  /** The nonce this server issued; omit only if the caller checks it separately. */
  nonce?: string;
  now?: Date;
  /** Tolerance for clocks that disagree, in seconds. Default 60. */
  clockSkewSeconds?: number;
}

const DEFAULT_CLOCK_SKEW_SECONDS = 60;

function parseUrl(uri: string): URL | null {
  try {
    return new URL(uri);
  } catch {
    return null;
  }
}

function originOf(uri: string): string | null {
  const origin = parseUrl(uri)?.origin ?? null;
  // Non-special schemes (ipfs:, did:, urn:…) have an opaque origin, which must never match.
  return origin === "null" ? null : origin;
}

// The server checks every sign-in against one URI: its origin is worked out once, not per message.
let expectedUri: string | undefined;
let expectedOrigin: string | null = null;
function expectedOriginOf(uri: string): string | null {
  if (uri !== expectedUri) {
    expectedOrigin = originOf(uri);
    expectedUri = uri;
  }
  return expectedOrigin;
}

function schemeOf(uri: string): string | null {
  return parseUrl(uri)?.protocol.slice(0, -1) ?? null;
}

/**
 * Checks that a parsed message is meant for this server, now. Rules run in this order and the
 * first one broken is returned: domain, URI origin, chain ID, nonce, expiry, not-before,
 * issued-at, version.
 *
 * Clock skew: the wallet's clock and ours may disagree by `clockSkewSeconds` (default 60), and the
 * tolerance always favours the signer. A message counts as expired only once
 * `expirationTime <= now - skew`; it is not yet valid only while `notBefore > now + skew`; it is
 * issued in the future only if `issuedAt > now + skew`.
 *
 * The signature is checked separately ({@link verifySiweSignature}).
 *
 * @returns the first failing rule as a {@link SiweError}, or `null` if the message passes.
 * @example
 * const error = checkSiweMessage(msg, { domain: "localhost:8787", uri: "http://localhost:8787",
 *   chainId: 31337, nonce: issuedNonce });
 * if (error) throw error;
 */
export function checkSiweMessage(msg: SiweMessage, expect: SiweExpectations): SiweError | null {
  const now = (expect.now ?? new Date()).getTime();
  const skewMs = (expect.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS) * 1000;

  if (msg.domain !== expect.domain) {
    return new SiweError("siwe_domain_mismatch", `message is for domain "${msg.domain}", expected "${expect.domain}"`);
  }
  // "https://example.com wants you…": the scheme is part of what the wallet showed the user.
  if (msg.scheme !== undefined && msg.scheme !== schemeOf(expect.uri)) {
    return new SiweError(
      "siwe_domain_mismatch",
      `message is for scheme "${msg.scheme}", expected "${schemeOf(expect.uri)}"`,
    );
  }
  const origin = originOf(msg.uri);
  const expected = expectedOriginOf(expect.uri);
  if (origin === null || origin !== expected) {
    return new SiweError("siwe_uri_mismatch", `message URI "${msg.uri}" is not on origin "${expected ?? expect.uri}"`);
  }
  if (msg.chainId !== expect.chainId) {
    return new SiweError("siwe_chain_mismatch", `message is for chain ${msg.chainId}, expected ${expect.chainId}`);
  }
  if (expect.nonce !== undefined && msg.nonce !== expect.nonce) {
    return new SiweError("siwe_nonce_mismatch", "message nonce is not the one this server issued");
  }

  const issuedAt = parseTimestamp(msg.issuedAt);
  const expirationTime = msg.expirationTime === undefined ? undefined : parseTimestamp(msg.expirationTime);
  const notBefore = msg.notBefore === undefined ? undefined : parseTimestamp(msg.notBefore);
  if (issuedAt === null || expirationTime === null || notBefore === null) {
    return new SiweError("siwe_malformed", "message has a timestamp that is not an RFC 3339 date-time");
  }
  if (expirationTime !== undefined && expirationTime <= now - skewMs) {
    return new SiweError("siwe_expired", `message expired at ${msg.expirationTime}`);
  }
  if (notBefore !== undefined && notBefore > now + skewMs) {
    return new SiweError("siwe_not_yet_valid", `message is not valid before ${msg.notBefore}`);
  }
  if (issuedAt > now + skewMs) {
    return new SiweError("siwe_issued_in_future", `message claims to be issued at ${msg.issuedAt}, which is in the future`);
  }
  if (msg.version !== "1") {
    return new SiweError("siwe_version", `message version "${String(msg.version)}" is not supported`);
  }
  return null;
}
