/**
 * Consent signed as its own receipt. A member grants a brand's data request by signing an EIP-4361
 * message whose last resource is an ERC-5573 ReCap naming the brand (`stampbook:<brandId>`), the
 * request, its fields, its purpose and the grant's expiry (now + the request's retention); the
 * statement says the same in words, then the ReCap statement; `Expiration Time` is the expiry.
 *
 * A grant is verified exactly as a sign-in is (server/auth: domain, URI, chain, times, a nonce this
 * server issued used once, plain and contract wallets), by the signed-in member, and its ReCap must
 * be what the template for that request would be: anything changed is refused before the nonce is
 * used, so a refused grant stores nothing and costs the member nothing.
 *
 * The store is the truth about grants; what an instance caches of a member's grants is dropped when
 * the bus says they changed (at once on every instance with Redis, else within `cacheMs`).
 */
import { webhookMessage } from "../webhooks/messages.ts";
import type { Address, Hex } from "viem";
import type { AuthService, SignInParameters } from "../auth/sessions.ts";
import { checksumAddress, formatSiweMessage, parseSiweMessage, parseTimestamp, SiweError, type SiweMessage } from "../auth/siwe/index.ts";
import { Problem } from "../errors.ts";
import { newId, toTimestamp, type Store } from "../storage/index.ts";
import { decodeRecap, encodeRecap, grantRecap, RECAP_PREFIX, readGrant, withRecapStatement, type DataGrant } from "../../sdk/src/protocol/recap.ts";
import { grantWords } from "../../sdk/src/protocol/statements.ts";
import type { DataRequests } from "./requests.ts";
import { consentStatus, type Consent, type DataRequest } from "./types.ts";
import { type ConsentTemplate, type ConsentView } from "../../sdk/src/protocol/data.ts";

const DAY_MS = 86_400_000;
const MAX_CACHED_MEMBERS = 10_000;

export type Consents = {
  /** What `member` signs to grant the request: fields, a fresh nonce, and the text itself. */
  /** What the member signs on the page at `origin` (its Origin header; none: the deployment's sign-in page). */
  template(member: Address, requestId: string, origin?: string): Promise<ConsentTemplate>;
  /** Verifies a signed grant by the signed-in `member` and stores it with its receipt. */
  grant(member: Address, message: string, signature: string): Promise<ConsentView>;
  list(member: Address): Promise<ConsentView[]>;
  /** Revokes one of the member's grants (again: nothing changes). */
  revoke(member: Address, id: string): Promise<void>;
  /**
   * The ids of the data requests the member has an active grant of (what consent rules read): from
   * this instance's cache, or with `fresh` from the store (a redemption's re-check).
   */
  activeRequests(member: Address, fresh?: boolean): Promise<ReadonlySet<string>>;
  /** Drops what this instance cached of a member's grants (without one: everyone's). */
  forget(member?: string): void;
};

const otherBrandsOrigin = () =>
  new Problem(403, "origin_not_allowed", "This storefront may not ask for another brand's data", "A brand's own storefront collects consents to that brand's data requests only.");

const invalid = (detail: string) => new Problem(400, "consent_invalid", "The consent does not match a data request", detail);

export function createConsents(deps: {
  store: Store;
  auth: AuthService;
  /** The brand that registered an origin, or null (the deployment's own; an unknown one gets no nonce). */
  originBrand: (origin: string) => Promise<string | null>;
  requests: DataRequests;
  params: Pick<SignInParameters, "siweDomain" | "siweUri" | "chainId" | "clockSkewSeconds" | "nonceTtlSeconds">;
  /** How long a member's grants read from the store may be served without reading again. */
  cacheMs: number;
  now: () => Date;
  /** Told (and awaited) after a member's grants changed: the bus tells the other instances. */
  onChange?: (member: Address) => Promise<void> | void;
}): Consents {
  const { store, auth, params, now } = deps;
  // Per member (lowercase): the grants read at `at`. A read that began before a forget is not kept.
  type Entry = { at: number; consents: Consent[]; active?: { set: ReadonlySet<string>; until: number } };
  const cache = new Map<string, Entry>();
  let generation = 0;

  async function entryOf(member: Address): Promise<Entry> {
    const key = member.toLowerCase();
    const at = now().getTime();
    const hit = cache.get(key);
    if (hit !== undefined && at - hit.at < deps.cacheMs) return hit;
    const started = generation;
    const entry: Entry = { at, consents: await store.listConsents(member) };
    if (deps.cacheMs > 0 && started === generation) {
      cache.delete(key);
      if (cache.size >= MAX_CACHED_MEMBERS) cache.delete(cache.keys().next().value!);
      cache.set(key, entry);
    }
    return entry;
  }

  /** The requests granted and live at `at`, and until when that stays so (the first expiry). */
  function activeAt(consents: readonly Consent[], at: number): { set: ReadonlySet<string>; until: number } {
    const stamp = toTimestamp(at);
    const active = consents.filter((c) => consentStatus(c, stamp) === "active");
    return { set: new Set(active.map((c) => c.requestId)), until: Math.min(Infinity, ...active.map((c) => Date.parse(c.expiresAt))) };
  }

  function forget(member?: string) {
    generation += 1;
    if (member === undefined) cache.clear();
    else cache.delete(member.toLowerCase());
  }

  async function changed(member: Address) {
    forget(member);
    await deps.onChange?.(member);
  }

  /** Every check of the message's grant against the request it names; the ReCap's grant. */
  async function checkGrant(parsed: SiweMessage, at: number): Promise<{ grant: DataGrant; expiresAtMs: number }> {
    const resources = parsed.resources ?? [];
    const recaps = resources.filter((r) => r.startsWith(RECAP_PREFIX));
    // ERC-5573: at most one ReCap URI, and it is the last resource.
    if (recaps.length !== 1 || resources.at(-1) !== recaps[0]) throw invalid("The message must end its resources with one ReCap URI (ERC-5573).");
    const uri = recaps[0]!;
    const details = decodeRecap(uri);
    const grant = details && readGrant(details);
    if (details === null || grant === null) throw invalid("The ReCap carries no Stampbook data grant.");
    if (encodeRecap(details) !== uri) throw invalid("The ReCap is not in canonical form (keys sorted, unpadded base64url).");
    const request = await store.getDataRequest(grant.request);
    if (request === null || request.brandId !== grant.brandId) throw invalid("The ReCap names no live data request of that brand.");
    if (grant.fields.join() !== request.fields.join()) throw invalid("The ReCap's fields are not the request's.");
    if (grant.purpose !== request.purpose) throw invalid("The ReCap's purpose is not the request's.");
    const expiresAtMs = parseTimestamp(grant.expires);
    if (expiresAtMs === null) throw invalid("The ReCap's expiry is not an RFC 3339 time.");
    // The template says now + retention; the member may take the nonce's lifetime to sign it.
    const due = at + request.retentionDays * DAY_MS;
    const skew = params.clockSkewSeconds * 1000;
    if (expiresAtMs > due + skew || expiresAtMs < due - skew - params.nonceTtlSeconds * 1000) throw invalid(`The grant must expire ${request.retentionDays} days from now.`);
    if (parsed.expirationTime === undefined || parseTimestamp(parsed.expirationTime) !== expiresAtMs) throw invalid("The message's Expiration Time must be the ReCap's expiry.");
    if (parsed.statement !== withRecapStatement(grantWords(request), details)) throw invalid("The statement must say what the ReCap grants, in the template's words.");
    return { grant, expiresAtMs };
  }

  return {
    async template(member, requestId, origin) {
      const request = await deps.requests.get(requestId);
      const nonce = await auth.issueNonce(origin);
      // A brand's own storefront asks for that brand's data only (checked again when the consent comes back signed).
      const asking = origin === undefined ? null : await deps.originBrand(origin);
      if (asking !== null && asking !== request.brandId) throw otherBrandsOrigin();
      const expirationTime = toTimestamp(Date.parse(nonce.issuedAt) + request.retentionDays * DAY_MS);
      const details = grantRecap({ brandId: request.brandId, request: request.id, fields: request.fields, purpose: request.purpose, expires: expirationTime });
      const fields = {
        domain: nonce.domain,
        address: checksumAddress(member),
        statement: withRecapStatement(grantWords(request), details),
        uri: nonce.uri,
        version: "1" as const,
        chainId: nonce.chainId,
        nonce: nonce.nonce,
        issuedAt: nonce.issuedAt,
        expirationTime,
        resources: [encodeRecap(details)],
      };
      return { ...fields, message: formatSiweMessage(fields) };
    },

    async grant(member, message, signature) {
      const at = now();
      let parsed: SiweMessage;
      try {
        parsed = parseSiweMessage(message);
      } catch (error) {
        if (error instanceof SiweError) throw new Problem(400, "siwe_malformed", "The consent message is not an EIP-4361 message", error.message);
        throw error;
      }
      // Checked before anything is used: another account's signature never grants for this member.
      if (parsed.address.toLowerCase() !== member.toLowerCase()) throw new Problem(403, "consent_signer_mismatch", "The consent is not the signed-in member's", "Sign the consent with the wallet you signed in with.");
      const { grant, expiresAtMs } = await checkGrant(parsed, at.getTime());
      if ((await store.findConsentByNonce(parsed.nonce)) !== null) throw replayed();
      // Domain, URI, chain, times, the nonce (used up here) and the signature, as for a sign-in.
      const signedOn = await auth.verify(message, signature);
      if (signedOn.brandId !== null && signedOn.brandId !== grant.brandId) throw otherBrandsOrigin();
      const result = await store.createConsent({
        id: newId(),
        member,
        brandId: grant.brandId,
        requestId: grant.request,
        fields: grant.fields,
        purpose: grant.purpose,
        grantedAt: toTimestamp(at),
        expiresAt: toTimestamp(expiresAtMs),
        revokedAt: null,
        nonce: parsed.nonce,
        message,
        signature,
      }, (consent) => [
        webhookMessage(
          consent.brandId,
          "consent.granted",
          { consentId: consent.id, member: { address: consent.member }, requestId: consent.requestId, fields: [...consent.fields], purpose: consent.purpose, grantedAt: consent.grantedAt, expiresAt: consent.expiresAt },
          consent.grantedAt,
        ),
      ]);
      if (!result.created) throw result.reason === "nonce_used" ? replayed() : invalid("The data request was withdrawn while the consent was checked.");
      await changed(member);
      return consentView(result.consent, toTimestamp(now()));
    },

    async list(member) {
      const at = toTimestamp(now());
      return (await entryOf(member)).consents.map((consent) => consentView(consent, at));
    },

    async activeRequests(member, fresh = false) {
      if (fresh) return activeAt(await store.listConsents(member), now().getTime()).set;
      const entry = await entryOf(member);
      const at = now().getTime();
      // The same set while nothing changes, so listings made from it can be reused.
      if (entry.active === undefined || at >= entry.active.until) entry.active = activeAt(entry.consents, at);
      return entry.active.set;
    },

    async revoke(member, id) {
      const revoked = await store.revokeConsent(member, id, toTimestamp(now()), (consent) => [
        webhookMessage(consent.brandId, "consent.revoked", { consentId: consent.id, member: { address: consent.member }, requestId: consent.requestId, revokedAt: consent.revokedAt! }, consent.revokedAt!),
      ]);
      if (revoked !== null) return changed(member);
      const existing = (await store.listConsents(member)).find((c) => c.id === id);
      if (existing === undefined) throw new Problem(404, "consent_not_found", "No such consent", "It does not exist, or is not yours.");
    },

    forget,
  };
}

function replayed(): Problem {
  return new Problem(409, "consent_replayed", "This consent was used already", "Each signed consent works once: ask for a new template and sign again.");
}

export function consentView(consent: Consent, now: string): ConsentView {
  return {
    id: consent.id,
    brandId: consent.brandId,
    requestId: consent.requestId,
    fields: consent.fields,
    purpose: consent.purpose,
    grantedAt: consent.grantedAt,
    expiresAt: consent.expiresAt,
    revokedAt: consent.revokedAt,
    status: consentStatus(consent, now),
    receipt: { message: consent.message, signature: consent.signature as Hex },
  };
}
