/**
 * The till's route: `POST /v1/admin/redemptions/verify` checks a member's code and uses it up, once.
 * The one brand route a till staff member may call.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { rateLimited } from "../errors.ts";
import { bearerToken } from "../auth/credentials.ts";
import { problemResponses } from "../schemas.ts";
import { sha256Hex } from "../storage/index.ts";
import { verifiedRedemptionView, VerifiedRedemptionSchema } from "./schemas.ts";
import type { Till } from "./till.ts";

/**
 * Whose checks count together: the staff session's, else the API key's (by digest; the key itself is
 * never a store key). Read after the brand guard, so one of them authenticated the request.
 */
function credentialOf(request: FastifyRequest): string {
  if (request.staff !== null) return `till:staff:${request.staff.id}`;
  return `till:key:${sha256Hex(bearerToken(request) ?? "").slice(0, 32)}`;
}

/** @param opts.verifyPerMinute checks per credential per minute (TILL_VERIFY_PER_MINUTE), counted in the app's rate-limit store (shared by instances with Redis). */
export async function tillRoutes(app: FastifyInstance, opts: { till: Till; verifyPerMinute: number }) {
  app.withTypeProvider<TypeBoxTypeProvider>().post(
    "/v1/admin/redemptions/verify",
    {
      preHandler: app.requireBrand,
      config: {
        staffRole: "till",
        // Every check counts, found or not: the point is the store's load, not only guessing (codes carry 60 bits).
        rateLimit: {
          max: opts.verifyPerMinute,
          timeWindow: 60_000,
          hook: "preHandler",
          keyGenerator: credentialOf,
          errorResponseBuilder: (_request, context) => rateLimited("Too many code checks", `At most ${context.max} a minute with these credentials.`, context.ttl, { limit: context.max }),
        },
      },
      schema: {
        tags: ["admin"],
        summary: "A till checks a redemption code and consumes it, once; answers the perk's title and the member's level. At most TILL_VERIFY_PER_MINUTE checks a minute per staff session or API key (429 rate_limited with Retry-After).",
        body: Type.Object({ code: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }),
        response: { 200: VerifiedRedemptionSchema, ...problemResponses(400, 401, 403, 404, 409, 429, 503) },
      },
    },
    async (request) => verifiedRedemptionView(await opts.till.verify(request.brand!.id, request.body.code)),
  );
}
