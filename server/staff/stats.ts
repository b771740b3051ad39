/** The console's overview of a brand: members, each kind's counted takes per UTC day, its busiest offers. */
import type { Stats } from "../../sdk/src/protocol/staff.ts";
import type { OfferKindSpec } from "../offers/kind.ts";
import { toTimestamp, type Store } from "../storage/index.ts";

const DAY_MS = 86_400_000;
const BUSIEST = 5;

/**
 * As the protocol's StatsSchema says: `{ date, [kind.stats.perDay]: n, … }` per day,
 * `[kind.stats.busiest.field]` per ranked kind (server/offer-kinds.test.ts holds the two together).
 */
export type BrandStats = Stats;

export type StaffStats = {
  /** The last `days` whole UTC days, today included; every day is listed, the quiet ones with zeros. */
  of(brandId: string, days: number): Promise<BrandStats>;
};

export function createStaffStats(deps: { store: Store; now: () => Date; kinds: readonly OfferKindSpec[] }): StaffStats {
  const kinds = deps.kinds.map((spec) => ({ kind: spec.kind, counted: spec.takes.counted, ranked: spec.stats.busiest !== undefined }));
  return {
    async of(brandId, days) {
      const today = Math.floor(deps.now().getTime() / DAY_MS) * DAY_MS;
      const first = today - (days - 1) * DAY_MS;
      const activity = await deps.store.brandActivity(brandId, toTimestamp(first), BUSIEST, kinds);
      const counted = new Map(activity.days.map((d) => [d.date, d.takes]));
      const every = Array.from({ length: days }, (_, i) => {
        const date = toTimestamp(first + i * DAY_MS).slice(0, 10);
        const takes = counted.get(date) ?? {};
        return { date, ...Object.fromEntries(deps.kinds.map((spec) => [spec.stats.perDay, takes[spec.kind] ?? 0])) };
      });
      const busiest = deps.kinds.flatMap(({ kind, stats: { busiest } }) =>
        busiest === undefined ? [] : [[busiest.field, (activity.busiest[kind] ?? []).map((o) => ({ id: o.id, title: o.title, [busiest.count]: o.takes }))]],
      );
      return { members: { signedIn: activity.signedIn, active: activity.active }, days: every, ...Object.fromEntries(busiest) };
    },
  };
}
