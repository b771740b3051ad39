/** Brand routes for awards, behind an API key: `GET /v1/admin/awards`, the brand's own, newest first. */
import type { FastifyInstance } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { Address } from "viem";
import { problemResponses } from "../schemas.ts";
import type { AwardHistory } from "./history.ts";
import { AwardPageSchema, AwardQuerySchema, awardView } from "./schemas.ts";

export async function awardRoutes(app: FastifyInstance, opts: { history: AwardHistory }) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get(
    "/v1/admin/awards",
    {
      preHandler: app.requireBrand,
      schema: {
        tags: ["admin"],
        summary: "The brand's awards (stamps owed for completed journeys), newest first: pending, sending, awarded or failed",
        querystring: AwardQuerySchema,
        response: { 200: AwardPageSchema, ...problemResponses(400, 401) },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await opts.history.page({
        brandId: request.brand!.id,
        limit: q.limit ?? 50,
        cursor: q.cursor ?? null,
        ...(q.status === undefined ? {} : { status: q.status }),
        ...(q.member === undefined ? {} : { member: q.member as Address }),
        ...(q.journeyId === undefined ? {} : { journeyId: q.journeyId }),
      });
      return { items: page.items.map(awardView), nextCursor: page.nextCursor };
    },
  );
}
