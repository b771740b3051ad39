import type { Timestamp } from "../storage/time.ts";
import type { Offer } from "./types.ts";

/** Where an offer's window stands: before `startsAt`, within it, or at or after `endsAt`. */
export type OfferStatus = "upcoming" | "open" | "ended";

export function offerStatus(offer: Pick<Offer, "startsAt" | "endsAt">, now: Timestamp): OfferStatus {
  // Timestamps share one fixed-width shape, so text order is time order.
  if (offer.startsAt !== null && now < offer.startsAt) return "upcoming";
  if (offer.endsAt !== null && now >= offer.endsAt) return "ended";
  return "open";
}
