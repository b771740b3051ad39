/**
 * What the browser tests read off a page the way a person does: the text they can see (leaving out
 * what sits inside a <details> element), the embedded wallet's address, and the console's screens
 * and action statuses.
 */
import { expect } from "vitest";
import type { Page } from "playwright-core";
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

/** The storefront's embedded wallet address, from the key the member exports (inside the collapsed "Your key"). */
export async function exportedAddress(page: Page): Promise<Address> {
  await page.locator("#key-details summary").click();
  await page.getByRole("button", { name: "Show my private key" }).click();
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
