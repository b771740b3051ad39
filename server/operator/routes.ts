/**
 * The deployment's operator, behind OPERATOR_TOKEN: brands are created on the running deployment,
 * in the store it serves, and each brand's API key is shown once.
 */
import type { FastifyInstance } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { BrandAccounts } from "../brands/accounts.ts";
import { IdSchema, problemResponses, TimestampSchema } from "../../sdk/src/protocol/common.ts";

const BrandSchema = Type.Object({ id: Type.String(), name: Type.String(), createdAt: TimestampSchema });
const KeySchema = Type.Object({ id: Type.String(), brandId: Type.String(), apiKey: Type.String({ description: "Shown this once: only its hash is kept" }) });
const Label = Type.String({ minLength: 1, maxLength: 100 });

export async function operatorRoutes(app: FastifyInstance, opts: { accounts: BrandAccounts }) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const auth = { preHandler: app.requireOperator };
  const { accounts } = opts;

  api.get(
    "/v1/operator/brands",
    { ...auth, schema: { tags: ["operator"], summary: "Every brand of this deployment", response: { 200: Type.Object({ items: Type.Array(BrandSchema) }), ...problemResponses(401) } } },
    async () => ({ items: await accounts.list() }),
  );

  api.post(
    "/v1/operator/brands",
    {
      ...auth,
      schema: {
        tags: ["operator"],
        summary: "Create a brand and its first API key (shown once)",
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }), keyLabel: Type.Optional(Label) }, { additionalProperties: false }),
        response: { 201: Type.Object({ brand: BrandSchema, key: KeySchema }), ...problemResponses(400, 401) },
      },
    },
    async (request, reply) => {
      const brand = await accounts.create(request.body.name);
      const key = await accounts.issueKey(brand.id, request.body.keyLabel ?? "default");
      reply.header("cache-control", "no-store");
      return reply.status(201).send({ brand, key: { id: key.id, brandId: brand.id, apiKey: key.key } });
    },
  );

  api.post(
    "/v1/operator/brands/:id/keys",
    {
      ...auth,
      schema: {
        tags: ["operator"],
        summary: "Another API key for a brand (shown once)",
        params: Type.Object({ id: IdSchema }),
        body: Type.Object({ label: Type.Optional(Label) }, { additionalProperties: false }),
        response: { 201: KeySchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const key = await accounts.issueKey(request.params.id, request.body.label ?? "default");
      reply.header("cache-control", "no-store");
      return reply.status(201).send({ id: key.id, brandId: request.params.id, apiKey: key.key });
    },
  );
}
