/** Staff members as the wire shows them (the shape is the protocol's). */
import type { Static } from "typebox";
import { getAddress } from "viem";
import type { StaffMemberSchema } from "../../sdk/src/protocol/staff.ts";
import type { StaffMember } from "./types.ts";

export function staffMemberView(member: StaffMember): Static<typeof StaffMemberSchema> {
  return { address: getAddress(member.address), role: member.role, addedBy: getAddress(member.addedBy), addedAt: member.addedAt };
}
