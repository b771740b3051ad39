/**
 * Journey routes: the members' (`GET /v1/journeys`, `POST /v1/journeys/:id/steps/:stepId/complete`)
 * and the brands' (admin-routes.ts).
 */
import type { FastifyInstance } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { IdSchema, problemResponses } from "../schemas.ts";
import { journeyAdminRoutes } from "./admin-routes.ts";
import { stepAttempts } from "./attempts.ts";
import { CompletionAnswerSchema, CompletionBody, MemberJourneySchema, StepIdSchema } from "./schemas.ts";
import type { Journeys } from "./service.ts";

/**
 * @param opts.attemptsPerMinute step attempts per member per minute (STEP_ATTEMPTS_PER_MINUTE)
 * @param opts.attemptsPerIpPerMinute step attempts that complete nothing per client address per minute (STEP_ATTEMPTS_PER_IP_PER_MINUTE)
 */
export async function journeyRoutes(app: FastifyInstance, opts: { journeys: Journeys; attemptsPerMinute: number; attemptsPerIpPerMinute: number }) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { journeys } = opts;
  const tags = ["journeys"];
  const limits = { perMember: opts.attemptsPerMinute, perAddress: opts.attemptsPerIpPerMinute };
  const attempts = stepAttempts(app, limits);

  api.get(
    "/v1/journeys",
    {
      preHandler: app.requireMember,
      schema: {
        tags,
        summary: "Journeys, with the signed-in member's progress, what each step needs, and their award; 404 brand_not_found for a brand that does not exist",
        querystring: Type.Object({ brand: Type.Optional(IdSchema) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(MemberJourneySchema) }), ...problemResponses(400, 401, 404, 503) },
      },
    },
    async (request) => {
      const brandId = request.query.brand;
      return { items: await journeys.list(request.member!.address, brandId === undefined ? {} : { brandId }) };
    },
  );

  api.post(
    "/v1/journeys/:id/steps/:stepId/complete",
    {
      // After sign-in: per member and per client address (attempts.ts).
      preHandler: [app.requireMember, attempts.check],
      schema: {
        tags,
        summary:
          "Complete a step: a quiz with { answers }, a code step with { code }, a hold step with {} (checked on chain now). Completing a done step again answers with the same state. At most STEP_ATTEMPTS_PER_MINUTE tries a minute per member, and STEP_ATTEMPTS_PER_IP_PER_MINUTE tries that complete nothing per client address (429 rate_limited with Retry-After).",
        params: Type.Object({ id: IdSchema, stepId: StepIdSchema }),
        body: CompletionBody,
        response: { 200: CompletionAnswerSchema, ...problemResponses(400, 401, 403, 404, 409, 422, 429, 503) },
      },
    },
    async (request) => {
      const { step, journey, recorded } = await journeys.complete(request.member!.address, request.params.id, request.params.stepId, request.body);
      if (recorded) await attempts.recorded(request);
      return { step, journey };
    },
  );

  await app.register(journeyAdminRoutes, { journeys, guessLimits: limits });
}
