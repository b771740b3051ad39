"use client";
/**
 * What `<StampbookProvider>` hands its hooks: the client and the member's session as React state.
 * "use client" (here and on the provider): a server component (Next.js) may import the query option
 * factories from this entry, and must then get a reference to the context, not make one.
 */
import { createContext, useContext } from "react";
import type { Address } from "viem";
import type { Session } from "../protocol/auth.ts";
import type { StampbookClient } from "../types/client.ts";
import { ProviderNotFoundError } from "./errors.ts";

/** "restoring": the provider is reading the stored session (on mount); member queries wait for it. */
export type SessionStatus = "restoring" | "signedIn" | "signedOut";

export type StampbookContextValue = {
  client: StampbookClient;
  session: Session | null;
  status: SessionStatus;
};

export const StampbookContext = createContext<StampbookContextValue | null>(null);

/** The provider's value with the member's address, or throws {@link ProviderNotFoundError}. */
export function useStampbook(): StampbookContextValue & { member: Address | null } {
  const value = useContext(StampbookContext);
  if (!value) throw new ProviderNotFoundError("StampbookProvider");
  return { ...value, member: value.session?.address ?? null };
}

/**
 * The client `<StampbookProvider>` was given, for the actions without a hook (`getClaim`,
 * `exportData`, `eraseData`, ...).
 *
 * @example
 * const client = useStampbookClient();
 * const download = () => client.exportData().then(save);
 */
export function useStampbookClient(): StampbookClient {
  return useStampbook().client;
}
