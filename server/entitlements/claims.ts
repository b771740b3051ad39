/**
 * What an entitlement states, and the signed token. The brand's view of one member, computed by the
 * services every other answer uses: holdings and points read fresh from the chain (members/me.ts),
 * the level from the brand's level book, and the perks redeemable now from the perks listing (its
 * windows and limits) with eligibility checked fresh by the rules module. Nothing personal: the
 * member is their address; no profile field is read.
 *
 * Fails closed: when any collection the view covers cannot be read, no token (503 chain_unavailable).
 */
import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { getAddress, type Address } from "viem";
import { ENTITLEMENT_ALGORITHM, ENTITLEMENT_VERSION, type EntitlementClaims } from "../../sdk/src/protocol/entitlements.ts";
import { chainUnavailable } from "../chain/errors.ts";
import { Problem } from "../errors.ts";
import { standingOf, type LevelBook } from "../loyalty/levels.ts";
import type { MemberHoldings } from "../members/me.ts";
import type { OfferKindService } from "../offers/service.ts";
import { parseStoredRule, type Rules } from "../rules/index.ts";
import type { BrandStore } from "../storage/index.ts";
import type { KeyRing } from "./keys.ts";

/** The claims besides the registered ones (iss, sub, aud, iat, exp, jti). */
export type EntitlementView = Omit<EntitlementClaims, "iss" | "sub" | "aud" | "iat" | "exp" | "jti">;

export type Entitlements = {
  /** The brand's view of the member; 404 brand_not_found, 503 chain_unavailable. */
  view(member: Address, brandId: string): Promise<EntitlementView>;
  /** The view, signed for the audience `audienceOf` gives once the brand is known to exist. */
  issue(member: Address, brandId: string, audienceOf: () => Promise<string>): Promise<{ token: string; expiresAt: string }>;
};

export function createEntitlements(deps: {
  store: Pick<BrandStore, "getBrand">;
  holdings: MemberHoldings;
  levels: LevelBook;
  perks: Pick<OfferKindService, "list">;
  rules: Pick<Rules, "plan" | "check">;
  keys: KeyRing;
  /** The deployment's public URL (`iss`). */
  issuer: string;
  ttlSeconds: number;
  now: () => Date;
}): Entitlements {
  /** The brand's perks the member may redeem now: open, not used up (the listing), and eligible on a fresh read. */
  async function redeemableNow(member: Address, brandId: string): Promise<EntitlementView["perks"]> {
    const open = (await deps.perks.list(member, { brandId })).filter((p) => p.status === "open" && !p.usedUp);
    if (open.length === 0) return [];
    const plan = await deps.rules.plan(brandId, open.map((p) => (p.offer.rule === null ? null : parseStoredRule(p.offer.rule))));
    const { outcomes } = await deps.rules.check(member, plan, { fresh: true });
    return open.filter((_, i) => outcomes[i]!.eligible).map((p) => ({ id: p.offer.id, title: p.offer.title }));
  }

  async function brandOf(brandId: string) {
    const brand = await deps.store.getBrand(brandId);
    if (brand === null) throw new Problem(404, "brand_not_found", "No such brand", `brand ${brandId}`);
    return brand;
  }

  async function view(member: Address, brandId: string, known?: { id: string; name: string }): Promise<EntitlementView> {
    const brand = known ?? (await brandOf(brandId));
    const [read, levels, perks] = await Promise.all([deps.holdings.read(member, { brandId }), deps.levels.levels(brandId), redeemableNow(member, brandId)]);
    const unread = read.collections.find((c) => !c.available);
    if (unread !== undefined) throw chainUnavailable("Some of the brand's collections could not be read; no entitlement was signed.");
    // A brand without collections has no loyalty entry: no points.
    const standing = read.loyalty.find((l) => l.brandId === brandId) ?? standingOf(0n, levels);
    const held = read.collections.flatMap((c) => c.holdings.map((h) => ({ ...h, collection: c.address })));
    return {
      v: ENTITLEMENT_VERSION,
      brand: { id: brand.id, name: brand.name },
      points: standing.points,
      level: standing.level === null ? null : { key: standing.level.key, name: standing.level.name },
      levels: levels.map(({ key, name, minPoints }) => ({ key, name, minPoints })),
      memberships: held.flatMap((h) => (h.kind === "membership" && "active" in h && h.active ? [{ collection: h.collection, tokenId: h.tokenId, name: h.name, expiresAt: h.expiresAt ?? null }] : [])),
      holdings: held.map((h) => ({ collection: h.collection, tokenId: h.tokenId, name: h.name, balance: h.balance })),
      collections: read.collections.map((c) => getAddress(c.address)),
      perks,
    };
  }

  return {
    view: (member, brandId) => view(member, brandId),

    async issue(member, brandId, audienceOf) {
      const brand = await brandOf(brandId);
      const audience = await audienceOf();
      const [claims, signing] = await Promise.all([view(member, brandId, brand), deps.keys.signingKey()]);
      const iat = Math.floor(deps.now().getTime() / 1000);
      const exp = iat + deps.ttlSeconds;
      const token = await new SignJWT(claims)
        .setProtectedHeader({ alg: ENTITLEMENT_ALGORITHM, kid: signing.kid, typ: "JWT" })
        .setIssuer(deps.issuer)
        .setSubject(getAddress(member))
        .setAudience(audience)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .setJti(randomUUID())
        .sign(signing.key);
      return { token, expiresAt: new Date(exp * 1000).toISOString() };
    },
  };
}
