/** `GET /v1/me`: the signed-in member and what they hold in the brand collections this server serves. */
import type { FastifyInstance } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { getAddress, type Address } from "viem";
import type { CollectionCatalog } from "../chain/collections.ts";
import { holdingKey } from "../perks/rules.ts";
import { AddressSchema, Nullable, problemResponses, StringEnum } from "../schemas.ts";

const NEVER_EXPIRES = 2n ** 64n - 1n;

const HoldingSchema = Type.Object({
  tokenId: Type.String(),
  kind: StringEnum(["membership", "collectible"] as const),
  balance: Type.String(),
  soulbound: Type.Boolean(),
  points: Type.String(),
  uri: Type.String(),
  /** Memberships only. */
  active: Type.Optional(Type.Boolean()),
  expiresAt: Type.Optional(Nullable(Type.String({ format: "date-time", description: "null: never expires" }))),
});

const MeResponse = Type.Object({
  address: AddressSchema,
  chainId: Type.Integer(),
  collections: Type.Array(Type.Object({ address: AddressSchema, holdings: Type.Array(HoldingSchema) })),
});

export async function memberRoutes(app: FastifyInstance, opts: { collections: readonly Address[]; catalog: CollectionCatalog }) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    "/v1/me",
    {
      preHandler: app.requireMember,
      schema: {
        tags: ["members"],
        summary: "The signed-in member: address, balances, active memberships and their expiry",
        response: { 200: MeResponse, ...problemResponses(401, 503) },
      },
    },
    async (request, reply) => {
      const member = request.member!;
      const catalogs = await Promise.all(opts.collections.map(async (collection) => ({ collection, types: await opts.catalog.tokenTypes(collection) })));
      const requirements = catalogs.flatMap(({ collection, types }) => types.map((t) => ({ type: "member" as const, collection, tokenId: t.tokenId })));
      const snapshot = await app.chain.ownership.readFresh(member.address, requirements);
      reply.header("cache-control", "no-store");
      return {
        address: member.address,
        chainId: member.chainId,
        collections: catalogs.map(({ collection, types }) => ({
          address: getAddress(collection),
          holdings: types.flatMap((t) => {
            const h = snapshot.holdings.get(holdingKey(collection, t.tokenId));
            if (!h || h.balance === 0n) return [];
            const base = { tokenId: t.tokenId.toString(), kind: t.kind, balance: h.balance.toString(), soulbound: t.soulbound, points: t.points.toString(), uri: t.uri };
            if (t.kind !== "membership") return [base];
            return [{
              ...base,
              active: h.expiresAt > snapshot.now,
              expiresAt: h.expiresAt === NEVER_EXPIRES ? null : new Date(Number(h.expiresAt) * 1000).toISOString(),
            }];
          }),
        })),
      };
    },
  );
}
