/**
 * Drop routes: the offers core's member and brand routes for drops (`/v1/drops`, `/v1/claims`,
 * `/v1/admin/drops`, `/v1/admin/claims`), and one claim's (claim-routes.ts).
 */
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { offerRoutes, type OfferRouteSpec } from "../offers/routes.ts";
import type { OfferKindService } from "../offers/service.ts";
import { DROP_MODES, type TakeStatus } from "../offers/types.ts";
import { AddressSchema, StringEnum, UintStringSchema } from "../../sdk/src/protocol/common.ts";
import { claimRoutes } from "./claim-routes.ts";
import { CLAIM_STATUSES, ClaimPageSchema, ClaimSchema, MemberDropDetailSchema, MemberDropSchema, DropSchema } from "../../sdk/src/protocol/drops.ts";
import { claimView, memberDropDetailView, memberDropView, dropView } from "./views.ts";
import type { DropRewardInput, DropVariant } from "./variant.ts";

/** A uint as a decimal string or a (safe) JSON integer, as rules take token ids. */
const RequestUint = Type.Union([UintStringSchema, Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })]);

export async function dropRoutes(app: FastifyInstance, opts: { drops: OfferKindService; variant: DropVariant }) {
  const spec: OfferRouteSpec = {
    offers: opts.drops,
    variant: opts.variant,
    summaries: {
      create:
        "Create a drop: tokens of one of the brand's collections members claim without gas (the brand's minter mints, or signs a voucher). " +
        "Defaults: amount 1, mode mint, any signed-in member, 1 per member.",
      take:
        "Claim a drop without gas: re-checks ownership on chain, then the brand's minter mints (mode mint) or signs a voucher (mode voucher). " +
        "201 minted or issued; 202 still pending (poll GET /v1/claims/:id); a retry with the same Idempotency-Key returns the same claim (200).",
    },
    schemas: { offer: DropSchema, memberOffer: MemberDropSchema, memberOfferDetail: MemberDropDetailSchema, take: ClaimSchema, takePage: ClaimPageSchema },
    views: { offer: dropView, memberOffer: memberDropView, memberOfferDetail: memberDropDetailView, take: claimView },
    createFields: { collection: AddressSchema, tokenId: RequestUint, amount: Type.Optional(RequestUint), mode: Type.Optional(StringEnum(DROP_MODES)) },
    rewardInput: (body) => body as unknown as DropRewardInput,
    adminTakeFilters: { status: Type.Optional(StringEnum(CLAIM_STATUSES)) },
    adminTakeQuery: (q) => (q.status === undefined ? {} : { status: q.status as TakeStatus }),
    takeStatus: (claim, replayed) => (claim.status === "pending" ? 202 : replayed ? 200 : 201),
  };
  await app.register(offerRoutes, spec);

  await app.register(claimRoutes, { drops: opts.drops, variant: opts.variant });
}
