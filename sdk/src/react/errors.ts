/** The one mistake the hooks can name before any request: a provider missing above them. */
import { StampbookError } from "../errors/base.ts";

export type ProviderNotFoundErrorType = ProviderNotFoundError & { name: "ProviderNotFoundError" };

/**
 * A hook ran outside `<StampbookProvider>`, or `<StampbookProvider>` outside TanStack Query's
 * `<QueryClientProvider>` (the app provides it, as with wagmi, so it owns the cache's settings).
 *
 * @example
 * createElement(QueryClientProvider, { client: queryClient }, createElement(StampbookProvider, { client }, app));
 */
export class ProviderNotFoundError extends StampbookError {
  override name = "ProviderNotFoundError";
  /** The provider that is missing. */
  readonly provider: "StampbookProvider" | "QueryClientProvider";

  constructor(provider: "StampbookProvider" | "QueryClientProvider") {
    super(
      provider === "StampbookProvider"
        ? "Stampbook's hooks need <StampbookProvider client={client}> above them"
        : "<StampbookProvider> needs TanStack Query's <QueryClientProvider client={queryClient}> above it",
      { code: "provider_not_found" },
    );
    this.provider = provider;
  }
}
