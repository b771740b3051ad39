/**
 * Whom an entitlement is for: the origin of the brand's storefront that asked (its `Origin` header),
 * or, for a server calling with a member's bearer session (no Origin), the `audience` it names. Either
 * way the origin must be one the brand registered; otherwise 403 origin_not_registered. A token a
 * brand's server receives is thus always for that brand's own site.
 */
import { Problem } from "../errors.ts";

/** The brands' registered origins (`app.origins`). */
export type BrandOrigins = { brandOf(origin: string): Promise<string | null> };

const refuse = (detail: string) => new Problem(403, "origin_not_registered", "This site is not registered to the brand", detail);

/** The brand that registered the asking site; 403 origin_not_registered when none did. */
export async function brandOfSite(origins: BrandOrigins, request: { origin: string | undefined; audience: string | undefined }): Promise<string> {
  const asked = request.origin ?? request.audience;
  const brand = asked === undefined ? null : await origins.brandOf(asked);
  if (brand === null) throw refuse("Name the brand, or call from a site a brand registered.");
  return brand;
}

export async function audienceFor(origins: BrandOrigins, brandId: string, request: { origin: string | undefined; audience: string | undefined }): Promise<string> {
  const asked = request.origin ?? request.audience;
  if (asked === undefined) throw refuse("Call from the brand's site (an Origin header), or name one of its registered origins as audience.");
  // Only a serialized origin (scheme://host[:port], nothing after) names a site.
  const origin = URL.canParse(asked) ? new URL(asked).origin : null;
  if (origin === null || origin !== asked) throw refuse(`${JSON.stringify(asked.slice(0, 200))} is not an origin`);
  if ((await origins.brandOf(origin)) !== brandId) throw refuse(`${origin} is not registered to brand ${brandId}`);
  return origin;
}
