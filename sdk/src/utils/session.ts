/** The member's session: kept on the client and in its storage, ended with a reason. */
import type { Client, SessionEndReason } from "../types/client.ts";
import type { Session } from "../protocol/auth.ts";

/** Makes `session` the client's and persists it. */
export async function saveSession(client: Client, session: Session): Promise<void> {
  client.session = session;
  await client.storage.setItem(client.storageKey, JSON.stringify(session));
}

/** The session kept in storage, if it is well-formed and not expired. */
export async function loadSession(client: Client): Promise<Session | null> {
  let raw: string | null | undefined;
  try {
    raw = await client.storage.getItem(client.storageKey);
  } catch {
    return null;
  }
  if (!raw) return null;
  try {
    const s = JSON.parse(raw) as Partial<Session>;
    if (typeof s.token === "string" && typeof s.address === "string" && typeof s.chainId === "number" && typeof s.expiresAt === "string") {
      if (Date.parse(s.expiresAt) > Date.now()) return s as Session;
    }
  } catch {
    // corrupt: forget it below
  }
  await client.storage.removeItem(client.storageKey);
  return null;
}

/** Revokes a session token on the server, best effort (a failure leaves it to expire). */
export async function revokeToken(client: Client, token: string): Promise<boolean> {
  const href = `${client.apiUrl}/v1/auth/logout`;
  try {
    const response = await client.fetch(href, { method: "POST", headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(client.requestTimeout) });
    return response.ok || response.status === 401;
  } catch {
    return false;
  }
}

/**
 * Forgets the client's session (memory and storage), optionally revokes it on the server, and emits
 * `sessionEnded`. Returns whether the server confirmed the revocation (false if not asked to).
 */
export async function endSession(client: Client, reason: SessionEndReason, options: { revoke: boolean }): Promise<boolean> {
  const session = client.session;
  if (!session) {
    await client.storage.removeItem(client.storageKey);
    return false;
  }
  // Synchronous up to the event (for localStorage, removal included), so listeners see it gone.
  client.session = null;
  const removed = client.storage.removeItem(client.storageKey);
  const revoked = options.revoke ? revokeToken(client, session.token) : Promise.resolve(false);
  client.emit("sessionEnded", { reason, address: session.address });
  await removed;
  return revoked;
}
