/**
 * `createStampbookServer`: the brand's own server gates pages on what a member holds, in one call
 * and without calling Stampbook per request. The browser SDK hands the member's entitlement (a
 * short-lived token the API signs) to `handleSession`, which verifies it and keeps it in a
 * first-party httpOnly cookie; `getMember` and `requireMembership` verify that cookie offline
 * against the API's published keys (fetched once, then cached; a key rotated in is fetched when a
 * token names it).
 *
 * CSRF: a session POST or DELETE is accepted only when its `Origin` is the brand's own (the
 * audience) and it carries the `x-stampbook-session` header. A cross-site form cannot set that
 * header, and a cross-site script cannot send it without a CORS preflight the brand's server does
 * not answer; the token itself is bound to the member and to this audience.
 */
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from "jose";
import { ENTITLEMENT_ALGORITHM, ENTITLEMENT_VERSION, JWKS_PATH, SESSION_HEADER } from "../protocol/entitlement-format.ts";
import type { EntitlementClaims } from "../protocol/entitlements.ts";
import { cookie, header, jsonBody, type GateRequest } from "./http.ts";
import { judgeRequirement, type Requirement } from "./requirement.ts";

export type StampbookServerOptions = {
  /** The Stampbook API, e.g. https://api.stampbook.example. */
  apiUrl: string;
  /** The brand's id: tokens for another brand are refused. */
  brand: string;
  /** The brand's site origin tokens are for (their `aud`), e.g. https://shop.example. */
  audience: string;
  /** Who signs tokens (their `iss`); default `apiUrl`. */
  issuer?: string;
  /** The session cookie's name; default `__Host-stampbook` on https, `stampbook` on http. */
  cookieName?: string;
  /** Seconds of clock difference allowed with the API; default 30. */
  clockTolerance?: number;
  /** Least time between two fetches of the keys (a token naming an unknown key fetches them); default 30 000 ms. */
  jwksCooldownMs?: number;
  /** The keys to verify with, instead of fetching `apiUrl` + /.well-known/jwks.json. */
  jwks?: JWTVerifyGetKey;
  /**
   * How many verified tokens are remembered (default 1000; 0: none): a member's next request with
   * the same cookie skips the signature check, never the expiry check.
   */
  cacheSize?: number;
  /** The clock tokens are judged by; default the system's. */
  now?: () => Date;
};

/** A verified member, as a page uses them. */
export type GateMember = {
  address: `0x${string}`;
  brand: { id: string; name: string };
  points: bigint;
  level: { key: string; name: string } | null;
  memberships: { name: string; collection: string; tokenId: string; expiresAt: Date | null }[];
  holdings: { name: string; collection: string; tokenId: string; balance: bigint }[];
  perks: { id: string; title: string }[];
  /** When the entitlement expires: the browser SDK renews it before. */
  expiresAt: Date;
  claims: EntitlementClaims;
};

export type GateReason = "signed_out" | "expired" | "invalid" | "not_enough" | "undecidable";

export type GateResult = { ok: true; member: GateMember } | { ok: false; reason: GateReason; message: string; member: GateMember | null };

const MESSAGES: Record<Exclude<GateReason, "not_enough" | "undecidable">, string> = {
  signed_out: "Sign in to see this.",
  expired: "Your membership pass has expired; it renews when the page is open.",
  invalid: "Your membership pass could not be checked; sign in again.",
};

type Read = { member: GateMember } | { reason: keyof typeof MESSAGES };

/**
 * @example
 * // middleware.ts (Next.js)
 * import { NextResponse, type NextRequest } from "next/server";
 * import { createStampbookServer } from "@stampbook/sdk/server";
 *
 * const stampbook = createStampbookServer({ apiUrl: "https://api.stampbook.example", brand: "brand_123", audience: "https://shop.example" });
 * export async function middleware(request: NextRequest) {
 *   const gate = await stampbook.requireMembership(request, { level: "Silver" });
 *   return gate.ok ? NextResponse.next() : NextResponse.redirect(new URL(`/join?why=${gate.reason}`, request.url));
 * }
 */
export function createStampbookServer(options: StampbookServerOptions) {
  const apiUrl = options.apiUrl.replace(/\/+$/, "");
  const audience = new URL(options.audience).origin;
  const secure = audience.startsWith("https:");
  const name = options.cookieName ?? (secure ? "__Host-stampbook" : "stampbook");
  const issuer = options.issuer ?? apiUrl;
  const now = options.now ?? (() => new Date());
  const keys = options.jwks ?? createRemoteJWKSet(new URL(apiUrl + JWKS_PATH), { cooldownDuration: options.jwksCooldownMs ?? 30_000 });

  const verified = new Map<string, GateMember>();
  const cacheSize = options.cacheSize ?? 1000;

  async function verify(token: string): Promise<Read> {
    const known = verified.get(token);
    if (known !== undefined) return known.expiresAt.getTime() + (options.clockTolerance ?? 30) * 1000 > now().getTime() ? { member: known } : { reason: "expired" };
    try {
      const { payload } = await jwtVerify<EntitlementClaims>(token, keys, { issuer, audience, algorithms: [ENTITLEMENT_ALGORITHM], clockTolerance: options.clockTolerance ?? 30, currentDate: now() });
      if (payload.brand?.id !== options.brand || payload.v !== ENTITLEMENT_VERSION) return { reason: "invalid" };
      const member = memberOf(payload);
      if (cacheSize > 0) {
        if (verified.size >= cacheSize) verified.clear();
        verified.set(token, member);
      }
      return { member };
    } catch (error) {
      return { reason: (error as { code?: string }).code === "ERR_JWT_EXPIRED" ? "expired" : "invalid" };
    }
  }

  async function read(request: GateRequest): Promise<Read> {
    const token = cookie(request, name);
    return token === undefined ? { reason: "signed_out" } : verify(token);
  }

  const answer = (status: number, body: object, setCookie?: string) =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", "cache-control": "no-store", ...(setCookie ? { "set-cookie": setCookie } : {}) } });
  const sessionCookie = (value: string, maxAge: number) => `${name}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure ? "; Secure" : ""}`;

  return {
    /** The session cookie's name. */
    cookieName: name,

    /**
     * The session endpoint the browser SDK talks to: POST `{ token }` verifies the entitlement and
     * sets the cookie (expiring with it); DELETE clears it. Answers a Web `Response` (return it from a
     * Next.js route handler; `sendResponse(response, res)` for Express or Fastify).
     */
    async handleSession(request: GateRequest): Promise<Response> {
      const method = (request.method ?? "GET").toUpperCase();
      if (method !== "POST" && method !== "DELETE") return answer(405, { error: "method_not_allowed", message: "POST or DELETE" });
      if (header(request, "origin") !== audience || header(request, SESSION_HEADER) === undefined) {
        return answer(403, { error: "cross_site", message: "Session requests come from the brand's own pages, through the Stampbook SDK." });
      }
      if (method === "DELETE") return answer(200, { ok: true }, sessionCookie("", 0));
      const body = (await jsonBody(request).catch(() => null)) as { token?: unknown } | null;
      if (typeof body?.token !== "string") return answer(400, { error: "bad_request", message: "Send { token } from getEntitlement." });
      const read = await verify(body.token);
      if (!("member" in read)) return answer(401, { error: read.reason, message: MESSAGES[read.reason] });
      const maxAge = Math.max(0, Math.floor((read.member.expiresAt.getTime() - now().getTime()) / 1000));
      return answer(200, { ok: true, address: read.member.address, expiresAt: read.member.expiresAt.toISOString() }, sessionCookie(body.token, maxAge));
    },

    /** The verified member behind the request's session cookie, or null. */
    async getMember(request: GateRequest): Promise<GateMember | null> {
      const read_ = await read(request);
      return "member" in read_ ? read_.member : null;
    },

    /**
     * Whether the member meets `requirement` (a level, a membership by name, a perk, or a rule),
     * verified and decided offline. A refusal says why, in words a page can show.
     * Throws a TypeError for a rule that can never be decided offline (a consent rule).
     */
    async requireMembership(request: GateRequest, requirement: Requirement): Promise<GateResult> {
      const read_ = await read(request);
      if (!("member" in read_)) return { ok: false, reason: read_.reason, message: MESSAGES[read_.reason], member: null };
      const { member } = read_;
      const verdict = judgeRequirement(requirement, member.claims, now().getTime());
      if (verdict.met === true) return { ok: true, member };
      return { ok: false, reason: verdict.met === false ? "not_enough" : "undecidable", message: verdict.message, member };
    },
  };
}

export type StampbookServer = ReturnType<typeof createStampbookServer>;

function memberOf(claims: EntitlementClaims): GateMember {
  return {
    address: claims.sub as `0x${string}`,
    brand: claims.brand,
    points: BigInt(claims.points),
    level: claims.level,
    memberships: claims.memberships.map(({ name, collection, tokenId, expiresAt }) => ({ name, collection, tokenId, expiresAt: expiresAt === null ? null : new Date(expiresAt) })),
    holdings: claims.holdings.map(({ name, collection, tokenId, balance }) => ({ name, collection, tokenId, balance: BigInt(balance) })),
    perks: claims.perks,
    expiresAt: new Date(claims.exp * 1000),
    claims,
  };
}
