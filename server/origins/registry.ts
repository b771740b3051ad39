/**
 * Which web origins may call the API from a browser and sign members in, and for whom: the
 * deployment's own (its storefront, console and API: CORS_ORIGINS, PUBLIC_URL, SIWE_URI), which act
 * for every brand, and those each brand registered for its own storefronts and apps, which act for
 * that brand alone. CORS, the cookie's CSRF check, the sign-in nonce and the entitlement's audience
 * all ask here.
 */
import { Problem } from "../errors.ts";
import { toTimestamp, type Store } from "../storage/index.ts";
import { parseOrigin } from "./origin.ts";
import type { BrandOrigin } from "./types.ts";

/** Who may act from an origin: the deployment itself (`brandId` null) or one brand. */
export type OriginGrant = { brandId: string | null };

export type OriginRegistry = {
  /** Who may act from `origin` (exactly as the Origin header has it), or null: nobody. */
  lookup(origin: string): Promise<OriginGrant | null>;
  /** The brand that registered `origin`, or null (the deployment's own, or nobody's). */
  brandOf(origin: string): Promise<string | null>;
  isAllowed(origin: string): Promise<boolean>;
  list(brandId: string): Promise<BrandOrigin[]>;
  /** Registers an origin for the brand (idempotent: `added` false when it had it); 400 `origin_invalid`, 409 `origin_taken`. */
  add(brandId: string, input: string): Promise<{ origin: BrandOrigin; added: boolean }>;
  /** 404 `origin_not_found` unless the brand had it. */
  remove(brandId: string, input: string): Promise<void>;
  /** Registrations changed on another instance: read them again at the next lookup. */
  forget(): void;
};

/**
 * @param options.deployment the deployment's own origins, in any spelling a URL has.
 * @param options.ttlMs how long the registrations may be reused; another instance's change shows
 *   within this long, or at once when the bus tells this one (`forget`).
 * @param options.onChange told after each change this instance made (the bus tells the others).
 */
export function createOriginRegistry(options: { store: Store; deployment: readonly string[]; ttlMs: number; now: () => Date; onChange?: () => void }): OriginRegistry {
  const { store } = options;
  const deployment = new Set(options.deployment.map((url) => URL.parse(url)?.origin).filter((origin) => origin !== undefined && origin !== "null"));
  let cache: { at: number; owners: ReadonlyMap<string, string> } | null = null;
  // Counts forgets: registrations read before one must not be cached.
  let generation = 0;

  async function owners(): Promise<ReadonlyMap<string, string>> {
    if (cache !== null && Date.now() - cache.at < options.ttlMs) return cache.owners;
    const loading = generation;
    const loaded = new Map((await store.listOrigins()).map((o) => [o.origin, o.brandId]));
    if (loading === generation) cache = { at: Date.now(), owners: loaded };
    return loaded;
  }

  function forget(): void {
    generation++;
    cache = null;
  }

  function changed(): void {
    forget();
    options.onChange?.();
  }

  async function lookup(header: string): Promise<OriginGrant | null> {
    // Scheme and host are case-insensitive; any other spelling (a path, a default port) is nobody's.
    const origin = header.toLowerCase();
    if (deployment.has(origin)) return { brandId: null };
    const brandId = (await owners()).get(origin);
    return brandId === undefined ? null : { brandId };
  }

  return {
    lookup,
    async brandOf(origin) {
      return (await lookup(origin))?.brandId ?? null;
    },
    async isAllowed(origin) {
      return (await lookup(origin)) !== null;
    },
    list: (brandId) => store.listOrigins({ brandId }),
    async add(brandId, input) {
      const origin = parseOrigin(input);
      if (deployment.has(origin)) throw taken(origin);
      const result = await store.addOrigin({ origin, brandId, createdAt: toTimestamp(options.now()) });
      if (result.status === "taken") throw taken(origin);
      if (result.status === "added") changed();
      return { origin: result.origin, added: result.status === "added" };
    },
    async remove(brandId, input) {
      const origin = URL.parse(input)?.origin ?? input;
      if (!(await store.removeOrigin(brandId, origin))) throw new Problem(404, "origin_not_found", "The brand has no such origin", `Registered origins are listed at GET /v1/admin/origins.`);
      changed();
    },
    forget,
  };
}

function taken(origin: string): Problem {
  return new Problem(409, "origin_taken", "That origin belongs to another program", `${origin} is already registered on this deployment; each origin serves one brand.`);
}
