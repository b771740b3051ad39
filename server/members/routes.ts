/**
 * `GET /v1/me`: the signed-in member, what they hold in every collection this deployment serves (by
 * name and picture), and their standing with each brand: points and level. Each collection is read
 * on its own: one that cannot be read shows as unavailable (and its brand's points are not given),
 * the rest answer.
 */
import type { FastifyInstance } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { problemResponses } from "../../sdk/src/protocol/common.ts";
import { MeResponse } from "../../sdk/src/protocol/members.ts";
import type { MemberHoldings } from "./me.ts";

export async function memberRoutes(app: FastifyInstance, opts: { me: MemberHoldings }) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get(
    "/v1/me",
    {
      preHandler: app.requireMember,
      schema: {
        tags: ["members"],
        summary: "The signed-in member: what they hold per served collection, by name, and their points and level with each brand",
        response: { 200: MeResponse, ...problemResponses(401, 503) },
      },
    },
    async (request, reply) => {
      const member = request.member!;
      const view = await opts.me.read(member.address);
      reply.header("cache-control", "no-store");
      return { address: member.address, chainId: member.chainId, ...view };
    },
  );
}
