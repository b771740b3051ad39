"use client";
/**
 * The storefront's Stampbook client and TanStack Query cache, one of each per browser tab, handed to
 * every client component. Made on first render (on the server too, where it never fetches: the
 * member's session lives in the browser), so server and browser render the same first HTML.
 */
import { createStampbookClient, type StampbookClient } from "@stampbook/sdk";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createContext, useContext, useState, type ReactNode } from "react";
import type { StorefrontConfig } from "./config";

type Stampbook = { client: StampbookClient; config: StorefrontConfig };

const StampbookContext = createContext<Stampbook | null>(null);

export function StampbookProviders({ config, children }: { config: StorefrontConfig; children: ReactNode }) {
  // Listings are cheap to reuse for a few seconds; a failed call is shown, not retried behind the member's back.
  const [queryClient] = useState(() => new QueryClient({ defaultOptions: { queries: { staleTime: 5_000, retry: false, refetchOnWindowFocus: false } } }));
  const [client] = useState(() => createStampbookClient({ apiUrl: config.apiUrl, ...(config.chain ? { chain: config.chain } : {}) }));
  return (
    <QueryClientProvider client={queryClient}>
      <StampbookContext value={{ client, config }}>{children}</StampbookContext>
    </QueryClientProvider>
  );
}

export function useStampbook(): Stampbook {
  const value = useContext(StampbookContext);
  if (value === null) throw new Error("useStampbook() needs <StampbookProviders> above it (app/layout.tsx).");
  return value;
}
