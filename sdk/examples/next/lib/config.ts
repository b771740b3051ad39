/**
 * Where the storefront finds Stampbook, read from the environment when a page is served (not when it
 * is built), so one build runs against any deployment: STAMPBOOK_API_URL, STAMPBOOK_BRAND (the
 * brand's id), and optionally STAMPBOOK_BRAND_NAME and STAMPBOOK_RPC_URL (the chain a member's wallet
 * is asked to add if it does not know it). The server gate also reads STAMPBOOK_SITE_URL
 * (lib/stampbook-server.ts).
 */
export type StorefrontConfig = {
  apiUrl: string;
  brand: string;
  brandName: string;
  chain: { rpcUrl: string; name: string } | null;
};

export class StorefrontConfigError extends Error {
  override name = "StorefrontConfigError";
}

export function storefrontConfig(env: Record<string, string | undefined> = process.env): StorefrontConfig {
  const missing = ["STAMPBOOK_API_URL", "STAMPBOOK_BRAND"].filter((name) => !env[name]);
  if (missing.length > 0) throw new StorefrontConfigError(`Set ${missing.join(" and ")} (see the README's "Next.js example").`);
  return {
    apiUrl: env.STAMPBOOK_API_URL!,
    brand: env.STAMPBOOK_BRAND!,
    brandName: env.STAMPBOOK_BRAND_NAME ?? "Members",
    chain: env.STAMPBOOK_RPC_URL ? { rpcUrl: env.STAMPBOOK_RPC_URL, name: "Stampbook chain" } : null,
  };
}
