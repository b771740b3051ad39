/** `GET /v1/claims/:id`: one of the member's claims, settled from the chain before it is answered. */
import type { FastifyInstance } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { OfferKindService } from "../offers/service.ts";
import { IdSchema, problemResponses } from "../../sdk/src/protocol/common.ts";
import { ClaimSchema } from "../../sdk/src/protocol/drops.ts";
import { claimView } from "./views.ts";
import type { DropVariant } from "./variant.ts";

export async function claimRoutes(app: FastifyInstance, opts: { drops: OfferKindService; variant: DropVariant }) {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    "/v1/claims/:id",
    {
      preHandler: app.requireMember,
      schema: {
        tags: ["drops"],
        summary: "One of the signed-in member's claims; a pending one is settled from the chain first",
        params: Type.Object({ id: IdSchema }),
        response: { 200: ClaimSchema, ...problemResponses(400, 401, 404, 503) },
      },
    },
    async (request) => claimView(await opts.variant.settle(await opts.drops.takeOfMember(request.member!.address, request.params.id))),
  );
}
