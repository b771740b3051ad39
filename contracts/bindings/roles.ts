/**
 * AccessControl roles of a collection, as `hasRole(role, account)` takes them. Written out rather
 * than hashed at load time so that importing them costs nothing; `roles.test.ts` checks each against
 * the contract.
 */
import type { Hex } from "viem";

/** Creates token types and manages roles: whoever holds it controls the collection. */
export const DEFAULT_ADMIN_ROLE: Hex = "0x0000000000000000000000000000000000000000000000000000000000000000";
/** keccak256("MINTER_ROLE"): mints, airdrops, renews, and signs claim vouchers. */
export const MINTER_ROLE: Hex = "0x9f2df0fed2c77648de5860a4cc508cd0818c85b8b8a1ab4ceeef8d981c8956a6";
/** keccak256("PAUSER_ROLE"): pauses and unpauses the collection. */
export const PAUSER_ROLE: Hex = "0x65d7a28e3265b37a6474929f336521b332c1681b933f6cb9f3376673440d862a";
