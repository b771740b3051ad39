"use client";
/**
 * The storefront's providers: TanStack Query's cache, then `<StampbookProvider>` from
 * `@stampbook/sdk/react` with one Stampbook client per browser tab, made for the brand (what it lists
 * is the brand's), and the storefront's own configuration (which brand) for the components. Made on
 * first render, on the server too, where nobody is signed in (the session lives in the browser): the
 * provider restores it once mounted, so the server's HTML and the first browser render are the same.
 */
import { createStampbookClient } from "@stampbook/sdk";
import { StampbookProvider } from "@stampbook/sdk/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createContext, useContext, useState, type ReactNode } from "react";
import type { StorefrontConfig } from "./config";

const ConfigContext = createContext<StorefrontConfig | null>(null);

export function StampbookProviders({ config, children }: { config: StorefrontConfig; children: ReactNode }) {
  // A failed call is shown, not retried behind the member's back (the SDK retries what is safe).
  const [queryClient] = useState(() => new QueryClient({ defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false } } }));
  const [client] = useState(() => createStampbookClient({ apiUrl: config.apiUrl, brand: config.brand, ...(config.chain ? { chain: config.chain } : {}) }));
  return (
    <QueryClientProvider client={queryClient}>
      <StampbookProvider client={client}>
        <ConfigContext value={config}>{children}</ConfigContext>
      </StampbookProvider>
    </QueryClientProvider>
  );
}

export function useStorefrontConfig(): StorefrontConfig {
  const value = useContext(ConfigContext);
  if (value === null) throw new Error("useStorefrontConfig() needs <StampbookProviders> above it (app/layout.tsx).");
  return value;
}
