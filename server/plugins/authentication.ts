/**
 * Who is calling. Members present a session (the httpOnly cookie browsers keep, or
 * `Authorization: Bearer sbs_…` from other clients); brands present an API key
 * (`Authorization: Bearer sbk_…`). Routes opt in with `preHandler: app.requireMember` or
 * `app.requireBrand`, and then read `request.member` / `request.brand`.
 */
import type {} from "@fastify/cookie";
import fp from "fastify-plugin";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Address } from "viem";
import type { AuthService } from "../auth/sessions.ts";
import { API_KEY_PREFIX } from "../auth/tokens.ts";
import { Problem } from "../errors.ts";
import { sha256Hex, type Brand } from "../storage/index.ts";

export const SESSION_COOKIE = "stampbook_session";

export type Member = { address: Address; chainId: number; token: string };

declare module "fastify" {
  interface FastifyInstance {
    auth: AuthService;
    requireMember: (request: FastifyRequest) => Promise<void>;
    requireBrand: (request: FastifyRequest) => Promise<void>;
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

export const authenticationPlugin = fp(
  async (app: FastifyInstance, opts: { auth: AuthService }) => {
    app.decorate("auth", opts.auth);
    app.decorateRequest("member", null);
    app.decorateRequest("brand", null);

    app.decorate("requireMember", async (request: FastifyRequest) => {
      const bearer = bearerToken(request);
      const token = bearer ?? request.cookies[SESSION_COOKIE] ?? null;
      if (token === null) throw new Problem(401, "unauthenticated", "Sign in first", "Send the session cookie or Authorization: Bearer <session token>.");
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
  },
  { name: "authentication", fastify: "5.x", dependencies: ["storage"] },
);
