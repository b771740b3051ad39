/**
 * Staff sign-in: `POST /v1/staff/sign-in` (the message built from GET /v1/auth/nonce, as members
 * sign in, plus the brand to act for), `POST /v1/staff/sign-out`, `GET /v1/staff/me`. A staff
 * session lives in its own cookie, `stampbook_staff`, apart from a member's.
 */
import type { FastifyInstance } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { STAFF_COOKIE } from "../auth/credentials.ts";
import { problemResponses } from "../schemas.ts";
import { StaffMeSchema, StaffSessionSchema, StaffSignInBody } from "./schemas.ts";

export async function staffRoutes(app: FastifyInstance, opts: { rateLimitPerMinute: number; secureCookies: boolean; sessionTtlSeconds: number }) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const rateLimit = { max: opts.rateLimitPerMinute, timeWindow: "1 minute" };

  api.post(
    "/v1/staff/sign-in",
    {
      config: { rateLimit },
      schema: {
        tags: ["staff"],
        summary: "Sign in as a brand's staff: owner (admin of one of its collections, read on chain), manager or till (its staff list)",
        body: StaffSignInBody,
        response: { 200: StaffSessionSchema, ...problemResponses(400, 401, 403, 413, 415, 429, 503) },
      },
    },
    async (request, reply) => {
      const session = await app.staff.signIn(request.body.message, request.body.signature, request.body.brandId);
      // Only ever sent to this API: the console is served by it.
      reply.setCookie(STAFF_COOKIE, session.token, { httpOnly: true, secure: opts.secureCookies, sameSite: "strict", path: "/", maxAge: opts.sessionTtlSeconds });
      reply.header("cache-control", "no-store");
      return session;
    },
  );

  api.post(
    "/v1/staff/sign-out",
    {
      preHandler: app.requireStaff,
      schema: { tags: ["staff"], summary: "End the current staff session", response: { 204: Type.Null(), ...problemResponses(401, 403) } },
    },
    async (request, reply) => {
      await app.staff.signOut(request.staff!.token);
      reply.clearCookie(STAFF_COOKIE, { path: "/" });
      return reply.status(204).send(null);
    },
  );

  api.get(
    "/v1/staff/me",
    {
      preHandler: app.requireStaff,
      schema: { tags: ["staff"], summary: "Who is signed in as staff, for which brand, and their role now", response: { 200: StaffMeSchema, ...problemResponses(401, 403, 503) } },
    },
    async (request, reply) => {
      const { brandId, address } = request.staff!;
      const { brand, role } = await app.staff.roles.access(brandId, address);
      reply.header("cache-control", "no-store");
      return { brandId: brand.id, brandName: brand.name, address, role };
    },
  );
}
