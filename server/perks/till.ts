/** The till: a brand checks a member's redemption code and uses it up, once. */
import { Problem } from "../errors.ts";
import type { Take } from "../offers/types.ts";
import { normalizeRedemptionCode, toTimestamp, type Store } from "../storage/index.ts";
import { redemptionView } from "./schemas.ts";

export type Till = {
  /** The redemption, consumed now; 404 for an unknown code or another brand's, 409 if it was used already. */
  verify(brandId: string, typed: string): Promise<Take>;
};

export function createTill(store: Store, now: () => Date = () => new Date()): Till {
  return {
    async verify(brandId, typed) {
      // Codes are read aloud and typed: any case, with or without dashes, O for 0, I or L for 1.
      const code = normalizeRedemptionCode(typed);
      if (code === null) throw new Problem(404, "redemption_not_found", "No such redemption code");
      const result = await store.consumeCode(brandId, code, toTimestamp(now()));
      if (result.status === "not_found") throw new Problem(404, "redemption_not_found", "No such redemption code");
      if (result.status === "already_consumed") {
        throw new Problem(409, "redemption_already_consumed", "This code was already used", `used at ${result.take.consumedAt}`, { redemption: redemptionView(result.take) });
      }
      return result.take;
    },
  };
}
