/**
 * A brand's origins, behind its API key or a manager's staff session: the web addresses its
 * storefronts and apps run on. Browsers there may call the API (CORS), sign members in (the nonce
 * answers that origin's domain and URI) and ask for entitlements addressed to it.
 */
import type { FastifyInstance } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { problemResponses } from "../../sdk/src/protocol/common.ts";
import { AddOriginBody, OriginList, OriginParams, OriginSchema } from "../../sdk/src/protocol/origins.ts";
import type { OriginRegistry } from "./registry.ts";
import type { BrandOrigin } from "./types.ts";

const view = ({ origin, createdAt }: BrandOrigin) => ({ origin, createdAt });

export async function originRoutes(app: FastifyInstance, opts: { origins: OriginRegistry }) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { origins } = opts;
  const auth = { preHandler: app.requireBrand };

  api.get(
    "/v1/admin/origins",
    { ...auth, schema: { tags: ["admin"], summary: "The origins this brand's storefronts and apps run on", response: { 200: OriginList, ...problemResponses(401, 403) } } },
    async (request) => ({ items: (await origins.list(request.brand!.id)).map(view) }),
  );

  api.post(
    "/v1/admin/origins",
    {
      ...auth,
      schema: {
        tags: ["admin"],
        summary: "Register an origin: members may then sign in and the brand's storefront may call the API from it (idempotent)",
        body: AddOriginBody,
        response: { 200: OriginSchema, 201: OriginSchema, ...problemResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const { origin, added } = await origins.add(request.brand!.id, request.body.origin);
      return reply.status(added ? 201 : 200).send(view(origin));
    },
  );

  api.delete(
    "/v1/admin/origins/:origin",
    {
      ...auth,
      schema: {
        tags: ["admin"],
        summary: "Remove an origin: browsers there can no longer call the API or sign members in (sessions already begun there last until they expire)",
        params: OriginParams,
        response: { 204: Type.Null(), ...problemResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await origins.remove(request.brand!.id, request.params.origin);
      return reply.status(204).send(null);
    },
  );
}
