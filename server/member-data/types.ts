/**
 * Members' data and the consents brands ask for: the member's profile (theirs, not a brand's), the
 * data requests brands publish (which fields, why, for how long), and the grants members sign.
 * A grant's receipt is the EIP-4361 message with its ERC-5573 ReCap and the signature, as signed.
 */
import type { Address } from "viem";
import type { Announce } from "../webhooks/types.ts";
import type { Page } from "../storage/store.ts";
import type { Timestamp } from "../storage/time.ts";

/** What a brand may ask for, in the one order fields are always listed in. */
export { canonicalFields, DATA_FIELDS, type DataField } from "../../sdk/src/protocol/data-fields.ts";
import type { DataField } from "../../sdk/src/protocol/data-fields.ts";

export type Birthday = { month: number; day: number };
export type Preferences = Record<string, string | boolean>;

/** A member's profile; every field may be absent (null). */
export interface MemberProfile {
  address: Address;
  email: string | null;
  name: string | null;
  birthday: Birthday | null;
  city: string | null;
  preferences: Preferences;
  updatedAt: Timestamp;
}

/** A brand's request for some of a member's fields, for a purpose, kept `retentionDays`. */
export interface DataRequest {
  id: string;
  brandId: string;
  fields: DataField[];
  purpose: string;
  retentionDays: number;
  perkId: string | null;
  createdAt: Timestamp;
}

/** A live request as members see it listed: with the brand's name. */
export type ListedDataRequest = DataRequest & { brandName: string };

/** A member's signed grant of one request: what was granted, until when, and the receipt. */
export interface Consent {
  id: string;
  member: Address;
  brandId: string;
  requestId: string;
  fields: DataField[];
  purpose: string;
  grantedAt: Timestamp;
  expiresAt: Timestamp;
  revokedAt: Timestamp | null;
  /** The nonce of the signed message: one grant per nonce. */
  nonce: string;
  /** The EIP-4361 message exactly as signed. */
  message: string;
  signature: string;
}

export type ConsentStatus = "active" | "revoked" | "expired";

export function consentStatus(consent: Consent, now: Timestamp): ConsentStatus {
  if (consent.revokedAt !== null) return "revoked";
  return consent.expiresAt <= now ? "expired" : "active";
}

/** One brand read of a member's data under one grant: which fields, who at the brand, when. */
export interface AccessLogEntry {
  id: string;
  member: Address;
  brandId: string;
  consentId: string;
  fields: DataField[];
  purpose: string;
  /** Who at the brand read it, in words: "API key “till”", "staff 0xAb…cd (manager)". */
  actor: string;
  at: Timestamp;
}

export type ListedAccessLogEntry = AccessLogEntry & { brandName: string };

/** What else is kept about a member: their first sign-in, and what brands reported they did. */
export interface MemberRecords {
  firstSignedInAt: Timestamp | null;
  events: { brandId: string; brandName: string; type: string; properties: Record<string, unknown>; occurredAt: Timestamp }[];
}

/** What an erasure removed and what it unlinked (kept, under a pseudonym). */
export interface ErasureCounts {
  profile: boolean;
  consents: number;
  accessLog: number;
  /** The member's takes now under the pseudonym, by kind; kinds without any are absent. */
  takesUnlinked: Record<string, number>;
  journeyRecordsUnlinked: number;
}

export type ErasureInput = {
  address: Address;
  /** A fresh random address-shaped pseudonym that takes the member's place in the records kept. */
  pseudonym: Address;
  now: Timestamp;
  /** Member sessions expiring no later than this were issued before the erasure: they end. */
  sessionsExpireBy: Timestamp;
  /** member.erased messages, told every brand that kept records of the member (written with the erasure). */
  announce?: Announce<{ brandIds: string[] }>;
};

export type CreateConsentResult = { created: true; consent: Consent } | { created: false; reason: "request_gone" | "nonce_used" };

export interface ConsentStore {
  getProfile(address: Address): Promise<MemberProfile | null>;
  /** Replaces the member's whole profile. */
  putProfile(profile: MemberProfile): Promise<MemberProfile>;

  /** Fails if the brand does not exist. */
  createDataRequest(request: DataRequest): Promise<DataRequest>;
  /** A live (not deleted) request, or null. */
  getDataRequest(id: string): Promise<DataRequest | null>;
  /** Live requests, oldest first: one brand's, or every brand's. */
  listDataRequests(query?: { brandId?: string }): Promise<ListedDataRequest[]>;
  /** Soft-deletes one of the brand's live requests (grants keep pointing at it). False if missing, deleted or another brand's. */
  deleteDataRequest(brandId: string, id: string, now: Timestamp): Promise<boolean>;

  /** Stores a grant if its request is still live and no grant has its nonce, in one transaction. */
  createConsent(consent: Consent, announce?: Announce<Consent>): Promise<CreateConsentResult>;
  /** The grant made with this nonce, or null. */
  findConsentByNonce(nonce: string): Promise<Consent | null>;
  /** A member's grants, newest first, revoked and expired ones included. */
  listConsents(member: Address): Promise<Consent[]>;
  /** Revokes one of the member's unrevoked grants; null if missing, another member's or revoked already. */
  revokeConsent(member: Address, id: string, now: Timestamp, announce?: Announce<Consent>): Promise<Consent | null>;

  /** Writes access log entries, all or none. */
  logAccess(entries: AccessLogEntry[]): Promise<void>;
  /** A member's access log, newest first, a page at a time. */
  listAccessLog(member: Address, query?: { limit?: number | undefined; cursor?: string | null | undefined }): Promise<Page<ListedAccessLogEntry>>;

  /** The member's first sign-in and the events brands reported about them, oldest first. */
  memberRecords(member: Address): Promise<MemberRecords>;

  /**
   * In one transaction: deletes the member's profile, grants (with their receipts) and access log and
   * their invitation codes; puts `pseudonym` in the member's place in redemptions, claims, journey
   * progress, events, referrals and the first-sign-in record; ends every session issued so far.
   * Awards keep the address: each records a transfer the chain keeps publicly.
   */
  eraseMember(input: ErasureInput): Promise<ErasureCounts>;
}
