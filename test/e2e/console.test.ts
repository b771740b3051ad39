/**
 * The brand console and till mode in headless Chromium, against `npm start` (real chain, API, store,
 * storefront and console). The owner (the demo's deployer, holding the collection's admin role) signs
 * in with an injected wallet, creates a token type on chain and names it with a picture, makes a perk
 * with the rule builder requiring it, and airdrops the type to two members from a CSV file; one member
 * redeems the perk in the storefront; the owner adds a till staff member, who signs in to till mode,
 * consumes the code typed, sees "Already used" the second time, and whose calls to anything else
 * answer 403. Screenshots of each stage go to test-results/console-*.png.
 *
 * Long because it follows one brand's staff through the console and the till in one browser
 * session, stage by stage.
 */
import { mkdir, readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { createPublicClient, http, type Address } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { stampbookCollectionAbi } from "../../contracts/bindings/index.ts";
import { freePort } from "../../scripts/free-port.ts";
import { chromiumAvailable, launchChromium } from "../support/browser.ts";
import { expectWideText, openScreen, redeemOnceUnlocked, settled } from "../support/pages.ts";
import { startDemo, type DemoManifest, type DemoProcess } from "../support/demo-process.ts";
import { injectWallet } from "../support/injected-wallet.ts";

const SCREENSHOTS = new URL("../../test-results/", import.meta.url);
const PICTURE = new URL("../../scripts/demo/images/journey-stamp.png", import.meta.url);
const TYPE_NAME = "Console cup stamp";
const PERK_TITLE = "Console coffee";
const available = chromiumAvailable();

type Manifest = DemoManifest & { consoleUrl: string; tillUrl: string };

let demo: DemoProcess;
let m: Manifest;
let browser: Browser;
let owner: Page;
/** What one stage hands the next. */
const state: { tokenId?: string; members?: Address[]; code?: string; tillKey?: `0x${string}` } = {};

beforeAll(async () => {
  if (!available) return;
  await mkdir(SCREENSHOTS, { recursive: true });
  // The console's port is chosen free like the others', so this demo never meets another one.
  [demo, browser] = await Promise.all([startDemo({ CONSOLE_PORT: String(await freePort()) }), launchChromium()]);
  m = demo.manifest as Manifest;
}, 150_000);

afterAll(async () => {
  await browser?.close();
  await demo?.cleanup();
});

async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: new URL(name, SCREENSHOTS).pathname, fullPage: true });
}

/** The brand's API, as its servers call it. */
async function brandApi(path: string) {
  const response = await fetch(`${m.apiUrl}${path}`, { headers: { authorization: `Bearer ${m.brand.apiKey}` } });
  expect(response.status, path).toBe(200);
  return response.json();
}

describe.skipIf(!available)("brand console and till mode in headless Chromium (skipped only where Chromium is missing and CI is not set)", () => {
  it("npm start serves the console and prints its URL", async () => {
    expect(m.consoleUrl).toMatch(/^http:\/\/localhost:\d+$/);
    expect(demo.output()).toContain(`console    ${m.consoleUrl}`);
    const config = await (await fetch(`${m.consoleUrl}/config.json`)).json();
    expect(config).toMatchObject({ apiUrl: m.apiUrl, chainId: m.chainId, rpcUrl: m.rpcUrl, brandId: m.brand.id });
    expect((await fetch(`${m.consoleUrl}/till`)).status).toBe(200);
  });

  it("the API lets the console's origin call it with credentials, every method the console uses", async () => {
    for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"]) {
      const preflight = await fetch(`${m.apiUrl}/v1/admin/levels`, {
        method: "OPTIONS",
        headers: { origin: m.consoleUrl, "access-control-request-method": method, "access-control-request-headers": "authorization,content-type" },
      });
      expect(preflight.headers.get("access-control-allow-origin"), method).toBe(m.consoleUrl);
      expect(preflight.headers.get("access-control-allow-credentials"), method).toBe("true");
      expect(preflight.headers.get("access-control-allow-methods")?.split(/,\s*/), `CORS preflight for ${method}`).toContain(method);
    }
  });

  it("the owner signs in with an injected wallet and sees the overview", async () => {
    owner = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await injectWallet(owner, { privateKey: m.brand.adminPrivateKey, rpcUrl: m.rpcUrl, chainId: m.chainId });
    await owner.goto(m.consoleUrl);
    await owner.waitForSelector("body[data-ready=true]");
    expect(await owner.locator("#brand-id").inputValue()).toBe(m.brand.id);
    await owner.getByRole("button", { name: "Connect wallet" }).click();
    await expect.poll(() => owner.locator("#role").textContent(), { timeout: 15_000 }).toBe("Owner");
    expect(await owner.locator("#who").getAttribute("title")).toBe(m.brand.adminAddress);
    // An owner sees every screen, staff included.
    expect(await owner.locator("#screens a").allTextContents()).toEqual(["Overview", "Collections", "Token types", "Mint and airdrop", "Perks and drops", "Journeys and levels", "Redemptions and claims", "Members' data", "Storefronts", "Webhooks", "Staff"]);
    await expect.poll(() => owner.locator("#screen svg.chart").count(), { timeout: 15_000 }).toBe(1);
    await screenshot(owner, "console-1-overview.png");
  });

  it("creates a token type signed by the owner's wallet, named and with a picture", async () => {
    await openScreen(owner, "Token types");
    const form = owner.locator("#create-type");
    await form.getByLabel("Name").fill(TYPE_NAME);
    await form.getByLabel("Description").fill("One for every coffee at the console's café.");
    await form.getByLabel("Points per unit").fill("20");
    await form.getByLabel("Picture").setInputFiles(PICTURE.pathname);
    await form.getByRole("button", { name: "Sign and create" }).click();
    const done = await settled(form.locator(".action-status"), 60_000);
    expect(done).toContain(`Created “${TYPE_NAME}”`);
    const row = owner.locator("#types-list tr", { hasText: TYPE_NAME });
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => row.locator("img").evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), { timeout: 15_000 }).toBe(true);
    await screenshot(owner, "console-2-token-type.png");

    const collection = m.contracts.collections[0]!;
    const { items } = await brandApi(`/v1/admin/collections/${collection}/types`);
    const created = items.find((t: { name: string }) => t.name === TYPE_NAME);
    expect(created).toMatchObject({ kind: "collectible", points: "20", image: expect.stringContaining("/image") });
    state.tokenId = created.tokenId;
  }, 90_000);

  it("creates a perk with the rule builder requiring the new type", async () => {
    await openScreen(owner, "Perks and drops");
    const form = owner.locator("#offer-form");
    await form.getByLabel("Title").fill(PERK_TITLE);
    await form.getByLabel("Description").fill("A free coffee for holders of the console's stamp.");
    const builder = owner.locator("#offer-rule");
    await builder.getByRole("button", { name: "+ Token type" }).click();
    await builder.getByLabel("Token type").selectOption({ label: TYPE_NAME });
    await expect.poll(() => builder.locator("[data-role=rule-words]").textContent(), { timeout: 15_000 }).toBe(`Requires a ${TYPE_NAME}.`);
    // A holding period is offered in days, in words; this perk asks for none.
    await builder.getByLabel("Held for at least (days)").fill("30");
    await expect.poll(() => builder.locator("[data-role=rule-words]").textContent(), { timeout: 15_000 }).toBe(`Requires a ${TYPE_NAME} held for 30 days.`);
    await screenshot(owner, "console-3a-held-for.png");
    await builder.getByLabel("Held for at least (days)").fill("");
    await expect.poll(() => builder.locator("[data-role=rule-words]").textContent(), { timeout: 15_000 }).toBe(`Requires a ${TYPE_NAME}.`);
    // Nobody holds it yet: the preview counts the signed-in members who qualify today.
    await expect.poll(() => builder.locator("[data-role=rule-preview]").getAttribute("data-qualifying"), { timeout: 15_000 }).toBe("0");
    await form.getByRole("button", { name: "Create perk" }).click();
    expect(await settled(form.locator("#offer-status"))).toContain(`Created the perk “${PERK_TITLE}”`);
    await expect.poll(() => owner.locator("#perk-list tr", { hasText: PERK_TITLE }).textContent(), { timeout: 15_000 }).toContain(`a ${TYPE_NAME}`);
    await screenshot(owner, "console-3-perk.png");

    const { items } = await brandApi("/v1/admin/perks");
    const perk = items.find((p: { title: string }) => p.title === PERK_TITLE);
    expect(perk.rule).toEqual({ type: "holds", collection: m.contracts.collections[0], tokenId: state.tokenId, min: 1 });
  });

  it("edits a type's words, and makes, edits and deletes a drop with the same form", async () => {
    await openScreen(owner, "Token types");
    await owner.getByRole("button", { name: `Edit ${TYPE_NAME}` }).click();
    const edit = owner.locator("#type-editor form");
    await edit.getByLabel("Description").fill("One for every coffee, and now a better story.");
    await edit.getByRole("button", { name: "Save" }).click();
    expect(await settled(edit.locator(".action-status"))).toBe(`Saved “${TYPE_NAME}”.`);
    await expect.poll(() => owner.locator("#types-list tr", { hasText: TYPE_NAME }).textContent(), { timeout: 15_000 }).toContain("a better story");
    const { items: types } = await brandApi(`/v1/admin/collections/${m.contracts.collections[0]}/types`);
    // The uploaded picture stays when only the words change.
    expect(types.find((t: { name: string }) => t.name === TYPE_NAME)).toMatchObject({ description: "One for every coffee, and now a better story.", image: expect.stringContaining("/image") });

    await openScreen(owner, "Perks and drops");
    const form = owner.locator("#offer-form");
    await form.getByLabel("Kind").selectOption("drop");
    await form.getByLabel("Title").fill("Console welcome cup");
    await form.locator("#drop-type").selectOption({ label: TYPE_NAME });
    await form.getByRole("button", { name: "Create drop" }).click();
    expect(await settled(form.locator("#offer-status"))).toBe("Created the drop “Console welcome cup”.");
    const row = owner.locator("#drop-list tr", { hasText: "Console welcome cup" });
    expect(await row.textContent()).toContain(`1 × ${TYPE_NAME} (mint)`);
    expect(await row.textContent()).toContain("any signed-in member");

    await row.getByRole("button", { name: "Edit Console welcome cup" }).click();
    expect(await form.locator("#drop-type").isDisabled()).toBe(true);
    await form.getByLabel("Title").fill("Console welcome mug");
    await form.getByRole("button", { name: "Save" }).click();
    expect(await settled(form.locator("#offer-status"))).toBe("Saved “Console welcome mug”.");
    const renamed = owner.locator("#drop-list tr", { hasText: "Console welcome mug" });
    await expect.poll(() => renamed.count(), { timeout: 15_000 }).toBe(1);
    owner.once("dialog", (dialog) => void dialog.accept());
    await renamed.getByRole("button", { name: "Delete Console welcome mug" }).click();
    await expect.poll(() => owner.locator("#drop-list tr", { hasText: "Console welcome mug" }).count(), { timeout: 15_000 }).toBe(0);
    expect((await brandApi("/v1/admin/drops")).items.map((d: { title: string }) => d.title)).not.toContain("Console welcome mug");
  });

  it("airdrops the type to two members from a CSV file, with a result per address", async () => {
    const members = m.accounts.filter((a) => a.role.startsWith("new member") || a.role.startsWith("stamp collector")).map((a) => a.address);
    expect(members).toHaveLength(2);
    state.members = members;
    await openScreen(owner, "Mint and airdrop");
    await owner.locator("#airdrop-type").selectOption({ label: TYPE_NAME });
    // A mistake is named by its line, and nothing is sent until it is fixed.
    await owner.locator("#airdrop-csv").setInputFiles({ name: "broken.csv", mimeType: "text/csv", buffer: Buffer.from(`address\n${members[0]}\n0x1234\n`) });
    await expect.poll(() => owner.locator("#airdrop-problems").textContent(), { timeout: 5_000 }).toContain("Line 3:");
    // A file's amount column gives each address its own amount (as the CLI reads it): one transaction per amount.
    await owner.locator("#airdrop-csv").setInputFiles({ name: "amounts.csv", mimeType: "text/csv", buffer: Buffer.from(`address,amount\n${members[0]},2\n${members[1]},3\n`) });
    await expect.poll(() => owner.locator("#airdrop-check").textContent(), { timeout: 5_000 }).toBe("2 addresses ready, each with the file's amount, in 2 transactions.");
    await owner.locator("#airdrop-csv").setInputFiles({ name: "members.csv", mimeType: "text/csv", buffer: Buffer.from(`address,name\n${members[0]},Ann\n${members[1]},Bo\n`) });
    await expect.poll(() => owner.locator("#airdrop-check").textContent(), { timeout: 5_000 }).toBe("2 addresses ready, in 1 transaction.");
    await owner.getByRole("button", { name: "Send", exact: true }).click();
    expect(await settled(owner.locator("#airdrop-status"), 60_000)).toBe("2 of 2 sent.");
    expect(await owner.locator("#airdrop-results tbody tr[data-state=done]").count()).toBe(2);
    expect(await owner.locator("#airdrop-progress").evaluate((p: HTMLProgressElement) => [p.value, p.max])).toEqual([2, 2]);
    await screenshot(owner, "console-4-airdrop.png");

    const client = createPublicClient({ transport: http(m.rpcUrl) });
    for (const member of members) {
      expect(await client.readContract({ address: m.contracts.collections[0]!, abi: stampbookCollectionAbi, functionName: "balanceOf", args: [member, BigInt(state.tokenId!)] })).toBe(1n);
    }
  }, 90_000);

  it("a member redeems the perk in the storefront", async () => {
    const member = m.accounts.find((a) => a.address === state.members![0])!;
    const context = await browser.newContext();
    const page = await context.newPage();
    await injectWallet(page, { privateKey: member.privateKey, rpcUrl: m.rpcUrl, chainId: m.chainId });
    await page.goto(m.storefrontUrl);
    await page.waitForSelector("body[data-ready=true]");
    await page.getByRole("button", { name: "Connect wallet" }).click();
    await expect.poll(() => page.locator("#who").textContent(), { timeout: 15_000 }).toMatch(/^Signed in with /);
    const card = page.locator("#perks .card", { has: page.getByRole("heading", { name: PERK_TITLE }) });
    state.code = await redeemOnceUnlocked(page, card);
    expect(state.code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    await screenshot(page, "console-5-member-code.png");
    await context.close();
  }, 60_000);

  it("the owner lets a storefront's address sign members in, in words, and the API then grants it CORS", async () => {
    const shop = "http://localhost:5173";
    await openScreen(owner, "Storefronts");
    await owner.locator("#storefront-origin").fill("http://shop.example");
    await owner.locator("#storefront-form").getByRole("button", { name: "Add" }).click();
    // Refused in words: the status says why, and nothing is added.
    const refused = owner.locator("#storefront-status");
    await expect.poll(() => refused.getAttribute("data-state"), { timeout: 15_000 }).toBe("failed");
    expect(await refused.textContent()).toContain("Members sign in over https: use https://shop.example");
    await owner.locator("#storefront-origin").fill(`${shop}/`);
    await owner.locator("#storefront-form").getByRole("button", { name: "Add" }).click();
    expect(await settled(owner.locator("#storefront-status"))).toContain(`Members can now sign in at ${shop}.`);
    await expect.poll(() => owner.locator("#storefront-list").textContent(), { timeout: 15_000 }).toContain(shop);
    const preflight = await fetch(`${m.apiUrl}/v1/perks`, { method: "OPTIONS", headers: { origin: shop, "access-control-request-method": "GET" } });
    expect(preflight.headers.get("access-control-allow-origin")).toBe(shop);
    await screenshot(owner, "console-6-storefronts.png");
  });

  it("the owner adds a till staff member", async () => {
    state.tillKey = generatePrivateKey();
    const till = privateKeyToAccount(state.tillKey).address;
    await openScreen(owner, "Staff");
    await owner.locator("#staff-address").fill(till);
    await owner.locator("#staff-role").selectOption("till");
    await owner.locator("#staff-form").getByRole("button", { name: "Add" }).click();
    expect(await settled(owner.locator("#staff-status"))).toContain("till staff");
    await expect.poll(() => owner.locator("#staff-list").textContent(), { timeout: 15_000 }).toContain(till);
    await screenshot(owner, "console-6-staff.png");
  });

  describe("till staff", () => {
    let context: BrowserContext;
    let till: Page;

    it("signs in to till mode, consumes the code typed, and sees it already used the second time", async () => {
      context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
      till = await context.newPage();
      await injectWallet(till, { privateKey: state.tillKey!, rpcUrl: m.rpcUrl, chainId: m.chainId });
      // Opened from the console's till link: the brand is named, no id to type.
      await owner.locator("#screens").getByRole("link", { name: "Staff" }).click();
      const link = (await owner.locator("#open-till").getAttribute("href"))!;
      expect(`${new URL(link).pathname}${new URL(link).search}`).toBe(`/till?brand=${m.brand.id}`);
      await till.goto(link);
      await till.waitForSelector("body[data-ready=true]");
      // A first visit has had no session: nothing says one ended.
      expect((await till.locator("#sign-in-status").textContent())?.trim() ?? "").toBe("");
      await expect.poll(() => till.locator("#sign-in-brand").textContent(), { timeout: 10_000 }).toBe(`The till of ${m.brand.name}: sign in with the wallet your brand added you with.`);
      expect(await till.locator("#brand-id").isVisible()).toBe(false);
      await expectWideText(till, ".panel");
      await till.getByRole("button", { name: "Connect wallet" }).click();
      await expect.poll(() => till.locator("#till").isVisible(), { timeout: 15_000 }).toBe(true);
      expect(await till.locator("#who").textContent()).toBe("Till staff");
      // Headless Chromium has no camera to scan with: the page says so, and asks for the code.
      expect(await till.locator("#no-camera").isVisible()).toBe(true);
      expect(await till.locator("#code-label").textContent()).toBe("Type the member's code");

      // Typed as people read it aloud: lower case, without dashes.
      await till.locator("#code").fill(state.code!.replaceAll("-", "").toLowerCase());
      await till.getByRole("button", { name: "Verify" }).click();
      await expect.poll(() => till.locator("#result").getAttribute("data-kind"), { timeout: 15_000 }).toBe("valid");
      expect(await till.locator("#result-headline").textContent()).toBe("Valid");
      expect(await till.locator("#result-perk").textContent()).toBe(PERK_TITLE);
      // 20 points from the stamp: the first of the demo's levels.
      expect(await till.locator("#result-member").textContent()).toBe("Green member, 20 points");
      expect(await till.locator("#till-status").textContent()).toBe(`Valid — ${PERK_TITLE} — Green member, 20 points. Give it now: the code is used up.`);
      await expectWideText(till, ".result, #till-status");
      await screenshot(till, "console-7-till-valid.png");

      await till.locator("#code").fill(state.code!);
      await till.getByRole("button", { name: "Verify" }).click();
      await expect.poll(() => till.locator("#result").getAttribute("data-kind"), { timeout: 15_000 }).toBe("used");
      expect(await till.locator("#result-headline").textContent()).toBe("Already used");
      expect(await till.locator("#result-member").textContent()).toMatch(/^Used on .+\. Do not give it again\.$/);
      expect(await till.locator("#result-perk").textContent()).toBe(PERK_TITLE);
      expect(await till.locator("#result").evaluate((e) => getComputedStyle(e).backgroundColor)).toBe("rgb(179, 38, 30)");
      await screenshot(till, "console-8-till-used.png");

      // Past its limit of checks a minute (TILL_VERIFY_PER_MINUTE, 120), the till says how long to wait, in words.
      const statuses = await till.evaluate(async (apiUrl) => {
        const seen: number[] = [];
        for (let i = 0; i < 121; i++) {
          const response = await fetch(`${apiUrl}/v1/admin/redemptions/verify`, { method: "POST", credentials: "include", headers: { "content-type": "application/json" }, body: JSON.stringify({ code: "ZZZZ-ZZZZ-ZZZZ" }) });
          seen.push(response.status);
        }
        return seen;
      }, m.apiUrl);
      expect(statuses.at(-1)).toBe(429);
      await till.locator("#code").fill(state.code!);
      await till.getByRole("button", { name: "Verify" }).click();
      await expect.poll(() => till.locator("#result-headline").textContent(), { timeout: 15_000 }).toBe("Not checked yet");
      expect(await till.locator("#result-perk").textContent()).toMatch(/^Too many checks in a minute: wait \d+ seconds?\.$/);
      expect(await till.locator("#result-member").textContent()).toBe("The code was not used: try it again then.");
      await screenshot(till, "console-8a-till-limited.png");

      const { items } = await brandApi(`/v1/admin/redemptions?member=${state.members![0]}`);
      expect(items).toEqual([expect.objectContaining({ code: state.code, consumedAt: expect.any(String) })]);
    }, 60_000);

    it("cannot reach any other console action: 403 through the page's own calls, and the console shows only till mode", async () => {
      const answers = await till.evaluate(async (apiUrl) => {
        const call = async (method: string, path: string, body?: unknown) => {
          const response = await fetch(`${apiUrl}${path}`, { method, credentials: "include", ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }) });
          return { status: response.status, code: ((await response.json().catch(() => ({}))) as { code?: string }).code };
        };
        return {
          perks: await call("GET", "/v1/admin/perks"),
          createPerk: await call("POST", "/v1/admin/perks", { title: "Free everything", rule: { type: "points", min: 1 } }),
          stats: await call("GET", "/v1/admin/stats"),
          staff: await call("GET", "/v1/admin/staff"),
          levels: await call("PUT", "/v1/admin/levels", { levels: [{ key: "x", name: "X", minPoints: 0 }] }),
          me: await call("GET", "/v1/staff/me"),
        };
      }, m.apiUrl);
      for (const name of ["perks", "createPerk", "stats", "staff", "levels"] as const) expect(answers[name], name).toEqual({ status: 403, code: "role_forbidden" });
      expect(answers.me.status).toBe(200);

      await till.goto(m.consoleUrl);
      await till.waitForSelector("body[data-ready=true]");
      await expect.poll(() => till.locator("#till-only").isVisible(), { timeout: 15_000 }).toBe(true);
      expect(await till.locator("#console").isVisible()).toBe(false);
      expect(await till.locator("#screens a").count()).toBe(0);
      await screenshot(till, "console-9-till-console.png");
      await context.close();
    });
  });

  it("an airdrop the collection refuses for one recipient sends the others, and says why for that one", async () => {
    const holder = m.accounts.find((a) => a.holdings.gold === "1")!.address;
    const fresh = privateKeyToAccount(generatePrivateKey()).address;
    await openScreen(owner, "Mint and airdrop");
    await owner.locator("#airdrop-type").selectOption({ label: "Gold membership" });
    expect(await owner.locator("#airdrop-amount").isDisabled()).toBe(true);
    await owner.locator("#airdrop-addresses").fill(`${holder}\n${fresh}\n${fresh.toLowerCase()}\n`);
    await owner.getByRole("button", { name: "Check", exact: true }).click();
    expect(await owner.locator("#airdrop-problems").textContent()).toBe("Line 3 repeats line 2: sent once");
    await owner.getByRole("button", { name: "Send", exact: true }).click();
    expect(await settled(owner.locator("#airdrop-status"), 60_000)).toBe("1 of 2 sent, 1 failed (see each address).");
    expect(await owner.locator(`#airdrop-results tr[data-address="${holder}"]`).textContent()).toContain(`${holder} already holds this membership`);
    expect(await owner.locator(`#airdrop-results tr[data-address="${fresh}"]`).getAttribute("data-state")).toBe("done");
    await screenshot(owner, "console-12-airdrop-refused.png");
  }, 60_000);

  it("levels are edited in place; a journey with a code step is created, and its codes shown once", async () => {
    await openScreen(owner, "Journeys and levels");
    const levels = owner.locator("#levels tbody tr");
    await expect.poll(() => levels.count(), { timeout: 15_000 }).toBe(3);
    await owner.getByRole("button", { name: "+ Level" }).click();
    await levels.nth(3).getByLabel("Level name").fill("Gold star");
    // Thresholds must rise: the API's problem is shown in its words.
    await levels.nth(3).getByLabel("Points from").fill("50");
    await owner.getByRole("button", { name: "Save levels" }).click();
    const levelStatus = owner.locator("#screen .panel", { hasText: "Levels" }).first().locator(".action-status").first();
    await expect.poll(() => levelStatus.getAttribute("data-state"), { timeout: 15_000 }).toBe("failed");
    expect((await levelStatus.textContent())!.length).toBeGreaterThan(10);
    await levels.nth(3).getByLabel("Points from").fill("1000");
    await owner.getByRole("button", { name: "Save levels" }).click();
    expect(await settled(levelStatus)).toContain("Saved 4 levels");
    expect((await brandApi("/v1/admin/levels")).levels.at(-1)).toEqual({ key: "gold-star", name: "Gold star", minPoints: 1000 });

    const form = owner.locator("#journey-form");
    await form.getByLabel("Journey title").fill("Console tour");
    await form.getByLabel("Stamp it awards").selectOption({ label: TYPE_NAME });
    await form.getByRole("button", { name: "+ Quiz step" }).click();
    await form.getByLabel("Step title").fill("Know the console");
    await form.getByLabel("Question").fill("Who signs a new token type?");
    await form.getByLabel("Choices, one per line").fill("The owner's wallet\nThe API\nNobody");
    await form.getByLabel("Right answer").selectOption({ label: "The owner's wallet" });
    await form.getByRole("button", { name: "+ Code step" }).click();
    await form.getByLabel("Step title").nth(1).fill("Code from the tour guide");
    // A shared code is judged while it is typed: a short one is warned about in words.
    await form.getByLabel("Codes").selectOption("shared");
    await form.getByLabel("Shared code").fill("TOUR1");
    const typed = form.locator("p.warning").first();
    await expect.poll(() => typed.isVisible()).toBe(true);
    expect(await typed.textContent()).toMatch(/easy to guess|short/i);
    await screenshot(owner, "console-13a-shared-code-warning.png");
    await form.getByLabel("Codes").selectOption("batch");
    expect(await typed.isVisible()).toBe(false);
    await form.getByRole("button", { name: "Create journey" }).click();
    expect(await settled(form.locator(".action-status").last())).toContain("Created “Console tour”");

    const card = owner.locator("#journey-list li.card", { has: owner.getByRole("heading", { name: "Console tour" }) });
    await card.getByLabel("How many codes for Code from the tour guide").fill("5");
    await card.getByRole("button", { name: "Generate codes" }).click();
    await expect.poll(() => card.locator("pre.codes").textContent(), { timeout: 15_000 }).toMatch(/^(\S+\n){5}$/);
    await screenshot(owner, "console-13-journeys.png");
    // The seeded "Visit a store" journey's shared code (a word and a year) is warned about on its card, in the API's words.
    const store = owner.locator("#journey-list li.card", { has: owner.getByRole("heading", { name: "Visit a store" }) });
    expect(await store.locator("p.warning").first().textContent()).toMatch(/easy to guess/);

    const { items } = await brandApi("/v1/admin/journeys");
    const journey = items.find((j: { title: string }) => j.title === "Console tour");
    expect(journey.steps).toEqual([
      expect.objectContaining({ id: "know-the-console", kind: "quiz", questions: [{ prompt: "Who signs a new token type?", choices: ["The owner's wallet", "The API", "Nobody"], answer: 0 }] }),
      expect.objectContaining({ id: "code-from-the-tour-guide", kind: "code", mode: "batch" }),
    ]);
  });

  it("the owner sees the redemption in the overview and exports it as CSV", async () => {
    await openScreen(owner, "Overview");
    await expect.poll(() => owner.locator("svg.chart rect.redemptions title").allTextContents(), { timeout: 15_000 }).toContainEqual(expect.stringMatching(/: [1-9]\d* redemptions$/));
    expect(Number(await owner.locator("[data-figure=signed-in]").textContent())).toBeGreaterThanOrEqual(1);
    await owner.locator("#screen .panel", { hasText: "Busiest perks" }).getByText(PERK_TITLE).waitFor({ timeout: 15_000 });
    await screenshot(owner, "console-10-overview-after.png");

    await openScreen(owner, "Redemptions and claims");
    await owner.locator("#redemptions-member").fill(state.members![0]!);
    await owner.locator("#redemptions-consumed").selectOption("true");
    await owner.getByRole("button", { name: "Show", exact: true }).first().click();
    await expect.poll(() => owner.locator("#redemptions-table tbody tr").count(), { timeout: 15_000 }).toBe(1);
    expect(await owner.locator("#redemptions-table tbody").textContent()).toContain(state.code);
    const [download] = await Promise.all([owner.waitForEvent("download"), owner.getByRole("button", { name: "Export CSV" }).first().click()]);
    const csv = await readFile((await download.path())!, "utf8");
    expect(csv).toContain(state.code);
    // The perk by its title beside its id, as the CLI's export has it.
    expect(csv.split("\r\n")[0]).toBe("id,perkId,perkTitle,brandId,member,code,createdAt,consumedAt");
    expect(csv).toContain(PERK_TITLE);
    expect(csv.trim().split("\n")).toHaveLength(2);
    await screenshot(owner, "console-11-redemptions.png");
  });
});
