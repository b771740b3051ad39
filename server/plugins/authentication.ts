/**
 * Who is calling. Members present a session (the httpOnly cookie browsers keep, or
 * `Authorization: Bearer sbs_…` from other clients); brands present an API key
 * (`Authorization: Bearer sbk_…`); the deployment's operator presents OPERATOR_TOKEN. Routes opt in
 * with `preHandler: app.requireMember`, `app.requireBrand` or `app.requireOperator`, and then read
 * `request.member` / `request.brand`.
 *
 * Browsers send the cookie with requests other sites start, so a state change made with the cookie
 * must come from an allowed origin (CSRF). A bearer token cannot be attached cross-site: no check.
 */
import type {} from "@fastify/cookie";
import { timingSafeEqual } from "node:crypto";
import fp from "fastify-plugin";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Address } from "viem";
import type { AuthService } from "../auth/sessions.ts";
import { API_KEY_PREFIX } from "../auth/tokens.ts";
import { Problem } from "../errors.ts";
import type { Brand } from "../brands/types.ts";
import { sha256Hex } from "../storage/index.ts";

export const SESSION_COOKIE = "stampbook_session";

export type Member = { address: Address; chainId: number; token: string };

declare module "fastify" {
  interface FastifyInstance {
    auth: AuthService;
    requireMember: (request: FastifyRequest) => Promise<void>;
    requireBrand: (request: FastifyRequest) => Promise<void>;
    requireOperator: (request: FastifyRequest) => Promise<void>;
  }
  interface FastifyRequest {
    member: Member | null;
    brand: Brand | null;
  }
}

/** The bearer token of the request, if it sent one. */
export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header === undefined) return null;
  const match = /^Bearer ([A-Za-z0-9_\-.~+/]+=*)$/.exec(header);
  if (!match) throw new Problem(401, "unauthenticated", "Malformed Authorization header", "Use: Authorization: Bearer <token>");
  return match[1]!;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The serialized origin of `url` (scheme and host lower-cased, default port dropped), or null. */
function originOf(url: string): string | null {
  const origin = URL.parse(url)?.origin;
  return origin === undefined || origin === "null" ? null : origin;
}

export type AuthenticationOptions = {
  auth: AuthService;
  /** Origins whose pages may change state with the session cookie, e.g. https://shop.example. */
  allowedOrigins: string[];
  /** The operator's credential (creates brands); null: operator routes answer 401 to everyone. */
  operatorToken: string | null;
};

export const authenticationPlugin = fp(
  async (app: FastifyInstance, opts: AuthenticationOptions) => {
    const allowedOrigins = new Set(opts.allowedOrigins.map(originOf).filter((origin) => origin !== null));
    // Compared as browsers serialize origins (no path, no default port): "https://shop.example/" is no match.
    const isAllowedOrigin = (header: string | undefined) => header !== undefined && allowedOrigins.has(header.toLowerCase());

    app.decorate("auth", opts.auth);
    app.decorateRequest("member", null);
    app.decorateRequest("brand", null);

    app.decorate("requireMember", async (request: FastifyRequest) => {
      const bearer = bearerToken(request);
      const token = bearer ?? request.cookies[SESSION_COOKIE] ?? null;
      if (token === null) throw new Problem(401, "unauthenticated", "Sign in first", "Send the session cookie or Authorization: Bearer <session token>.");
      // Checked before the session is looked up: a forged request gets no further.
      if (bearer === null && !SAFE_METHODS.has(request.method) && !isAllowedOrigin(request.headers.origin)) {
        throw new Problem(403, "origin_not_allowed", "This request did not come from an allowed origin", "A change made with the session cookie must send the Origin header of an allowed site; other clients send Authorization: Bearer <session token>.");
      }
      const holder = await opts.auth.authenticate(token);
      if (holder === null) throw new Problem(401, "session_expired", "The session is unknown, expired or signed out", "Sign in again.");
      request.member = { ...holder, token };
    });

    app.decorate("requireBrand", async (request: FastifyRequest) => {
      const key = bearerToken(request);
      if (key === null || !key.startsWith(API_KEY_PREFIX)) {
        throw new Problem(401, "unauthenticated", "A brand API key is required", "Send Authorization: Bearer sbk_…");
      }
      const brand = await app.store.findBrandByApiKeyHash(sha256Hex(key));
      if (brand === null) throw new Problem(401, "unauthenticated", "The API key is unknown or revoked");
      request.brand = brand;
    });

    // Compared as digests, in constant time: the token's length and content leak nothing.
    const operatorDigest = opts.operatorToken === null ? null : Buffer.from(sha256Hex(opts.operatorToken), "hex");
    app.decorate("requireOperator", async (request: FastifyRequest) => {
      const token = bearerToken(request);
      if (operatorDigest === null) throw new Problem(401, "unauthenticated", "Operator access is not configured", "The operator sets OPERATOR_TOKEN on the server.");
      if (token === null || !timingSafeEqual(Buffer.from(sha256Hex(token), "hex"), operatorDigest)) {
        throw new Problem(401, "unauthenticated", "The operator token is required", "Send Authorization: Bearer <OPERATOR_TOKEN>.");
      }
    });
  },
  { name: "authentication", fastify: "5.x", dependencies: ["storage"] },
);
