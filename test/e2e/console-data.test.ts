/**
 * Members' data in the brand console, in headless Chromium against `npm start`. Staff sign in with the
 * seeded brand's API key, see its data requests in words, publish one (a birthday, for a treat, kept
 * 30 days), make a perk that unlocks for members who share it with the rule builder (no JSON), look up
 * a member who has shared nothing and read that in words, and withdraw the request. Nothing shown to
 * staff is raw JSON. Screenshots go to test-results/console-data-*.png.
 */
import { mkdir } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { freePort } from "../../scripts/free-port.ts";
import { chromiumAvailable, launchChromium } from "../support/browser.ts";
import { openScreen, settled, visibleText } from "../support/pages.ts";
import { startDemo, type DemoManifest, type DemoProcess } from "../support/demo-process.ts";

const SCREENSHOTS = new URL("../../test-results/", import.meta.url);
const PURPOSE = "to send you a birthday treat test";
const REQUEST_WORDS = `Birthday — ${PURPOSE} — kept 30 days`;
const PERK_TITLE = "Console birthday cake";
const SHARING_WORDS = `sharing your birthday (${PURPOSE})`;
const available = chromiumAvailable();

type Manifest = DemoManifest & { consoleUrl: string };

let demo: DemoProcess;
let m: Manifest;
let browser: Browser;
let page: Page;
/** What one stage hands the next. */
const state: { requestId?: string } = {};

beforeAll(async () => {
  if (!available) return;
  await mkdir(SCREENSHOTS, { recursive: true });
  [demo, browser] = await Promise.all([startDemo({ CONSOLE_PORT: String(await freePort()) }), launchChromium()]);
  m = demo.manifest as Manifest;
}, 150_000);

afterAll(async () => {
  await browser?.close();
  await demo?.cleanup();
});

async function screenshot(name: string) {
  await page.screenshot({ path: new URL(`console-data-${name}.png`, SCREENSHOTS).pathname, fullPage: true });
}

/** The brand's API, as its servers call it. */
async function brandApi(path: string) {
  const response = await fetch(`${m.apiUrl}${path}`, { headers: { authorization: `Bearer ${m.brand.apiKey}` } });
  expect(response.status, path).toBe(200);
  return response.json();
}

/** No JSON object or array, nor a quoted key, is shown outside <details>. */
async function expectNoJsonShown() {
  const text = await visibleText(page);
  expect(text).not.toMatch(/[{}]/);
  expect(text).not.toMatch(/"[A-Za-z_]+"\s*:/);
  expect(text).not.toMatch(/\[\s*"/);
}

describe.skipIf(!available)("members' data in the brand console (skipped only where Chromium is missing and CI is not set)", () => {
  it("staff sign in with the brand's API key and see its data requests in words", async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(m.consoleUrl);
    await page.waitForSelector("body[data-ready=true]");
    await page.getByLabel("API key").fill(m.brand.apiKey);
    await page.getByRole("button", { name: "Sign in with the brand's API key" }).click();
    await expect.poll(() => page.locator("#role").textContent(), { timeout: 10_000 }).toBe("API key");
    expect(await page.locator("#screens a").allTextContents()).toContain("Members' data");

    await openScreen(page, "Members' data");
    const list = page.locator("#request-list");
    await expect.poll(() => list.locator("[data-role=request-words]").allTextContents(), { timeout: 15_000 }).toEqual(
      expect.arrayContaining(["Birthday — to send you a birthday treat — kept 365 days; unlocks “A birthday treat”", "Email, name and city — to invite you to tastings near you — kept 180 days"]),
    );
    // Staff are told that looking a member up is shown to the member.
    expect(await page.locator("#lookup-notice").textContent()).toContain("Each look-up is shown to the member in their access log, as read by the brand's API key.");
    await expectNoJsonShown();
    await screenshot("1-requests");
  });

  it("publishes a request for the birthday, listed in words", async () => {
    const form = page.locator("#request-form");
    // A mistake is said in words before anything is sent.
    await form.getByRole("button", { name: "Publish request" }).click();
    await expect.poll(() => form.locator("#request-status").getAttribute("data-state"), { timeout: 5_000 }).toBe("failed");
    expect(await form.locator("#request-status").textContent()).toBe("Tick at least one thing to ask for.");

    await form.getByLabel("Birthday").check();
    await form.getByLabel("Purpose").fill(PURPOSE);
    await form.getByLabel("Kept for (days)").fill("30");
    await form.getByRole("button", { name: "Publish request" }).click();
    expect(await settled(form.locator("#request-status"))).toBe(`Published: ${REQUEST_WORDS}. Members can grant it now.`);
    await expect.poll(() => page.locator("#request-list [data-role=request-words]").allTextContents(), { timeout: 15_000 }).toContain(REQUEST_WORDS);
    await expectNoJsonShown();
    await screenshot("2-published");

    const { items } = await brandApi("/v1/admin/data-requests");
    const made = items.find((r: { purpose: string }) => r.purpose === PURPOSE);
    expect(made).toMatchObject({ fields: ["birthday"], retentionDays: 30, perkId: null });
    state.requestId = made.id;
  });

  it("makes a perk for members who share it, with the rule builder, and shows the rule in words", async () => {
    await openScreen(page, "Perks and drops");
    const form = page.locator("#offer-form");
    await form.getByLabel("Title").fill(PERK_TITLE);
    await form.getByLabel("Description").fill("A slice of cake for members who share their birthday.");
    const builder = page.locator("#offer-rule");
    await builder.getByRole("button", { name: "+ Shared data" }).click();
    await builder.getByLabel("Data request").selectOption({ label: `Birthday — ${PURPOSE}` });
    await expect.poll(() => builder.locator("[data-role=rule-words]").textContent(), { timeout: 15_000 }).toBe(`Requires ${SHARING_WORDS}.`);
    // Nobody has shared it yet.
    await expect.poll(() => builder.locator("[data-role=rule-preview]").getAttribute("data-qualifying"), { timeout: 15_000 }).toBe("0");
    await expectNoJsonShown();
    await screenshot("3-rule-builder");
    await form.getByRole("button", { name: "Create perk" }).click();
    expect(await settled(form.locator("#offer-status"))).toBe(`Created the perk “${PERK_TITLE}”.`);
    const row = page.locator("#perk-list tr", { hasText: PERK_TITLE });
    await expect.poll(() => row.textContent(), { timeout: 15_000 }).toContain(SHARING_WORDS);
    // The seeded treat's rule is worded with its request too.
    expect(await page.locator("#perk-list tr", { has: page.getByText("A birthday treat", { exact: true }) }).textContent()).toContain("sharing your birthday (to send you a birthday treat)");
    await screenshot("4-perk");

    const { items } = await brandApi("/v1/admin/perks");
    expect(items.find((p: { title: string }) => p.title === PERK_TITLE).rule).toEqual({ type: "consent", request: state.requestId });
  });

  it("looks up a member who has shared nothing, and says so in words", async () => {
    const member = m.accounts.find((a) => a.role.startsWith("new member"))!.address;
    await openScreen(page, "Members' data");
    await page.locator("#lookup-address").fill(member.toLowerCase());
    await page.getByRole("button", { name: "Look up", exact: true }).click();
    const said = await settled(page.locator("#lookup-status"));
    expect(said).toBe(`${member.slice(0, 6)}…${member.slice(-4)} has not shared anything with ${m.brand.name} (or what they shared has expired): there is nothing to show.`);
    expect(await page.locator("#lookup-result").getAttribute("data-outcome")).toBe("not-shared");
    expect(await page.locator("#lookup-result table").count()).toBe(0);

    // Not an address: refused in words, and nothing asked.
    await page.locator("#lookup-address").fill("0x1234");
    await page.getByRole("button", { name: "Look up", exact: true }).click();
    await expect.poll(() => page.locator("#lookup-status").getAttribute("data-state"), { timeout: 5_000 }).toBe("failed");
    expect(await page.locator("#lookup-status").textContent()).toBe("That is not a wallet address (0x and 40 hex digits).");
    await page.locator("#lookup-address").fill(member);
    await page.getByRole("button", { name: "Look up", exact: true }).click();
    await settled(page.locator("#lookup-status"));
    await expectNoJsonShown();
    await screenshot("5-lookup");
  });

  it("withdraws the request after a confirm; the perk's rule then says so", async () => {
    const withdraw = page.getByRole("button", { name: `Withdraw ${REQUEST_WORDS}` });
    // Dismissed: nothing happens.
    page.once("dialog", (dialog) => void dialog.dismiss());
    await withdraw.click();
    await page.waitForTimeout(300);
    expect((await brandApi("/v1/admin/data-requests")).items.map((r: { id: string }) => r.id)).toContain(state.requestId);

    page.once("dialog", (dialog) => {
      expect(dialog.message()).toContain(`Withdraw “Birthday — ${PURPOSE}”?`);
      void dialog.accept();
    });
    await withdraw.click();
    await expect.poll(() => page.locator("#request-list [data-role=request-words]").allTextContents(), { timeout: 15_000 }).not.toContain(REQUEST_WORDS);
    expect((await brandApi("/v1/admin/data-requests")).items.map((r: { id: string }) => r.id)).not.toContain(state.requestId);
    await expectNoJsonShown();
    await screenshot("6-withdrawn");

    await openScreen(page, "Perks and drops");
    await expect.poll(() => page.locator("#perk-list tr", { hasText: PERK_TITLE }).textContent(), { timeout: 15_000 }).toContain("sharing data under a withdrawn request");
  });
});
