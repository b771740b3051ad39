/**
 * Brand staff: people who sign in to the console or the till for a brand. An **owner** holds
 * DEFAULT_ADMIN_ROLE on one of the brand's registered collections (read on chain, never stored);
 * owners list other addresses as **manager** (everything but staff management) or **till** (verify
 * codes only).
 */
import type { Address } from "viem";
import type { OfferKind, TakeStatus } from "../offers/types.ts";
import type { Timestamp } from "../storage/time.ts";

/** Roles an owner gives (`LISTED_ROLES`); owner itself comes from the chain. */
export { LISTED_ROLES, type ListedRole, type StaffRole } from "../../sdk/src/protocol/staff.ts";
import type { ListedRole } from "../../sdk/src/protocol/staff.ts";

/** One address on a brand's staff list. */
export interface StaffMember {
  brandId: string;
  /** Lowercase. */
  address: Address;
  role: ListedRole;
  /** Who gave the current role (lowercase), and when. */
  addedBy: Address;
  addedAt: Timestamp;
}

/** A kind of offer as the activity counts it (from its declaration, server/offers/kind.ts). */
export interface ActivityKind {
  kind: OfferKind;
  /** Its takes in these statuses are counted per day and in the ranking. */
  counted: readonly TakeStatus[];
  /** Whether the brand's offers of this kind are ranked by their counted takes. */
  ranked: boolean;
}

/** A brand's activity over whole UTC days, for the console's overview. */
export interface BrandActivity {
  /** Every address that ever signed in to this deployment (members sign in to it, not to one brand). */
  signedIn: number;
  /** Members with a take of any of the kinds at this brand since `since`. */
  active: number;
  /** Counted takes per UTC day (`YYYY-MM-DD`) since `since`, by kind; days without any are absent, and so are kinds without any that day. */
  days: { date: string; takes: Record<OfferKind, number> }[];
  /** For each ranked kind: the brand's offers with the most counted takes since `since`, most first (ties by id). */
  busiest: Record<OfferKind, { id: string; title: string; takes: number }[]>;
}

/** The staff list, and what the staff tools read besides it. */
export interface StaffStore {
  /** Gives `address` a role on the brand's staff list (or changes it). Fails if the brand does not exist. */
  putStaff(member: StaffMember): Promise<{ member: StaffMember; created: boolean }>;
  /** The listed role of `address` with the brand, or null. */
  getStaffRole(brandId: string, address: Address): Promise<ListedRole | null>;
  /** The brand's staff list, oldest first. */
  listStaff(brandId: string): Promise<StaffMember[]>;
  /** False if the address was not on the list. */
  removeStaff(brandId: string, address: Address): Promise<boolean>;

  /** The brand's activity since `since` (the start of a UTC day) in offers of `kinds`; `busiest` offers at most per ranked kind. */
  brandActivity(brandId: string, since: Timestamp, busiest: number, kinds: readonly ActivityKind[]): Promise<BrandActivity>;
  /** Up to `limit` members, most recently first seen first, and how many there are in all. */
  recentMembers(limit: number): Promise<{ addresses: Address[]; total: number }>;
  /** An offer's title, deleted or not (a deleted perk's codes stay consumable); null if there is none. */
  offerTitle(id: string): Promise<string | null>;
}
