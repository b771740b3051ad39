/** Members: the addresses that ever signed in to this deployment. */
import type { Address } from "viem";
import type { Timestamp } from "../storage/time.ts";

export interface MemberStore {
  /** Notes plain sign-ins in one write: each address becomes a member, once (its first sign-in kept). */
  recordMembers(members: readonly Address[], now: Timestamp): Promise<void>;
}
