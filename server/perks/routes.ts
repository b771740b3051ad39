/**
 * Perk routes: the offers core's member and brand routes for perks (`/v1/perks`, `/v1/redemptions`,
 * `/v1/admin/perks`, `/v1/admin/redemptions`), and the till's (till-routes.ts).
 */
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { offerRoutes, type OfferRouteSpec } from "../offers/routes.ts";
import type { OfferKindService } from "../offers/service.ts";
import { MemberPerkDetailSchema, MemberPerkSchema, PerkSchema, RedemptionPageSchema, RedemptionSchema } from "../../sdk/src/protocol/perks.ts";
import { memberPerkDetailView, memberPerkView, perkView, redemptionView } from "./views.ts";
import { tillRoutes } from "./till-routes.ts";
import type { Till } from "./till.ts";
import { perkVariant } from "./variant.ts";

/** @param opts.tillVerifyPerMinute till checks per credential per minute (TILL_VERIFY_PER_MINUTE). */
export async function perkRoutes(app: FastifyInstance, opts: { perks: OfferKindService; till: Till; tillVerifyPerMinute: number }) {
  const spec: OfferRouteSpec = {
    offers: opts.perks,
    variant: perkVariant,
    summaries: {
      create: "Create a perk: a holders-only offer redeemed for a one-time code",
      take: "Redeem a perk once; re-checks ownership on chain. Send an Idempotency-Key; a retry with the same key returns the same redemption.",
    },
    schemas: { offer: PerkSchema, memberOffer: MemberPerkSchema, memberOfferDetail: MemberPerkDetailSchema, take: RedemptionSchema, takePage: RedemptionPageSchema },
    views: { offer: perkView, memberOffer: memberPerkView, memberOfferDetail: memberPerkDetailView, take: redemptionView },
    createFields: {},
    rewardInput: () => undefined,
    adminTakeFilters: { consumed: Type.Optional(Type.Boolean()) },
    adminTakeQuery: (q) => (q.consumed === undefined ? {} : { consumed: q.consumed as boolean }),
    takeStatus: (_take, replayed) => (replayed ? 200 : 201),
  };
  await app.register(offerRoutes, spec);

  await app.register(tillRoutes, { till: opts.till, verifyPerMinute: opts.tillVerifyPerMinute });
}
