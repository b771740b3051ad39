/** Sign-in routes: nonce, verify, logout. */
import type { FastifyInstance } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { Address } from "viem";
import { SESSION_COOKIE } from "./credentials.ts";
import { NonceResponse, SessionResponse, VerifyBody } from "../../sdk/src/protocol/auth.ts";
import { problemResponses } from "../../sdk/src/protocol/common.ts";

/** Told about every sign-in, after the session exists (e.g. journeys: a first sign-in with an invitation). */
export type SignInHook = (address: Address, context: { invitation: string | null }) => Promise<void>;

export async function authRoutes(app: FastifyInstance, opts: { rateLimitPerMinute: number; secureCookies: boolean; sessionTtlSeconds: number; onSignIn?: SignInHook }) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const rateLimit = { max: opts.rateLimitPerMinute, timeWindow: "1 minute" };

  api.get(
    "/v1/auth/nonce",
    {
      config: { rateLimit },
      schema: {
        tags: ["auth"],
        summary: "A fresh single-use nonce and what the client needs to build the EIP-4361 message, for the page's origin (its Origin header): the deployment's or a brand's registered storefront",
        response: { 200: NonceResponse, ...problemResponses(403, 429) },
      },
    },
    async (request, reply) => {
      reply.header("cache-control", "no-store");
      return app.auth.issueNonce(request.headers.origin);
    },
  );

  api.post(
    "/v1/auth/verify",
    {
      config: { rateLimit },
      schema: {
        tags: ["auth"],
        summary: "Verify a signed EIP-4361 message and start a session",
        body: VerifyBody,
        response: { 200: SessionResponse, ...problemResponses(400, 401, 413, 415, 429, 503) },
      },
    },
    async (request, reply) => {
      const session = await app.auth.signIn(request.body.message, request.body.signature);
      if (opts.onSignIn !== undefined) {
        // The member is signed in whatever the hook does: a failure is logged, never answered.
        try {
          await opts.onSignIn(session.address, { invitation: request.body.invitation ?? null });
        } catch (error) {
          request.log.warn({ err: error }, "a sign-in hook failed; the sign-in stands");
        }
      }
      reply.setCookie(SESSION_COOKIE, session.token, {
        httpOnly: true,
        secure: opts.secureCookies,
        sameSite: "lax",
        path: "/",
        maxAge: opts.sessionTtlSeconds,
      });
      reply.header("cache-control", "no-store");
      return session;
    },
  );

  api.post(
    "/v1/auth/logout",
    {
      preHandler: app.requireMember,
      schema: { tags: ["auth"], summary: "Revoke the current session", response: { 204: Type.Null(), ...problemResponses(401) } },
    },
    async (request, reply) => {
      await app.auth.signOut(request.member!.token);
      reply.clearCookie(SESSION_COOKIE, { path: "/" });
      return reply.status(204).send(null);
    },
  );
}
