/**
 * What opens the members-only page: an active Gold membership, named as the brand named the token
 * type (the demo's "Gold membership"). Any requirement `requireMembership` takes works here: a level
 * (`{ level: "Silver" }`), a perk redeemable now, or a rule.
 */
import type { Requirement } from "@stampbook/sdk/server";

export const MEMBERS_ONLY: Requirement = { membership: "Gold membership" };
