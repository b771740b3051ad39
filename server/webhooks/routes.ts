/** A brand's webhook endpoints, behind its API key or a manager's (or owner's) staff session. */
import type { FastifyInstance } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { problemResponses } from "../../sdk/src/protocol/common.ts";
import {
  CreatedWebhookSchema,
  CreateWebhookBody,
  ReplayResultSchema,
  ReplayWebhookBody,
  RotatedSecretSchema,
  UpdateWebhookBody,
  WebhookDeliveryPage,
  WebhookDeliveryQuery,
  WebhookList,
  WebhookMessageParams,
  WebhookParams,
  WebhookSchema,
  WebhookTestResultSchema,
} from "../../sdk/src/protocol/webhooks.ts";
import type { WebhookEndpoints } from "./endpoints.ts";
import type { WebhookEndpoint } from "./types.ts";

const view = ({ id, url, events, description, enabled, disabledReason, failingSince, createdAt, updatedAt }: WebhookEndpoint) => ({
  id,
  url,
  events,
  description,
  enabled,
  disabledReason,
  failingSince,
  createdAt,
  updatedAt,
});

export async function webhookRoutes(app: FastifyInstance, opts: { endpoints: WebhookEndpoints }) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { endpoints } = opts;
  const auth = { preHandler: app.requireBrand };
  const tags = ["webhooks"];

  api.get(
    "/v1/admin/webhooks",
    { ...auth, schema: { tags, summary: "The brand's webhook endpoints", response: { 200: WebhookList, ...problemResponses(401, 403) } } },
    async (request) => ({ items: (await endpoints.list(request.brand!.id)).map(view) }),
  );

  api.post(
    "/v1/admin/webhooks",
    {
      ...auth,
      schema: {
        tags,
        summary: "Add an endpoint: the answer carries its signing secret, shown this once",
        body: CreateWebhookBody,
        response: { 201: CreatedWebhookSchema, ...problemResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const { endpoint, secret } = await endpoints.create(request.brand!.id, request.body);
      return reply.status(201).send({ ...view(endpoint), secret });
    },
  );

  api.get(
    "/v1/admin/webhooks/:id",
    { ...auth, schema: { tags, summary: "One of the brand's webhook endpoints", params: WebhookParams, response: { 200: WebhookSchema, ...problemResponses(401, 403, 404) } } },
    async (request) => view(await endpoints.get(request.brand!.id, request.params.id)),
  );

  api.patch(
    "/v1/admin/webhooks/:id",
    {
      ...auth,
      schema: {
        tags,
        summary: "Change an endpoint's URL, event types, description, or turn it on or off",
        params: WebhookParams,
        body: UpdateWebhookBody,
        response: { 200: WebhookSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => view(await endpoints.update(request.brand!.id, request.params.id, request.body)),
  );

  api.delete(
    "/v1/admin/webhooks/:id",
    { ...auth, schema: { tags, summary: "Delete an endpoint: nothing more is sent to it", params: WebhookParams, response: { 204: Type.Null(), ...problemResponses(401, 403, 404) } } },
    async (request, reply) => {
      await endpoints.remove(request.brand!.id, request.params.id);
      return reply.status(204).send(null);
    },
  );

  api.post(
    "/v1/admin/webhooks/:id/rotate-secret",
    {
      ...auth,
      schema: {
        tags,
        summary: "A new signing secret, shown this once; the old one keeps signing beside it for 24 hours",
        params: WebhookParams,
        response: { 200: RotatedSecretSchema, ...problemResponses(401, 403, 404) },
      },
    },
    async (request) => endpoints.rotateSecret(request.brand!.id, request.params.id),
  );

  api.post(
    "/v1/admin/webhooks/:id/test",
    {
      ...auth,
      schema: {
        tags,
        summary: "Send a signed webhook.test message now, and see what the endpoint answered",
        params: WebhookParams,
        response: { 200: WebhookTestResultSchema, ...problemResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const sent = await endpoints.sendTest(request.brand!.id, request.params.id);
      return { messageId: sent.messageId, delivered: sent.ok, status: sent.status, latencyMs: Math.round(sent.latencyMs), error: sent.error, excerpt: sent.excerpt };
    },
  );

  api.get(
    "/v1/admin/webhooks/:id/deliveries",
    {
      ...auth,
      schema: {
        tags,
        summary: "The endpoint's deliveries, newest first, each with its latest attempts (time, status, latency, the start of the answer); kept 30 days",
        params: WebhookParams,
        querystring: WebhookDeliveryQuery,
        response: { 200: WebhookDeliveryPage, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => endpoints.deliveries(request.brand!.id, request.params.id, request.query),
  );

  api.post(
    "/v1/admin/webhooks/:id/deliveries/:messageId/resend",
    {
      ...auth,
      schema: {
        tags,
        summary: "Send one message to the endpoint again, with the same webhook-id",
        params: WebhookMessageParams,
        response: { 202: Type.Object({ queued: Type.Literal(1) }), ...problemResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await endpoints.resend(request.brand!.id, request.params.id, request.params.messageId);
      return reply.status(202).send({ queued: 1 });
    },
  );

  api.post(
    "/v1/admin/webhooks/:id/replay",
    {
      ...auth,
      schema: {
        tags,
        summary: "Send again every message of the endpoint's event types written since a time (within 30 days), delivered or not",
        params: WebhookParams,
        body: ReplayWebhookBody,
        response: { 202: ReplayResultSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => reply.status(202).send({ queued: await endpoints.replay(request.brand!.id, request.params.id, request.body.since) }),
  );
}
