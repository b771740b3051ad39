/**
 * The member registry: every sign-in makes its address a member, once. Plain sign-ins of one
 * event-loop turn share one write (sign-ins come in bursts), and an address this instance has seen
 * costs nothing more. A sign-in that brings an invitation is offered first to whoever handles
 * invitations (journeys: a referral step is completed in the same write that makes the member).
 */
import type { Address } from "viem";
import { toTimestamp } from "../storage/index.ts";
import type { MemberStore } from "./types.ts";

/** Records a new member who came with `invitation`; false when it is not one it knows how to honour. */
export type InvitationHandler = (member: Address, invitation: string) => Promise<boolean>;

export type MemberRegistry = {
  /** A sign-in (the auth routes' hook). */
  signedIn(address: Address, context: { invitation: string | null }): Promise<void>;
  /** Who records a new member's invitation (one handler; a later one replaces it). */
  handleInvitations(handler: InvitationHandler): void;
};

/** Addresses remembered per instance before the memory starts over (a forgotten one costs one write). */
const MAX_KNOWN_MEMBERS = 100_000;

export function createMemberRegistry(deps: { store: MemberStore; now?: () => Date }): MemberRegistry {
  const at = () => toTimestamp(deps.now?.() ?? new Date());
  // Addresses this instance saw sign in: they are members, whatever invitation they bring.
  const known = new Set<string>();
  let invitations: InvitationHandler | null = null;
  // Plain sign-ins waiting for the next write, and the write they will share.
  let pending: Address[] = [];
  let write: Promise<void> | null = null;

  function note(member: Address): Promise<void> {
    pending.push(member);
    write ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      const batch = pending;
      pending = [];
      write = null;
      return deps.store.recordMembers(batch, at());
    });
    return write;
  }

  function remember(member: string): void {
    if (known.size >= MAX_KNOWN_MEMBERS) known.clear();
    known.add(member);
  }

  return {
    async signedIn(address, context) {
      const member = address.toLowerCase() as Address;
      if (known.has(member)) return;
      const recorded = context.invitation !== null && invitations !== null && (await invitations(member, context.invitation));
      if (!recorded) await note(member);
      remember(member);
    },
    handleInvitations(handler) {
      invitations = handler;
    },
  };
}
