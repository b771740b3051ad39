// @vitest-environment happy-dom
/** The providers a page forgets are named in the error, before any request. */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, renderHook } from "@testing-library/react";
import { createElement, type ReactNode } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createStampbookClient } from "../client.ts";
import { memoryStorage } from "../storage.ts";
import { ProviderNotFoundError, StampbookProvider, usePerks } from "./index.ts";

afterEach(() => vi.restoreAllMocks());

function thrownBy(run: () => unknown): unknown {
  vi.spyOn(console, "error").mockImplementation(() => {}); // React reports the render error too
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("StampbookProvider", () => {
  const fetch = vi.fn<typeof globalThis.fetch>();
  const client = createStampbookClient({ apiUrl: "http://127.0.0.1:9", storage: memoryStorage(), fetch });

  it("a hook outside <StampbookProvider> throws ProviderNotFoundError naming it", () => {
    const wrapper = ({ children }: { children: ReactNode }) => createElement(QueryClientProvider, { client: new QueryClient() }, children);
    const error = thrownBy(() => renderHook(() => usePerks(), { wrapper }));
    expect(error).toBeInstanceOf(ProviderNotFoundError);
    expect(error).toMatchObject({ provider: "StampbookProvider", code: "provider_not_found" });
    expect(fetch).not.toHaveBeenCalled();
  });

  it("<StampbookProvider> without TanStack's <QueryClientProvider> throws ProviderNotFoundError naming that", () => {
    const error = thrownBy(() => render(createElement(StampbookProvider, { client })));
    expect(error).toBeInstanceOf(ProviderNotFoundError);
    expect(error).toMatchObject({ provider: "QueryClientProvider" });
    expect((error as Error).message).toContain("<QueryClientProvider client={queryClient}>");
  });
});
