/**
 * Who a signed-in address is to a brand. An **owner** holds DEFAULT_ADMIN_ROLE on one of the brand's
 * registered collections, read on chain; anyone else has the role the brand's staff list gives them,
 * or none. An answer is reused for at most `cacheMs`, so an owner whose admin role was revoked on
 * chain, or a removed staff member, loses access within that time (on this instance, a change to the
 * list takes effect at once).
 *
 * Fails closed: when the chain cannot be read and the list names no role, the answer is a 503
 * `chain_unavailable`, never a guess.
 */
import type { Address, PublicClient } from "viem";
import { DEFAULT_ADMIN_ROLE, stampbookCollectionAbi } from "../../contracts/bindings/index.ts";
import type { Brand } from "../brands/types.ts";
import { chainUnavailable } from "../chain/errors.ts";
import { Problem } from "../errors.ts";
import type { Store } from "../storage/index.ts";
import type { StaffRole } from "./types.ts";

export type StaffAccess = { brand: Brand; role: StaffRole };

export type StaffRoles = {
  /**
   * The brand and the address's role with it; 403 `not_staff` without one, 503 `chain_unavailable`
   * when it cannot be told. `fresh` (a sign-in) reads it now whatever is cached, and caches that.
   */
  access(brandId: string, address: Address, options?: { fresh?: boolean }): Promise<StaffAccess>;
  /** Drops what is cached of one address with a brand (its listed role changed), or everything. */
  forget(brandId?: string, address?: Address): void;
};

/** Most rank first: each role may do what the ones after it may. */
const RANKS: Record<StaffRole, number> = { owner: 3, manager: 2, till: 1 };

/** Whether `role` may do what `needed` may. */
export function roleAllows(role: StaffRole, needed: StaffRole): boolean {
  return RANKS[role] >= RANKS[needed];
}

const MAX_CACHED = 10_000;

type Answer = { brand: Brand | null; role: StaffRole | null };

export function createStaffRoles(deps: { store: Store; client: Pick<PublicClient, "readContract">; cacheMs: number }): StaffRoles {
  const { store, client } = deps;
  const cache = new Map<string, { at: number; answer: Answer }>();
  const reading = new Map<string, Promise<Answer>>();
  // Counts forgets: an answer read before one is handed to its callers, never cached.
  let generation = 0;
  const keyOf = (brandId: string, address: Address) => `${brandId}|${address.toLowerCase()}`;

  /** True or false when every collection answered (or one said yes); otherwise why it cannot be told. */
  async function isOwner(brandId: string, address: Address): Promise<boolean | { unreadable: unknown }> {
    const collections = await store.listCollections({ brandId });
    const reads = await Promise.allSettled(
      collections.map((c) => client.readContract({ address: c.collection, abi: stampbookCollectionAbi, functionName: "hasRole", args: [DEFAULT_ADMIN_ROLE, address] })),
    );
    if (reads.some((r) => r.status === "fulfilled" && r.value === true)) return true;
    const failed = reads.find((r) => r.status === "rejected");
    return failed === undefined ? false : { unreadable: failed.reason };
  }

  async function read(brandId: string, address: Address): Promise<Answer> {
    const [brand, listed] = await Promise.all([store.getBrand(brandId), store.getStaffRole(brandId, address)]);
    if (brand === null) return { brand: null, role: null };
    const owner = await isOwner(brandId, address);
    if (owner === true) return { brand, role: "owner" };
    // Unreadable chain: the list alone decides, and without a listed role nothing is allowed.
    if (owner === false || listed !== null) return { brand, role: listed };
    throw chainUnavailable("Whether this address administers one of the brand's collections could not be read; nothing was allowed.", owner.unreadable);
  }

  return {
    async access(brandId, address, options = {}) {
      const key = keyOf(brandId, address);
      const cached = options.fresh ? undefined : cache.get(key);
      let answer: Answer;
      if (cached !== undefined && Date.now() - cached.at < deps.cacheMs) {
        answer = cached.answer;
      } else {
        let pending = options.fresh ? undefined : reading.get(key);
        if (pending === undefined) {
          const started = generation;
          const at = Date.now();
          pending = read(brandId, address).then((fresh) => {
            if (deps.cacheMs > 0 && started === generation) {
              if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
              cache.set(key, { at, answer: fresh });
            }
            return fresh;
          });
          reading.set(key, pending);
          const done = () => reading.get(key) === pending && reading.delete(key);
          pending.then(done, done);
        }
        answer = await pending;
      }
      if (answer.brand === null || answer.role === null) {
        throw new Problem(403, "not_staff", "This address is not staff of the brand", `${address} is neither an admin of one of brand ${brandId}'s collections nor on its staff list.`);
      }
      return { brand: answer.brand, role: answer.role };
    },

    forget(brandId, address) {
      generation++;
      if (brandId === undefined || address === undefined) {
        cache.clear();
        reading.clear();
        return;
      }
      cache.delete(keyOf(brandId, address));
      reading.delete(keyOf(brandId, address));
    },
  };
}
