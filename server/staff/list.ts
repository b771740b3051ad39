/**
 * A brand's staff list: owners give addresses the manager or till role and take it away. A change
 * takes effect on this instance at once, on others within STAFF_ROLE_CACHE_MS.
 */
import type { Address } from "viem";
import { Problem } from "../errors.ts";
import { toTimestamp, type Store } from "../storage/index.ts";
import type { StaffRoles } from "./roles.ts";
import type { ListedRole, StaffMember } from "./types.ts";

export type StaffList = {
  list(brandId: string): Promise<StaffMember[]>;
  /** Gives `address` the role (or changes it); `created`: it was not on the list. */
  put(brandId: string, address: Address, role: ListedRole, by: Address): Promise<{ member: StaffMember; created: boolean }>;
  /** 404 `staff_not_found` if the address is not on the list. */
  remove(brandId: string, address: Address): Promise<void>;
};

/** @param deps.onChange told after each change, to tell the other instances (their role caches). */
export function createStaffList(deps: { store: Store; roles: StaffRoles; now: () => Date; onChange?: () => void }): StaffList {
  const { store, roles } = deps;
  return {
    list: (brandId) => store.listStaff(brandId),

    async put(brandId, address, role, by) {
      const result = await store.putStaff({ brandId, address, role, addedBy: by, addedAt: toTimestamp(deps.now()) });
      roles.forget(brandId, address);
      deps.onChange?.();
      return result;
    },

    async remove(brandId, address) {
      const removed = await store.removeStaff(brandId, address);
      roles.forget(brandId, address);
      if (removed) deps.onChange?.();
      if (!removed) throw new Problem(404, "staff_not_found", "This address is not on the staff list", `${address} has no listed role with brand ${brandId}.`);
    },
  };
}
