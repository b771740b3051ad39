/**
 * Members' data and consents:
 * - `GET/PUT /v1/me/profile`: the member's own profile.
 * - `POST/GET /v1/admin/data-requests`, `DELETE /v1/admin/data-requests/:id`: a brand's requests.
 * - `GET /v1/data-requests`: every brand's live requests, with brand names.
 * - `GET /v1/consents/template?request=`: what the member signs to grant one.
 * - `POST /v1/consents {message, signature}`: the signed grant, stored with its receipt.
 * - `GET /v1/me/consents`, `DELETE /v1/me/consents/:id`: the member's grants; revoke one.
 * - `GET /v1/admin/members/:address/profile`: what the brand may see of a member, logged.
 * - `GET /v1/me/access-log`: every brand read of the member's data.
 * - `GET /v1/me/export`: everything kept about the member; `DELETE /v1/me`: erase it (signed).
 */
import type { FastifyInstance } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { FastifyRequest } from "fastify";
import { checksumAddress } from "../auth/siwe/index.ts";
import { AddressSchema, IdSchema, PageQueryFields, problemResponses } from "../../sdk/src/protocol/common.ts";
import type { MemberDataAccess } from "./access.ts";
import type { Erasure } from "./erasure.ts";
import type { DataExporter } from "./export.ts";
import type { Consents } from "./consents.ts";
import type { Profiles } from "./profile.ts";
import type { DataRequests } from "./requests.ts";
import { AccessLogPageSchema, ConsentBody, ConsentSchema, ConsentTemplateSchema, DataExportSchema, DataRequestBody, DataRequestSchema, ErasureSchema, ListedDataRequestSchema, GrantedProfileSchema, ProfileBody, ProfileSchema } from "../../sdk/src/protocol/data.ts";

/** Who at the brand is asking, in words the member reads in their access log. */
function actorOf(request: FastifyRequest): string {
  const staff = request.staff;
  if (staff !== null) return `staff ${checksumAddress(staff.address)}${staff.role === null ? "" : ` (${staff.role})`}`;
  return "the brand's API key";
}

export async function consentRoutes(
  app: FastifyInstance,
  opts: { profiles: Profiles; requests: DataRequests; consents: Consents; access: MemberDataAccess; exporter: DataExporter; erasure: Erasure; rateLimitPerMinute: number },
) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const member = { preHandler: app.requireMember };
  const brand = { preHandler: app.requireBrand };
  const idParams = Type.Object({ id: IdSchema });
  const rateLimit = { max: opts.rateLimitPerMinute, timeWindow: "1 minute" };

  api.get(
    "/v1/me/profile",
    { ...member, schema: { tags: ["data"], summary: "The member's profile (theirs, shared with brands only under a grant)", response: { 200: ProfileSchema, ...problemResponses(401) } } },
    async (request, reply) => {
      reply.header("cache-control", "no-store");
      return opts.profiles.get(request.member!.address);
    },
  );

  api.put(
    "/v1/me/profile",
    { ...member, schema: { tags: ["data"], summary: "Replace the member's profile", body: ProfileBody, response: { 200: ProfileSchema, ...problemResponses(400, 401, 413, 415) } } },
    async (request) => opts.profiles.put(request.member!.address, request.body),
  );

  api.post(
    "/v1/admin/data-requests",
    { ...brand, schema: { tags: ["admin"], summary: "Publish a data request: fields, purpose, retention, optionally the perk it unlocks", body: DataRequestBody, response: { 201: DataRequestSchema, ...problemResponses(400, 401, 403, 404, 409) } } },
    async (request, reply) => reply.status(201).send(await opts.requests.create(request.brand!.id, request.body)),
  );

  api.get(
    "/v1/admin/data-requests",
    { ...brand, schema: { tags: ["admin"], summary: "The brand's live data requests", response: { 200: Type.Object({ items: Type.Array(DataRequestSchema) }), ...problemResponses(401, 403) } } },
    async (request) => ({ items: await opts.requests.list(request.brand!.id) }),
  );

  api.delete(
    "/v1/admin/data-requests/:id",
    { ...brand, schema: { tags: ["admin"], summary: "Withdraw a data request (grants already signed stay the members')", params: idParams, response: { 204: Type.Null(), ...problemResponses(400, 401, 403, 404) } } },
    async (request, reply) => {
      await opts.requests.remove(request.brand!.id, request.params.id);
      return reply.status(204).send(null);
    },
  );

  api.get(
    "/v1/data-requests",
    { schema: { tags: ["data"], summary: "Every brand's live data requests, with the brand's name", response: { 200: Type.Object({ items: Type.Array(ListedDataRequestSchema) }) } } },
    async () => ({ items: await opts.requests.list() }),
  );

  api.get(
    "/v1/consents/template",
    {
      ...member,
      config: { rateLimit },
      schema: {
        tags: ["data"],
        summary: "The EIP-4361 message (with its ERC-5573 ReCap) the member signs to grant a data request, with a fresh nonce",
        querystring: Type.Object({ request: IdSchema }),
        response: { 200: ConsentTemplateSchema, ...problemResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      reply.header("cache-control", "no-store");
      return opts.consents.template(request.member!.address, request.query.request, request.headers.origin);
    },
  );

  api.post(
    "/v1/consents",
    {
      ...member,
      config: { rateLimit },
      schema: { tags: ["data"], summary: "Grant a data request with the signed template; stored with its receipt", body: ConsentBody, response: { 201: ConsentSchema, ...problemResponses(400, 401, 403, 409, 413, 415, 429, 503) } },
    },
    async (request, reply) => reply.status(201).send(await opts.consents.grant(request.member!.address, request.body.message, request.body.signature)),
  );

  api.get(
    "/v1/me/consents",
    { ...member, schema: { tags: ["data"], summary: "The member's grants (active, revoked, expired) with their receipts, newest first", response: { 200: Type.Object({ items: Type.Array(ConsentSchema) }), ...problemResponses(401) } } },
    async (request, reply) => {
      reply.header("cache-control", "no-store");
      return { items: await opts.consents.list(request.member!.address) };
    },
  );

  api.delete(
    "/v1/me/consents/:id",
    { ...member, schema: { tags: ["data"], summary: "Revoke one of the member's grants, at once", params: idParams, response: { 204: Type.Null(), ...problemResponses(400, 401, 404) } } },
    async (request, reply) => {
      await opts.consents.revoke(request.member!.address, request.params.id);
      return reply.status(204).send(null);
    },
  );

  api.get(
    "/v1/admin/members/:address/profile",
    {
      ...brand,
      schema: {
        tags: ["admin"],
        summary: "What the brand may see of a member: only fields under an active grant of this brand, each with its grant and purpose; the read is logged for the member",
        params: Type.Object({ address: AddressSchema }),
        response: { 200: GrantedProfileSchema, ...problemResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      reply.header("cache-control", "no-store");
      return opts.access.readProfile(request.brand!.id, checksumAddress(request.params.address), actorOf(request));
    },
  );

  api.get(
    "/v1/me/access-log",
    {
      ...member,
      schema: { tags: ["data"], summary: "Every brand read of the member's data: who, which fields, when, under which grant and purpose; newest first", querystring: Type.Object(PageQueryFields), response: { 200: AccessLogPageSchema, ...problemResponses(400, 401) } },
    },
    async (request, reply) => {
      reply.header("cache-control", "no-store");
      return opts.access.accessLog(request.member!.address, request.query);
    },
  );

  api.get(
    "/v1/me/export",
    { ...member, config: { rateLimit }, schema: { tags: ["data"], summary: "Everything Stampbook keeps about the member, as one JSON document", response: { 200: DataExportSchema, ...problemResponses(401, 429) } } },
    async (request, reply) => {
      reply.header("cache-control", "no-store");
      reply.header("content-disposition", 'attachment; filename="stampbook-export.json"');
      return opts.exporter.export(request.member!.address);
    },
  );

  api.delete(
    "/v1/me",
    {
      ...member,
      config: { rateLimit },
      schema: {
        tags: ["data"],
        summary: "Erase the member's data after a fresh signature: profile, grants and access log go, kept records are unlinked, every session ends",
        body: ConsentBody,
        response: { 200: ErasureSchema, ...problemResponses(400, 401, 403, 413, 415, 429, 503) },
      },
    },
    async (request) => opts.erasure.erase(request.member!.address, request.body.message, request.body.signature),
  );
}
