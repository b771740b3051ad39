/**
 * `GET /v1/me`: the signed-in member, what they hold in every collection this deployment serves (by
 * name and picture), and their standing with each brand: points and level. Each collection is read
 * on its own: one that cannot be read shows as unavailable (and its brand's points are not given),
 * the rest answer.
 */
import type { FastifyInstance } from "fastify";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { Static } from "typebox";
import { getAddress, type Address } from "viem";
import { NEVER_EXPIRES } from "../../contracts/bindings/index.ts";
import type { CollectionDirectory } from "../brands/directory.ts";
import type { NameBook } from "../catalog/names.ts";
import type { CollectionCatalog } from "../chain/collections.ts";
import { standingOf, type LevelBook } from "../loyalty/levels.ts";
import type { Store } from "../storage/index.ts";
import { throttled } from "../logging.ts";
import { holdingKey } from "../offers/rules.ts";
import { problemResponses } from "../../sdk/src/protocol/common.ts";
import { CollectionHoldingsSchema, MeResponse } from "../../sdk/src/protocol/members.ts";


type CollectionHoldings = Static<typeof CollectionHoldingsSchema>;

export async function memberRoutes(app: FastifyInstance, opts: { directory: CollectionDirectory; catalog: CollectionCatalog; names: NameBook; levels: LevelBook; store: Store }) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  // A collection that keeps failing is one line now and then, not one per request.
  const unreadable = throttled(10_000, (collection, error) => app.log.warn({ collection, err: error }, "a collection's holdings could not be read for /v1/me"));

  async function holdingsIn(member: Address, collection: Address, brandId: string | null): Promise<CollectionHoldings & { pointsHeld: bigint }> {
    const address = getAddress(collection);
    const types = await opts.catalog.tokenTypes(address);
    // Every type of the collection: the chain adds up the points they carry in the same call.
    // Names, pictures and descriptions from the name book's memory: the chain read is the only I/O.
    const [snapshot, names] = await Promise.all([
      app.chain.ownership.readFresh(member, types.map((t) => ({ type: "member" as const, collection: address, tokenId: t.tokenId }))),
      opts.names.names([address]),
    ]);
    return {
      address,
      brandId,
      available: true,
      pointsHeld: snapshot.points,
      holdings: types.flatMap((t) => {
        const h = snapshot.holdings.get(holdingKey(address, t.tokenId));
        if (!h || h.balance === 0n) return [];
        const label = names.label(address, t.tokenId);
        const base = {
          name: label?.name ?? (t.kind === "membership" ? "Membership" : "Collectible"),
          description: label?.description ?? "",
          image: label?.image ?? null,
          tokenId: t.tokenId.toString(),
          kind: t.kind,
          balance: h.balance.toString(),
          soulbound: t.soulbound,
          points: t.points.toString(),
          uri: t.uri,
        };
        if (t.kind !== "membership") return [base];
        return [{ ...base, active: h.expiresAt > snapshot.now, expiresAt: h.expiresAt === NEVER_EXPIRES ? null : new Date(Number(h.expiresAt) * 1000).toISOString() }];
      }),
    };
  }

  async function standingWith(brandId: string, points: bigint) {
    const [brand, levels] = await Promise.all([opts.store.getBrand(brandId), opts.levels.levels(brandId)]);
    if (brand === null) return null;
    return { brandId, brandName: brand.name, ...standingOf(points, levels) };
  }

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
      const served = await opts.directory.list();
      const results = await Promise.allSettled(served.map((s) => holdingsIn(member.address, s.collection, s.brandId)));
      // Nothing readable at all: the chain is down, and that is a 503, not a page of blanks.
      const firstFailure = results.find((r) => r.status === "rejected");
      if (firstFailure !== undefined && results.every((r) => r.status === "rejected")) throw firstFailure.reason;
      results.forEach((r, i) => {
        if (r.status === "rejected") unreadable(served[i]!.collection, r.reason);
      });
      // A brand's points are the sum over all its collections: only given when every one was read.
      const points = new Map<string, bigint | null>();
      results.forEach((r, i) => {
        const brandId = served[i]!.brandId;
        if (brandId === null) return;
        const sum = points.get(brandId);
        points.set(brandId, r.status === "fulfilled" && sum !== null ? (sum ?? 0n) + r.value.pointsHeld : null);
      });
      const loyalty = await Promise.all(
        [...points].flatMap(([brandId, total]) => (total === null ? [] : [standingWith(brandId, total)])),
      );
      reply.header("cache-control", "no-store");
      return {
        address: member.address,
        chainId: member.chainId,
        collections: results.map((r, i) => {
          if (r.status === "rejected") return { address: getAddress(served[i]!.collection), brandId: served[i]!.brandId, available: false, holdings: [] };
          const { pointsHeld: _, ...holdings } = r.value;
          return holdings;
        }),
        loyalty: loyalty.filter((entry) => entry !== null),
      };
    },
  );
}
