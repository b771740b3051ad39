/**
 * A client created for a brand, against the real API with two brands: everything it lists is that
 * brand's (the unscoped listing stays one `brand: null` away), and `redeemable` picks a perk that
 * can be redeemed now, never an upcoming one that is otherwise eligible.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { createBrand, issueApiKey } from "../../server/brands/accounts.ts";
import { createStampbookClient } from "./client.ts";
import { BrandNotFoundError, StampbookError } from "./index.ts";
import { fastOptions, startStack, type Stack } from "../../test/support/sdk/stack.ts";

describe("a client created for a brand", () => {
  let stack: Stack;
  let acme: { id: string; key: string };

  beforeAll(async () => {
    stack = await startStack();
    const brand = await createBrand(stack.server.store, "Acme Matcha");
    acme = { id: brand.id, key: (await issueApiKey(stack.server.store, brand.id, "tests")).key };
    // Perks every member qualifies for (no one has a million points): only the brand tells them apart.
    const perk = await fetch(`${stack.apiUrl}/v1/admin/perks`, {
      method: "POST",
      headers: { authorization: `Bearer ${acme.key}`, "content-type": "application/json" },
      body: JSON.stringify({ title: "Acme: free matcha", rule: { type: "not", rule: { type: "points", min: "1000000" } } }),
    });
    expect(perk.status, await perk.clone().text()).toBe(201);
    await stack.createPerk({ title: "Coffee club: open now", rule: { type: "not", rule: { type: "points", min: "1000000" } } });
    await stack.createPerk({ title: "Coffee club: next week", rule: { type: "not", rule: { type: "points", min: "1000000" } }, startsAt: new Date(Date.now() + 7 * 86_400_000).toISOString() } as never);
  });
  afterAll(async () => stack?.close());

  async function signedIn(brand?: string) {
    const client = createStampbookClient({ apiUrl: stack.apiUrl, ...(brand === undefined ? {} : { brand }), wallet: privateKeyToAccount(generatePrivateKey()), ...fastOptions() });
    await client.signIn();
    return client;
  }

  it("lists only its brand's perks, drops and journeys; brand: null lists every brand's", async () => {
    const client = await signedIn(stack.server.brand.id);
    const perks = await client.getPerks();
    expect(perks.length).toBeGreaterThan(0);
    expect(new Set(perks.map((p) => p.brandId))).toEqual(new Set([stack.server.brand.id]));
    expect(perks.map((p) => p.title)).not.toContain("Acme: free matcha");
    expect((await client.getPerks({ brand: null })).map((p) => p.title)).toContain("Acme: free matcha");
    expect((await client.getPerks({ brand: acme.id })).map((p) => p.title)).toEqual(["Acme: free matcha"]);
    for (const drop of await client.getDrops()) expect(drop.brandId).toBe(stack.server.brand.id);
    for (const journey of await client.getJourneys()) expect(journey.brandId).toBe(stack.server.brand.id);
    expect(await client.getLevels()).toEqual(await client.getLevels({ brandId: stack.server.brand.id }));
  });

  it("a client without a brand lists every brand's, and needs a brand for levels", async () => {
    const client = await signedIn();
    expect((await client.getPerks()).map((p) => p.title)).toEqual(expect.arrayContaining(["Acme: free matcha", "Coffee club: open now"]));
    await expect(client.getLevels()).rejects.toMatchObject({ code: "brand_required" });
    await expect(client.getLevels()).rejects.toBeInstanceOf(StampbookError);
  });

  it("a brand that does not exist is a BrandNotFoundError", async () => {
    const client = await signedIn("brand_nobody");
    await expect(client.getPerks()).rejects.toBeInstanceOf(BrandNotFoundError);
    await expect(client.getJourneys()).rejects.toBeInstanceOf(BrandNotFoundError);
  });

  it("marks a perk redeemable only when it is open, eligible and not used up", async () => {
    const client = await signedIn(stack.server.brand.id);
    const perks = await client.getPerks();
    const upcoming = perks.find((p) => p.title === "Coffee club: next week")!;
    expect(upcoming).toMatchObject({ status: "upcoming", eligible: true, redeemable: false });
    const open = perks.find((p) => p.title === "Coffee club: open now")!;
    expect(open).toMatchObject({ status: "open", eligible: true, redeemable: true });
    // The README's example: the first redeemable perk redeems.
    const chosen = perks.find((p) => p.redeemable)!;
    expect((await client.redeemPerk({ perkId: chosen.id })).perkId).toBe(chosen.id);
    expect((await client.getPerks()).every((p) => p.redeemable === (p.status === "open" && p.eligible && !p.usedUp))).toBe(true);
  });
});
