/**
 * The kinds of offer this server has, in the order their fields appear in the statistics, the
 * erasure answer and the data export. A new kind is a folder declaring it (see offers/kind.ts) and
 * one line here; its routes are registered in app.ts.
 */
import { dropKind } from "./drops/kind.ts";
import type { OfferKindSpec } from "./offers/kind.ts";
import { perkKind } from "./perks/kind.ts";

export const OFFER_KINDS: readonly OfferKindSpec[] = [perkKind, dropKind];
