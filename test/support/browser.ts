/**
 * Headless Chromium for end-to-end tests, from the Debian package, driven by playwright-core.
 * Tests skip loudly when it is missing, except under CI=true, where a missing browser is a failure.
 */
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const CHROMIUM_INSTALL = "sudo apt-get install -y chromium";

/** Whether the browser is here; under CI=true its absence throws instead. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  const message = `Chromium not found at ${CHROMIUM_PATH}: the storefront browser test cannot run. Install it with: ${CHROMIUM_INSTALL} (or set CHROMIUM_PATH).`;
  if (process.env.CI === "true") throw new Error(message);
  console.warn(`\n${"!".repeat(100)}\nSKIPPED: ${message}\n${"!".repeat(100)}\n`);
  return false;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // Without the background-networking flags Chromium keeps calling hosts this machine cannot reach.
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}
