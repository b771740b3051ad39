/**
 * Server rendering, in Node without any DOM: a page prefetches the member's data with the query
 * option factories and a client signed in for the request, hands it over with `HydrationBoundary`,
 * and `renderToString` shows it; nothing reads the browser client's storage during render.
 */
import { dehydrate, HydrationBoundary, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_TYPES } from "../../../test/support/chain.ts";
import { fastOptions, startStack, type Stack } from "../../../test/support/sdk/stack.ts";
import { createStampbookClient } from "../client.ts";
import type { Session } from "../protocol/auth.ts";
import type { StampbookStorage } from "../storage.ts";
import { meQueryOptions, perksQueryOptions, StampbookProvider, useMember, usePerks } from "./index.ts";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
  await stack.createPerk({ title: "Free refill for stamp holders", rule: { type: "holds", collection: stack.collection, tokenId: DEMO_TYPES.stamp.toString(), min: 1 } });
});
afterAll(async () => stack?.close());

function Page() {
  const member = useMember();
  const perks = usePerks();
  const points = member.data?.loyalty[0]?.points;
  return createElement(
    "main",
    null,
    createElement("p", null, member.isSignedIn ? `Signed in as ${member.address} with ${points} points` : member.isRestoring ? "Checking your session" : "Signed out"),
    createElement("ul", null, perks.data?.map((perk) => createElement("li", { key: perk.id }, perk.title))),
  );
}

/** A storage that counts every touch: the browser's client must not read it while rendering. */
function watchedStorage() {
  const touches: string[] = [];
  const storage: StampbookStorage = {
    getItem: (key) => (touches.push(`get ${key}`), null),
    setItem: (key) => void touches.push(`set ${key}`),
    removeItem: (key) => void touches.push(`remove ${key}`),
  };
  return { storage, touches };
}

function render(state: unknown, initialSession?: Session) {
  const { storage, touches } = watchedStorage();
  const browserClient = createStampbookClient({ apiUrl: stack.apiUrl, storage });
  const html = renderToString(
    createElement(
      QueryClientProvider,
      { client: new QueryClient() },
      createElement(HydrationBoundary, { state: JSON.parse(JSON.stringify(state)) }, createElement(StampbookProvider, { client: browserClient, initialSession }, createElement(Page))),
    ),
  );
  return { html, touches, browserClient };
}

describe("server rendering", () => {
  it("renders the member's prefetched data in the HTML, with no DOM and no storage read", async () => {
    expect(typeof window).toBe("undefined");
    const account = privateKeyToAccount(generatePrivateKey());
    await stack.chain.mint(account.address, DEMO_TYPES.stamp);
    const serverClient = createStampbookClient({ apiUrl: stack.apiUrl, wallet: account, ...fastOptions() });
    const session = await serverClient.signIn();

    const queryClient = new QueryClient();
    await Promise.all([queryClient.prefetchQuery(meQueryOptions(serverClient)), queryClient.prefetchQuery(perksQueryOptions(serverClient))]);
    const state = dehydrate(queryClient);

    const { html, touches, browserClient } = render(state, session);
    expect(html).toContain(`Signed in as ${account.address} with 10 points`);
    expect(html).toContain("<li>Free refill for stamp holders</li>");
    expect(touches).toEqual([]);
    // Rendering on a server leaves the client as it was (a client shared across requests must not carry one member's session to the next).
    expect(browserClient.session).toBeNull();
  });

  it("without the request's session, member data waits for the browser: the same prefetched state renders nobody's", async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const serverClient = createStampbookClient({ apiUrl: stack.apiUrl, wallet: account, ...fastOptions() });
    await serverClient.signIn();
    const queryClient = new QueryClient();
    await queryClient.prefetchQuery(perksQueryOptions(serverClient));

    const { html, touches } = render(dehydrate(queryClient));
    expect(html).toContain("Checking your session");
    expect(html).not.toContain("<li>");
    expect(touches).toEqual([]);
  });
});
