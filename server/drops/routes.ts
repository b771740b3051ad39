/** Member-facing drop routes: list with eligibility, one drop, claim, own claims. */
import type { FastifyInstance } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { Problem } from "../errors.ts";
import { IdSchema, PageQueryFields, problemResponses } from "../schemas.ts";
import { claimView, ClaimPageSchema, ClaimSchema, memberDropDetailView, MemberDropDetailSchema, memberDropView, MemberDropSchema } from "./schemas.ts";
import type { DropService } from "./service.ts";

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export async function dropRoutes(app: FastifyInstance, opts: { drops: DropService }) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { drops } = opts;

  api.get(
    "/v1/drops",
    {
      preHandler: app.requireMember,
      schema: {
        tags: ["drops"],
        summary: "Drops, with whether the signed-in member may claim them and why not",
        querystring: Type.Object({ brand: Type.Optional(IdSchema) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(MemberDropSchema) }), ...problemResponses(400, 401, 503) },
      },
    },
    async (request) => {
      const query = request.query.brand === undefined ? {} : { brandId: request.query.brand };
      return { items: (await drops.list(request.member!.address, query)).map(memberDropView) };
    },
  );

  api.get(
    "/v1/drops/:id",
    {
      preHandler: app.requireMember,
      schema: {
        tags: ["drops"],
        summary: "One drop, with the member's eligibility",
        params: Type.Object({ id: IdSchema }),
        response: { 200: MemberDropDetailSchema, ...problemResponses(400, 401, 404, 503) },
      },
    },
    async (request) => memberDropDetailView(await drops.get(request.member!.address, request.params.id)),
  );

  api.post(
    "/v1/drops/:id/claim",
    {
      preHandler: app.requireMember,
      schema: {
        tags: ["drops"],
        summary:
          "Claim a drop without gas: re-checks ownership on chain, then the server mints (mode mint) or signs a voucher (mode voucher). " +
          "201 minted or issued; 202 still pending (poll GET /v1/claims/:id); a retry with the same Idempotency-Key returns the same claim (200).",
        params: Type.Object({ id: IdSchema }),
        headers: Type.Object({ "idempotency-key": Type.Optional(Type.String()) }),
        response: { 200: ClaimSchema, 201: ClaimSchema, 202: ClaimSchema, ...problemResponses(400, 401, 403, 404, 409, 422, 502, 503) },
      },
    },
    async (request, reply) => {
      const key = request.headers["idempotency-key"];
      if (key === undefined || !IDEMPOTENCY_KEY.test(key)) {
        throw new Problem(400, "idempotency_key_required", "Send an Idempotency-Key header", "1 to 255 visible ASCII characters, new for each claim.");
      }
      const { claim, replayed } = await drops.claim(request.member!.address, request.params.id, key);
      return reply.status(claim.status === "pending" ? 202 : replayed ? 200 : 201).send(claimView(claim));
    },
  );

  api.get(
    "/v1/claims/:id",
    {
      preHandler: app.requireMember,
      schema: {
        tags: ["drops"],
        summary: "One of the signed-in member's claims; a pending one is settled from the chain first",
        params: Type.Object({ id: IdSchema }),
        response: { 200: ClaimSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => claimView(await drops.getClaim(request.member!.address, request.params.id)),
  );

  api.get(
    "/v1/claims",
    {
      preHandler: app.requireMember,
      schema: {
        tags: ["drops"],
        summary: "The signed-in member's claims, newest first",
        querystring: Type.Object(
          {
            drop: Type.Optional(IdSchema),
            ...PageQueryFields,
          },
          { additionalProperties: false },
        ),
        response: { 200: ClaimPageSchema, ...problemResponses(400, 401) },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await app.store.listClaims({
        member: request.member!.address,
        limit: q.limit ?? 20,
        cursor: q.cursor ?? null,
        ...(q.drop === undefined ? {} : { dropId: q.drop }),
      });
      return { items: page.items.map(claimView), nextCursor: page.nextCursor };
    },
  );
}
