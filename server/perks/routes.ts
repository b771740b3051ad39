/** Member-facing perk routes: list with eligibility, one perk, redeem, own redemptions. */
import type { FastifyInstance } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { Problem } from "../errors.ts";
import { IdSchema, PageQueryFields, problemResponses } from "../schemas.ts";
import { memberPerkDetailView, MemberPerkDetailSchema, memberPerkView, MemberPerkSchema, redemptionView, RedemptionPageSchema, RedemptionSchema } from "./schemas.ts";
import type { MemberPerk, PerkService } from "./service.ts";

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export async function perkRoutes(app: FastifyInstance, opts: { perks: PerkService }) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { perks } = opts;
  // A listing is the same array while nothing in it changed; its JSON is rendered once.
  const renderedListings = new WeakMap<readonly MemberPerk[], string>();

  api.get(
    "/v1/perks",
    {
      preHandler: app.requireMember,
      schema: {
        tags: ["perks"],
        summary: "Perks, with whether the signed-in member is eligible and why not",
        querystring: Type.Object({ brand: Type.Optional(IdSchema) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(MemberPerkSchema) }), ...problemResponses(400, 401, 503) },
      },
    },
    async (request, reply) => {
      const query = request.query.brand === undefined ? {} : { brandId: request.query.brand };
      const items = await perks.list(request.member!.address, query);
      let body = renderedListings.get(items);
      if (body === undefined) {
        // The route's own response serializer, so the body is exactly what the schema promises.
        body = reply.serialize({ items: items.map(memberPerkView) }) as string;
        renderedListings.set(items, body);
      }
      // Already JSON: Fastify sends a string as it is.
      return reply.type("application/json; charset=utf-8").send(body as never);
    },
  );

  api.get(
    "/v1/perks/:id",
    {
      preHandler: app.requireMember,
      schema: {
        tags: ["perks"],
        summary: "One perk, with the member's eligibility",
        params: Type.Object({ id: IdSchema }),
        response: { 200: MemberPerkDetailSchema, ...problemResponses(400, 401, 404, 503) },
      },
    },
    async (request) => memberPerkDetailView(await perks.get(request.member!.address, request.params.id)),
  );

  api.post(
    "/v1/perks/:id/redeem",
    {
      preHandler: app.requireMember,
      schema: {
        tags: ["perks"],
        summary: "Redeem a perk once; re-checks ownership on chain. Send an Idempotency-Key; a retry with the same key returns the same redemption.",
        params: Type.Object({ id: IdSchema }),
        headers: Type.Object({ "idempotency-key": Type.Optional(Type.String()) }),
        response: { 200: RedemptionSchema, 201: RedemptionSchema, ...problemResponses(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    async (request, reply) => {
      const key = request.headers["idempotency-key"];
      if (key === undefined || !IDEMPOTENCY_KEY.test(key)) {
        throw new Problem(400, "idempotency_key_required", "Send an Idempotency-Key header", "1 to 255 visible ASCII characters, new for each redemption.");
      }
      const { redemption, replayed } = await perks.redeem(request.member!.address, request.params.id, key);
      return reply.status(replayed ? 200 : 201).send(redemptionView(redemption));
    },
  );

  api.get(
    "/v1/redemptions",
    {
      preHandler: app.requireMember,
      schema: {
        tags: ["perks"],
        summary: "The signed-in member's redemptions, newest first",
        querystring: Type.Object(PageQueryFields, { additionalProperties: false }),
        response: { 200: RedemptionPageSchema, ...problemResponses(400, 401) },
      },
    },
    async (request) => {
      const page = await app.store.listRedemptions({ member: request.member!.address, limit: request.query.limit ?? 20, cursor: request.query.cursor ?? null });
      return { items: page.items.map(redemptionView), nextCursor: page.nextCursor };
    },
  );
}
