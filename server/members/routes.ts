/**
 * `GET /v1/me`: the signed-in member, what they hold in every collection this deployment serves (by
 * name and picture), and their standing with each brand: points and level. Each collection is read
 * on its own: one that cannot be read shows as unavailable (and its brand's points are not given),
 * the rest answer.
 */
import type { FastifyInstance } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type, type Static } from "typebox";
import type { MemberHoldings } from "./me.ts";
import { AddressSchema, Nullable, problemResponses, StringEnum } from "../schemas.ts";

const HoldingSchema = Type.Object({
  name: Type.String({ description: "What the brand calls this token type" }),
  description: Type.String(),
  image: Nullable(Type.String({ description: "Picture URL" })),
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

const CollectionHoldingsSchema = Type.Object({
  address: AddressSchema,
  brandId: Nullable(Type.String({ description: "The brand that registered the collection; null: served by the operator" })),
  available: Type.Boolean({ description: "False when this collection could not be read just now (its holdings are then empty)" }),
  holdings: Type.Array(HoldingSchema),
});

const LevelRefSchema = Type.Object({ key: Type.String(), name: Type.String(), minPoints: Type.Integer() });

const LoyaltySchema = Type.Object({
  brandId: Type.String(),
  brandName: Type.String(),
  points: Type.String({ description: "Sum over the brand's token types held of balance x the type's points (expired memberships count nothing)" }),
  level: Nullable(LevelRefSchema),
  next: Nullable(Type.Object({ ...LevelRefSchema.properties, pointsToGo: Type.String() })),
});

const MeResponse = Type.Object({
  address: AddressSchema,
  chainId: Type.Integer(),
  collections: Type.Array(CollectionHoldingsSchema),
  loyalty: Type.Array(LoyaltySchema, { description: "One entry per brand whose collections could all be read" }),
});

/** One served collection as /v1/me shows it. */
export type CollectionHoldings = Static<typeof CollectionHoldingsSchema>;
/** The brand standing /v1/me shows. */
export type Loyalty = Static<typeof LoyaltySchema>;

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
