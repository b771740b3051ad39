/** Levels: the brand sets its own behind its API key; members and storefronts read any brand's. */
import type { FastifyInstance } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { IdSchema, problemResponses } from "../../sdk/src/protocol/common.ts";
import type { Levels } from "./service.ts";
import { LevelsBody, LevelsSchema } from "../../sdk/src/protocol/levels.ts";

export async function levelRoutes(app: FastifyInstance, opts: { levels: Levels }) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { levels } = opts;
  const auth = { preHandler: app.requireBrand };

  api.get(
    "/v1/admin/levels",
    { ...auth, schema: { tags: ["admin"], summary: "This brand's levels: named point thresholds", response: { 200: LevelsSchema, ...problemResponses(401) } } },
    async (request) => ({ levels: await levels.of(request.brand!.id) }),
  );

  api.put(
    "/v1/admin/levels",
    {
      ...auth,
      schema: {
        tags: ["admin"],
        summary: "Replace this brand's levels; members' points with the brand (the sum over its token types held of balance × points) put them at one",
        body: LevelsBody,
        response: { 200: LevelsSchema, ...problemResponses(400, 401) },
      },
    },
    async (request) => ({ levels: await levels.replace(request.brand!.id, request.body.levels) }),
  );

  api.get(
    "/v1/brands/:brandId/levels",
    {
      schema: {
        tags: ["members"],
        summary: "A brand's levels, for anyone",
        params: Type.Object({ brandId: IdSchema }),
        response: { 200: LevelsSchema, ...problemResponses(400, 404) },
      },
    },
    async (request, reply) => {
      const found = await levels.ofPublic(request.params.brandId);
      reply.header("cache-control", "public, max-age=60");
      return { levels: found };
    },
  );
}
