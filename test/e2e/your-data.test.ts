/**
 * "Your data" in the demo storefront, in headless Chromium against `npm start` (real chain, API and
 * store). A member without a wallet fills in their profile with a birthday, sees the birthday perk
 * locked in words, shares their birthday with Demo Coffee Club (a signed grant), sees the perk unlock
 * and redeems it. The brand reads the member's profile with its API key and gets the birthday (only
 * that); the member's access log says so. The member checks the grant's receipt, revokes it (the perk
 * locks again, the brand reads nothing more), downloads everything kept about them, and deletes it:
 * the page is signed out, and signing in again finds nothing. Everywhere the page speaks in words: no
 * token id or hash outside a "Details" element. Screenshots go to test-results/your-data-*.png.
 */
import { mkdir, readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import type { Address } from "viem";
import { chromiumAvailable, launchChromium } from "../support/browser.ts";
import { startDemo, type DemoProcess } from "../support/demo-process.ts";
import { expectMemberWords, exportedAddress } from "../support/pages.ts";

const SCREENSHOTS = new URL("../../test-results/", import.meta.url);
const BIRTHDAY_PURPOSE = "to send you a birthday treat";
const BIRTHDAY_PERK = "A birthday treat";
const available = chromiumAvailable();

let demo: DemoProcess;
let browser: Browser;

beforeAll(async () => {
  if (!available) return;
  await mkdir(SCREENSHOTS, { recursive: true });
  [demo, browser] = await Promise.all([startDemo(), launchChromium()]);
}, 150_000);

afterAll(async () => {
  await browser?.close();
  await demo?.cleanup();
});

function perkCard(page: Page, title: string) {
  return page.locator("#perks .card", { has: page.getByRole("heading", { name: title, exact: true }) });
}

/** A full-page screenshot, and one of the "Your data" section alone (`…-section.png`) while it shows. */
async function screenshot(page: Page, name: string) {
  await page.waitForFunction(() => document.querySelectorAll("#gallery .arriving").length === 0, undefined, { timeout: 3_000 }).catch(() => undefined);
  await page.screenshot({ path: new URL(name, SCREENSHOTS).pathname, fullPage: true });
  const section = page.getByTestId("your-data");
  if (await section.isVisible()) await section.screenshot({ path: new URL(name.replace(/\.png$/, "-section.png"), SCREENSHOTS).pathname });
}

/** What the brand gets when it reads the member's profile with its API key. */
async function brandReads(m: DemoProcess["manifest"], address: Address) {
  const response = await fetch(`${m.apiUrl}/v1/admin/members/${address}/profile`, { headers: { authorization: `Bearer ${m.brand.apiKey}` } });
  return { status: response.status, body: (await response.json()) as { fields?: Array<{ field: string; value: unknown; purpose: string }>; code?: string } };
}

describe.skipIf(!available)("Your data in the storefront, in headless Chromium (skipped only where Chromium is missing and CI is not set)", () => {
  it("profile, share the birthday, the perk unlocks, the brand reads it (logged), receipt, revoke, download, delete", async () => {
    const m = demo.manifest;
    const birthdayRequest = m.dataRequests?.find((r) => r.purpose === BIRTHDAY_PURPOSE);
    expect(birthdayRequest?.fields).toEqual(["birthday"]);

    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(m.storefrontUrl);
    await page.waitForSelector("body[data-ready=true]");
    await page.getByRole("button", { name: "Continue without a wallet" }).click();
    await expect.poll(() => page.locator("#member").isVisible(), { timeout: 15_000 }).toBe(true);
    const address = await exportedAddress(page);

    const section = page.getByTestId("your-data");
    const request = section.locator(`[data-testid="data-request"][data-request-id="${birthdayRequest!.id}"]`);
    await expect.poll(() => request.textContent(), { timeout: 15_000 }).toContain("Demo Coffee Club asks for your birthday — to send you a birthday treat — kept 365 days");
    expect(await request.textContent()).toContain(`Sharing it unlocks “${BIRTHDAY_PERK}”.`);
    await expect.poll(() => section.getByTestId("data-requests").textContent()).toContain("Demo Coffee Club asks for your email, name and city — to invite you to tastings near you — kept 180 days");
    expect(await section.getByTestId("data-grants").textContent()).toBe("");
    expect(await page.locator("#no-data-grants").textContent()).toBe("You have not shared anything with a brand.");
    expect(await page.locator("#no-access-log").isVisible()).toBe(true);

    // The profile: the member's own, saved once.
    await page.getByLabel("Email").fill("ada@example.com");
    await page.getByLabel("Name", { exact: true }).fill("Ada");
    await page.getByLabel("Birthday month").selectOption({ label: "March" });
    await page.getByLabel("Birthday day").fill("14");
    await page.getByLabel("City").fill("Lyon");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(() => page.getByTestId("profile-status").textContent(), { timeout: 15_000 }).toBe("Saved. Brands see it only if you share it below.");
    expect(await page.locator("#profile-saved").textContent()).toMatch(/^Last saved /);
    await expectMemberWords(page);
    await screenshot(page, "your-data-1-profile.png");

    // The birthday perk is locked, and says why in words.
    const treat = perkCard(page, BIRTHDAY_PERK);
    await expect.poll(() => treat.textContent(), { timeout: 15_000 }).toContain("needs your birthday shared (to send you a birthday treat)");
    expect(await treat.getByRole("button", { name: "Redeem" }).count()).toBe(0);
    expect(await page.locator("#perks .perk-group > h3").allTextContents()).toContain("When you share your birthday");
    // Nothing shared: the brand reads nothing.
    expect((await brandReads(m, address)).status).toBe(403);
    await screenshot(page, "your-data-2-perk-locked.png");

    // Share the birthday: the member signs the grant (the embedded wallet signs without a prompt).
    await request.getByRole("button", { name: "Share" }).click();
    await expect.poll(() => request.locator(".action-status").textContent(), { timeout: 15_000 }).toBe("Shared with Demo Coffee Club. You can revoke it any time.");
    expect(await request.textContent()).toMatch(/Shared until [A-Z][a-z]+ \d{1,2}, \d{4}/);
    expect(await request.getByRole("button", { name: "Revoke" }).count()).toBe(1);
    const grant = section.getByTestId("data-grant").first();
    await expect.poll(() => grant.getAttribute("data-status")).toBe("active");
    expect(await grant.textContent()).toMatch(/Demo Coffee Club can see your birthday \(to send you a birthday treat\) until [A-Z][a-z]+ \d{1,2}, \d{4}\./);

    // The perk unlocks; redeem it for a code.
    await expect.poll(() => treat.getByRole("button", { name: "Redeem" }).count(), { timeout: 20_000, interval: 500 }).toBe(1);
    await expectMemberWords(page);
    await screenshot(page, "your-data-3-shared.png");
    await treat.getByRole("button", { name: "Redeem" }).click();
    await expect.poll(() => page.locator("#code-dialog").isVisible(), { timeout: 15_000 }).toBe(true);
    const code = (await page.locator("#code-text").textContent())!;
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(await page.locator("#code-perk").textContent()).toBe(BIRTHDAY_PERK);
    await screenshot(page, "your-data-4-code.png");
    await page.getByRole("button", { name: "Done" }).click();

    // The brand reads the member's profile with its API key: the birthday, and nothing it was not given.
    const read = await brandReads(m, address);
    expect(read.status).toBe(200);
    expect(read.body.fields).toEqual([expect.objectContaining({ field: "birthday", value: { month: 3, day: 14 }, purpose: BIRTHDAY_PURPOSE })]);

    // The member sees that read in their access log, in words.
    const log = section.getByTestId("access-log");
    await expect
      .poll(async () => {
        await page.getByRole("button", { name: "Refresh" }).click();
        await page.waitForTimeout(300);
        return log.getByTestId("access-entry").count();
      }, { timeout: 15_000, interval: 1_000 })
      .toBe(1);
    const entry = log.getByTestId("access-entry").first();
    expect(await entry.textContent()).toMatch(/^Demo Coffee Club read your birthday on [A-Z][a-z]+ \d{1,2}, \d{4} at \d{1,2}:\d{2}\s?[AP]M \(to send you a birthday treat\)/);
    expect(await entry.textContent()).toContain("Read by the brand's own systems.");
    expect(await page.locator("#no-access-log").isVisible()).toBe(false);

    // The grant's receipt: the member's signature, checked in the browser; the raw message only in Details.
    await grant.getByRole("button", { name: "Check receipt" }).click();
    await expect.poll(() => grant.locator(".action-status").textContent(), { timeout: 15_000 }).toMatch(/^Checked: agreed by you on [A-Z][a-z]+ \d{1,2}, \d{4} at \d{1,2}:\d{2}\s?[AP]M — the receipt is genuine\.$/);
    // The receipt in words: which brand, which fields, why, until when; the signed text only under Technical details.
    expect(await grant.getByTestId("receipt-words").textContent()).toMatch(/^Your receipt: on [A-Z][a-z]+ \d{1,2}, \d{4} at .+ you agreed that Demo Coffee Club may see your birthday, to send you a birthday treat, until [A-Z][a-z]+ \d{1,2}, \d{4}\.$/);
    expect(await grant.locator("details summary").textContent()).toBe("Technical details");
    expect(await grant.locator(".action-status").getAttribute("data-state")).toBe("done");
    const message = grant.locator("details [data-testid=receipt-message]");
    expect(await message.isVisible()).toBe(false);
    const signed = (await message.textContent())!;
    expect(signed).toContain(address);
    expect(signed).toContain("to send you a birthday treat");
    await expectMemberWords(page);
    await screenshot(page, "your-data-5-receipt.png");
    await grant.locator("details summary").click();
    expect(await message.isVisible()).toBe(true);
    await screenshot(page, "your-data-6-receipt-open.png");
    await grant.locator("details summary").click();

    // Revoke: the brand reads nothing more, the perk locks again.
    await request.getByRole("button", { name: "Revoke" }).click();
    await expect.poll(() => request.locator(".action-status").textContent(), { timeout: 15_000 }).toBe("Revoked: Demo Coffee Club can no longer read your birthday.");
    expect(await request.getByRole("button", { name: "Share" }).count()).toBe(1);
    expect(await request.textContent()).not.toContain("Shared until");
    const revoked = section.locator('[data-testid="data-grant"][data-status="revoked"]');
    await expect.poll(() => revoked.count()).toBe(1);
    expect(await revoked.textContent()).toMatch(/Demo Coffee Club could see your birthday \(to send you a birthday treat\)\. You revoked it on [A-Z][a-z]+ \d{1,2}, \d{4}: it sees nothing more\./);
    expect(await section.locator('[data-testid="data-grant"][data-status="active"]').count()).toBe(0);
    await expect.poll(() => treat.textContent(), { timeout: 20_000, interval: 500 }).toContain("needs your birthday shared (to send you a birthday treat)");
    expect(await treat.getByRole("button", { name: /Redeem|Show code/ }).count()).toBe(0);
    const after = await brandReads(m, address);
    expect([after.status, after.body.code]).toEqual([403, "consent_revoked"]);
    await expectMemberWords(page);
    await screenshot(page, "your-data-7-revoked.png");

    // Download everything kept: the profile, the revoked grant with its receipt, the read, the redemption.
    const [download] = await Promise.all([page.waitForEvent("download", { timeout: 15_000 }), section.getByRole("button", { name: "Download my data" }).click()]);
    expect(download.suggestedFilename()).toBe("stampbook-export.json");
    const exported = JSON.parse(await readFile((await download.path())!, "utf8"));
    expect(exported.address).toBe(address);
    expect(exported.profile).toMatchObject({ email: "ada@example.com", name: "Ada", birthday: { month: 3, day: 14 }, city: "Lyon" });
    expect(exported.consents).toEqual([expect.objectContaining({ requestId: birthdayRequest!.id, status: "revoked", fields: ["birthday"], receipt: expect.objectContaining({ message: signed }) })]);
    expect(exported.accessLog).toHaveLength(1);
    expect(exported.redemptions.map((r: { code: string }) => r.code)).toEqual([code]);
    await expect.poll(() => page.getByTestId("download-status").textContent()).toBe("Downloaded: stampbook-export.json, everything we keep about you.");

    // Delete my data: a confirmation first; cancel keeps everything.
    await section.getByRole("button", { name: "Delete my data" }).click();
    const confirm = page.getByTestId("erase-confirm");
    expect(await confirm.isVisible()).toBe(true);
    expect(await confirm.textContent()).toContain("This cannot be undone.");
    await confirm.getByRole("button", { name: "Cancel" }).click();
    expect(await confirm.isVisible()).toBe(false);
    await section.getByRole("button", { name: "Delete my data" }).click();
    await expectMemberWords(page);
    await screenshot(page, "your-data-8-confirm-delete.png");
    await confirm.getByRole("button", { name: "Yes, delete my data" }).click();

    // Signed out, and told so.
    await expect.poll(() => page.locator("#welcome").isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await page.locator("#member").isVisible()).toBe(false);
    expect(await page.locator("#account").isVisible()).toBe(false);
    expect(await page.locator("#status").textContent()).toBe("Your data is deleted and you are signed out. Stamps in your wallet stay yours.");
    await expectMemberWords(page);
    await screenshot(page, "your-data-9-deleted.png");
    const gone = await brandReads(m, address);
    expect([gone.status, gone.body.code]).toEqual([403, "consent_required"]);

    // Signing in again with the same key finds nothing kept: an empty profile, no grants, no reads.
    await page.getByRole("button", { name: "Continue without a wallet" }).click();
    await expect.poll(() => page.locator("#member").isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await exportedAddress(page)).toBe(address);
    await expect.poll(() => page.locator("#profile-saved").textContent(), { timeout: 15_000 }).toBe("Nothing saved yet: every field is optional.");
    for (const label of ["Email", "City", "Birthday day"]) expect(await page.getByLabel(label).inputValue()).toBe("");
    expect(await section.getByTestId("data-grant").count()).toBe(0);
    expect(await log.getByTestId("access-entry").count()).toBe(0);
    expect(await request.getByRole("button", { name: "Share" }).count()).toBe(1);
    await context.close();
  }, 180_000);
});
