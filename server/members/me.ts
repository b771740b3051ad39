/**
 * What `GET /v1/me` tells a member: what they hold in every collection this deployment serves (by
 * name and picture), and their standing with each brand. Each collection is read on its own: one that
 * cannot be read shows as unavailable (and its brand's points are not given), the rest answer; when
 * none can be read the chain is down, and that is an error (a 503), not a page of blanks.
 */
import { getAddress, type Address } from "viem";
import { NEVER_EXPIRES } from "../../contracts/bindings/index.ts";
import type { CollectionDirectory } from "../brands/directory.ts";
import type { NameBook } from "../catalog/names.ts";
import type { TokenTypeReader } from "../chain/token-types.ts";
import type { OwnershipReader } from "../chain/ownership.ts";
import { standingOf, type LevelBook } from "../loyalty/levels.ts";
import { holdingKey } from "../chain/holdings.ts";
import type { BrandStore } from "../storage/index.ts";
import type { CollectionHoldings, LoyaltyStanding as Loyalty } from "../../sdk/src/protocol/members.ts";

export type MemberHoldings = {
  /** With `brandId`: only that brand's collections and those the operator serves for every brand. */
  read(member: Address, options?: { brandId?: string }): Promise<{ collections: CollectionHoldings[]; loyalty: Loyalty[] }>;
};

export function createMemberHoldings(deps: {
  store: Pick<BrandStore, "getBrand">;
  directory: CollectionDirectory;
  tokenTypes: TokenTypeReader;
  names: NameBook;
  levels: LevelBook;
  ownership: OwnershipReader;
  /** Told about a collection that could not be read (the rest still answer). */
  onUnreadable: (collection: string, error: unknown) => void;
}): MemberHoldings {
  async function holdingsIn(member: Address, collection: Address, brandId: string | null): Promise<CollectionHoldings & { pointsHeld: bigint }> {
    const address = getAddress(collection);
    const types = await deps.tokenTypes.tokenTypes(address);
    // Every type of the collection: the chain adds up the points they carry in the same call.
    // Names, pictures and descriptions from the name book's memory: the chain read is the only I/O.
    const [snapshot, names] = await Promise.all([
      deps.ownership.readFresh(member, types.map((t) => ({ type: "member" as const, collection: address, tokenId: t.tokenId }))),
      deps.names.names([address]),
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

  async function standingWith(brandId: string, points: bigint): Promise<Loyalty | null> {
    const [brand, levels] = await Promise.all([deps.store.getBrand(brandId), deps.levels.levels(brandId)]);
    if (brand === null) return null;
    return { brandId, brandName: brand.name, ...standingOf(points, levels) };
  }

  return {
    async read(member, options = {}) {
      const all = await deps.directory.list();
      const served = options.brandId === undefined ? all : all.filter((s) => s.brandId === options.brandId || s.brandId === null);
      const results = await Promise.allSettled(served.map((s) => holdingsIn(member, s.collection, s.brandId)));
      const firstFailure = results.find((r) => r.status === "rejected");
      if (firstFailure !== undefined && results.every((r) => r.status === "rejected")) throw firstFailure.reason;
      results.forEach((r, i) => {
        if (r.status === "rejected") deps.onUnreadable(served[i]!.collection, r.reason);
      });
      // A brand's points are the sum over all its collections: only given when every one was read.
      const points = new Map<string, bigint | null>();
      results.forEach((r, i) => {
        const brandId = served[i]!.brandId;
        if (brandId === null) return;
        const sum = points.get(brandId);
        points.set(brandId, r.status === "fulfilled" && sum !== null ? (sum ?? 0n) + r.value.pointsHeld : null);
      });
      const loyalty = await Promise.all([...points].flatMap(([brandId, total]) => (total === null ? [] : [standingWith(brandId, total)])));
      return {
        collections: results.map((r, i) => {
          if (r.status === "rejected") return { address: getAddress(served[i]!.collection), brandId: served[i]!.brandId, available: false, holdings: [] };
          const { pointsHeld: _, ...holdings } = r.value;
          return holdings;
        }),
        loyalty: loyalty.filter((entry) => entry !== null),
      };
    },
  };
}
