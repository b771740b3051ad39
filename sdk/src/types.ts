/** Wire shapes of the Stampbook API, as the SDK returns them (timestamps are RFC 3339 strings). */
import type { Address, Hex } from "viem";

/** A member's session: what `signIn()` returns and what the client keeps in storage. */
export type Session = {
  /** Bearer token (`sbs_…`). Keep it like a password. */
  token: string;
  address: Address;
  chainId: number;
  /** When the server forgets the session. */
  expiresAt: string;
};

/** What `GET /v1/auth/nonce` grants: a single-use nonce and the fields of the EIP-4361 message. */
export type NonceGrant = {
  nonce: string;
  expiresAt: string;
  domain: string;
  uri: string;
  chainId: number;
  statement: string;
  version: "1";
  issuedAt: string;
};

export type Holding = {
  tokenId: string;
  kind: "membership" | "collectible";
  /** The type's name in words (the brand's metadata, else "Membership" / "Collectible"). */
  name: string;
  description: string;
  /** Absolute URL of the type's picture, or null. */
  image: string | null;
  balance: string;
  soulbound: boolean;
  points: string;
  uri: string;
  /** Memberships only. */
  active?: boolean;
  /** Memberships only; null: never expires. */
  expiresAt?: string | null;
};

/** `GET /v1/me`. */
export type Me = {
  address: Address;
  chainId: number;
  /** Every collection the deployment serves; `available` false when it could not be read just now (its holdings are then empty). */
  collections: { address: Address; brandId: string | null; available: boolean; holdings: Holding[] }[];
  /** The member's standing with each brand: points from the stamps held, the level they set, what the next level needs. */
  loyalty: LoyaltyStanding[];
};

/** A brand-defined named threshold of points (`GET /v1/brands/:brandId/levels`). */
export type Level = { key: string; name: string; minPoints: number };

/** A member's standing with one brand. */
export type LoyaltyStanding = {
  brandId: string;
  brandName: string;
  /** Sum over the brand's token types held of balance x the type's points (a decimal string). */
  points: string;
  /** The highest level reached, or null (below the first level, or the brand has none). */
  level: Level | null;
  /** The next level and the points still missing, or null at the top. */
  next: (Level & { pointsToGo: string }) | null;
};

/**
 * Why a member is not eligible: "holds_too_few", "membership_missing", "membership_expired", "excluded",
 * "points_too_few", "level_too_low", "consent_missing" (share what a data request asks: `request` is its
 * id, for `grant()`), or "unavailable" (their holdings or grants could not be read just now).
 */
export type PerkReasonCode =
  | "holds_too_few"
  | "membership_missing"
  | "membership_expired"
  | "excluded"
  | "points_too_few"
  | "level_too_low"
  | "consent_missing"
  | "unavailable";

/** Why a member is not eligible for a perk, a drop or a hold step. */
export type PerkReason = {
  code: PerkReasonCode;
  /** In words, ready to show: "needs a Gold membership", "needs 150 points, you have 40". */
  message: string;
  collection?: Address;
  tokenId?: string;
  have?: string;
  need?: string;
  expiredAt?: string;
  /** The level key a level rule names. */
  level?: string;
  /** The data request a consent rule names: `client.grant(request)` unlocks it. */
  request?: string;
};

/** A perk as a member sees it. */
export type MemberPerk = {
  id: string;
  brandId: string;
  title: string;
  description: string;
  /** The rule in words, e.g. "a Gold membership". */
  requires: string;
  limits: { perMember: number | null; total: number | null };
  startsAt: string | null;
  endsAt: string | null;
  status: "upcoming" | "open" | "ended";
  /** Whether the member holds what it requires (false while that cannot be checked). */
  eligible: boolean;
  /** Why not, in words (token ids only in `collection`/`tokenId`). */
  reasons: PerkReason[];
  /** False when the member's holdings for this brand could not be read just now: nothing unlocks until they can be. */
  checked: boolean;
  /** The member's redemptions of this perk. */
  redeemed: number;
  /** The member has redeemed it as often as the per-member limit allows. */
  usedUp: boolean;
};

/** A redemption with its one-time code (show it as text or QR at the till). */
export type Redemption = {
  id: string;
  perkId: string;
  brandId: string;
  member: Address;
  code: string;
  createdAt: string;
  consumedAt: string | null;
};

export type RedemptionPage = { items: Redemption[]; nextCursor: string | null };

/** A signed claim voucher as the API sends it (integers as decimal strings), ready for `claim(voucher, r, vs)`. */
export type ClaimVoucherJson = {
  chainId: number;
  collection: Address;
  to: Address;
  id: string;
  amount: string;
  validAfter: string;
  validUntil: string;
  uid: Hex;
  price: string;
  /** The 65-byte EIP-712 signature by the brand's minter key. */
  signature?: Hex;
  /** ERC-2098 compact signature, as the contract's `claim` takes it. */
  r: Hex;
  vs: Hex;
};

/** Where a claim is: "pending" (mint sent, no receipt yet), "minted" (on chain, by the server's mint or the voucher), "issued" (voucher signed, not used yet), "failed", "expired" (voucher unused in time). */
export type ClaimStatus = "pending" | "minted" | "issued" | "failed" | "expired";

/**
 * A claim of a drop. Mode "mint": the server mints (gasless for the member) and the claim moves from
 * "pending" to "minted" or "failed". Mode "voucher": the server signs a voucher that anyone may submit
 * to the collection's `claim(voucher, r, vs)` ("issued").
 */
export type Claim = {
  id: string;
  dropId: string;
  brandId: string;
  member: Address;
  collection: Address;
  tokenId: string;
  amount: string;
  mode: "mint" | "voucher";
  status: ClaimStatus;
  /** The mint transaction (mode mint). */
  txHash: Hex | null;
  voucher: ClaimVoucherJson | null;
  error: { code: string; message: string } | null;
  createdAt: string;
  updatedAt: string;
};

/** A drop as a member sees it: what it gives, what it requires, and whether the member may claim it. */
export type MemberDrop = {
  id: string;
  brandId: string;
  title: string;
  description: string;
  /** What a claim gives, by the brand's name and picture (show this; the ids below are details). */
  item: { name: string; image: string | null };
  collection: Address;
  tokenId: string;
  /** Units minted per claim. */
  amount: string;
  mode: "mint" | "voucher";
  /** The rule in words, or "any signed-in member". */
  requires: string;
  limits: { perMember: number | null; total: number | null };
  startsAt: string | null;
  endsAt: string | null;
  status: "upcoming" | "open" | "ended";
  /** Whether the member holds what it requires (false while that cannot be checked). */
  eligible: boolean;
  /** Why not, in words (token ids only in `collection`/`tokenId`). */
  reasons: PerkReason[];
  /** False when the member's holdings for this brand could not be read just now. */
  checked: boolean;
  /** The member's claims of this drop that count against its limits. */
  claimed: number;
  /** The member has claimed it as often as the per-member limit allows. */
  usedUp: boolean;
};

export type JourneyStepKind = "quiz" | "code" | "event" | "hold" | "referral";

/** One step of a journey as a member sees it. */
export type MemberJourneyStep = {
  id: string;
  title: string;
  /** quiz and code: the member completes them with `completeStep`; hold: too, checked fresh against the chain; event and referral: the brand's systems do. */
  kind: JourneyStepKind;
  done: boolean;
  completedAt: string | null;
  /** Whether it can be completed now: the journey is open and, if ordered, the previous step is done. */
  available: boolean;
  /** Quiz: the questions, without answers; answer with the index of a choice per question. */
  questions?: { prompt: string; choices: string[] }[];
  /** Hold: what it requires, in words. */
  requires?: string;
  /** Referral: the member's invitation code (and a link carrying it as `?invite=`) for a new member to sign in with. */
  invitation?: { code: string; url?: string };
};

export type JourneyAwardStatus = "pending" | "sending" | "awarded" | "failed";

/** A journey as a member sees it (`GET /v1/journeys`): its steps, the member's progress, the stamp it awards. */
export type MemberJourney = {
  id: string;
  brandId: string;
  title: string;
  description: string;
  startsAt: string | null;
  endsAt: string | null;
  status: "upcoming" | "open" | "ended";
  /** Steps must be completed in order. */
  ordered: boolean;
  /** What completing it awards (once per member). `points` is amount x the type's points. */
  stamp: { name: string; image: string | null; amount: string; points: string; collection: Address; tokenId: string };
  steps: MemberJourneyStep[];
  completed: boolean;
  /** The stamp's way to the member's wallet once the journey is completed; null before. */
  award: { status: JourneyAwardStatus; txHash: Hex | null } | null;
};

/** A field of the member's profile a brand may ask for. Listed always in this order: email, name, birthday, city, preferences. */
export type DataField = "email" | "name" | "birthday" | "city" | "preferences";

/** A birthday: a day of any year (February 29 allowed). */
export type Birthday = { month: number; day: number };

/** The member's profile (`GET /v1/me/profile`): their own, kept once for every brand. Every field may be empty (null). */
export type Profile = {
  email: string | null;
  name: string | null;
  birthday: Birthday | null;
  city: string | null;
  /** Up to 20 preferences: lowercase keys (`^[a-z][a-z0-9_.-]{0,39}$`), each a string (up to 200 characters) or a boolean. */
  preferences: Record<string, string | boolean>;
  /** When the member last saved it; null: never. */
  updatedAt: string | null;
};

/** The whole profile as `updateProfile` replaces it: every key required (null empties a field, `{}` clears the preferences). */
export type ProfileInput = Pick<Profile, "email" | "name" | "birthday" | "city" | "preferences">;

/** A brand's request for some of a member's fields (`GET /v1/data-requests`): why, and for how long the brand keeps them. */
export type DataRequest = {
  id: string;
  brandId: string;
  brandName: string;
  fields: DataField[];
  /** Why, in the brand's words (shown to the member in the statement they sign). */
  purpose: string;
  /** How many days a grant lasts (and the brand keeps what it got). */
  retentionDays: number;
  /** The perk a grant unlocks, or null. */
  perkId: string | null;
  createdAt: string;
};

export type ConsentStatus = "active" | "revoked" | "expired";

/** A signed consent as kept: the EIP-4361 message exactly as signed and its signature. Anyone can check it with `verifyReceipt`. */
export type ConsentReceipt = { message: string; signature: Hex };

/** A member's grant of one data request (`POST /v1/consents`, `GET /v1/me/consents`). */
export type Consent = {
  id: string;
  brandId: string;
  requestId: string;
  fields: DataField[];
  purpose: string;
  grantedAt: string;
  expiresAt: string;
  revokedAt: string | null;
  status: ConsentStatus;
  receipt: ConsentReceipt;
};

/** `GET /v1/consents/template?request=`: the fields of the EIP-4361 message that grants a request, with a fresh nonce, and the message itself. */
export type ConsentTemplate = {
  domain: string;
  address: Address;
  statement: string;
  uri: string;
  version: "1";
  chainId: number;
  nonce: string;
  issuedAt: string;
  expirationTime: string;
  /** The ERC-5573 ReCap URI: exactly one. */
  resources: string[];
  message: string;
};

/** One brand read of the member's data under one grant. */
export type AccessLogEntry = {
  id: string;
  brandId: string;
  brandName: string;
  consentId: string;
  fields: DataField[];
  purpose: string;
  /** Who at the brand read it, in words: "the brand's API key", "staff 0xAbc… (manager)". */
  actor: string;
  at: string;
};

export type AccessLogPage = { items: AccessLogEntry[]; nextCursor: string | null };

/** `GET /v1/me/export`: everything Stampbook keeps about the member, as one JSON document. */
export type DataExport = {
  exportedAt: string;
  address: Address;
  /** The member's first sign-in (null: not recorded). */
  firstSignedInAt: string | null;
  profile: Profile;
  consents: Consent[];
  accessLog: AccessLogEntry[];
  redemptions: Record<string, unknown>[];
  claims: Record<string, unknown>[];
  /** Journey progress: steps completed, invitation codes, stamps awarded, and what brands reported the member did. */
  journeys: {
    steps: { journeyId: string; stepId: string; completedAt: string }[];
    invitations: { journeyId: string; code: string }[];
    awards: { journeyId: string; status: string; txHash: string | null }[];
    events: { brandId: string; brandName: string; type: string; properties: Record<string, unknown>; occurredAt: string }[];
  };
};

/** What an erasure removed (`profile`, `consents`, `accessLog`) and unlinked from the member (kept under a random pseudonym). */
export type Erased = {
  profile: boolean;
  consents: number;
  accessLog: number;
  redemptionsUnlinked: number;
  claimsUnlinked: number;
  journeyRecordsUnlinked: number;
};
