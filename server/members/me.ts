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
import type { CollectionHoldings, Freshness, Holding, LoyaltyStanding as Loyalty } from "../../sdk/src/protocol/members.ts";
import type { IndexedOwnershipReader } from "../chain/index/reader.ts";
import type { IndexedHolding } from "../chain/index/types.ts";
import type { TokenNames } from "../catalog/names.ts";
import type { OwnershipSnapshot } from "../chain/ownership.ts";
import type { TokenTypeInfo } from "../chain/token-types.ts";
import type { ServedCollection } from "../brands/directory.ts";

/** Where the answer came from: the chain index (at which block, how far under the head) or the chain itself. */
function freshnessOf(snapshot: Pick<OwnershipSnapshot, "source">): Freshness {
  const source = snapshot.source;
  if (source === undefined || source.from === "chain") return { source: "chain", indexedBlock: null, lagBlocks: null };
  return { source: "index", indexedBlock: source.block.toString(), lagBlocks: source.lagBlocks };
}

export type MemberHoldings = {
  /** With `brandId`: only that brand's collections and those the operator serves for every brand. */
  read(member: Address, options?: { brandId?: string }): Promise<{ collections: CollectionHoldings[]; loyalty: Loyalty[]; freshness: Freshness }>;
};

export function createMemberHoldings(deps: {
  store: Pick<BrandStore, "getBrand">;
  directory: CollectionDirectory;
  tokenTypes: TokenTypeReader;
  names: NameBook;
  levels: LevelBook;
  ownership: OwnershipReader;
  /** The chain index's reader, or null when CHAIN_INDEX is off. */
  index: Pick<IndexedOwnershipReader, "readHeld"> | null;
  /** Answer from the index only when it is at the head (what is signed for others to trust), not within INDEX_MAX_LAG_BLOCKS. */
  exact?: boolean;
  /** Told about a collection that could not be read (the rest still answer). */
  onUnreadable: (collection: string, error: unknown) => void;
}): MemberHoldings {
  type Read = CollectionHoldings & { pointsHeld: bigint };

  /** One holding as a member reads it: the brand's name and picture for the type, never its id alone. */
  function holdingView(address: Address, t: TokenTypeInfo, h: { balance: bigint; expiresAt: bigint }, names: TokenNames, now: bigint): Holding {
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
    if (t.kind !== "membership") return base;
    return { ...base, active: h.expiresAt > now, expiresAt: h.expiresAt === NEVER_EXPIRES ? null : new Date(Number(h.expiresAt) * 1000).toISOString() };
  }

  /** The collection's view from a snapshot that covered its types. */
  async function viewOf(address: Address, brandId: string | null, types: readonly TokenTypeInfo[], snapshot: OwnershipSnapshot): Promise<Read> {
    // Names, pictures and descriptions from the name book's memory.
    const names = await deps.names.names([address]);
    return {
      address,
      brandId,
      available: true,
      pointsHeld: snapshot.pointsByCollection?.get(address.toLowerCase()) ?? snapshot.points,
      holdings: types.flatMap((t) => {
        const h = snapshot.holdings.get(holdingKey(address, t.tokenId));
        return !h || h.balance === 0n ? [] : [holdingView(address, t, h, names, snapshot.now)];
      }),
    };
  }

  /** A served collection the member holds nothing in: one answer for all of them (not listed, worth no points). */
  const NOTHING_HELD: PromiseFulfilledResult<Read> = { status: "fulfilled", value: { address: "0x0000000000000000000000000000000000000000", brandId: null, available: true, pointsHeld: 0n, holdings: [] } };

  /** A collection the member holds something in, from the index's positions (by token id). */
  async function heldView(served: ServedCollection, positions: readonly IndexedHolding[], pointsHeld: bigint, now: bigint): Promise<Read> {
    const address = getAddress(served.collection);
    const [types, names] = await Promise.all([deps.tokenTypes.tokenTypes(address), deps.names.names([address])]);
    const holdings: Holding[] = [];
    for (const h of [...positions].sort((a, b) => (a.tokenId < b.tokenId ? -1 : 1))) {
      const t = types.find((type) => type.tokenId === h.tokenId) ?? (await deps.tokenTypes.tokenType(address, h.tokenId));
      if (t !== null) holdings.push(holdingView(address, t, h, names, now));
    }
    return { address, brandId: served.brandId, available: true, pointsHeld, holdings };
  }

  /**
   * Every served collection from the chain index: one query for what the member holds, whatever the
   * number of collections; null when the index may not answer (it lags, or one is catching up).
   */
  async function fromIndex(member: Address, served: readonly ServedCollection[]): Promise<{ results: PromiseSettledResult<Read>[]; freshness: Freshness } | null> {
    if (deps.index === null) return null;
    const held = await deps.index.readHeld(member, served.map((s) => s.collection), { fresh: deps.exact === true }).catch(() => null);
    if (held === null) return null;
    const byCollection = new Map<string, IndexedHolding[]>();
    for (const h of held.positions) byCollection.set(h.collection, [...(byCollection.get(h.collection) ?? []), h]);
    // Only the collections the member holds something in take any work.
    const results: PromiseSettledResult<Read>[] = served.map(() => NOTHING_HELD);
    const work: Promise<void>[] = [];
    served.forEach((s, i) => {
      const positions = byCollection.get(s.collection.toLowerCase());
      if (positions === undefined) return;
      work.push(
        heldView(s, positions, held.pointsByCollection.get(s.collection.toLowerCase()) ?? 0n, held.now).then(
          (value) => void (results[i] = { status: "fulfilled", value }),
          (reason: unknown) => void (results[i] = { status: "rejected", reason }),
        ),
      );
    });
    await Promise.all(work);
    return { results, freshness: freshnessOf(held) };
  }

  const refsOf = (address: Address, types: readonly TokenTypeInfo[]) => types.map((t) => ({ collection: address, tokenId: t.tokenId }));

  /** One collection on its own: every type of it, and the points they carry, in one read. */
  async function holdingsIn(member: Address, collection: Address, brandId: string | null): Promise<Read> {
    const address = getAddress(collection);
    const types = await deps.tokenTypes.tokenTypes(address);
    return viewOf(address, brandId, types, await deps.ownership.readFresh(member, refsOf(address, types)));
  }

  /**
   * Every collection in one read (from the chain index: one query, however many collections; from
   * the chain: one batch); when that fails, each on its own, so one that cannot be read does not hide
   * the others.
   */
  async function holdingsInAll(member: Address, served: readonly ServedCollection[]): Promise<{ results: PromiseSettledResult<Read>[]; freshness: Freshness | null }> {
    const indexed = await fromIndex(member, served);
    if (indexed !== null) return indexed;
    const types = await Promise.allSettled(served.map((s) => deps.tokenTypes.tokenTypes(getAddress(s.collection))));
    if (types.every((t) => t.status === "fulfilled")) {
      const all = served.flatMap((s, i) => refsOf(getAddress(s.collection), (types[i] as PromiseFulfilledResult<TokenTypeInfo[]>).value));
      const snapshot = await deps.ownership.readFresh(member, all).catch(() => null);
      if (snapshot !== null) {
        const results = await Promise.allSettled(served.map((s, i) => viewOf(getAddress(s.collection), s.brandId, (types[i] as PromiseFulfilledResult<TokenTypeInfo[]>).value, snapshot)));
        return { results, freshness: freshnessOf(snapshot) };
      }
    }
    return { results: await Promise.allSettled(served.map((s) => holdingsIn(member, s.collection, s.brandId))), freshness: null };
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
      const { results, freshness } = await holdingsInAll(member, served);
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
        // What the member holds, and what could not be read: never a row per empty collection, so the
        // answer grows with the member's holdings, not with the deployment's collections.
        collections: results.flatMap((r, i) => {
          if (r.status === "rejected") return [{ address: getAddress(served[i]!.collection), brandId: served[i]!.brandId, available: false, holdings: [] }];
          if (r.value.holdings.length === 0) return [];
          const { pointsHeld: _, ...holdings } = r.value;
          return [holdings];
        }),
        loyalty: loyalty.filter((entry) => entry !== null),
        freshness: freshness ?? { source: "chain", indexedBlock: null, lagBlocks: null },
      };
    },
  };
}
