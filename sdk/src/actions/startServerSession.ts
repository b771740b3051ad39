import type { Client } from "../types/client.ts";
import { SESSION_HEADER } from "../protocol/entitlement-format.ts";
import { getEntitlement, type GetEntitlementErrorType } from "./getEntitlement.ts";

export type StartServerSessionParameters = {
  /** The brand's session endpoint (its `handleSession`), on this page's own origin; default `/api/stampbook/session`. */
  endpoint?: string;
  /** The brand; default: the one that registered this page's origin. */
  brand?: string;
  /**
   * How long before the entitlement expires a fresh one is handed over; default 60 000 ms. A token
   * living less than twice that is renewed halfway through its life instead.
   */
  renewBeforeMs?: number;
  /** Told when a renewal failed (the member signed out, the API is down): the server session then lapses at its expiry. */
  onError?: (error: unknown) => void;
};

export type ServerSession = {
  /** When the entitlement the brand's server holds now expires (it moves on at each renewal). */
  readonly expiresAt: Date;
  /** Stops renewing; the brand's server session lapses at its expiry. */
  stop(): void;
  /** Stops renewing and clears the brand's server session now (on sign-out). */
  end(): Promise<void>;
};
export type StartServerSessionErrorType = GetEntitlementErrorType | Error;

/**
 * Signs the member in on the brand's own server: fetches the member's entitlement, posts it to the
 * brand's session endpoint (which verifies it and sets a first-party httpOnly cookie; see
 * `createStampbookServer` in `@stampbook/sdk/server`), and hands over a fresh one before each
 * expires, while the page is open.
 *
 * @example
 * await client.signIn();
 * const session = await startServerSession(client, { endpoint: "/api/stampbook/session" });
 * // later, on sign-out:
 * await session.end();
 */
export async function startServerSession(client: Client, parameters: StartServerSessionParameters = {}): Promise<ServerSession> {
  const endpoint = parameters.endpoint ?? "/api/stampbook/session";
  const send = (method: "POST" | "DELETE", body?: object) =>
    client.fetch(endpoint, { method, credentials: "same-origin", headers: { "content-type": "application/json", [SESSION_HEADER]: "1" }, ...(body ? { body: JSON.stringify(body) } : {}) });
  let expiresAt = new Date(0);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  async function handOver(): Promise<void> {
    const entitlement = await getEntitlement(client, parameters.brand === undefined ? {} : { brand: parameters.brand });
    const response = await send("POST", { token: entitlement.token });
    if (!response.ok) throw new Error(`the brand's session endpoint refused the entitlement (${response.status})`);
    expiresAt = new Date(entitlement.expiresAt);
    // Halfway at the latest: a deployment with short tokens is not asked for one every second.
    const lifetime = expiresAt.getTime() - Date.now();
    if (!stopped) timer = setTimeout(renew, Math.max(1_000, lifetime / 2, lifetime - (parameters.renewBeforeMs ?? 60_000)));
  }

  function renew(): void {
    handOver().catch((error: unknown) => parameters.onError?.(error));
  }

  await handOver();
  const stop = () => {
    stopped = true;
    clearTimeout(timer);
  };
  return {
    get expiresAt() {
      return expiresAt;
    },
    stop,
    async end() {
      stop();
      await send("DELETE");
    },
  };
}
