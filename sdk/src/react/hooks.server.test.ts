// @vitest-environment happy-dom
/**
 * The hooks in a DOM against the REAL API and chain, with a real signer: sign in, the member and
 * their perks load, a redemption refreshes perks, points, level and redemptions, a refusal arrives
 * as the SDK's typed error, signing out forgets the member, and a second account never sees the
 * first's data. The page's origin is happy-dom's, so the API allows it as a storefront's (CORS).
 */
import { dehydrate, HydrationBoundary, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, render, renderHook, waitFor } from "@testing-library/react";
import { createElement, type ReactNode } from "react";
import { renderToString } from "react-dom/server";
import type { Address } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_TYPES } from "../../../test/support/chain.ts";
import { fastOptions, startStack, type Stack } from "../../../test/support/sdk/stack.ts";
import { createStampbookClient } from "../client.ts";
import { ApiError } from "../errors/api.ts";
import type { StampbookClient } from "../types/client.ts";
import { perksQueryOptions, stampbookKeys, StampbookProvider, useLevel, useMember, usePerks, useRedeemPerk, useRedemptions, useSignIn, useSignOut } from "./index.ts";

let stack: Stack;
let stampPerk: string;
let goldPerk: string;

beforeAll(async () => {
  stack = await startStack({ corsOrigins: [location.origin] });
  stampPerk = (await stack.createPerk({ title: "Stamp coffee", rule: { type: "holds", collection: stack.collection, tokenId: DEMO_TYPES.stamp.toString(), min: 1 }, limits: { perMember: 1 } })).id;
  goldPerk = (await stack.createPerk({ title: "Gold lounge", rule: { type: "member", collection: stack.collection, tokenId: DEMO_TYPES.gold.toString() } })).id;
  const levels = [
    { key: "green", name: "Green", minPoints: 0 },
    { key: "silver", name: "Silver", minPoints: 20 },
  ];
  const put = await stack.server.app.inject({ method: "PUT", url: "/v1/admin/levels", headers: { authorization: `Bearer ${stack.server.apiKey}` }, payload: { levels } });
  expect(put.statusCode, put.body).toBe(200);
});
afterAll(async () => stack?.close());

/** A member with a stamp (10 points) on chain, and a signer for their wallet. */
async function memberWithStamp() {
  const account = privateKeyToAccount(generatePrivateKey());
  await stack.chain.mint(account.address, DEMO_TYPES.stamp);
  return account;
}

function providers(client: StampbookClient, queryClient = new QueryClient()) {
  const wrapper = ({ children }: { children: ReactNode }) => createElement(QueryClientProvider, { client: queryClient }, createElement(StampbookProvider, { client }, children));
  return { wrapper, queryClient };
}

const storefront = (brandId: string) => () => ({
  member: useMember(),
  perks: usePerks(),
  level: useLevel({ brandId }),
  redemptions: useRedemptions(),
  signIn: useSignIn(),
  signOut: useSignOut(),
  redeem: useRedeemPerk(),
});

const perk = (perks: { id: string; redeemed: number; usedUp: boolean; eligible: boolean }[] | undefined, id: string) => perks?.find((p) => p.id === id);

describe("@stampbook/sdk/react against the real API", () => {
  it("signs in, loads, redeems and refreshes what the redemption changed; a refusal is typed; signing out forgets", async () => {
    const account = await memberWithStamp();
    const client = createStampbookClient({ apiUrl: stack.apiUrl, wallet: account, ...fastOptions() });
    const { wrapper, queryClient } = providers(client);
    const { result } = renderHook(storefront(stack.server.brand.id), { wrapper });

    // Nothing stored: the restore finds nobody; member queries wait instead of failing.
    await waitFor(() => expect(result.current.member.isRestoring).toBe(false));
    expect(result.current.member).toMatchObject({ isSignedIn: false, address: undefined, isPending: true, fetchStatus: "idle" });
    expect(result.current.perks).toMatchObject({ isPending: true, fetchStatus: "idle" });

    act(() => result.current.signIn.mutate());
    await waitFor(() => expect(result.current.member.isSignedIn).toBe(true));
    expect(result.current.member.address).toBe(account.address);
    await waitFor(() => expect(result.current.perks.isSuccess && result.current.member.isSuccess && result.current.level.isSuccess).toBe(true));
    expect(perk(result.current.perks.data, stampPerk)).toMatchObject({ eligible: true, redeemed: 0, usedUp: false });
    expect(perk(result.current.perks.data, goldPerk)).toMatchObject({ eligible: false });
    expect(result.current.member.data?.loyalty[0]?.points).toBe("10");
    expect(result.current.level.data?.standing).toMatchObject({ points: "10", level: { key: "green" }, next: { key: "silver", pointsToGo: "10" } });
    await waitFor(() => expect(result.current.redemptions.data?.items).toEqual([]));

    // A second stamp arrives on chain: the cached member still says 10 points until something refreshes it.
    await stack.chain.mint(account.address, DEMO_TYPES.stamp);
    expect(result.current.member.data?.loyalty[0]?.points).toBe("10");

    let redemption: Awaited<ReturnType<typeof result.current.redeem.mutateAsync>> | undefined;
    await act(async () => {
      redemption = await result.current.redeem.mutateAsync({ perkId: stampPerk });
    });
    // The mutation settled after the refetches: the cache is fresh already...
    const key = (area: "perks" | "me") => [...stampbookKeys.member(stack.apiUrl, account.address), area];
    expect(perk(queryClient.getQueriesData<{ id: string; redeemed: number; usedUp: boolean; eligible: boolean }[]>({ queryKey: key("perks") })[0]?.[1], stampPerk)).toMatchObject({ redeemed: 1, usedUp: true });
    expect(queryClient.getQueryData<{ loyalty: { points: string }[] }>(key("me"))?.loyalty[0]?.points).toBe("20");
    // ...and the page shows it: perks, points, level and redemptions.
    await waitFor(() => expect(perk(result.current.perks.data, stampPerk)).toMatchObject({ redeemed: 1, usedUp: true }));
    await waitFor(() => expect(result.current.member.data?.loyalty[0]?.points).toBe("20"));
    expect(result.current.level.data?.standing?.level?.key).toBe("silver");
    await waitFor(() => expect(result.current.redemptions.data?.items.map((r) => r.id)).toEqual([redemption!.id]));

    act(() => result.current.redeem.mutate({ perkId: goldPerk }));
    await waitFor(() => expect(result.current.redeem.isError).toBe(true));
    expect(result.current.redeem.error).toBeInstanceOf(ApiError);
    expect(result.current.redeem.error).toMatchObject({ name: "ApiError", code: "not_eligible", status: 403 });

    act(() => result.current.signOut.mutate());
    await waitFor(() => expect(result.current.member.isSignedIn).toBe(false));
    expect(result.current.member.data).toBeUndefined();
    expect(result.current.perks.data).toBeUndefined();
    expect(result.current.level.data).toBeUndefined();
    expect(queryClient.getQueryCache().findAll({ queryKey: stampbookKeys.member(stack.apiUrl, account.address) })).toEqual([]);
    // The brand's levels are public: they stay.
    expect(queryClient.getQueryData(stampbookKeys.levels(stack.apiUrl, stack.server.brand.id))).toHaveLength(2);
  });

  it("a second account signing in on the same page never sees the first's data, not even for one render", async () => {
    const first = await memberWithStamp();
    const second = await memberWithStamp();
    const client = createStampbookClient({ apiUrl: stack.apiUrl, wallet: first, ...fastOptions() });
    const { wrapper, queryClient } = providers(client);
    const renders: { address: Address | undefined; me: Address | undefined; redeemed: number | undefined }[] = [];
    const { result } = renderHook(
      () => {
        const hooks = storefront(stack.server.brand.id)();
        renders.push({ address: hooks.member.address, me: hooks.member.data?.address, redeemed: perk(hooks.perks.data, stampPerk)?.redeemed });
        return hooks;
      },
      { wrapper },
    );
    await waitFor(() => expect(result.current.member.isRestoring).toBe(false));
    act(() => result.current.signIn.mutate());
    await waitFor(() => expect(result.current.perks.isSuccess).toBe(true));
    await act(() => result.current.redeem.mutateAsync({ perkId: stampPerk }));
    await waitFor(() => expect(perk(result.current.perks.data, stampPerk)?.redeemed).toBe(1));

    const switched = renders.length;
    act(() => result.current.signIn.mutate({ wallet: second }));
    await waitFor(() => expect(result.current.member.address).toBe(second.address));
    await waitFor(() => expect(result.current.perks.isSuccess && result.current.member.isSuccess).toBe(true));
    expect(perk(result.current.perks.data, stampPerk)?.redeemed).toBe(0);
    expect(result.current.member.data?.address).toBe(second.address);

    const after = renders.slice(switched).filter((render) => render.address === second.address);
    expect(after.length).toBeGreaterThan(0);
    for (const render of after) {
      expect(render.me === undefined || render.me === second.address).toBe(true);
      expect(render.redeemed === undefined || render.redeemed === 0).toBe(true);
    }
    // The first member's cache is gone, not just hidden.
    expect(queryClient.getQueryCache().findAll({ queryKey: stampbookKeys.member(stack.apiUrl, first.address) })).toEqual([]);
  });

  it("restores the stored session once mounted, with the member it read", async () => {
    const account = await memberWithStamp();
    const storage = fastOptions().storage;
    await createStampbookClient({ apiUrl: stack.apiUrl, wallet: account, ...fastOptions(), storage }).signIn();

    const reloaded = createStampbookClient({ apiUrl: stack.apiUrl, ...fastOptions(), storage });
    const { wrapper } = providers(reloaded);
    const { result } = renderHook(() => useMember(), { wrapper });
    expect(result.current).toMatchObject({ isRestoring: true, isSignedIn: false });
    await waitFor(() => expect(result.current.isSignedIn).toBe(true));
    expect(result.current).toMatchObject({ isRestoring: false, address: account.address });
    await waitFor(() => expect(result.current.data?.address).toBe(account.address));
  });

  it("hydrates a server-rendered page: the browser's client takes the request's session, and refreshes with it", async () => {
    const account = await memberWithStamp();
    const serverClient = createStampbookClient({ apiUrl: stack.apiUrl, wallet: account, ...fastOptions() });
    const session = await serverClient.signIn();
    const serverCache = new QueryClient();
    await serverCache.prefetchQuery(perksQueryOptions(serverClient));
    const state = JSON.parse(JSON.stringify(dehydrate(serverCache)));
    const renderedAt = serverCache.getQueryState(perksQueryOptions(serverClient).queryKey)!.dataUpdatedAt;

    const seen: { status: string; error: unknown; updatedAt: number }[] = [];
    function Perks() {
      const perks = usePerks();
      seen.push({ status: perks.status, error: perks.error, updatedAt: perks.dataUpdatedAt });
      return createElement("ul", null, perks.data?.map((perk) => createElement("li", { key: perk.id }, perk.title)));
    }
    const page = (client: StampbookClient) =>
      createElement(QueryClientProvider, { client: new QueryClient() }, createElement(HydrationBoundary, { state }, createElement(StampbookProvider, { client, initialSession: session }, createElement(Perks))));
    const container = document.createElement("div");
    container.innerHTML = renderToString(page(createStampbookClient({ apiUrl: stack.apiUrl, ...fastOptions() })));
    document.body.append(container);
    expect(container.textContent).toContain("Stamp coffee");

    const browserClient = createStampbookClient({ apiUrl: stack.apiUrl, ...fastOptions() });
    render(page(browserClient), { container, hydrate: true });
    expect(browserClient.session).toEqual(session);
    // Stale on arrival, so it refetches on mount: with the session it took, not a NotSignedInError.
    await waitFor(() => expect(seen.at(-1)!.updatedAt).toBeGreaterThan(renderedAt));
    expect(seen.every((s) => s.status === "success" && s.error === null)).toBe(true);
    expect(container.textContent).toContain("Stamp coffee");
  });
});
