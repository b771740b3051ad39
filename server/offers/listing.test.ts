/**
 * The listing's reuse rules: a repeated listing is the same array while the perks, the member's
 * cached holdings and every perk's status are unchanged, and a new one as soon as any of them moves.
 * Real chain, real store, the real cached reader; only the server's clock is set by the test.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAddress, type Address, type PublicClient } from "viem";
import { createBrand } from "../admin/brands.ts";
import { createOwnershipReader } from "../chain/ownership.ts";
import { newId, SqliteStore, toTimestamp, type Brand } from "../storage/index.ts";
import { DEMO_TYPES, startChain, type DemoChain } from "../../test/support/chain.ts";
import { createPerkService, type PerkService } from "./service.ts";

const HOUR = 3_600_000;
const T0 = Date.parse("2030-01-01T12:00:00.000Z");

let chain: DemoChain;
let store: SqliteStore;
let brand: Brand;
let member: Address;
let clock = T0;
let perks: PerkService;

beforeAll(async () => {
  chain = await startChain();
  store = SqliteStore.open(":memory:");
  brand = await createBrand(store, "Listing Brand");
  member = getAddress(chain.members[0]!.account.address);
  await chain.mint(member, DEMO_TYPES.stamp, 1n);
  const ownership = createOwnershipReader(chain.publicClient as PublicClient, { cacheMs: 3_600_000 });
  perks = createPerkService({ store, ownership, catalogCacheMs: 3_600_000, now: () => new Date(clock) });
});
afterAll(async () => store?.close());

async function addPerk(window: { startsAt?: number; endsAt?: number } = {}) {
  const perk = await store.createPerk({
    id: `perk_${newId().replaceAll("-", "")}`,
    brandId: brand.id,
    title: "Stamp holders",
    description: "",
    collections: [getAddress(chain.collection.address)],
    rule: { type: "holds", collection: getAddress(chain.collection.address), tokenId: String(DEMO_TYPES.stamp), min: 1 },
    limits: { perMember: null, total: null },
    startsAt: window.startsAt === undefined ? null : toTimestamp(window.startsAt),
    endsAt: window.endsAt === undefined ? null : toTimestamp(window.endsAt),
    createdAt: toTimestamp(clock),
  });
  perks.catalogChanged();
  return perk;
}

const statusOf = async (perkId: string) => (await perks.list(member)).find((p) => p.perk.id === perkId)?.status;

describe("listing reuse", () => {
  it("is the same array while nothing changed", async () => {
    clock = T0;
    await addPerk();
    const first = await perks.list(member);
    expect(first.some((p) => p.eligible)).toBe(true);
    expect(await perks.list(member)).toBe(first);
  });

  it("follows a perk across its window: upcoming, open, ended, and back when the clock moves back", async () => {
    clock = T0;
    const perk = await addPerk({ startsAt: T0 + HOUR, endsAt: T0 + 2 * HOUR });
    const before = await perks.list(member);
    expect(await statusOf(perk.id)).toBe("upcoming");

    clock = T0 + HOUR - 1;
    expect(await perks.list(member)).toBe(before);
    clock = T0 + HOUR;
    expect(await statusOf(perk.id)).toBe("open");
    expect(await perks.list(member)).not.toBe(before);
    clock = T0 + 2 * HOUR - 1;
    expect(await statusOf(perk.id)).toBe("open");
    clock = T0 + 2 * HOUR;
    expect(await statusOf(perk.id)).toBe("ended");
    clock = T0 + 10 * HOUR;
    expect(await statusOf(perk.id)).toBe("ended");

    clock = T0;
    expect(await statusOf(perk.id)).toBe("upcoming");
  });

  it("a brand's change is a new array at once", async () => {
    clock = T0;
    const before = await perks.list(member);
    const added = await addPerk();
    const after = await perks.list(member);
    expect(after).not.toBe(before);
    expect(after.map((p) => p.perk.id)).toContain(added.id);
  });
});
