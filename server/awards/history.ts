/** A brand's awards as its staff read them: newest first, filtered, a page at a time. */
import type { Page } from "../storage/index.ts";
import type { Award, AwardQuery, AwardStore } from "./types.ts";

export type AwardHistory = {
  page(query: AwardQuery): Promise<Page<Award>>;
};

export function createAwardHistory(store: Pick<AwardStore, "listAwards">): AwardHistory {
  return { page: (query) => store.listAwards(query) };
}
