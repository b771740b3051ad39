/** The console's overview of a brand: members, redemptions and claims per UTC day, busiest perks. */
import { toTimestamp, type Store } from "../storage/index.ts";
import type { BrandActivity } from "./types.ts";

const DAY_MS = 86_400_000;
const BUSIEST = 5;

export type BrandStats = Omit<BrandActivity, "signedIn" | "active"> & { members: { signedIn: number; active: number } };

export type StaffStats = {
  /** The last `days` whole UTC days, today included; every day is listed, the quiet ones with zeros. */
  of(brandId: string, days: number): Promise<BrandStats>;
};

export function createStaffStats(deps: { store: Store; now: () => Date }): StaffStats {
  return {
    async of(brandId, days) {
      const today = Math.floor(deps.now().getTime() / DAY_MS) * DAY_MS;
      const first = today - (days - 1) * DAY_MS;
      const activity = await deps.store.brandActivity(brandId, toTimestamp(first), BUSIEST);
      const counted = new Map(activity.days.map((d) => [d.date, d]));
      const every = Array.from({ length: days }, (_, i) => {
        const date = toTimestamp(first + i * DAY_MS).slice(0, 10);
        return counted.get(date) ?? { date, redemptions: 0, claims: 0 };
      });
      return { members: { signedIn: activity.signedIn, active: activity.active }, days: every, busiestPerks: activity.busiestPerks };
    },
  };
}
