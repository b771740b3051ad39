/**
 * The demo storefront in headless Chromium, against `npm start` (real chain, API and store).
 * Path 1: an injected EIP-1193 wallet (backed by a local-chain account in this process) signs in,
 * sees a perk locked, receives the membership by airdrop, sees it unlock, redeems it, and a second
 * click shows the same code without a second redemption. Path 2: a member without a wallet gets an
 * embedded key, claims a drop without holding any ETH, which unlocks a perk, and redeems it once.
 * Screenshots go to test-results/.
 */
import { mkdir } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { createPublicClient, createWalletClient, defineChain, http, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { stampbookCollectionAbi } from "../../contracts/bindings/index.ts";
import { chromiumAvailable, launchChromium } from "../support/browser.ts";
import { startDemo, type DemoProcess } from "../support/demo-process.ts";

const SCREENSHOTS = new URL("../../test-results/", import.meta.url);
const GOLD = 1n;
const STAMP = 3n;
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

/** Puts an EIP-1193 wallet into the page (also announced via EIP-6963) that signs with `key` in this process. */
async function injectWallet(page: Page, key: Hex, chainId: number) {
  const account = privateKeyToAccount(key);
  await page.exposeFunction("__testWallet", async (method: string, params: unknown[]) => {
    switch (method) {
      case "eth_requestAccounts":
      case "eth_accounts":
        return [account.address];
      case "eth_chainId":
        return `0x${chainId.toString(16)}`;
      case "personal_sign":
        return account.signMessage({ message: { raw: params[0] as Hex } });
      case "wallet_switchEthereumChain":
        return null;
      default:
        throw Object.assign(new Error(`unsupported ${method}`), { code: 4200 });
    }
  });
  await page.addInitScript(() => {
    const listeners = new Map<string, Set<(...args: unknown[]) => void>>();
    const provider = {
      isTestWallet: true,
      request: async ({ method, params }: { method: string; params?: unknown[] }) =>
        (window as unknown as { __testWallet: (m: string, p: unknown[]) => Promise<unknown> }).__testWallet(method, params ?? []),
      on: (event: string, listener: (...args: unknown[]) => void) => void (listeners.get(event) ?? listeners.set(event, new Set()).get(event)!).add(listener),
      removeListener: (event: string, listener: (...args: unknown[]) => void) => void listeners.get(event)?.delete(listener),
    };
    (window as unknown as { ethereum: unknown }).ethereum = provider;
    const announce = () =>
      window.dispatchEvent(
        new CustomEvent("eip6963:announceProvider", {
          detail: Object.freeze({ info: { uuid: "5b1f3a1e-0000-4000-8000-000000000001", name: "Test Wallet", icon: "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg'/>", rdns: "dev.stampbook.testwallet" }, provider }),
        }),
      );
    window.addEventListener("eip6963:requestProvider", announce);
  });
}

async function perkCard(page: Page, title: string) {
  return page.locator("#perks .card", { has: page.getByRole("heading", { name: title }) });
}

describe.skipIf(!available)("storefront in headless Chromium (skipped only where Chromium is missing and CI is not set)", () => {
  it("injected wallet: locked perk, airdrop unlocks it, redeem shows a code once", async () => {
    const m = demo.manifest;
    const member = m.accounts.find((a) => Object.keys(a.holdings).length === 0)!;
    const { chain, publicClient } = chainOf(m);
    const page = await browser.newPage();
    await injectWallet(page, member.privateKey, m.chainId);
    await page.goto(m.storefrontUrl);
    await page.waitForSelector("body[data-ready=true]");
    await page.getByRole("button", { name: "Connect wallet" }).click();
    await expect.poll(() => page.locator("#who").textContent(), { timeout: 15_000 }).toContain(member.address.slice(0, 6));

    const coffee = await perkCard(page, "Free coffee for Gold members");
    await expect.poll(() => coffee.textContent(), { timeout: 15_000 }).toContain("needs a membership of token 1");
    expect(await coffee.getByRole("button", { name: "Redeem" }).count()).toBe(0);
    await page.screenshot({ path: new URL("storefront-1-locked.png", SCREENSHOTS).pathname, fullPage: true });

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
    await page.screenshot({ path: new URL("storefront-2-unlocked.png", SCREENSHOTS).pathname, fullPage: true });

    await coffee.getByRole("button", { name: "Redeem" }).click();
    const dialog = page.locator("#code-dialog");
    await expect.poll(() => dialog.isVisible(), { timeout: 15_000 }).toBe(true);
    const code = (await page.locator("#code-text").textContent())!;
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(await page.locator("#code-qr svg").count()).toBe(1);
    await page.screenshot({ path: new URL("storefront-3-code.png", SCREENSHOTS).pathname, fullPage: true });
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

    await page.getByRole("button", { name: "Show my private key" }).click();
    const key = (await page.locator("#private-key").textContent()) as Hex;
    const address: Address = privateKeyToAccount(key).address;
    expect(await publicClient.getBalance({ address })).toBe(0n);

    const cookie = await perkCard(page, "A cookie for your first stamp");
    await expect.poll(() => cookie.textContent(), { timeout: 15_000 }).toContain("needs at least 1 of token 3, holds 0");
    expect(await cookie.getByRole("button", { name: "Redeem" }).count()).toBe(0);

    const welcome = page.locator("#drops .card", { has: page.getByRole("heading", { name: "Welcome stamp" }) });
    await welcome.getByRole("button", { name: "Claim", exact: true }).click();
    await expect.poll(() => welcome.textContent(), { timeout: 30_000 }).toContain("Claimed");
    await expect.poll(() => page.locator(`#holdings .card[data-token-id="${STAMP}"]`).count(), { timeout: 15_000 }).toBe(1);
    await page.screenshot({ path: new URL("storefront-4-claimed.png", SCREENSHOTS).pathname, fullPage: true });

    const collection = m.contracts.collections[0]!;
    expect(await publicClient.readContract({ address: collection, abi: stampbookCollectionAbi, functionName: "balanceOf", args: [address, STAMP] })).toBe(1n);
    expect(await publicClient.getBalance({ address })).toBe(0n);

    // The stamp unlocks the perk (listings may reuse holdings for a few seconds).
    await expect
      .poll(async () => {
        await page.getByRole("button", { name: "Refresh" }).click();
        await page.waitForTimeout(500);
        return cookie.getByRole("button", { name: "Redeem" }).count();
      }, { timeout: 20_000, interval: 1_000 })
      .toBe(1);
    await cookie.getByRole("button", { name: "Redeem" }).click();
    await expect.poll(() => page.locator("#code-dialog").isVisible(), { timeout: 15_000 }).toBe(true);
    const code = (await page.locator("#code-text").textContent())!;
    await page.getByRole("button", { name: "Done" }).click();
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
});
