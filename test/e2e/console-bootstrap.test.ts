/**
 * A new brand from an empty chain to a member redeeming a perk, using only the console (headless
 * Chromium against `npm start`). The operator creates the brand through the operator API; in the
 * console, staff sign in with the brand's API key, deploy a collection with an injected wallet (a
 * fresh funded account, not the demo's deployer: it administers nothing yet), register it, sign in as
 * owner, set up the brand's minter, create a token type, create a perk requiring it with the rule
 * builder and airdrop the type to a member; the member then redeems the perk through the API.
 * Screenshots go to test-results/console-bootstrap-*.png.
 */
import { mkdir } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { createPublicClient, getAddress, http, parseEther, toHex, type Address } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { DEFAULT_ADMIN_ROLE, MINTER_ROLE, stampbookCollectionAbi } from "../../contracts/bindings/index.ts";
import { freePort } from "../../scripts/free-port.ts";
import { chromiumAvailable, launchChromium } from "../support/browser.ts";
import { openScreen, settled } from "../support/pages.ts";
import { startDemo, type DemoManifest, type DemoProcess } from "../support/demo-process.ts";
import { injectWallet } from "../support/injected-wallet.ts";
import { siweSignIn, type ApiCall } from "../support/siwe.ts";

const SCREENSHOTS = new URL("../../test-results/", import.meta.url);
const BRAND_NAME = "Bootstrap Bakery";
const TYPE_NAME = "Bakery bun stamp";
const PERK_TITLE = "Free bun";
const available = chromiumAvailable();

type Manifest = DemoManifest & { consoleUrl: string; operatorToken: string };

let demo: DemoProcess;
let m: Manifest;
let browser: Browser;
let page: Page;
const adminKey = generatePrivateKey();
const admin = privateKeyToAccount(adminKey).address;
const member = privateKeyToAccount(generatePrivateKey());
/** What one stage hands the next. */
const state: { brandId?: string; apiKey?: string; collection?: Address; minter?: Address; perkId?: string } = {};

beforeAll(async () => {
  if (!available) return;
  await mkdir(SCREENSHOTS, { recursive: true });
  [demo, browser] = await Promise.all([startDemo({ CONSOLE_PORT: String(await freePort()) }), launchChromium()]);
  m = demo.manifest as Manifest;
  // A wallet of its own with gas money and nothing else: no collection knows it.
  const funded = await fetch(m.rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "hardhat_setBalance", params: [admin, toHex(parseEther("10"))] }) });
  expect((await funded.json()).error).toBeUndefined();
  const created = await fetch(`${m.apiUrl}/v1/operator/brands`, { method: "POST", headers: { authorization: `Bearer ${m.operatorToken}`, "content-type": "application/json" }, body: JSON.stringify({ name: BRAND_NAME }) });
  expect(created.status).toBe(201);
  const { brand, key } = await created.json();
  state.brandId = brand.id;
  state.apiKey = key.apiKey;
}, 150_000);

afterAll(async () => {
  await browser?.close();
  await demo?.cleanup();
});

async function screenshot(name: string) {
  await page.screenshot({ path: new URL(`console-bootstrap-${name}.png`, SCREENSHOTS).pathname, fullPage: true });
}

/** The new brand's API, as its servers call it. */
async function brandApi(path: string) {
  const response = await fetch(`${m.apiUrl}${path}`, { headers: { authorization: `Bearer ${state.apiKey}` } });
  expect(response.status, path).toBe(200);
  return response.json();
}

const chain = () => createPublicClient({ transport: http(m.rpcUrl) });

describe.skipIf(!available)("a new brand bootstraps itself in the console (skipped only where Chromium is missing and CI is not set)", () => {
  it("signs in with the brand's API key, which starts with no collection", async () => {
    expect((await brandApi("/v1/admin/collections")).items).toEqual([]);
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await injectWallet(page, { privateKey: adminKey, rpcUrl: m.rpcUrl, chainId: m.chainId });
    await page.goto(m.consoleUrl);
    await page.waitForSelector("body[data-ready=true]");
    // A wrong key is refused in the API's words, and nothing opens.
    await page.getByLabel("API key").fill("sbk_not-a-real-key");
    await page.getByRole("button", { name: "Sign in with the brand's API key" }).click();
    await expect.poll(() => page.locator("#api-key-status").getAttribute("data-state"), { timeout: 10_000 }).toBe("failed");
    expect(await page.locator("#api-key-status").textContent()).toContain("unknown or revoked");

    await page.getByLabel("API key").fill(state.apiKey!);
    await page.getByRole("button", { name: "Sign in with the brand's API key" }).click();
    await expect.poll(() => page.locator("#role").textContent(), { timeout: 10_000 }).toBe("API key");
    expect(await page.locator("#brand-name").textContent()).toBe(BRAND_NAME);
    // Kept for this tab only: never in localStorage.
    expect(await page.evaluate(() => ({ local: JSON.stringify(localStorage), session: Object.values(sessionStorage) }))).toEqual({ local: "{}", session: [state.apiKey] });
    // An API key is a manager: everything but staff, and the brand's collections first.
    expect(await page.locator("#screens a").allTextContents()).toEqual(["Overview", "Collections", "Token types", "Mint and airdrop", "Perks and drops", "Journeys and levels", "Redemptions and claims", "Members' data", "Storefronts", "Webhooks"]);
    expect(await page.locator("#screens a[aria-current=page]").textContent()).toBe("Collections");
    await expect.poll(() => page.locator("#collections-list").textContent(), { timeout: 10_000 }).toContain("no registered collection yet");
    await screenshot("1-api-key");
  });

  it("deploys a collection with the wallet, which becomes its admin and treasury", async () => {
    const form = page.locator("#deploy-collection");
    await form.getByLabel("Name").fill("Bootstrap Bakery Club");
    await form.getByLabel("Symbol").fill("BAKE");
    // A mistake is said in words before the wallet is asked.
    await form.getByLabel("Royalty (basis points)").fill("20000");
    await form.getByRole("button", { name: "Sign and deploy" }).click();
    await expect.poll(() => form.locator("#deploy-status").getAttribute("data-state"), { timeout: 5_000 }).toBe("failed");
    expect(await form.locator("#deploy-status").textContent()).toContain("from 0 to 10000");
    await form.getByLabel("Royalty (basis points)").fill("250");
    await form.getByRole("button", { name: "Sign and deploy" }).click();
    expect(await settled(form.locator("#deploy-status"))).toContain("Deployed “Bootstrap Bakery Club” at 0x");
    state.collection = getAddress((await page.locator("#deployed-collection").textContent())!);
    expect(await page.locator("#register-address").inputValue()).toBe(state.collection);
    const client = chain();
    expect(await client.readContract({ address: state.collection, abi: stampbookCollectionAbi, functionName: "hasRole", args: [DEFAULT_ADMIN_ROLE, admin] })).toBe(true);
    expect(await client.readContract({ address: state.collection, abi: stampbookCollectionAbi, functionName: "name" })).toBe("Bootstrap Bakery Club");
    expect(await client.readContract({ address: state.collection, abi: stampbookCollectionAbi, functionName: "royaltyInfo", args: [1n, 10_000n] })).toEqual([admin, 250n]);
    await screenshot("2-deployed");
  }, 60_000);

  it("registers it with the wallet's signature, and the wallet signs in as owner", async () => {
    const form = page.locator("#register-collection");
    await form.getByRole("button", { name: "Sign and register" }).click();
    expect(await settled(form.locator("#register-status"))).toContain(`Registered ${state.collection} for ${BRAND_NAME}`);
    await expect.poll(() => page.locator("#collections-list").textContent(), { timeout: 10_000 }).toContain(state.collection!);
    expect((await brandApi("/v1/admin/collections")).items).toEqual([expect.objectContaining({ collection: state.collection, brandId: state.brandId, admin })]);
    await screenshot("3-registered");

    await page.getByRole("button", { name: "Sign in as owner now" }).click();
    await expect.poll(() => page.locator("#role").textContent(), { timeout: 15_000 }).toBe("Owner");
    expect(await page.locator("#who").getAttribute("title")).toBe(admin);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(await page.locator("#screens a").allTextContents()).toContain("Staff");
  }, 60_000);

  it("sets up the brand's minter, each step saying what it did, and skips them all the second time", async () => {
    await expect.poll(() => page.locator("#minter-collection").inputValue(), { timeout: 10_000 }).toBe(state.collection);
    await page.getByLabel("Gas money for the minter (ETH)").fill("0.05");
    const form = page.locator("#minter-setup");
    await form.getByRole("button", { name: "Set up the minter" }).click();
    expect(await settled(form.locator("#minter-status"), 45_000)).toContain("can mint on");
    expect(await form.locator("#minter-steps li[data-state=done]").count()).toBe(4);
    expect(await form.locator("#minter-steps li[data-step=minter]").textContent()).toContain("Made 0x");
    expect(await form.locator("#minter-steps li[data-step=role]").textContent()).toContain("Granted to");
    const { minter } = await brandApi("/v1/admin/minter");
    state.minter = getAddress(minter.address);
    expect(minter.collections).toEqual([{ collection: state.collection, canMint: true }]);
    const client = chain();
    expect(await client.readContract({ address: state.collection!, abi: stampbookCollectionAbi, functionName: "hasRole", args: [MINTER_ROLE, state.minter] })).toBe(true);
    expect(await client.readContract({ address: state.collection!, abi: stampbookCollectionAbi, functionName: "issuingMinter" })).toBe(state.minter);
    expect(await client.getBalance({ address: state.minter })).toBe(parseEther("0.05"));
    await expect.poll(() => page.locator("#collections-list").textContent(), { timeout: 10_000 }).toContain("yes");
    await screenshot("4-minter");

    await form.getByRole("button", { name: "Set up the minter" }).click();
    await settled(form.locator("#minter-status"), 30_000);
    expect(await form.locator("#minter-steps li[data-step=minter]").textContent()).toContain("made already");
    expect(await form.locator("#minter-steps li[data-step=role]").textContent()).toContain("holds it already");
    expect(await form.locator("#minter-steps li[data-step=issuing]").textContent()).toContain("is the issuing minter already");
    expect(await form.locator("#minter-steps li[data-step=gas]").textContent()).toContain("holds 0.05 ETH already");
  }, 90_000);

  it("creates a token type, a perk requiring it with the rule builder, and airdrops it to a member", async () => {
    await openScreen(page, "Token types");
    const typeForm = page.locator("#create-type");
    await typeForm.getByLabel("Name").fill(TYPE_NAME);
    await typeForm.getByLabel("Description").fill("One for every bun.");
    await typeForm.getByRole("button", { name: "Sign and create" }).click();
    expect(await settled(typeForm.locator(".action-status"), 45_000)).toContain(`Created “${TYPE_NAME}”`);

    await openScreen(page, "Perks and drops");
    const perkForm = page.locator("#offer-form");
    await perkForm.getByLabel("Title").fill(PERK_TITLE);
    const builder = page.locator("#offer-rule");
    await builder.getByRole("button", { name: "+ Token type" }).click();
    await builder.getByLabel("Token type").selectOption({ label: TYPE_NAME });
    await expect.poll(() => builder.locator("[data-role=rule-words]").textContent(), { timeout: 15_000 }).toBe(`Requires a ${TYPE_NAME}.`);
    await perkForm.getByRole("button", { name: "Create perk" }).click();
    expect(await settled(perkForm.locator("#offer-status"))).toContain(`Created the perk “${PERK_TITLE}”`);
    const perk = (await brandApi("/v1/admin/perks")).items.find((p: { title: string }) => p.title === PERK_TITLE);
    expect(perk.rule).toEqual({ type: "holds", collection: state.collection, tokenId: "1", min: 1 });
    state.perkId = perk.id;

    await openScreen(page, "Mint and airdrop");
    await page.locator("#airdrop-type").selectOption({ label: TYPE_NAME });
    await page.locator("#airdrop-addresses").fill(`${member.address}\n`);
    await page.getByRole("button", { name: "Send", exact: true }).click();
    expect(await settled(page.locator("#airdrop-status"), 45_000)).toBe("1 of 1 sent.");
    expect(await chain().readContract({ address: state.collection!, abi: stampbookCollectionAbi, functionName: "balanceOf", args: [member.address, 1n] })).toBe(1n);
    await screenshot("5-airdropped");
  }, 120_000);

  it("the member redeems the perk, and the console shows the redemption", async () => {
    const call: ApiCall = async (method, url, body) => {
      const response = await fetch(`${m.apiUrl}${url}`, { method, ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }) });
      const text = await response.text();
      return { statusCode: response.status, body: text, json: () => JSON.parse(text) };
    };
    const token = await siweSignIn(call, member);
    let code: string | undefined;
    // The API reads holdings with a short cache: the airdrop shows up within seconds.
    await expect
      .poll(async () => {
        const response = await fetch(`${m.apiUrl}/v1/perks/${state.perkId}/redeem`, { method: "POST", headers: { authorization: `Bearer ${token}`, "idempotency-key": `bootstrap-${Date.now()}` } });
        if (response.status === 201) code = (await response.json()).code;
        return response.status;
      }, { timeout: 20_000, interval: 1_000 })
      .toBe(201);
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);

    await openScreen(page, "Redemptions and claims");
    await page.getByRole("button", { name: "Show", exact: true }).first().click();
    await expect.poll(() => page.locator("#redemptions-table tbody").textContent(), { timeout: 15_000 }).toContain(code!);
    await screenshot("6-redeemed");
  }, 60_000);
});
