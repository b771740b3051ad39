import type { Client } from "../types/client.ts";
import { endSession } from "../utils/session.ts";

export type SignOutReturnType = {
  /** Whether the server confirmed it revoked the session (false when offline: it then expires on its own). */
  revoked: boolean;
};

/**
 * Signs the member out: forgets the session here (memory and storage) at once, emits
 * `sessionEnded` with reason "signedOut", and revokes it on the server (`POST /v1/auth/logout`).
 * Never throws for a network failure: the local sign-out always happens.
 *
 * @example
 * const { revoked } = await client.signOut();
 */
export async function signOut(client: Client): Promise<SignOutReturnType> {
  return { revoked: await endSession(client, "signedOut", { revoke: true }) };
}
