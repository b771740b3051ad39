/**
 * Journey routes: the members' (`GET /v1/journeys`, `POST /v1/journeys/:id/steps/:stepId/complete`)
 * and the brands' (admin-routes.ts).
 */
import type { FastifyInstance } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { IdSchema, problemResponses } from "../schemas.ts";
import { journeyAdminRoutes } from "./admin-routes.ts";
import { CompletionAnswerSchema, CompletionBody, MemberJourneySchema, StepIdSchema } from "./schemas.ts";
import type { Journeys } from "./service.ts";

export async function journeyRoutes(app: FastifyInstance, opts: { journeys: Journeys; attemptsPerMinute: number }) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { journeys } = opts;
  const tags = ["journeys"];

  api.get(
    "/v1/journeys",
    {
      preHandler: app.requireMember,
      schema: {
        tags,
        summary: "Journeys, with the signed-in member's progress, what each step needs, and their award",
        querystring: Type.Object({ brand: Type.Optional(IdSchema) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(MemberJourneySchema) }), ...problemResponses(400, 401, 503) },
      },
    },
    async (request) => ({ items: await journeys.list(request.member!.address, request.query.brand === undefined ? {} : { brandId: request.query.brand }) }),
  );

  api.post(
    "/v1/journeys/:id/steps/:stepId/complete",
    {
      preHandler: app.requireMember,
      // Per member, after sign-in: a quiz says how many answers are wrong, so unbounded tries would find them.
      config: { rateLimit: { max: opts.attemptsPerMinute, timeWindow: "1 minute", hook: "preHandler", keyGenerator: (request) => `step:${request.member?.address ?? request.ip}` } },
      schema: {
        tags,
        summary:
          "Complete a step: a quiz with { answers }, a code step with { code }, a hold step with {} (checked on chain now). Completing a done step again answers with the same state.",
        params: Type.Object({ id: IdSchema, stepId: StepIdSchema }),
        body: CompletionBody,
        response: { 200: CompletionAnswerSchema, ...problemResponses(400, 401, 403, 404, 409, 422, 429, 503) },
      },
    },
    async (request) => journeys.complete(request.member!.address, request.params.id, request.params.stepId, request.body),
  );

  await app.register(journeyAdminRoutes, { journeys });
}
