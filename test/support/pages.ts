/**
 * What the browser tests read off a page the way a person does: the text they can see (leaving out
 * what sits inside a <details> element), whether a member would meet a word they do not use, how
 * wide each card's text runs on a phone, the embedded wallet's address, and the console's screens
 * and action statuses.
 */
import { expect } from "vitest";
import type { Locator, Page } from "playwright-core";
import type { Address, Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";

/** What a member must never read outside "Details": a token id, or a transaction hash (any 32-byte hex). */
export const IDS_IN_TEXT = /token\s*#?\d|0x[0-9a-f]{64}/i;

/** Every piece of text a person can see now, and the values of visible fields, leaving out what sits inside <details>. */
export function visibleText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || parent.closest("details, script, style, template") || !parent.checkVisibility()) continue;
      if (node.textContent?.trim()) out.push(node.textContent.trim());
    }
    for (const control of Array.from(document.querySelectorAll("input, textarea"))) {
      const field = control as HTMLInputElement | HTMLTextAreaElement;
      if (!field.closest("details") && field.checkVisibility() && field.type !== "checkbox" && field.type !== "radio") out.push(field.value);
    }
    return out.join("\n");
  });
}

export async function expectNoIdsShown(page: Page): Promise<void> {
  const text = await visibleText(page);
  expect(text.match(IDS_IN_TEXT), `visible text names a token id or a transaction hash:\n${text}`).toBeNull();
}

/**
 * Words a member does not use, outside "Technical details": minting, gas, relayers, a voucher
 * signature, a private key, a token id, a transaction hash, or anything written as 0x and hex (an
 * address or a hash, whole or shortened).
 */
export const NOT_MEMBER_WORDS = /\bmint(?:s|ed|ing)?\b|\bgas\b|\brelayers?\b|voucher signature|private key|token\s*#?\s*id|transaction hash|0x[0-9a-f]{3,}/i;

/** The page's visible text (outside <details>) says nothing in {@link NOT_MEMBER_WORDS}, nor a token id or hash. */
export async function expectMemberWords(page: Page): Promise<void> {
  const text = await visibleText(page);
  expect(text.match(NOT_MEMBER_WORDS)?.[0], `visible text uses a word a member does not:\n${text}`).toBeUndefined();
  expect(text.match(IDS_IN_TEXT), `visible text names a token id or a transaction hash:\n${text}`).toBeNull();
}

/**
 * The text blocks in `cards` narrower than `share` of the viewport, as "width px: text" (none: each
 * reads across the card). A text block is a visible element, outside <details>, with text of its own
 * (a direct text node) whose display is not inline (a flex or grid item counts: it is blockified).
 * Left out by rule, as chips rather than text: buttons and what is in them, `.badge` (state chips),
 * `.step-state` (a step's "to do"/"done"), summaries, and form controls.
 */
export function narrowTextBlocks(page: Page, cards: string, share = 0.6): Promise<string[]> {
  return page.evaluate(
    ({ cards, share }) => {
      const least = window.innerWidth * share;
      const narrow: string[] = [];
      for (const card of Array.from(document.querySelectorAll<HTMLElement>(cards))) {
        if (!card.checkVisibility()) continue;
        for (const block of [card, ...Array.from(card.querySelectorAll<HTMLElement>("*"))]) {
          if (block.closest("details, button, select, option, .badge, .step-state, summary, script, style")) continue;
          if (!block.checkVisibility() || getComputedStyle(block).display.startsWith("inline") || getComputedStyle(block).display === "contents") continue;
          const own = Array.from(block.childNodes).some((n) => n.nodeType === Node.TEXT_NODE && (n.textContent ?? "").trim() !== "");
          if (!own) continue;
          const width = block.getBoundingClientRect().width;
          if (width < least) narrow.push(`${Math.round(width)} px: ${(block.textContent ?? "").trim().slice(0, 60)}`);
        }
      }
      return narrow;
    },
    { cards, share },
  );
}

/** Every text block of every card in `cards` runs at least 60% of the viewport wide (see {@link narrowTextBlocks}). */
export async function expectWideText(page: Page, cards: string): Promise<void> {
  expect(await page.locator(cards).count(), `no cards match ${cards}`).toBeGreaterThan(0);
  expect(await narrowTextBlocks(page, cards), `text blocks narrower than 60% of the ${page.viewportSize()?.width} px viewport in ${cards}`).toEqual([]);
}

/** The storefront's embedded wallet address, from the key the member exports (inside the collapsed "Your key"). */
export async function exportedAddress(page: Page): Promise<Address> {
  await page.locator("#key-details summary").click();
  await page.getByRole("button", { name: "Show my membership key" }).click();
  const key = (await page.locator("#private-key").textContent()) as Hex;
  await page.locator("#key-details summary").click();
  return privateKeyToAccount(key).address;
}

/** The console's action status `scope` once it settled; fails with its words if it failed. */
export async function settled(scope: ReturnType<Page["locator"]>, timeout = 30_000): Promise<string> {
  await expect.poll(() => scope.getAttribute("data-state"), { timeout }).not.toBe("pending");
  const text = (await scope.textContent()) ?? "";
  expect(await scope.getAttribute("data-state"), text).toBe("done");
  return text;
}

/** Opens one of the console's screens by its tab. */
export async function openScreen(page: Page, title: string): Promise<void> {
  await page.locator("#screens").getByRole("link", { name: title }).click();
}

/**
 * In the demo storefront: refreshes until the perk card's Redeem button shows (listings may reuse
 * holdings for a few seconds), redeems it, and returns the code the dialog shows, the dialog closed again.
 */
export async function redeemOnceUnlocked(page: Page, card: Locator): Promise<string> {
  await expect
    .poll(async () => {
      await page.getByRole("button", { name: "Refresh" }).click();
      await page.waitForTimeout(500);
      return card.getByRole("button", { name: "Redeem" }).count();
    }, { timeout: 20_000, interval: 1_000 })
    .toBe(1);
  await card.getByRole("button", { name: "Redeem" }).click();
  await expect.poll(() => page.locator("#code-dialog").isVisible(), { timeout: 15_000 }).toBe(true);
  const code = (await page.locator("#code-text").textContent())!;
  await page.getByRole("button", { name: "Done" }).click();
  return code;
}
