/**
 * `GET /v1/me`: the signed-in member and what they hold in every collection this deployment serves.
 * Each collection is read on its own: one that cannot be read shows as unavailable, the rest answer.
 */
import type { FastifyInstance } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type, type Static } from "typebox";
import { getAddress, type Address } from "viem";
import { NEVER_EXPIRES } from "../../contracts/bindings/index.ts";
import type { CollectionDirectory } from "../brands/directory.ts";
import type { CollectionCatalog } from "../chain/collections.ts";
import { throttled } from "../logging.ts";
import { holdingKey } from "../offers/rules.ts";
import { AddressSchema, Nullable, problemResponses, StringEnum } from "../schemas.ts";

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

const CollectionHoldingsSchema = Type.Object({
  address: AddressSchema,
  brandId: Nullable(Type.String({ description: "The brand that registered the collection; null: served by the operator" })),
  available: Type.Boolean({ description: "False when this collection could not be read just now (its holdings are then empty)" }),
  holdings: Type.Array(HoldingSchema),
});

const MeResponse = Type.Object({
  address: AddressSchema,
  chainId: Type.Integer(),
  collections: Type.Array(CollectionHoldingsSchema),
});

type CollectionHoldings = Static<typeof CollectionHoldingsSchema>;

export async function memberRoutes(app: FastifyInstance, opts: { directory: CollectionDirectory; catalog: CollectionCatalog }) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  // A collection that keeps failing is one line now and then, not one per request.
  const unreadable = throttled(10_000, (collection, error) => app.log.warn({ collection, err: error }, "a collection's holdings could not be read for /v1/me"));

  async function holdingsIn(member: Address, collection: Address, brandId: string | null): Promise<CollectionHoldings> {
    const address = getAddress(collection);
    const types = await opts.catalog.tokenTypes(address);
    const snapshot = await app.chain.ownership.readFresh(member, types.map((t) => ({ type: "member" as const, collection: address, tokenId: t.tokenId })));
    return {
      address,
      brandId,
      available: true,
      holdings: types.flatMap((t) => {
        const h = snapshot.holdings.get(holdingKey(address, t.tokenId));
        if (!h || h.balance === 0n) return [];
        const base = { tokenId: t.tokenId.toString(), kind: t.kind, balance: h.balance.toString(), soulbound: t.soulbound, points: t.points.toString(), uri: t.uri };
        if (t.kind !== "membership") return [base];
        return [{ ...base, active: h.expiresAt > snapshot.now, expiresAt: h.expiresAt === NEVER_EXPIRES ? null : new Date(Number(h.expiresAt) * 1000).toISOString() }];
      }),
    };
  }

  api.get(
    "/v1/me",
    {
      preHandler: app.requireMember,
      schema: {
        tags: ["members"],
        summary: "The signed-in member: address, balances, active memberships and their expiry, per served collection",
        response: { 200: MeResponse, ...problemResponses(401, 503) },
      },
    },
    async (request, reply) => {
      const member = request.member!;
      const served = await opts.directory.list();
      const results = await Promise.allSettled(served.map((s) => holdingsIn(member.address, s.collection, s.brandId)));
      // Nothing readable at all: the chain is down, and that is a 503, not a page of blanks.
      const firstFailure = results.find((r) => r.status === "rejected");
      if (firstFailure !== undefined && results.every((r) => r.status === "rejected")) throw firstFailure.reason;
      results.forEach((r, i) => {
        if (r.status === "rejected") unreadable(served[i]!.collection, r.reason);
      });
      reply.header("cache-control", "no-store");
      return {
        address: member.address,
        chainId: member.chainId,
        collections: results.map((r, i) =>
          r.status === "fulfilled" ? r.value : { address: getAddress(served[i]!.collection), brandId: served[i]!.brandId, available: false, holdings: [] },
        ),
      };
    },
  );
}
