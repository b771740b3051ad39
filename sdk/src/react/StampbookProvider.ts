"use client";
/**
 * `<StampbookProvider client>`: puts the client in context and keeps the member's session as React
 * state, following the client's events; forgets a member's cached data when their session ends or
 * another signs in; restores the stored session once mounted. Nothing here reads storage or `window`
 * during render: the server renders with `initialSession` (or nobody), the browser restores after.
 */
import { QueryClientContext } from "@tanstack/react-query";
import { createElement, useContext, useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from "react";
import type { Address } from "viem";
import type { Session } from "../protocol/auth.ts";
import type { StampbookClient } from "../types/client.ts";
import { StampbookContext, type SessionStatus } from "./context.ts";
import { ProviderNotFoundError } from "./errors.ts";
import { stampbookKeys } from "./keys.ts";

export type StampbookProviderProps = {
  /** A client made with `createStampbookClient`, one for the page's life. */
  client: StampbookClient;
  /**
   * The session the page was rendered for on the server (e.g. read from your own cookie), so member
   * queries prefetched there hydrate under the same key. The client takes it if it has none.
   */
  initialSession?: Session | null;
  /** Restore the session kept in the client's storage once mounted (default true). */
  restoreSession?: boolean;
  children?: ReactNode;
};

// Layout effects do not run on a server (React 18 warns there): the same effect, later, is harmless.
const useClientLayoutEffect = typeof document === "undefined" ? useEffect : useLayoutEffect;

/**
 * @example
 * const client = createStampbookClient({ apiUrl: "https://api.example.com", wallet: window.ethereum });
 * const queryClient = new QueryClient();
 * createRoot(root).render(
 *   createElement(QueryClientProvider, { client: queryClient }, createElement(StampbookProvider, { client }, createElement(App))),
 * );
 */
export function StampbookProvider({ client, initialSession, restoreSession = true, children }: StampbookProviderProps) {
  const queryClient = useContext(QueryClientContext);
  if (!queryClient) throw new ProviderNotFoundError("QueryClientProvider");
  const [state, setState] = useState<{ session: Session | null; status: SessionStatus }>(() => {
    const session = client.session ?? initialSession ?? null;
    return { session, status: session ? "signedIn" : restoreSession ? "restoring" : "signedOut" };
  });
  const current = useRef(state.session);
  current.current = state.session;

  // Before any query's effect fetches with it (children's passive effects run before ours).
  useClientLayoutEffect(() => {
    if (initialSession && !client.session) client.session = initialSession;
  }, [client]);

  useEffect(() => {
    let mounted = true;
    const forget = (member: Address) => {
      const queryKey = stampbookKeys.member(client.apiUrl, member);
      void queryClient.cancelQueries({ queryKey });
      queryClient.removeQueries({ queryKey });
    };
    const settle = () => {
      if (mounted) setState((was) => (was.session === client.session && was.status !== "restoring" ? was : { session: client.session, status: client.session ? "signedIn" : "signedOut" }));
    };
    const stops = [
      client.on("signedIn", ({ session }) => {
        // signIn replaces a previous session without ending it in an event: forget both members' data.
        if (current.current) forget(current.current.address);
        forget(session.address);
        settle();
      }),
      client.on("sessionEnded", ({ address }) => {
        forget(address);
        settle();
      }),
    ];
    if (client.session || !restoreSession) settle();
    else
      client.restoreSession().then(
        (restored) => {
          if (restored) queryClient.setQueryData(stampbookKeys.me(client.apiUrl, restored.session.address), restored.me);
          settle();
        },
        // The API could not be reached: the stored session stays for a later try; until then, signed out.
        settle,
      );
    return () => {
      mounted = false;
      for (const stop of stops) stop();
    };
  }, [client, queryClient, restoreSession]);

  const value = useMemo(() => ({ client, ...state }), [client, state]);
  return createElement(StampbookContext.Provider, { value }, children);
}
