/** The till's route: `POST /v1/admin/redemptions/verify` checks a member's code and uses it up, once. */
import type { FastifyInstance } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { problemResponses } from "../schemas.ts";
import { redemptionView, RedemptionSchema } from "./schemas.ts";
import type { Till } from "./till.ts";

export async function tillRoutes(app: FastifyInstance, opts: { till: Till }) {
  app.withTypeProvider<TypeBoxTypeProvider>().post(
    "/v1/admin/redemptions/verify",
    {
      preHandler: app.requireBrand,
      schema: {
        tags: ["admin"],
        summary: "A till checks a redemption code and consumes it, once",
        body: Type.Object({ code: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }),
        response: { 200: RedemptionSchema, ...problemResponses(400, 401, 404, 409) },
      },
    },
    async (request) => redemptionView(await opts.till.verify(request.brand!.id, request.body.code)),
  );
}
