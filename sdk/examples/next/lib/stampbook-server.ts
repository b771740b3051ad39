/**
 * The storefront's server gate (`@stampbook/sdk/server`): it verifies the entitlement a member's
 * browser hands over (see components/ServerSession.tsx) and decides, offline, what a request may
 * see. Read from the environment when a request is served, like the rest of the configuration:
 * STAMPBOOK_API_URL, STAMPBOOK_BRAND, and STAMPBOOK_SITE_URL, this storefront's own origin (the one
 * the brand registered), which every entitlement must be addressed to.
 */
import { createStampbookServer, type StampbookServer } from "@stampbook/sdk/server";
import { storefrontConfig, StorefrontConfigError } from "./config";

// One gate per configuration, kept across requests: it caches the API's keys and the tokens it verified.
let made: { key: string; gate: StampbookServer } | null = null;

export function stampbookServer(env: Record<string, string | undefined> = process.env): StampbookServer {
  const { apiUrl, brand } = storefrontConfig(env);
  const site = env.STAMPBOOK_SITE_URL;
  if (!site || !URL.canParse(site)) throw new StorefrontConfigError(`Set STAMPBOOK_SITE_URL to this storefront's origin, as the brand registered it (see the README's "Next.js example").`);
  const key = [apiUrl, brand, site].join(" ");
  if (made?.key !== key) made = { key, gate: createStampbookServer({ apiUrl, brand, audience: site }) };
  return made.gate;
}
