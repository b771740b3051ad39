/**
 * The till's route: `POST /v1/admin/redemptions/verify` checks a member's code and uses it up, once.
 * The one brand route a till staff member may call.
 */
import type { FastifyInstance } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { problemResponses } from "../schemas.ts";
import { verifiedRedemptionView, VerifiedRedemptionSchema } from "./schemas.ts";
import type { Till } from "./till.ts";

export async function tillRoutes(app: FastifyInstance, opts: { till: Till }) {
  app.withTypeProvider<TypeBoxTypeProvider>().post(
    "/v1/admin/redemptions/verify",
    {
      preHandler: app.requireBrand,
      config: { staffRole: "till" },
      schema: {
        tags: ["admin"],
        summary: "A till checks a redemption code and consumes it, once; answers the perk's title and the member's level",
        body: Type.Object({ code: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }),
        response: { 200: VerifiedRedemptionSchema, ...problemResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request) => verifiedRedemptionView(await opts.till.verify(request.brand!.id, request.body.code)),
  );
}
