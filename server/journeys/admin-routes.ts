/**
 * Brand routes, behind an API key: `/v1/admin/journeys` (create, list, read, change, delete), codes for
 * a batch code step, who completed what, and `POST /v1/admin/events`.
 */
import type { FastifyError, FastifyInstance, FastifyRequest } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { IdSchema, PageQueryFields, problemResponses } from "../../sdk/src/protocol/common.ts";
import type { GuessLimits } from "./code-strength.ts";
import { parseJourney, parseJourneyChanges } from "./definition.ts";
import { eventKeyRequired, invalidJourney } from "./problems.ts";
import { AdminJourneySchema, CodeBatchBody, CodeBatchSchema, CreateJourneyBody, EventAnswerSchema, EventBody, ProgressPageSchema, StepIdSchema, UpdateJourneyBody } from "../../sdk/src/protocol/journeys.ts";
import { adminJourneyView, progressView } from "./views.ts";
import type { Journeys } from "./service.ts";
import type { Journey } from "./types.ts";

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** `/steps/0/questions` as `steps[0].questions`. */
function pathOf(instancePath: string): string {
  return instancePath
    .split("/")
    .filter(Boolean)
    .map((part, i) => (/^[0-9]+$/.test(part) ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join("");
}

/**
 * A definition the schema refused: the parser names the field and the rule it breaks; whatever only
 * the schema catches is reported at the schema's path. Other parts (params) fail as usual.
 */
function refuseInvalid(request: FastifyRequest, parse: (body: unknown) => unknown): void {
  const error = request.validationError as (FastifyError & { validationContext?: string }) | undefined;
  if (error === undefined) return;
  if (error.validationContext !== "body") throw error;
  parse(request.body);
  const first = error.validation?.[0];
  throw invalidJourney(pathOf(first?.instancePath ?? "") || "body", first?.message ?? "is not valid");
}

/** @param opts.guessLimits the deployment's step attempt limits, which warnings about shared codes speak of. */
export async function journeyAdminRoutes(app: FastifyInstance, opts: { journeys: Journeys; guessLimits: GuessLimits }) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { journeys } = opts;
  const view = (journey: Journey) => adminJourneyView(journey, opts.guessLimits);
  const auth = { preHandler: app.requireBrand };
  const tags = ["journeys (brands)"];
  const Params = Type.Object({ id: IdSchema });

  api.post(
    "/v1/admin/journeys",
    {
      ...auth,
      attachValidation: true,
      schema: {
        tags,
        summary: "Create a journey: steps (quiz, code, event, hold, referral) that earn a stamp of the brand's collectible. A shared code a guesser could find is saved as sent, with a warning in words.",
        body: CreateJourneyBody,
        response: { 201: AdminJourneySchema, ...problemResponses(400, 401, 409, 503) },
      },
    },
    async (request, reply) => {
      refuseInvalid(request, parseJourney);
      const journey = await journeys.create(request.brand!.id, request.body);
      return reply.status(201).send(view(journey));
    },
  );

  api.get(
    "/v1/admin/journeys",
    { ...auth, schema: { tags, summary: "The brand's journeys, newest first", response: { 200: Type.Object({ items: Type.Array(AdminJourneySchema) }), ...problemResponses(401) } } },
    async (request) => ({ items: (await journeys.ofBrand(request.brand!.id)).map(view) }),
  );

  api.get(
    "/v1/admin/journeys/:id",
    { ...auth, schema: { tags, summary: "One of the brand's journeys", params: Params, response: { 200: AdminJourneySchema, ...problemResponses(400, 401, 404) } } },
    async (request) => view(await journeys.get(request.brand!.id, request.params.id)),
  );

  api.patch(
    "/v1/admin/journeys/:id",
    {
      ...auth,
      attachValidation: true,
      schema: {
        tags,
        summary: "Change a journey: title, description and window any time; order, stamp and steps only while no member has progress",
        params: Params,
        body: UpdateJourneyBody,
        response: { 200: AdminJourneySchema, ...problemResponses(400, 401, 404, 409, 503) },
      },
    },
    async (request) => {
      refuseInvalid(request, parseJourneyChanges);
      return view(await journeys.update(request.brand!.id, request.params.id, request.body));
    },
  );

  api.delete(
    "/v1/admin/journeys/:id",
    {
      ...auth,
      schema: { tags, summary: "Delete a journey: it leaves members' lists; progress and awards stay", params: Params, response: { 204: Type.Null(), ...problemResponses(400, 401, 404) } },
    },
    async (request, reply) => {
      await journeys.remove(request.brand!.id, request.params.id);
      return reply.status(204).send(null);
    },
  );

  api.post(
    "/v1/admin/journeys/:id/steps/:stepId/codes",
    {
      ...auth,
      schema: {
        tags,
        summary: "Single-use codes for a batch code step, shown this once (the server keeps only their hashes)",
        params: Type.Object({ id: IdSchema, stepId: StepIdSchema }),
        body: CodeBatchBody,
        response: { 201: CodeBatchSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request, reply) => reply.status(201).send(await journeys.issueCodes(request.brand!.id, request.params.id, request.params.stepId, request.body.count)),
  );

  api.get(
    "/v1/admin/journeys/:id/progress",
    {
      ...auth,
      schema: {
        tags,
        summary: "Who completed what: members with progress, most recently started first",
        params: Params,
        querystring: Type.Object(PageQueryFields, { additionalProperties: false }),
        response: { 200: ProgressPageSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const page = await journeys.progress(request.brand!.id, request.params.id, { limit: request.query.limit ?? 50, cursor: request.query.cursor ?? null });
      return { items: page.items.map(progressView), nextCursor: page.nextCursor };
    },
  );

  api.post(
    "/v1/admin/events",
    {
      ...auth,
      schema: {
        tags,
        summary:
          "Report an event (e.g. a purchase): it completes the event steps it matches, of the brand's journeys open when it occurred. Send an Idempotency-Key; a retry with the same key returns the first answer and changes nothing.",
        headers: Type.Object({ "idempotency-key": Type.Optional(Type.String()) }),
        body: EventBody,
        response: { 202: EventAnswerSchema, ...problemResponses(400, 401, 409) },
      },
    },
    async (request, reply) => {
      const header = request.headers["idempotency-key"];
      const { idempotencyKey: inBody, ...event } = request.body;
      if (header !== undefined && inBody !== undefined && header !== inBody) throw eventKeyRequired();
      const key = header ?? inBody;
      if (key === undefined || !IDEMPOTENCY_KEY.test(key)) throw eventKeyRequired();
      return reply.status(202).send(await journeys.ingestEvent(request.brand!.id, key, event));
    },
  );
}
