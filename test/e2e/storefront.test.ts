/**
 * The demo storefront in headless Chromium, against `npm start` (real chain, API and store).
 * Path 1: an injected EIP-1193 wallet (backed by a local-chain account in this process) signs in,
 * sees a perk locked, receives the membership by airdrop, sees it unlock, redeems it, and a second
 * click shows the same code without a second redemption. Path 2: a member without a wallet gets an
 * embedded key, claims a drop without holding any ETH, which unlocks a perk, and redeems it once.
 * Path 3: a member without a wallet takes the quiz journey and the code journey, watches both stamps
 * arrive in the gallery (with their pictures) and the level rise without a reload, and redeems the
 * perk the new level unlocks. Path 4: a friend signs in from a member's invitation link, which
 * completes the member's referral step and earns them a stamp. Path 5: on a phone (390 px) every
 * card's text runs across the card, and a code the till used reads "Used at the counter on …" and is
 * not offered again. Everywhere the page names things in words: no address, token id, hash, "mint",
 * "gas", "relayer" or "private key" shows outside "Technical details". Screenshots go to
 * test-results/.
 */
import { mkdir } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { createPublicClient, createWalletClient, defineChain, getAddress, http, zeroHash, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { DELEGATE_REGISTRY_ADDRESS, delegateRegistryAbi, stampbookCollectionAbi } from "../../contracts/bindings/index.ts";
import { devAccount } from "../../scripts/demo/accounts.ts";
import { DEMO_JOURNEYS, DEMO_STORE_CODE, DEMO_TOKEN_TYPES } from "../../scripts/demo/seed.ts";
import { chromiumAvailable, launchChromium } from "../support/browser.ts";
import { startDemo, type DemoProcess } from "../support/demo-process.ts";
import { injectWallet } from "../support/injected-wallet.ts";
import { expectMemberWords, expectWideText, exportedAddress, redeemOnceUnlocked } from "../support/pages.ts";

const SCREENSHOTS = new URL("../../test-results/", import.meta.url);
const typeId = (key: (typeof DEMO_TOKEN_TYPES)[number]["key"]) => BigInt(DEMO_TOKEN_TYPES.findIndex((t) => t.key === key) + 1);
const GOLD = typeId("gold");
const STAMP = typeId("stamp");
const COFFEE_101_STAMP = typeId("coffee101");
const STORE_VISIT_STAMP = typeId("visit");
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

function chainOf(m: DemoProcess["manifest"]) {
  const chain = defineChain({ id: m.chainId, name: "local", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [m.rpcUrl] } } });
  return { chain, publicClient: createPublicClient({ chain, transport: http(m.rpcUrl) }) };
}

async function perkCard(page: Page, title: string) {
  return page.locator("#perks .card", { has: page.getByRole("heading", { name: title }) });
}

function journeyCard(page: Page, title: string) {
  return page.locator("#journeys li.journey", { has: page.getByRole("heading", { name: title, exact: true }) });
}

/** A full-page screenshot, once newly arrived stamps have finished fading in (at most a few seconds). */
async function screenshot(page: Page, name: string) {
  await page.waitForFunction(() => document.querySelectorAll("#gallery .arriving").length === 0, undefined, { timeout: 3_000 }).catch(() => undefined);
  await page.screenshot({ path: new URL(name, SCREENSHOTS).pathname, fullPage: true });
}

describe.skipIf(!available)("storefront in headless Chromium (skipped only where Chromium is missing and CI is not set)", () => {
  it("injected wallet: locked perk, airdrop unlocks it, redeem shows a code once", async () => {
    const m = demo.manifest;
    const member = m.accounts.find((a) => Object.keys(a.holdings).length === 0)!;
    const { chain, publicClient } = chainOf(m);
    // A second brand on the same deployment, with a perk every member qualifies for: the coffee club's storefront never shows it.
    const call = async (path: string, token: string, body: unknown) => {
      const response = await fetch(`${m.apiUrl}${path}`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });
      expect(response.status, await response.clone().text()).toBe(201);
      return response.json();
    };
    const acme = await call("/v1/operator/brands", m.operatorToken, { name: "Acme Matcha" });
    await call("/v1/admin/perks", acme.key.apiKey, { title: "Acme: free matcha", rule: { type: "not", rule: { type: "points", min: "1000000" } } });
    const page = await browser.newPage();
    await injectWallet(page, { privateKey: member.privateKey, rpcUrl: m.rpcUrl, chainId: m.chainId });
    await page.goto(m.storefrontUrl);
    await page.waitForSelector("body[data-ready=true]");
    await page.getByRole("button", { name: "Connect wallet" }).click();
    // The wallet by its name, never its address.
    await expect.poll(() => page.locator("#who").textContent(), { timeout: 15_000 }).toBe("Signed in with Test Wallet");

    const coffee = await perkCard(page, "Free coffee for Gold members");
    await expect.poll(() => coffee.textContent(), { timeout: 15_000 }).toContain("needs a Gold membership");
    expect(await coffee.getByRole("button", { name: "Redeem" }).count()).toBe(0);
    expect(await page.locator("#perks").textContent()).not.toContain("Acme");
    await expectMemberWords(page);
    await screenshot(page, "storefront-1-locked.png");

    // The brand airdrops a Gold membership while the member is on the page.
    const brand = createWalletClient({ account: privateKeyToAccount(m.brand.adminPrivateKey), chain, transport: http(m.rpcUrl) });
    const collection = m.contracts.collections[0]!;
    const hash = await brand.writeContract({ address: collection, abi: stampbookCollectionAbi, functionName: "airdrop", args: [GOLD, [member.address], 1n] });
    expect((await publicClient.waitForTransactionReceipt({ hash })).status).toBe("success");

    // Listings may reuse holdings for a few seconds; refresh until the chain's answer shows.
    await expect
      .poll(async () => {
        await page.getByRole("button", { name: "Refresh" }).click();
        await page.waitForTimeout(500);
        return coffee.getByRole("button", { name: "Redeem" }).count();
      }, { timeout: 20_000, interval: 1_000 })
      .toBe(1);
    await expect.poll(() => page.locator(`#gallery .stamp[data-token-id="${GOLD}"]`).textContent(), { timeout: 15_000 }).toContain("Gold membership");
    await expectMemberWords(page);
    await screenshot(page, "storefront-2-unlocked.png");

    await coffee.getByRole("button", { name: "Redeem" }).click();
    const dialog = page.locator("#code-dialog");
    await expect.poll(() => dialog.isVisible(), { timeout: 15_000 }).toBe(true);
    const code = (await page.locator("#code-text").textContent())!;
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(await page.locator("#code-qr svg").count()).toBe(1);
    await screenshot(page, "storefront-3-code.png");
    await page.getByRole("button", { name: "Done" }).click();

    // A second click shows the same code; the brand sees exactly one redemption.
    await coffee.getByRole("button", { name: "Show code" }).click();
    await expect.poll(() => page.locator("#code-text").textContent(), { timeout: 15_000 }).toBe(code);
    const redemptions = await (await fetch(`${m.apiUrl}/v1/admin/redemptions?member=${member.address}`, { headers: { authorization: `Bearer ${m.brand.apiKey}` } })).json();
    expect(redemptions.items.map((r: { code: string }) => r.code)).toEqual([code]);
    await page.close();
  });

  it("no wallet: an embedded key signs in, a gasless claim unlocks a perk, redeem shows a code once", async () => {
    const m = demo.manifest;
    const { publicClient } = chainOf(m);
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(m.storefrontUrl);
    await page.waitForSelector("body[data-ready=true]");
    await page.getByRole("button", { name: "Continue without a wallet" }).click();
    await expect.poll(() => page.locator("#member").isVisible(), { timeout: 15_000 }).toBe(true);
    // A member who never chose a wallet is not shown an address.
    expect(await page.locator("#who").textContent()).toBe("Signed in");

    const address = await exportedAddress(page);
    expect(await publicClient.getBalance({ address })).toBe(0n);

    const cookie = await perkCard(page, "A cookie for your first stamp");
    await expect.poll(() => cookie.textContent(), { timeout: 15_000 }).toContain("needs a Journey stamp");
    expect(await cookie.getByRole("button", { name: "Redeem" }).count()).toBe(0);

    const welcome = page.locator("#drops .card", { has: page.getByRole("heading", { name: "Welcome stamp" }) });
    await welcome.getByRole("button", { name: "Claim", exact: true }).click();
    await expect.poll(() => welcome.textContent(), { timeout: 30_000 }).toContain("claimed");
    await expect.poll(() => page.locator(`#gallery .stamp[data-token-id="${STAMP}"]`).count(), { timeout: 15_000 }).toBe(1);
    expect(await page.locator(`#gallery .stamp[data-token-id="${STAMP}"] h3`).textContent()).toBe("Journey stamp");
    await expectMemberWords(page);
    await screenshot(page, "storefront-4-claimed.png");

    const collection = m.contracts.collections[0]!;
    expect(await publicClient.readContract({ address: collection, abi: stampbookCollectionAbi, functionName: "balanceOf", args: [address, STAMP] })).toBe(1n);
    expect(await publicClient.getBalance({ address })).toBe(0n);

    // The stamp unlocks the perk (listings may reuse holdings for a few seconds).
    const code = await redeemOnceUnlocked(page, cookie);
    await cookie.getByRole("button", { name: "Show code" }).click();
    await expect.poll(() => page.locator("#code-text").textContent(), { timeout: 15_000 }).toBe(code);
    await page.getByRole("button", { name: "Done" }).click();
    const redemptions = await (await fetch(`${m.apiUrl}/v1/admin/redemptions?member=${address}`, { headers: { authorization: `Bearer ${m.brand.apiKey}` } })).json();
    expect(redemptions.items.map((r: { code: string }) => r.code)).toEqual([code]);

    // After a reload the member is still signed in (session and key restored); then signs out.
    await page.reload();
    await page.waitForSelector("body[data-ready=true]");
    await expect.poll(() => page.locator("#member").isVisible(), { timeout: 15_000 }).toBe(true);
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect.poll(() => page.locator("#welcome").isVisible(), { timeout: 15_000 }).toBe(true);
    await context.close();
  });
  it("no wallet: a quiz journey and a code journey earn stamps, the level rises, its perk unlocks", async () => {
    const m = demo.manifest;
    const { publicClient } = chainOf(m);
    const collection = m.contracts.collections[0]!;
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(m.storefrontUrl);
    await page.waitForSelector("body[data-ready=true]");
    await page.getByRole("button", { name: "Continue without a wallet" }).click();
    await expect.poll(() => page.locator("#member").isVisible(), { timeout: 15_000 }).toBe(true);
    const address = await exportedAddress(page);

    // A new member: the first level, nothing towards the next, the level perk locked in words.
    await expect.poll(() => page.locator("#level-name").textContent(), { timeout: 15_000 }).toBe("Green");
    expect(await page.locator("#points").textContent()).toBe("0 points");
    expect(await page.locator("#next-level").textContent()).toBe("100 points to Silver");
    const flight = await perkCard(page, "Silver tasting flight");
    await expect.poll(() => flight.textContent(), { timeout: 15_000 }).toContain("needs the Silver level (100 points), you have 0 points");
    expect(await flight.getByRole("button", { name: "Redeem" }).count()).toBe(0);
    const headings = await page.locator("#perks .perk-group > h3").allTextContents();
    expect(headings).toEqual(expect.arrayContaining(["With a Gold membership", "For Silver members and up", "For Reserve members", "With 200 points or more"]));
    const quiz = journeyCard(page, "Coffee 101");
    const visit = journeyCard(page, "Visit a store");
    await expect.poll(() => quiz.locator('li.step[data-step-id="brew"]').textContent(), { timeout: 15_000 }).toContain("Finish “Know your beans” first.");
    await expectMemberWords(page);
    await screenshot(page, "storefront-5-journeys.png");

    // The quiz: a wrong answer is refused with the API's words, and nothing is recorded.
    const [beans, brew] = DEMO_JOURNEYS[0].steps;
    const status = quiz.locator(":scope > .action-status");
    const beansStep = quiz.locator('li.step[data-step-id="beans"]');
    await beansStep.getByLabel(beans.questions[0].choices[1]).check();
    await beansStep.getByLabel(beans.questions[1].choices[beans.questions[1].answer]).check();
    await beansStep.getByRole("button", { name: "Check my answers" }).click();
    await expect.poll(() => status.getAttribute("data-state"), { timeout: 15_000 }).toBe("failed");
    expect((await status.textContent())!.length).toBeGreaterThan(0);
    await screenshot(page, "storefront-6-quiz-refused.png");

    // Right answers: the step is done and the next opens; the last one completes the journey.
    await beansStep.getByLabel(beans.questions[0].choices[beans.questions[0].answer]).check();
    await beansStep.getByRole("button", { name: "Check my answers" }).click();
    await expect.poll(() => beansStep.getAttribute("class"), { timeout: 15_000 }).toContain("done");
    const brewStep = quiz.locator('li.step[data-step-id="brew"]');
    for (const q of brew.questions) await brewStep.getByLabel(q.choices[q.answer]).check();
    await brewStep.getByRole("button", { name: "Check my answers" }).click();
    await expect.poll(() => quiz.locator(".award").count(), { timeout: 15_000 }).toBe(1);

    // The stamp is awarded in the background: it shows up in the gallery, with its picture, and
    // the points move, without a reload or a click.
    const quizStamp = page.locator(`#gallery .stamp[data-token-id="${COFFEE_101_STAMP}"]`);
    await expect.poll(() => quizStamp.count(), { timeout: 45_000 }).toBe(1);
    expect(await quizStamp.locator("h3").textContent()).toBe("Coffee 101 stamp");
    await expect.poll(() => quizStamp.locator("img").evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => quiz.locator(".award").getAttribute("data-award"), { timeout: 15_000 }).toBe("awarded");
    await expect.poll(() => page.locator("#points").textContent(), { timeout: 15_000 }).toBe("50 points");
    expect(await page.locator("#level-name").textContent()).toBe("Green");
    expect(await page.locator("#next-level").textContent()).toBe("50 points to Silver");
    await expect.poll(() => flight.textContent(), { timeout: 20_000 }).toContain("you have 50 points");
    await expectMemberWords(page);
    await screenshot(page, "storefront-7-quiz-stamp.png");

    // The code journey: a wrong code is refused; the printed one completes it.
    const codeStatus = visit.locator(":scope > .action-status");
    const codeInput = visit.getByRole("textbox", { name: /Code for/ });
    await codeInput.fill("NOT-A-CODE");
    await visit.getByRole("button", { name: "Submit code" }).click();
    await expect.poll(() => codeStatus.getAttribute("data-state"), { timeout: 15_000 }).toBe("failed");
    await codeInput.fill(DEMO_STORE_CODE);
    await visit.getByRole("button", { name: "Submit code" }).click();
    const visitStamp = page.locator(`#gallery .stamp[data-token-id="${STORE_VISIT_STAMP}"]`);
    await expect.poll(() => visitStamp.count(), { timeout: 45_000 }).toBe(1);
    expect(await visitStamp.locator("h3").textContent()).toBe("Store visit stamp");
    await expect.poll(() => visitStamp.locator("img").evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), { timeout: 15_000 }).toBe(true);

    await expect.poll(() => visit.locator(".award").getAttribute("data-award"), { timeout: 15_000 }).toBe("awarded");

    // 150 points: the Silver level, and the way to the next.
    await expect.poll(() => page.locator("#level-name").textContent(), { timeout: 15_000 }).toBe("Silver");
    expect(await page.locator("#points").textContent()).toBe("150 points");
    expect(await page.locator("#next-level").textContent()).toBe("150 points to Reserve");
    for (const id of [COFFEE_101_STAMP, STORE_VISIT_STAMP]) {
      expect(await publicClient.readContract({ address: collection, abi: stampbookCollectionAbi, functionName: "balanceOf", args: [address, id] })).toBe(1n);
    }
    expect(await publicClient.getBalance({ address })).toBe(0n);

    // The level perk unlocks on its own (the page looks again once the stamps are in).
    await expect.poll(() => flight.getByRole("button", { name: "Redeem" }).count(), { timeout: 30_000, interval: 500 }).toBe(1);
    await expect.poll(async () => (await perkCard(page, "Reserve roastery dinner")).textContent(), { timeout: 15_000 }).toContain("needs the Reserve level (300 points), you have 150 points");
    expect(await (await perkCard(page, "Pastry of the day")).textContent()).toContain("needs 200 points, you have 150");
    await expectMemberWords(page);
    await screenshot(page, "storefront-8-silver.png");

    await flight.getByRole("button", { name: "Redeem" }).click();
    await expect.poll(() => page.locator("#code-dialog").isVisible(), { timeout: 15_000 }).toBe(true);
    const code = (await page.locator("#code-text").textContent())!;
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    await expectMemberWords(page);
    await screenshot(page, "storefront-9-level-perk.png");
    await page.getByRole("button", { name: "Done" }).click();
    const redemptions = await (await fetch(`${m.apiUrl}/v1/admin/redemptions?member=${address}`, { headers: { authorization: `Bearer ${m.brand.apiKey}` } })).json();
    expect(redemptions.items.map((r: { code: string }) => r.code)).toEqual([code]);
    await context.close();
  }, 180_000);
  it("a friend joins with the invitation link: the inviter's referral step completes and the Friend stamp arrives", async () => {
    const m = demo.manifest;
    const inviterContext = await browser.newContext();
    const inviter = await inviterContext.newPage();
    await inviter.goto(m.storefrontUrl);
    await inviter.waitForSelector("body[data-ready=true]");
    await inviter.getByRole("button", { name: "Continue without a wallet" }).click();
    const friendJourney = journeyCard(inviter, "Bring a friend");
    const link = await friendJourney.getByRole("textbox", { name: "Your invitation link" }).inputValue();
    expect(link).toMatch(/[?&]invite=/);

    const friendContext = await browser.newContext();
    const friend = await friendContext.newPage();
    await friend.goto(link);
    await friend.waitForSelector("body[data-ready=true]");
    expect(await friend.locator("#invited").isVisible()).toBe(true);
    await friend.getByRole("button", { name: "Continue without a wallet" }).click();
    await expect.poll(() => friend.locator("#member").isVisible(), { timeout: 15_000 }).toBe(true);
    // The code leaves the address bar once used.
    expect(new URL(friend.url()).search).toBe("");
    await friendContext.close();

    // The inviter learns of it on their next look.
    await inviter.getByRole("button", { name: "Refresh" }).click();
    await expect.poll(() => friendJourney.locator(".award").count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => inviter.locator(`#gallery .stamp[data-token-id="${typeId("friend")}"] h3`).textContent(), { timeout: 45_000 }).toBe("Friend stamp");
    await expect.poll(() => inviter.locator("#points").textContent(), { timeout: 15_000 }).toBe("50 points");
    await expectMemberWords(inviter);
    await screenshot(inviter, "storefront-10-friend.png");
    await inviterContext.close();
  }, 120_000);

  it("on a phone: every card's text runs across the card, and a code the till used is not offered again", async () => {
    const m = demo.manifest;
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await page.goto(m.storefrontUrl);
    await page.waitForSelector("body[data-ready=true]");
    await page.getByRole("button", { name: "Continue without a wallet" }).click();
    await expect.poll(() => page.locator("#member").isVisible(), { timeout: 15_000 }).toBe(true);

    // A claim's words stay when its card is redrawn as claimed.
    const welcome = page.locator("#drops .card", { has: page.getByRole("heading", { name: "Welcome stamp" }) });
    await welcome.getByRole("button", { name: "Claim", exact: true }).click();
    await expect.poll(() => welcome.locator(".badge").textContent(), { timeout: 30_000 }).toBe("claimed");
    await expect.poll(() => welcome.locator(".action-status").textContent(), { timeout: 15_000 }).toBe("“Welcome stamp” is yours.");

    // An either/or rule's reasons read as alternatives.
    const lounge = await perkCard(page, "Founders' lounge");
    await expect.poll(() => lounge.locator(".reasons .any-of").count(), { timeout: 15_000 }).toBe(1);
    expect(await lounge.locator(".reasons > li").count()).toBe(1);
    expect(await lounge.locator(".reasons .any-of > span").textContent()).toBe("Any one of:");

    const cookie = await perkCard(page, "A cookie for your first stamp");
    const code = await redeemOnceUnlocked(page, cookie);
    expect(await cookie.getByRole("button", { name: "Show code" }).count()).toBe(1);

    // The till uses the code: the card then says when, and offers it no more.
    const verified = await fetch(`${m.apiUrl}/v1/admin/redemptions/verify`, { method: "POST", headers: { authorization: `Bearer ${m.brand.apiKey}`, "content-type": "application/json" }, body: JSON.stringify({ code }) });
    expect(verified.status).toBe(200);
    await page.getByRole("button", { name: "Refresh" }).click();
    await expect.poll(() => cookie.locator(".used").textContent(), { timeout: 15_000 }).toMatch(/^Used at the counter on [A-Z][a-z]+ \d{1,2}, \d{4} at \d{1,2}:\d{2}\s?[AP]M\.$/);
    expect(await cookie.getByRole("button", { name: /Show code|Redeem/ }).count()).toBe(0);

    // Every card's text at least 60% of the viewport wide, and in a member's words.
    await expectWideText(page, "#journeys li.journey, #gallery .stamp, #drops .card, #perks .card, #your-data .data-item");
    await expectMemberWords(page);
    await screenshot(page, "storefront-11-phone.png");
    await context.close();
  }, 120_000);

  it("on a phone: a vault's Gold membership counts for the wallet it delegates to, and the card says whose", async () => {
    const m = demo.manifest;
    const { chain, publicClient } = chainOf(m);
    // The Gold member keeps their membership in a vault and delegates to a new, empty wallet.
    const vault = m.accounts.find((a) => a.holdings.gold === "1" && a.holdings.stamp !== undefined)!;
    const hot = devAccount(12);
    const vaultWallet = createWalletClient({ account: privateKeyToAccount(vault.privateKey as Hex), chain, transport: http(m.rpcUrl) });
    const hash = await vaultWallet.writeContract({ address: DELEGATE_REGISTRY_ADDRESS, abi: delegateRegistryAbi, functionName: "delegateAll", args: [hot.account.address, zeroHash, true] });
    expect((await publicClient.waitForTransactionReceipt({ hash })).status).toBe("success");

    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await injectWallet(page, { privateKey: hot.privateKey, rpcUrl: m.rpcUrl, chainId: m.chainId });
    await page.goto(m.storefrontUrl);
    await page.waitForSelector("body[data-ready=true]");
    await page.getByRole("button", { name: "Connect wallet" }).click();
    await expect.poll(() => page.locator("#who").textContent(), { timeout: 15_000 }).toBe("Signed in with Test Wallet");

    const coffee = await perkCard(page, "Free coffee for Gold members");
    const tail = getAddress(vault.address).slice(-4);
    await expect
      .poll(async () => {
        await page.getByRole("button", { name: "Refresh" }).click();
        await page.waitForTimeout(500);
        return coffee.locator(".vault").textContent();
      }, { timeout: 20_000, interval: 1_000 })
      .toBe(`Counting your vault …${tail}'s Gold membership.`);
    expect(await coffee.getByRole("button", { name: /Redeem|Show code/ }).count()).toBe(1);
    await expectWideText(page, "#perks .card");
    await expectMemberWords(page);
    await screenshot(page, "storefront-12-vault-phone.png");
    await context.close();
  }, 120_000);
});
