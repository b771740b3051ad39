/**
 * A brand reading a member's data: only the fields under an active grant of that brand, each with the
 * grant it came under, and every read written to the member's access log before anything is answered
 * (a read that cannot be logged returns nothing).
 *
 * Grants are read from the store on every brand read, never from a cache: a revocation holds from the
 * moment it is stored, on every instance.
 */
import type { Address } from "viem";
import { checksumAddress } from "../auth/siwe/index.ts";
import { Problem } from "../errors.ts";
import { newId, toTimestamp, type Page, type Store } from "../storage/index.ts";
import { profileView } from "./profile.ts";
import { consentStatus, DATA_FIELDS, type Consent, type DataField, type ListedAccessLogEntry } from "./types.ts";
import { type AccessLogEntryView, type GrantedProfile } from "../../sdk/src/protocol/data.ts";

export type MemberDataAccess = {
  /** The member's fields the brand may see now, logged as read by `actor`. */
  readProfile(brandId: string, member: Address, actor: string): Promise<GrantedProfile>;
  accessLog(member: Address, query?: { limit?: number | undefined; cursor?: string | undefined }): Promise<Page<AccessLogEntryView>>;
};

export function createMemberDataAccess(deps: { store: Store; now: () => Date }): MemberDataAccess {
  const { store } = deps;
  return {
    async readProfile(brandId, member, actor) {
      const at = toTimestamp(deps.now());
      const grants = (await store.listConsents(member)).filter((c) => c.brandId === brandId);
      const active = grants.filter((c) => consentStatus(c, at) === "active");
      if (active.length === 0) throw noGrant(grants, at);
      // Each field under the grant that lasts longest.
      const byField = new Map<DataField, Consent>();
      for (const grant of active) {
        for (const field of grant.fields) {
          const held = byField.get(field);
          if (held === undefined || held.expiresAt < grant.expiresAt) byField.set(field, grant);
        }
      }
      const profile = profileView(await store.getProfile(member));
      const fields = DATA_FIELDS.filter((f) => byField.has(f)).map((field) => {
        const grant = byField.get(field)!;
        return { field, value: profile[field], grantId: grant.id, purpose: grant.purpose, expiresAt: grant.expiresAt };
      });
      const used = [...new Set(byField.values())];
      await store.logAccess(
        used.map((grant) => ({
          id: newId(),
          member,
          brandId,
          consentId: grant.id,
          fields: DATA_FIELDS.filter((f) => byField.get(f) === grant),
          purpose: grant.purpose,
          actor,
          at,
        })),
      );
      return { address: checksumAddress(member), fields };
    },

    async accessLog(member, query = {}) {
      const page = await store.listAccessLog(member, query);
      return { items: page.items.map(accessLogView), nextCursor: page.nextCursor };
    },
  };
}

/** No active grant: revoked if the latest grant was revoked, else required (none, or expired). */
function noGrant(grants: readonly Consent[], at: string): Problem {
  const latest = grants[0]; // newest first
  if (latest !== undefined && consentStatus(latest, at) === "revoked") {
    return new Problem(403, "consent_revoked", "The member revoked their consent", `The member revoked grant ${latest.id} on ${latest.revokedAt}; ask again with a data request.`);
  }
  const detail = latest === undefined ? "The member has not granted any of this brand's data requests." : `The member's grant ${latest.id} expired on ${latest.expiresAt}.`;
  return new Problem(403, "consent_required", "The member has not shared this data with the brand", detail);
}

export function accessLogView(entry: ListedAccessLogEntry): AccessLogEntryView {
  return { id: entry.id, brandId: entry.brandId, brandName: entry.brandName, consentId: entry.consentId, fields: entry.fields, purpose: entry.purpose, actor: entry.actor, at: entry.at };
}
