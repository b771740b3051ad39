/**
 * The till: a brand checks a member's redemption code and uses it up, once, and sees what it is for
 * (the perk's title) and who shows it (the member's level and points with the brand).
 */
import { getAddress, type Address } from "viem";
import type { OwnershipReader } from "../chain/ownership.ts";
import { Problem } from "../errors.ts";
import { standingOf } from "../loyalty/levels.ts";
import type { TermsOf } from "../rules/terms.ts";
import type { Take } from "../offers/types.ts";
import { normalizeRedemptionCode, toTimestamp, type Store } from "../storage/index.ts";
import { webhookMessage } from "../webhooks/messages.ts";
import { redemptionView } from "./views.ts";

/** The member's standing with the brand as the till shows it; nulls when it could not be read in time. */
export type TillMember = { address: Address; level: { key: string; name: string } | null; points: string | null };

export type Verified = { take: Take; perk: { id: string; title: string }; member: TillMember };

export type Till = {
  /** The redemption, consumed now; 404 for an unknown code or another brand's, 409 if it was used already. */
  verify(brandId: string, typed: string): Promise<Verified>;
};

/** How the till reads a member's standing: the brand's terms, holdings (cached as listings are), at most `timeoutMs`. */
export type TillStanding = { terms: TermsOf; ownership: Pick<OwnershipReader, "readCached">; timeoutMs: number };

export function createTill(store: Store, now: () => Date = () => new Date(), standing?: TillStanding): Till {
  const titleOf = async (offerId: string) => (await store.offerTitle(offerId)) ?? "";

  /** Never holds the answer up for long, never fails it: the code is used up whatever the chain says. */
  async function memberOf(brandId: string, member: Address): Promise<TillMember> {
    const address = getAddress(member);
    const unknown = { address, level: null, points: null };
    if (standing === undefined) return unknown;
    const read = (async () => {
      const terms = await standing.terms(brandId);
      const snapshot = await standing.ownership.readCached(address, terms.standing);
      const { level, points } = standingOf(snapshot.points, terms.levels);
      return { address, level: level === null ? null : { key: level.key, name: level.name }, points };
    })();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<TillMember>((resolve) => (timer = setTimeout(() => resolve(unknown), standing.timeoutMs)));
    try {
      return await Promise.race([read, late]);
    } catch {
      return unknown;
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    async verify(brandId, typed) {
      // Codes are read aloud and typed: any case, with or without dashes, O for 0, I or L for 1.
      const code = normalizeRedemptionCode(typed);
      if (code === null) throw new Problem(404, "redemption_not_found", "No such redemption code");
      const result = await store.consumeCode(brandId, code, toTimestamp(now()), ({ take, title }) => [
        webhookMessage(
          take.brandId,
          "redemption.consumed",
          { redemptionId: take.id, perk: { id: take.offerId, title }, member: { address: take.member }, code: take.code ?? code, consumedAt: take.consumedAt! },
          take.consumedAt!,
        ),
      ]);
      if (result.status === "not_found") throw new Problem(404, "redemption_not_found", "No such redemption code");
      if (result.status === "already_consumed") {
        const { take } = result;
        const perk = { id: take.offerId, title: await titleOf(take.offerId) };
        throw new Problem(409, "redemption_already_consumed", "This code was already used", `used at ${take.consumedAt}`, { redemption: redemptionView(take), consumedAt: take.consumedAt, perk });
      }
      const { take } = result;
      const [title, member] = await Promise.all([titleOf(take.offerId), memberOf(brandId, take.member)]);
      return { take, perk: { id: take.offerId, title }, member };
    },
  };
}
