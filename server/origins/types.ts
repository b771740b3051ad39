/** The web origins a brand's storefronts and apps run on, as the store keeps them. */
import type { Timestamp } from "../storage/time.ts";

/** An origin (scheme, host and port, as browsers serialize it) registered by one brand. */
export type BrandOrigin = { origin: string; brandId: string; createdAt: Timestamp };

/** What registering an origin did: an origin belongs to one brand at a time. */
export type AddOriginResult = { status: "added" | "already_added"; origin: BrandOrigin } | { status: "taken" };

export interface OriginStore {
  /** Registers `origin` for the brand unless another brand has it (checked in the same transaction). */
  addOrigin(input: BrandOrigin): Promise<AddOriginResult>;
  /** Registered origins, oldest first: one brand's, or every brand's. */
  listOrigins(query?: { brandId?: string }): Promise<BrandOrigin[]>;
  /** Removes one of the brand's origins. False if it is not the brand's. */
  removeOrigin(brandId: string, origin: string): Promise<boolean>;
}
