/**
 * What the staff console reads besides the brand's own lists (managers and owners, or an API key):
 * `GET /v1/admin/stats?days=` and `POST /v1/admin/rules/preview` `{ rule }`.
 */
import type { FastifyInstance } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { problemResponses } from "../../sdk/src/protocol/common.ts";
import type { RulePreviews } from "./preview.ts";
import { PreviewBody, PreviewSchema, StatsQuery, StatsSchema } from "../../sdk/src/protocol/staff.ts";
import type { StaffStats } from "./stats.ts";

export async function consoleRoutes(app: FastifyInstance, opts: { stats: StaffStats; previews: RulePreviews }) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const auth = { preHandler: app.requireBrand };

  api.get(
    "/v1/admin/stats",
    {
      ...auth,
      schema: {
        tags: ["admin"],
        summary: "The brand's overview: members, redemptions and claims per UTC day, busiest perks",
        querystring: StatsQuery,
        response: { 200: StatsSchema, ...problemResponses(400, 401, 403, 503) },
      },
    },
    async (request, reply) => {
      reply.header("cache-control", "no-store");
      return opts.stats.of(request.brand!.id, request.query.days ?? 30);
    },
  );

  api.post(
    "/v1/admin/rules/preview",
    {
      ...auth,
      schema: {
        tags: ["admin"],
        summary: "A rule in the brand's words, and how many of the (up to 500) most recently seen members meet it now, read fresh from the chain",
        body: PreviewBody,
        response: { 200: PreviewSchema, ...problemResponses(400, 401, 403, 413, 415, 503) },
      },
    },
    async (request) => opts.previews.preview(request.brand!.id, request.body.rule),
  );
}
